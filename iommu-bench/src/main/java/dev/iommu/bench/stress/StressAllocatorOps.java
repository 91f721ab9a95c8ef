/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.IommuEmulator;

/**
 * The allocator-domain operations of one stress thread (through the table of the worker's current operation):
 * MapLogicalRangeEx through the allocator of the thread's own domain and of the domain all threads share (a shared
 * page-owner map checks that no two live blocks overlap), UnmapLogicalRange of a page or a whole range, and the
 * translations of the thread's device there, each predicted exactly in the run's {@link StressProfile}. Where the
 * profile frees the whole block at a partial unmap, the pages left are unmapped at once (in the thread's own domain;
 * in the shared domain only whole ranges are unmapped, as a correct driver does).
 */
final class StressAllocatorOps
{
    private static final long PAGE = StressChecks.PAGE;
    private static final int ALLOCATOR_WIDTH = StressWorker.ALLOCATOR_WIDTH;

    private final StressRun run;
    private final StressWorker worker;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final StressTokenOps tokenOps;
    private final StressProfile profile;
    private final int index;
    private final IommuDmaDomain allocatorDomain;
    private final IommuDmaDevice allocatorDevice;
    private final ConcurrentHashMap<Long, Integer> sharedOwners;
    private final List<Mapping> allocated = new ArrayList<>();
    private final List<Mapping> sharedMappings = new ArrayList<>();
    private final LongRef out = new LongRef();
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();

    StressAllocatorOps(final StressRun run, final StressWorker worker, final StressChecks checks,
        final SplittableRandom random, final StressTokenOps tokenOps)
    {
        this.run = run;
        this.worker = worker;
        this.checks = checks;
        this.random = random;
        this.tokenOps = tokenOps;
        this.profile = checks.profile();
        this.index = worker.index();
        this.allocatorDomain = worker.allocatorDomain();
        this.allocatorDevice = worker.allocatorDevice();
        this.sharedOwners = run.sharedOwners();
    }

    /**
     * Whether a range of the allocator domain overlaps a live mapping of this thread.
     */
    boolean overlaps(final long from, final long to)
    {
        for (final Mapping mapping : allocated)
        {
            if (mapping.iova < to && from < mapping.iova + mapping.pages * PAGE)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A device access to one of the thread's allocated ranges.
     *
     * @return false when there is none.
     */
    boolean translate(final int access)
    {
        if (allocated.isEmpty())
        {
            return false;
        }
        final Mapping mapping = allocated.get(random.nextInt(allocated.size()));
        expectAllocated(mapping, random.nextInt(mapping.pages), access);
        return true;
    }

    /**
     * MapLogicalRangeEx through the allocator of the thread's domain or the shared one: the address must be new to
     * the domain and inside the allocator's range.
     */
    void map(final boolean shared)
    {
        checks.count(shared ? StressWorker.Call.MAP_SHARED : StressWorker.Call.MAP_ALLOCATED);
        final int pages = 1 + random.nextInt(16);
        final long[] frames = checks.frames(pages);
        final int permissions = random.nextInt(4);
        physical.usePfnArray(frames, pages);
        final IommuDmaDomain domain = shared ? run.sharedDomain() : allocatorDomain;
        final int status = worker.iommu().mapLogicalRangeEx(domain, permissions, physical, null, null, null, out);
        check("MapLogicalRangeEx", NtStatus.STATUS_SUCCESS, status, shared ? "shared domain" : "allocator domain", -1);
        final long iova = out.get();
        final long end = iova + pages * PAGE;
        if (iova < profile.lowestAllocatorAddress() || (iova & (PAGE - 1)) != 0 || end > (1L << ALLOCATOR_WIDTH))
        {
            fail("MapLogicalRangeEx", "allocator domain", iova, "address outside [0x" +
                Long.toHexString(profile.lowestAllocatorAddress()) + ", 2^39) or unaligned");
        }
        final List<Mapping> list = shared ? sharedMappings : allocated;
        for (final Mapping other : list)
        {
            if (other.iova < end && iova < other.iova + other.pages * PAGE)
            {
                fail("MapLogicalRangeEx", "allocator domain", iova, "overlaps the live mapping at 0x" +
                    Long.toHexString(other.iova));
            }
        }
        if (!shared && tokenOps.overlaps(allocatorDomain, iova, end))
        {
            fail("MapLogicalRangeEx", "allocator domain", iova, "overlaps a token");
        }
        if (shared)
        {
            for (int i = 0; i < pages; i++)
            {
                final Integer before = sharedOwners.putIfAbsent(iova + i * PAGE, index);
                if (null != before)
                {
                    fail("MapLogicalRangeEx", "shared domain", iova + i * PAGE,
                        "page already held by thread " + before);
                }
            }
        }
        list.add(new Mapping(iova, pages, frames, permissions));
    }

    /**
     * UnmapLogicalRange of one of the thread's allocated ranges, one page or whole, in its domain or the shared one.
     *
     * @return false when the worker's explicit domain is to be unmapped in instead (one time in three, or when
     *     nothing is allocated).
     */
    boolean unmap()
    {
        final int which = random.nextInt(3);
        if (which == 2 || (allocated.isEmpty() && sharedMappings.isEmpty()))
        {
            return false;
        }
        final boolean shared = which == 1 && !sharedMappings.isEmpty() || allocated.isEmpty();
        final List<Mapping> list = shared ? sharedMappings : allocated;
        final int at = random.nextInt(list.size());
        final Mapping mapping = list.get(at);
        final IommuDmaDomain domain = shared ? run.sharedDomain() : allocatorDomain;
        final boolean partial = random.nextBoolean();
        if (partial && profile.partialUnmapFreesBlock())
        {
            if (!shared)
            {
                partialUnmapFreesBlock(mapping);
                allocated.remove(at);
                return true;
            }
            // The shared domain: a block freed under the pages left would go to another thread, whose map would then
            // clash with them. A correct driver unmaps what it mapped, whole (below).
        }
        else if (partial)
        {
            final int page = random.nextInt(mapping.pages);
            final boolean gone = mapping.unmapped[page];
            if (shared && !gone)
            {
                sharedOwners.remove(mapping.iova + page * PAGE);
            }
            final int status = worker.iommu().unmapLogicalRange(domain, mapping.iova + page * PAGE, 1);
            check("UnmapLogicalRange", gone ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS, status,
                "allocator domain, one page", mapping.iova + page * PAGE);
            mapping.unmapped[page] = true;
            if (mapping.allUnmapped())
            {
                list.remove(at);
            }
            return true;
        }
        if (shared)
        {
            for (int i = 0; i < mapping.pages; i++)
            {
                if (!mapping.unmapped[i])
                {
                    sharedOwners.remove(mapping.iova + i * PAGE);
                }
            }
        }
        check("UnmapLogicalRange", NtStatus.STATUS_SUCCESS, worker.iommu().unmapLogicalRange(domain, mapping.iova,
            mapping.pages), "allocator domain, whole mapping", mapping.iova);
        list.remove(at);
        return true;
    }

    /**
     * A partial unmap where it frees the whole block (observed 4 UnmapLogicalRange row 6): one page goes, the block
     * is free, the other pages stay mapped (a device still reaches them), outside any block; unmapping them then
     * zeroes their leaves and finds no block (STATUS_INVALID_PARAMETER). Done at once, before this thread's next
     * allocation could be handed the block and clash with the leaves left.
     */
    private void partialUnmapFreesBlock(final Mapping mapping)
    {
        final int page = random.nextInt(mapping.pages);
        check("UnmapLogicalRange", NtStatus.STATUS_SUCCESS, worker.iommu().unmapLogicalRange(allocatorDomain,
            mapping.iova + page * PAGE, 1), "allocator domain, one page of a block", mapping.iova + page * PAGE);
        mapping.unmapped[page] = true;
        final int other = random.nextInt(mapping.pages);
        expectAllocated(mapping, other, 1 + random.nextInt(3));
        check("UnmapLogicalRange", NtStatus.STATUS_INVALID_PARAMETER, worker.iommu().unmapLogicalRange(allocatorDomain,
            mapping.iova, mapping.pages), "allocator domain, the rest of a freed block", mapping.iova);
        checks.expectTranslation(allocatorDevice, IommuEmulator.NO_PASID, mapping.iova + other * PAGE, 1, -1, 0);
    }

    private void expectAllocated(final Mapping mapping, final int page, final int access)
    {
        final long iova = mapping.iova + page * PAGE + random.nextInt((int)PAGE);
        final long expected = mapping.unmapped[page] || !profile.writesLeaf(mapping.permissions) ? -1 :
            (mapping.frames[page] << 12) | (iova & (PAGE - 1));
        checks.expectTranslation(allocatorDevice, IommuEmulator.NO_PASID, iova, access, expected, mapping.permissions);
    }

    /**
     * Unmaps every range left (whole, where no page of it went yet).
     */
    void cleanUp()
    {
        for (final Mapping mapping : allocated)
        {
            unmapRemaining(allocatorDomain, mapping, false);
        }
        for (final Mapping mapping : sharedMappings)
        {
            unmapRemaining(run.sharedDomain(), mapping, true);
        }
        allocated.clear();
        sharedMappings.clear();
    }

    private void unmapRemaining(final IommuDmaDomain domain, final Mapping mapping, final boolean shared)
    {
        if (mapping.noneUnmapped())
        {
            // The whole mapping in one call (its block freed with it, in every profile).
            for (int i = 0; i < mapping.pages && shared; i++)
            {
                sharedOwners.remove(mapping.iova + i * PAGE);
            }
            check("UnmapLogicalRange", NtStatus.STATUS_SUCCESS, worker.iommu().unmapLogicalRange(domain, mapping.iova,
                mapping.pages), "cleanup", mapping.iova);
            return;
        }
        for (int i = 0; i < mapping.pages; i++)
        {
            if (!mapping.unmapped[i])
            {
                if (shared)
                {
                    sharedOwners.remove(mapping.iova + i * PAGE);
                }
                final long iova = mapping.iova + i * PAGE;
                check("UnmapLogicalRange", NtStatus.STATUS_SUCCESS, worker.iommu().unmapLogicalRange(domain, iova, 1),
                    "cleanup", iova);
            }
        }
    }

    private void check(
        final String call, final int expected, final int actual, final String object, final long address)
    {
        checks.check(worker.table(), call, expected, actual, object, address);
    }

    private void fail(final String call, final String object, final long address, final String detail)
    {
        checks.fail(call, object, address, detail);
    }

    private static final class Mapping
    {
        final long iova;
        final int pages;
        final long[] frames;
        final int permissions;
        final boolean[] unmapped;

        Mapping(final long iova, final int pages, final long[] frames, final int permissions)
        {
            this.iova = iova;
            this.pages = pages;
            this.frames = frames;
            this.permissions = permissions;
            this.unmapped = new boolean[pages];
        }

        boolean noneUnmapped()
        {
            for (final boolean gone : unmapped)
            {
                if (gone)
                {
                    return false;
                }
            }
            return true;
        }

        boolean allUnmapped()
        {
            for (final boolean gone : unmapped)
            {
                if (!gone)
                {
                    return false;
                }
            }
            return true;
        }
    }
}
