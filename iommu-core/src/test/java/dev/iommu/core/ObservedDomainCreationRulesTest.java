/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.Arrays;

import dev.iommu.api.IommuDmaReservedRegion;
import org.junit.jupiter.api.Test;

import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DomainCreationRules#observed}: the observed profile's region walk (observed 2 CreateDomainEx rows 12-14),
 * below the engine.
 */
class ObservedDomainCreationRulesTest
{
    private static IommuDmaReservedRegion chain(final IommuDmaReservedRegion... regions)
    {
        for (int i = 0; i + 1 < regions.length; i++)
        {
            regions[i].regionNext(regions[i + 1]);
        }
        return regions[0];
    }

    private static IommuDmaReservedRegion region(final long base, final long pages, final boolean map)
    {
        return new IommuDmaReservedRegion().base(base).numberOfPages(pages).shouldMap(map);
    }

    @Test
    void unionForTheAllocatorAndIdentityListInListOrder()
    {
        final DomainCreationRules rules = new DomainCreationRules();
        assertEquals(STATUS_SUCCESS, rules.observed(false, 0, chain(region(0x9123, 2, true),
            region(0x1000, 4, false), region(0x3000, 3, false), region(0x2000, 1, true)), 48));
        assertFalse(rules.hasAllocator());
        assertEquals(48, rules.addressWidth());
        assertEquals(2, rules.regionCount());
        assertArrayEquals(new long[]{0x1000, 0x9000}, Arrays.copyOf(rules.regionBases(), 2));
        assertArrayEquals(new long[]{5, 2}, Arrays.copyOf(rules.regionPages(), 2));
        assertEquals(2, rules.identityCount());
        assertArrayEquals(new long[]{0x9000, 0x2000}, Arrays.copyOf(rules.identityBases(), 2));
        assertArrayEquals(new long[]{2, 1}, Arrays.copyOf(rules.identityPages(), 2));
    }

    @Test
    void allocatorWidthIsCappedAtTheTables()
    {
        final DomainCreationRules rules = new DomainCreationRules();
        assertEquals(STATUS_SUCCESS, rules.observed(true, 63, null, 48));
        assertTrue(rules.hasAllocator());
        assertEquals(48, rules.addressWidth());
        assertEquals(STATUS_SUCCESS, rules.observed(true, 12, null, 48));
        assertEquals(12, rules.addressWidth());
    }

    @Test
    void zeroPagesOnlyMatterWithAnAllocator()
    {
        final DomainCreationRules rules = new DomainCreationRules();
        assertEquals(STATUS_SUCCESS, rules.observed(false, 0, region(0x1000, 0, true), 48));
        assertEquals(0, rules.regionCount());
        assertEquals(0, rules.identityCount());
        assertEquals(STATUS_INVALID_PARAMETER_3, rules.observed(true, 32, region(0x1000, 0, false), 48));
    }

    @Test
    void identityMapsClashOrRunPastTheTables()
    {
        final DomainCreationRules rules = new DomainCreationRules();
        assertEquals(STATUS_INVALID_PARAMETER, rules.observed(false, 0,
            chain(region(0x1000, 2, true), region(0x2000, 1, true)), 48));
        assertEquals(STATUS_INVALID_PARAMETER, rules.observed(false, 0, region((1L << 48) - 0x1000, 2, true), 48));
        assertEquals(STATUS_INVALID_PARAMETER, rules.observed(false, 0, region(-0x1000, 1, true), 48));
        assertEquals(STATUS_SUCCESS, rules.observed(false, 0, region(-0x1000, 1, false), 48),
            "a base above 2^63, not mapped: ignored");
        assertEquals(0, rules.regionCount());
        assertEquals(STATUS_SUCCESS, rules.observed(false, 0, region(1L << 50, Long.MAX_VALUE, false), 48),
            "a huge region is kept up to 2^63");
        assertEquals(1, rules.regionCount());
    }

    @Test
    void aLoopedListIsTheDocumentedAnswer()
    {
        final IommuDmaReservedRegion looped = region(0x1000, 1, false);
        looped.regionNext(looped);
        assertEquals(STATUS_INVALID_PARAMETER_4, new DomainCreationRules().observed(false, 0, looped, 48));
    }
}
