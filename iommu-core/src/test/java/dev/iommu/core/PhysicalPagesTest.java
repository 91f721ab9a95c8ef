/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuMapPhysicalAddressType;
import dev.iommu.api.Mdl;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PhysicalPagesTest
{
    private final IommuMapPhysicalAddress address = new IommuMapPhysicalAddress();

    @Test
    void contiguousRanges()
    {
        assertEquals(3, PhysicalPages.pageCount(address.useContiguousRange(0x10_0000, 0x3000)));
        assertEquals(0x102, PhysicalPages.frame(PhysicalPages.base(address), PhysicalPages.frames(address), 2));
        assertNull(PhysicalPages.frames(address));
        assertEquals(-1, PhysicalPages.pageCount(address.useContiguousRange(0x10_0800, 0x1000)), "unaligned base");
        assertEquals(-1, PhysicalPages.pageCount(address.useContiguousRange(0x10_0000, 0x1800)), "partial page");
        assertEquals(-1, PhysicalPages.pageCount(address.useContiguousRange(0x10_0000, 0)), "empty");
        assertEquals(-1, PhysicalPages.pageCount(address.useContiguousRange(-4096, 0x1000)), "negative");
        assertEquals(-1, PhysicalPages.pageCount(address.useContiguousRange((1L << 52) - 4096, 0x2000)),
            "past 2^52");
        assertEquals(1, PhysicalPages.pageCount(address.useContiguousRange((1L << 52) - 4096, 0x1000)));
    }

    @Test
    void pfnArrays()
    {
        final long[] frames = {5, 9, 7};
        assertEquals(2, PhysicalPages.pageCount(address.usePfnArray(frames, 2)));
        assertEquals(9, PhysicalPages.frame(PhysicalPages.base(address), PhysicalPages.frames(address), 1));
        assertArrayEquals(frames, PhysicalPages.frames(address));
        assertEquals(-1, PhysicalPages.pageCount(address.usePfnArray(frames, 4)), "longer than the array");
        assertEquals(-1, PhysicalPages.pageCount(address.usePfnArray(frames, 0)), "empty");
        assertEquals(-1, PhysicalPages.pageCount(address.usePfnArray(null, 1)), "no array");
        assertEquals(-1, PhysicalPages.pageCount(address.usePfnArray(new long[]{1L << 40}, 1)), "frame too high");
    }

    @Test
    void mdls()
    {
        final Mdl mdl = new Mdl().describe(new long[]{3, 4}, 0x2000);
        assertEquals(2, PhysicalPages.pageCount(address.useMdl(mdl)));
        assertEquals(4, PhysicalPages.frame(PhysicalPages.base(address), PhysicalPages.frames(address), 1));
        assertEquals(-1, PhysicalPages.pageCount(address.useMdl(new Mdl().describe(new long[]{3}, 0x2000))));
        assertEquals(-1, PhysicalPages.pageCount(address.useMdl(mdl.byteOffset(8))), "byte offset");
        assertEquals(-1, PhysicalPages.pageCount(address.useMdl(new Mdl().describe(new long[]{3}, 100))));
        assertEquals(-1, PhysicalPages.pageCount(address.useMdl(null)));
        assertEquals(2, PhysicalPages.pageCount(mdl.byteOffset(0)), "the V1 form");
        assertEquals(2, PhysicalPages.checkedPageCount(address.useMdl(mdl)));
    }

    @Test
    void otherTypesAndNullAreInvalid()
    {
        assertEquals(-1, PhysicalPages.pageCount((IommuMapPhysicalAddress)null));
        assertEquals(-1, PhysicalPages.pageCount(new IommuMapPhysicalAddress()));
        assertEquals(-1, PhysicalPages.pageCount(new IommuMapPhysicalAddress()
            .mapType(IommuMapPhysicalAddressType.MAX)));
    }
}
