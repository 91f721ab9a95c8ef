/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.Ref;
import org.junit.jupiter.api.Test;

import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.contiguous;
import static dev.iommu.core.V2Rig.pfns;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Calls refused for want of table pages, and token maps refused for a clash, change nothing all the way down: no
 * table page taken or freed, the IOVA space and protected ranges as they were, and the next call that fits the
 * pages left succeeds. Each case failed before its fix (issue 14 defects 1 and 2): a refused reserve or map kept the
 * intermediate tables it installed, and a refused MapReservedLogicalRange freed its token's tables. The allocator
 * cases also catch a cleanup path that forgets the protected-range removal, the allocator free or the thread cache
 * free (the snapshot compares protected ranges and allocator free bytes).
 */
final class ShortageCleanupTest
{
    private static final long REGION = 2L << 20;
    private static final long FRAME = 0x4000_0000L;

    /** Leaves exactly {@code free} table pages, by mapping one page per 2 MiB region in a filler domain. */
    private static void leaveFree(final V2Rig r, final long free)
    {
        final IommuDmaDomain filler = r.explicitDomain();
        long iova = 1L << 40;
        while (r.emulator.tablePageCapacity() - r.emulator.tablePagesInUse() > free)
        {
            final long before = r.emulator.tablePagesInUse();
            final long left = r.emulator.tablePageCapacity() - before;
            if (left - free < 3 && before > 0 && iova == 1L << 40)
            {
                throw new IllegalStateException("cannot leave " + free + " pages: start with more");
            }
            r.mapAt(filler, iova, FRAME >>> 12, 1);
            iova += REGION;
        }
        assertEquals(free, r.emulator.tablePageCapacity() - r.emulator.tablePagesInUse(), "pages left");
    }

    @Test
    void explicitReserveRefusedForTablePagesInstallsNothing()
    {
        try (V2Rig r = V2Rig.x64(V2Rig.limits(64)))
        {
            final IommuDmaDomain domain = r.explicitDomain();
            leaveFree(r, 2);
            r.refused("explicit reserve needing three tables", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.iommu.reserveLogicalAddressRange(domain, PAGE, new LongRef(0x1000_0000L), null, null,
                    new Ref<>()));
            r.refused("explicit map needing three tables", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.iommu.mapLogicalRangeEx(domain, IommuPermissions.READ_WRITE, contiguous(FRAME, 2),
                    new LongRef(0x1000_0000L), null, null, new LongRef()));
            r.expect("the pages are still there for a domain", STATUS_SUCCESS,
                () -> r.iommu.createDomainEx(dev.iommu.api.IommuDmaDomainType.TRANSLATE, 0, null, null, new Ref<>()));
        }
    }

    @Test
    void allocatorReserveRefusedForTablePagesGivesBackRangeAndSpace()
    {
        try (V2Rig r = V2Rig.x64(V2Rig.limits(64)))
        {
            final IommuDmaDomain domain = r.allocatorDomain();
            r.mapAllocated(domain, FRAME >>> 12);
            leaveFree(r, 0);
            // A reservation of three regions needs at least two more leaf tables.
            r.refused("allocator reserve", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.iommu.reserveLogicalAddressRange(domain, 3 * REGION, null, null, null, new Ref<>()));
        }
    }

    @Test
    void allocatorMapRefusedForTablePagesGivesBackTheBlock()
    {
        try (V2Rig r = V2Rig.x64(V2Rig.limits(64)))
        {
            final IommuDmaDomain domain = r.allocatorDomain();
            r.mapAllocated(domain, FRAME >>> 12);
            leaveFree(r, 0);
            final long[] frames = new long[3 * 512];
            for (int i = 0; i < frames.length; i++)
            {
                frames[i] = (FRAME >>> 12) + i;
            }
            r.refused("allocator map of three regions", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.iommu.mapLogicalRangeEx(domain, IommuPermissions.READ_WRITE, pfns(frames), null, null, null,
                    new LongRef()));
            // Physically contiguous but not 2 MiB aligned: no large leaves, so three leaf tables.
            r.refused("allocator contiguous map of three regions", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.iommu.mapLogicalRangeEx(domain, IommuPermissions.READ_WRITE, contiguous(FRAME + PAGE, 3 * 512),
                    null, null, null, new LongRef()));
        }
    }

    @Test
    void mapReservedRefusedForAClashKeepsTheTokensTables()
    {
        try (V2Rig r = V2Rig.x64(V2Rig.limits(64)))
        {
            final IommuDmaDomain domain = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(domain, 0x4000_0000L, 2 * REGION / PAGE);
            r.expect("a page at the second region", STATUS_SUCCESS, () -> r.iommu.mapReservedLogicalRange(
                token, REGION, IommuPermissions.READ, pfns(FRAME >>> 12),
                new IommuDmaLogicalAddressTokenMappedSegment()));
            r.watch(domain, 0x4000_0000L);
            r.watch(domain, 0x4000_0000L + REGION);
            // Claims the whole first region (a leaf table's whole span) before it meets the page at the second.
            r.refused("a segment over the mapped page", STATUS_RESOURCE_IN_USE,
                () -> r.iommu.mapReservedLogicalRange(token, 0, IommuPermissions.READ, contiguous(FRAME, 513),
                    new IommuDmaLogicalAddressTokenMappedSegment()));
            leaveFree(r, 0);
            r.expect("a map into the reservation allocates nothing", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, 0, IommuPermissions.READ, pfns(FRAME >>> 12),
                    new IommuDmaLogicalAddressTokenMappedSegment()));
        }
    }
}
