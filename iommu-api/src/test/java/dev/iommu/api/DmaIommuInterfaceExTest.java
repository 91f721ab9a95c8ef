/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DmaIommuInterfaceExTest
{
    @Test
    void sizesAreHeaderPlusEightBytesPerMember()
    {
        assertEquals(0x10 + 8 * DmaIommuInterfaceV1.MEMBER_COUNT, DmaIommuInterfaceEx.sizeOf(1));
        assertEquals(0x10 + 8 * DmaIommuInterfaceV2.MEMBER_COUNT, DmaIommuInterfaceEx.sizeOf(2));
        assertEquals(0x10 + 8 * DmaIommuInterfaceV3.MEMBER_COUNT, DmaIommuInterfaceEx.sizeOf(3));
        assertEquals(0x78, DmaIommuInterfaceEx.SIZE_V1);
        assertEquals(0xC0, DmaIommuInterfaceEx.SIZE_V2);
        assertEquals(0xE8, DmaIommuInterfaceEx.SIZE_V3);
        assertThrows(IllegalArgumentException.class, () -> DmaIommuInterfaceEx.sizeOf(4));
        assertThrows(IllegalArgumentException.class, () -> DmaIommuInterfaceEx.sizeOf(0));
    }

    @Test
    void fillingWritesSizeAndVersionAndOnlyThatUnionMemberIsReadable()
    {
        final DmaIommuInterfaceV3 v3 = table(DmaIommuInterfaceV3.class);
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        assertThrows(IllegalStateException.class, ex::v2);

        ex.fillV3(v3);
        assertEquals(3, ex.version());
        assertEquals(0xE8, ex.size());
        assertSame(v3, ex.v3());
        assertSame(v3, ex.v2());
        assertThrows(IllegalStateException.class, ex::v1);

        ex.fillV2(v3);
        assertEquals(2, ex.version());
        assertEquals(0xC0, ex.size());
        assertThrows(IllegalStateException.class, ex::v3);

        final DmaIommuInterfaceV1 v1 = table(DmaIommuInterfaceV1.class);
        ex.fillV1(v1);
        assertEquals(0x78, ex.size());
        assertSame(v1, ex.v1());
        assertThrows(IllegalStateException.class, ex::v2);

        ex.clear();
        assertEquals(0, ex.version());
        assertEquals(0, ex.size());
        assertThrows(NullPointerException.class, () -> ex.fillV2(null));
        assertEquals(0, ex.version());
    }

    private static <T> T table(final Class<T> type)
    {
        return type.cast(Proxy.newProxyInstance(
            type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> NtStatus.STATUS_NOT_IMPLEMENTED));
    }
}
