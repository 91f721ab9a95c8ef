/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaLogicalAllocatorType;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.NtStatus;
import org.junit.jupiter.api.Test;

import static dev.iommu.api.IommuDmaDomainType.PASS_THROUGH;
import static dev.iommu.api.IommuDmaDomainType.TRANSLATE;
import static dev.iommu.api.IommuDmaDomainType.UNMANAGED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainCreationRulesTest
{
    private final DomainCreationRules rules = new DomainCreationRules();

    @Test
    void invalidParameter1ForNoTypeOrMax()
    {
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_1, rules.check(null, 0, null, null, true, 48));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_1,
            rules.check(IommuDmaDomainType.MAX, 0, null, null, true, 48));
    }

    @Test
    void invalidParameter2ForAnyFlag()
    {
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_2, rules.check(TRANSLATE, 1, null, null, true, 48));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_2, rules.check(TRANSLATE, Long.MIN_VALUE, null, null, true, 48));
    }

    @Test
    void invalidParameter3ForBadAllocatorConfigurations()
    {
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_3, rules.check(TRANSLATE, 0, buddy(12), null, true, 48));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_3, rules.check(TRANSLATE, 0, buddy(64), null, true, 48));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_3, rules.check(PASS_THROUGH, 0, buddy(39), null, true, 48));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_3, rules.check(TRANSLATE, 0,
            new IommuDmaLogicalAllocatorConfig().logicalAllocatorType(IommuDmaLogicalAllocatorType.MAX), null, true,
            48));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_3,
            rules.check(TRANSLATE, 0, new IommuDmaLogicalAllocatorConfig(), null, true, 48));
    }

    @Test
    void allocatorTypeNoneMeansNoAllocatorAndWidthIsCappedByTheTables()
    {
        final IommuDmaLogicalAllocatorConfig none =
            new IommuDmaLogicalAllocatorConfig().logicalAllocatorType(IommuDmaLogicalAllocatorType.NONE);
        assertEquals(NtStatus.STATUS_SUCCESS, rules.check(PASS_THROUGH, 0, none, null, true, 48));
        assertFalse(rules.hasAllocator());

        assertEquals(NtStatus.STATUS_SUCCESS, rules.check(TRANSLATE, 0, buddy(63), null, true, 57));
        assertTrue(rules.hasAllocator());
        assertEquals(57, rules.addressWidth());
        assertEquals(NtStatus.STATUS_SUCCESS, rules.check(TRANSLATE, 0, buddy(32), null, true, 48));
        assertEquals(32, rules.addressWidth());
    }

    @Test
    void invalidParameter4ForBadReservedRegions()
    {
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_4,
            rules.check(UNMANAGED, 0, null, region(0x1000, 1), true, 48), "regions on an unmanaged domain");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_4,
            rules.check(TRANSLATE, 0, null, region(0x1001, 1), true, 48), "unaligned");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_4,
            rules.check(TRANSLATE, 0, null, region(0x1000, 0), true, 48), "no pages");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_4,
            rules.check(TRANSLATE, 0, buddy(32), region(0xFFFF_F000L, 2), true, 48), "past the top");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_4,
            rules.check(TRANSLATE, 0, null, region(0x1000, Long.MAX_VALUE), true, 48), "overflow");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_4, rules.check(TRANSLATE, 0, null,
            region(0x4000, 2).regionNext(region(0x5000, 1)), true, 48), "overlap");
        final IommuDmaReservedRegion loop = region(0x1000, 1);
        loop.regionNext(loop);
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_4, rules.check(TRANSLATE, 0, null, loop, true, 48), "loop");
        assertEquals(0, rules.regionCount());
    }

    @Test
    void regionsComeOutSorted()
    {
        final IommuDmaReservedRegion regions =
            region(0x9000, 1).regionNext(region(0x1000, 2).shouldMap(true).regionNext(region(0x3000, 1)));
        assertEquals(NtStatus.STATUS_SUCCESS, rules.check(TRANSLATE, 0, buddy(39), regions, true, 48));
        assertEquals(3, rules.regionCount());
        assertArrayEquals(new long[]{0x1000, 0x3000, 0x9000}, rules.regionBases());
        assertArrayEquals(new long[]{2, 1, 1}, rules.regionPages());
        assertTrue(rules.regionIdentityMapped(0));
        assertFalse(rules.regionIdentityMapped(1));
    }

    @Test
    void invalidParameter5WithoutDomainOut()
    {
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_5, rules.check(TRANSLATE, 0, null, null, false, 48));
    }

    private static IommuDmaLogicalAllocatorConfig buddy(final int width)
    {
        return new IommuDmaLogicalAllocatorConfig().buddy(width);
    }

    private static IommuDmaReservedRegion region(final long base, final long pages)
    {
        return new IommuDmaReservedRegion().base(base).numberOfPages(pages);
    }
}
