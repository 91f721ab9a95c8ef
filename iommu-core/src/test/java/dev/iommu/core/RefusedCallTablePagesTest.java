/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;

/**
 * Reproducers of what the fuzzer ({@code iommu fuzz}, the oracle "a refused call changed nothing") found on table
 * pages: a map refused with STATUS_IN_USE (a clash with a page mapped further on) must not keep the tables it
 * installed before meeting the clash, and an UnmapLogicalRange refused because nothing is mapped must not free the
 * empty tables in its range. Each call is checked with {@link V2Rig#refused}: table pages, mapped pages and every
 * watched translation unchanged.
 */
class RefusedCallTablePagesTest
{
    private static final long PAGE = V2Rig.PAGE;
    private static final long TWO_MIB = 0x20_0000L;

    @Test
    void mapIdentityRangeExRefusedInUseKeepsNoTableItInstalled()
    {
        try (V2Rig rig = V2Rig.x64())
        {
            final IommuDmaDomain domain = rig.explicitDomain();
            // A page at the start of the second 2 MiB region; the identity range below begins in the first region,
            // whose last-level table does not exist yet, and runs into that page.
            rig.mapAt(domain, 4 * TWO_MIB, 4 * TWO_MIB / PAGE + 77, 1);
            rig.refused("MapIdentityRangeEx into a mapped page", NtStatus.STATUS_IN_USE,
                () -> rig.iommu.mapIdentityRangeEx(domain, IommuPermissions.READ,
                    V2Rig.contiguous(4 * TWO_MIB - 2 * PAGE, 3)));
        }
    }

    @Test
    void mapLogicalRangeExRefusedInUseKeepsNoTableItInstalled()
    {
        try (V2Rig rig = V2Rig.x64())
        {
            final IommuDmaDomain domain = rig.explicitDomain();
            rig.mapAt(domain, 6 * TWO_MIB, 0x900, 1);
            rig.refused("MapLogicalRangeEx into a mapped page", NtStatus.STATUS_IN_USE,
                () -> rig.iommu.mapLogicalRangeEx(domain, IommuPermissions.READ, V2Rig.contiguous(0x4000_0000L, 4),
                    new LongRef(6 * TWO_MIB - 2 * PAGE), null, null, new LongRef()));
        }
    }

    @Test
    void unmapLogicalRangeOfNothingKeepsTheEmptyTables()
    {
        try (V2Rig rig = V2Rig.x64())
        {
            final IommuDmaDomain domain = rig.explicitDomain();
            rig.mapAt(domain, 0x10_0000L, 0x500, 2);
            assertEquals(NtStatus.STATUS_SUCCESS, rig.iommu.unmapLogicalRange(domain, 0x10_0000L, 2));
            rig.refused("UnmapLogicalRange of nothing over empty tables", NtStatus.STATUS_INVALID_PARAMETER,
                () -> rig.iommu.unmapLogicalRange(domain, 0, 1L << 36));
        }
    }
}
