/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NtStatusTest
{
    /** Spec section 4: name, hex, signed 32-bit value. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "STATUS_SUCCESS, 00000000, 0",
        "STATUS_UNSUCCESSFUL, C0000001, -1073741823",
        "STATUS_NOT_IMPLEMENTED, C0000002, -1073741822",
        "STATUS_INVALID_PARAMETER, C000000D, -1073741811",
        "STATUS_CONFLICTING_ADDRESSES, C0000018, -1073741800",
        "STATUS_ACCESS_DENIED, C0000022, -1073741790",
        "STATUS_BUFFER_TOO_SMALL, C0000023, -1073741789",
        "STATUS_INVALID_PARAMETER_MIX, C0000030, -1073741776",
        "STATUS_NONE_MAPPED, C0000073, -1073741709",
        "STATUS_INSUFFICIENT_RESOURCES, C000009A, -1073741670",
        "STATUS_NOT_SUPPORTED, C00000BB, -1073741637",
        "STATUS_INVALID_PARAMETER_1, C00000EF, -1073741585",
        "STATUS_INVALID_PARAMETER_2, C00000F0, -1073741584",
        "STATUS_INVALID_PARAMETER_3, C00000F1, -1073741583",
        "STATUS_INVALID_PARAMETER_4, C00000F2, -1073741582",
        "STATUS_INVALID_PARAMETER_5, C00000F3, -1073741581",
        "STATUS_INVALID_PARAMETER_6, C00000F4, -1073741580",
        "STATUS_INVALID_PARAMETER_7, C00000F5, -1073741579",
        "STATUS_INVALID_DEVICE_STATE, C0000184, -1073741436",
        "STATUS_NOT_FOUND, C0000225, -1073741275",
        "STATUS_RESOURCE_IN_USE, C0000708, -1073740024",
        "STATUS_ALREADY_REGISTERED, C0000718, -1073740008",
    })
    void everyCodeHasItsValueAndName(final String name, final String hex, final int signed) throws Exception
    {
        final int constant = NtStatus.class.getField(name).getInt(null);

        assertEquals((int)Long.parseLong(hex, 16), constant);
        assertEquals(signed, constant);
        assertEquals(name, NtStatus.name(constant));
        assertEquals("0x" + hex, NtStatus.hex(constant));
        assertTrue(NtStatus.isKnown(constant));
        assertEquals(constant == 0, NtStatus.isSuccess(constant));
    }

    @Test
    void knowsExactlyTheCodesOfSection4()
    {
        assertEquals(22, NtStatus.knownCodes().length);
    }

    @Test
    void theUndocumentedStatusInUseIsResourceInUse()
    {
        assertEquals(0xC0000708, NtStatus.STATUS_IN_USE);
        assertEquals("STATUS_RESOURCE_IN_USE", NtStatus.name(NtStatus.STATUS_IN_USE));
    }

    @Test
    void unknownCodesAreNamedByTheirHexValue()
    {
        assertEquals("0xC0000099", NtStatus.name(0xC0000099));
        assertFalse(NtStatus.isKnown(0xC0000099));
        assertEquals("0x00000103", NtStatus.name(0x103));
    }

    @Test
    void informationalCodesAreSuccess()
    {
        assertTrue(NtStatus.isSuccess(0x103));
        assertFalse(NtStatus.isSuccess(NtStatus.STATUS_UNSUCCESSFUL));
    }

    @Test
    void checkPassesSuccessAndThrowsOnFailure() throws NtStatusException
    {
        assertEquals(0, NtStatus.check(NtStatus.STATUS_SUCCESS));
        final NtStatusException e =
            assertThrows(NtStatusException.class, () -> NtStatus.check(NtStatus.STATUS_ACCESS_DENIED));
        assertEquals(NtStatus.STATUS_ACCESS_DENIED, e.status());
        assertEquals("STATUS_ACCESS_DENIED (0xC0000022)", e.getMessage());
    }
}
