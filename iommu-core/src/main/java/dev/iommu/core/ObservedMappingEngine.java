/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuMapPhysicalAddressType;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.ptw.PtwResult;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.Translation;

/**
 * The mapping engine of the observed-Windows profile (observed record section 4, x64 build A): what
 * HalpIommuMapLogicalRange, HalpIommuUnmapLogicalRange and the buddy allocator do to a {@link MappingDomain}'s
 * tables and allocator once {@link ObservedMappingRules} let a call through. {@link ObservedMappingRules} calls it in
 * place of {@link MappingDomain}'s own map and unmap routines, so the choice is made once per emulator (the rule set).
 * <p>
 * Where it differs from {@link MappingDomain} (the documented engine):
 * <ul>
 *     <li>leaves are 4 KiB (the factory never allows large ones in this profile); a clash with a present leaf is
 *     STATUS_INVALID_PARAMETER after this call's leaves are zeroed again; no memory for a table is
 *     STATUS_INSUFFICIENT_RESOURCES with the leaves already written <b>left behind</b> (a partial mapping);</li>
 *     <li>permission 0 builds the tables and writes no leaf; bits other than read and write are not validated and
 *     not kept (the emulated leaf holds read and write only);</li>
 *     <li>tokens and reserved regions do not protect their range: a map onto their empty leaves succeeds, an unmap
 *     zeroes their leaves;</li>
 *     <li>unmap zeroes leaves without looking and keeps every table; it fails (STATUS_INVALID_PARAMETER) only where a
 *     table is missing, after zeroing the pages before it; on an allocator domain it then frees the whole block
 *     containing the address ({@link #freeBlock}).</li>
 * </ul>
 * Each outcome only the engine can tell that differs from the documented one is reported to the verifier with both
 * answers. With the verifier off, nothing here allocates.
 */
final class ObservedMappingEngine
{
    private static final int PAGE_SHIFT = 12;
    private static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    private static final long PAGE_MASK = PAGE_SIZE - 1;
    private static final int REGION_SHIFT = 21;

    private ObservedMappingEngine()
    {
    }

    // ------------------------------------------------------------------------------------------------------------
    // Descriptions as Windows reads them
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The pages of a description as Windows counts them (observed 4, common facts): a contiguous Size is rounded up
     * to pages and only its Base must be aligned; a PFN array or MDL as documented (an MDL whose ByteOffset and
     * ByteCount are 4 KiB multiples).
     *
     * @return the page count, or -1 for an invalid description or a size of 0.
     */
    static long pageCount(final IommuMapPhysicalAddress physical)
    {
        if (null == physical || physical.mapType() != IommuMapPhysicalAddressType.CONTIGUOUS_RANGE)
        {
            return PhysicalPages.pageCount(physical);
        }
        final long base = physical.contiguousBase();
        final long size = physical.contiguousSize();
        if (base < 0 || (base & PAGE_MASK) != 0 || size <= 0 || size > Long.MAX_VALUE - PAGE_MASK)
        {
            return -1;
        }
        final long pages = (size + PAGE_MASK) >>> PAGE_SHIFT;
        return (base >>> PAGE_SHIFT) + pages > PhysicalPages.FRAME_LIMIT ? -1 : pages;
    }

    /**
     * The block size of an allocator request of {@code pages} pages (a power of two of at least 4 KiB), or 0 when
     * the order is past 62 bits.
     */
    static long blockSize(final long pages)
    {
        final int order = 64 - Long.numberOfLeadingZeros(pages - 1) + PAGE_SHIFT;
        return order > 62 ? 0 : 1L << order;
    }

    /** The window's first address: Min rounded up to the block size (-1 on overflow). */
    static long windowLow(final LongRef minAddress, final long block)
    {
        final long min = null == minAddress ? 0 : minAddress.get();
        final long up = min + block - 1;
        return Long.compareUnsigned(up, min) < 0 ? -1 : up & -block;
    }

    /** The window's end (exclusive): Max + 1 rounded down to the block size (0 on overflow). */
    static long windowEnd(final MappingDomain domain, final LongRef maxAddress, final long block)
    {
        final long max = null == maxAddress ? domain.limit() - 1 : maxAddress.get();
        return (max + 1) & -block;
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapLogicalRangeEx, V1 MapLogicalRange, UnmapLogicalRange
    // ------------------------------------------------------------------------------------------------------------

    /**
     * MapLogicalRangeEx past its rules (observed 4 MapLogicalRangeEx rows 4 to 7).
     */
    static int mapLogical(final MappingDomain domain, final int permissions, final IommuMapPhysicalAddress physical,
        final LongRef explicitAddress, final LongRef minAddress, final LongRef maxAddress, final LongRef addressOut)
    {
        final int stripe = domain.gate().enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            final long pages = pageCount(physical);
            final long base = PhysicalPages.base(physical);
            final long[] frames = PhysicalPages.frames(physical);
            final IovaAllocator allocator = domain.allocator();
            final long address;
            if (null == allocator)
            {
                address = explicitAddress.get();
            }
            else if (null != explicitAddress)
            {
                // Row 5a: inside a reserved region (the rules checked it): that address, the region marked in use.
                address = explicitAddress.get();
                allocator.markReservedInUse(allocator.reservedRegionAt(address));
            }
            else
            {
                final long block = blockSize(pages);
                final long found = allocator.allocate(pages, windowLow(minAddress, block),
                    windowEnd(domain, maxAddress, block) - 1);
                if (found < 0)
                {
                    return NtStatus.STATUS_INSUFFICIENT_RESOURCES; // row 5e
                }
                address = found;
            }
            final int status = mapRange(domain, "MapLogicalRangeEx", address, permissions, base, frames, pages);
            if (status != NtStatus.STATUS_SUCCESS)
            {
                // Row 6: the range goes back to the allocator (a reserved region's node is not released).
                if (null != allocator && null == explicitAddress)
                {
                    allocator.free(address, pages);
                }
                return status;
            }
            addressOut.set(address);
            return NtStatus.STATUS_SUCCESS;
        }
        finally
        {
            domain.gate().exit(stripe);
        }
    }

    /**
     * V1 MapLogicalRange past its rules: the MDL's frames at the address (observed 4 V1 MapLogicalRange).
     */
    static int mapAt(final MappingDomain domain, final int permissions, final long[] frames, final long pages,
        final long address)
    {
        final int stripe = domain.gate().enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            return mapRange(domain, "MapLogicalRange", address, permissions, 0, frames, pages);
        }
        finally
        {
            domain.gate().exit(stripe);
        }
    }

    /**
     * UnmapLogicalRange past its rules (observed 4 UnmapLogicalRange rows 3 to 6): the leaves zeroed (none for 0
     * pages), then on an allocator domain the block containing the address freed whole.
     */
    static int unmapLogical(final MappingDomain domain, final long address, final long numberOfPages)
    {
        final int stripe = domain.gate().enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            final Verifier verifier = domain.verifier();
            if (numberOfPages > 0)
            {
                final long count = zeroLeaves(domain, address, numberOfPages);
                if (count < 0)
                {
                    return NtStatus.STATUS_INVALID_PARAMETER; // row 4: the allocator is not touched
                }
                if (count == 0 && null == domain.allocator() && verifier.on)
                {
                    MappingDivergence.unmapOfNothing(
                        verifier, "UnmapLogicalRange", domain, address, numberOfPages << PAGE_SHIFT);
                }
            }
            return null == domain.allocator() ? NtStatus.STATUS_SUCCESS :
                freeBlock(domain, "UnmapLogicalRange", address, numberOfPages << PAGE_SHIFT);
        }
        finally
        {
            domain.gate().exit(stripe);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapIdentityRange(Ex) / UnmapIdentityRange(Ex)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * MapIdentityRangeEx and V1 MapIdentityRange past their rules (observed 4 MapIdentityRangeEx rows 1 and 4 to 7):
     * PassThrough succeeds at once; with an allocator (Ex only) every page's reserved region is claimed (marked in
     * use; the rules checked each page lies in one); then the runs of consecutive frames are mapped, a failing run
     * unmapping the runs before it.
     */
    static int mapIdentity(final MappingDomain domain, final int permissions, final long base, final long[] frames,
        final long pages, final boolean claim)
    {
        if (domain.type() == IommuDmaDomainType.PASS_THROUGH)
        {
            return NtStatus.STATUS_SUCCESS;
        }
        final int stripe = domain.gate().enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            final IovaAllocator allocator = domain.allocator();
            if (claim && null != allocator)
            {
                final long claimed = null == frames ? 1 : pages;
                for (long i = 0; i < claimed; i++)
                {
                    allocator.markReservedInUse(
                        allocator.reservedRegionAt(PhysicalPages.frame(base, frames, i) << PAGE_SHIFT));
                }
            }
            long done = 0;
            while (done < pages)
            {
                final long run = PhysicalPages.consecutiveRun(frames, done, pages);
                final long at = PhysicalPages.frame(base, frames, done) << PAGE_SHIFT;
                final int status = mapRange(domain, "MapIdentityRangeEx", at, permissions, at, null, run);
                if (status != NtStatus.STATUS_SUCCESS)
                {
                    long undone = 0;
                    while (undone < done)
                    {
                        final long back = PhysicalPages.consecutiveRun(frames, undone, done);
                        domain.table().unmapKeepTables(
                            PhysicalPages.frame(base, frames, undone) << PAGE_SHIFT, back << PAGE_SHIFT);
                        undone += back;
                    }
                    return status;
                }
                done += run;
            }
            return NtStatus.STATUS_SUCCESS;
        }
        finally
        {
            domain.gate().exit(stripe);
        }
    }

    /**
     * UnmapIdentityRangeEx and V1 UnmapIdentityRange past their rules (observed 4 UnmapIdentityRangeEx rows 1, 4
     * and 5): PassThrough succeeds; with an allocator (Ex only) the block at the base (contiguous) or at each page
     * (a frame list) is freed first, the first failure returned; then the leaves are zeroed, whether or not they
     * were identity mappings.
     */
    static int unmapIdentity(final MappingDomain domain, final long base, final long[] frames, final long pages,
        final boolean free)
    {
        if (domain.type() == IommuDmaDomainType.PASS_THROUGH)
        {
            return NtStatus.STATUS_SUCCESS;
        }
        final int stripe = domain.gate().enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            if (free && null != domain.allocator())
            {
                final long freed = null == frames ? 1 : pages;
                for (long i = 0; i < freed; i++)
                {
                    final int status = freeBlock(domain, "UnmapIdentityRangeEx",
                        PhysicalPages.frame(base, frames, i) << PAGE_SHIFT, PAGE_SIZE);
                    if (status != NtStatus.STATUS_SUCCESS)
                    {
                        return status;
                    }
                }
            }
            final Verifier verifier = domain.verifier();
            if (verifier.on)
            {
                reportNotIdentityMapped(domain, base, frames, pages);
            }
            long done = 0;
            while (done < pages)
            {
                final long run = PhysicalPages.consecutiveRun(frames, done, pages);
                if (zeroLeaves(domain, PhysicalPages.frame(base, frames, done) << PAGE_SHIFT, run) < 0)
                {
                    return NtStatus.STATUS_INVALID_PARAMETER;
                }
                done += run;
            }
            return NtStatus.STATUS_SUCCESS;
        }
        finally
        {
            domain.gate().exit(stripe);
        }
    }

    private static void reportNotIdentityMapped(final MappingDomain domain, final long base, final long[] frames,
        final long pages)
    {
        for (long i = 0; i < pages; i++)
        {
            final long address = PhysicalPages.frame(base, frames, i) << PAGE_SHIFT;
            final long t = address >= domain.limit() ?
                Translation.fault(Translation.FAULT_BAD_ADDRESS) : domain.table().walk(address);
            if (Translation.isFault(t) || Translation.outputAddress(t, address) != address)
            {
                MappingDivergence.notIdentityMapped(domain.verifier(), domain, address,
                    NtStatus.STATUS_INVALID_PARAMETER_2, MappingDivergence.tablesPresent(
                    domain.table(), address, address + PAGE_SIZE));
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The table and allocator steps
    // ------------------------------------------------------------------------------------------------------------

    /**
     * HalpIommuMapLogicalRange (observed 4, common facts): 2 MiB region by region, so that running out of table
     * memory leaves the regions already written; a clash zeroes this call's leaves again (tables kept).
     */
    private static int mapRange(final MappingDomain domain, final String member, final long address,
        final int permissions, final long base, final long[] frames, final long pages)
    {
        final RadixPageTable table = domain.table();
        final long end = address + (pages << PAGE_SHIFT);
        final int leaf = permissions & IommuPermissions.READ_WRITE;
        if (leaf == 0)
        {
            // Permission 0: the tables, no leaves.
            return table.reserve(address, end - address) == PtwResult.OK ?
                NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        long pos = address;
        while (pos < end)
        {
            final long stop = Math.min(end, ((pos >>> REGION_SHIFT) + 1) << REGION_SHIFT);
            final int result = null == frames ?
                table.map(pos, base + (pos - address), stop - pos, leaf) :
                table.mapScatter(pos, frames, (int)((pos - address) >>> PAGE_SHIFT), (int)((stop - pos) >>> PAGE_SHIFT),
                    leaf);
            if (result != PtwResult.OK)
            {
                return mapFailed(domain, member, address, pos, result);
            }
            pos = stop;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    private static int mapFailed(final MappingDomain domain, final String member, final long address,
        final long pos, final int result)
    {
        final Verifier verifier = domain.verifier();
        if (result == PtwResult.NO_MEMORY)
        {
            if (pos > address && verifier.on)
            {
                verifier.divergence(member, NtStatus.STATUS_INSUFFICIENT_RESOURCES,
                    NtStatus.STATUS_INSUFFICIENT_RESOURCES, MappingDivergence.objects(domain), address, pos - address,
                    "out of table memory: the pages mapped so far are left behind (documented: undone)");
            }
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        if (pos > address)
        {
            domain.table().unmapKeepTables(address, pos - address);
        }
        if (result == PtwResult.EXISTS)
        {
            if (verifier.on)
            {
                MappingDivergence.clash(verifier, member, domain, address, pos - address);
            }
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return NtStatus.STATUS_INVALID_PARAMETER;
    }

    /**
     * HalpIommuUnmapLogicalRange: zeroes the leaves of {@code pages} pages from {@code address} without looking,
     * keeping the tables, region by region; stops where a table is missing.
     *
     * @return the number of pages that were mapped, or -1 when a table was missing (the pages before it zeroed).
     */
    private static long zeroLeaves(final MappingDomain domain, final long address, final long pages)
    {
        final RadixPageTable table = domain.table();
        final long end = address + (pages << PAGE_SHIFT);
        long count = 0;
        long pos = address;
        while (pos < end)
        {
            if (!table.leafTablePresent(pos))
            {
                return -1;
            }
            final long stop = Math.min(end, ((pos >>> REGION_SHIFT) + 1) << REGION_SHIFT);
            final long zeroed = table.unmapKeepTables(pos, stop - pos);
            if (zeroed > 0)
            {
                count += zeroed;
            }
            pos = stop;
        }
        return count;
    }

    /**
     * The buddy allocator's free of the block containing an address (observed 4 UnmapLogicalRange row 6): a
     * reserved region's node marked in use succeeds and is not released, one not marked is STATUS_INVALID_PARAMETER;
     * a live block is freed whole, however little of it the caller unmapped; no block is STATUS_INVALID_PARAMETER.
     */
    private static int freeBlock(final MappingDomain domain, final String member, final long address,
        final long length)
    {
        final IovaAllocator allocator = domain.allocator();
        final int region = allocator.reservedRegionAt(address);
        if (region >= 0)
        {
            return allocator.reservedInUse(region) ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER;
        }
        final long block = allocator.liveBlockContaining(address);
        if (block < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final long first = (block >>> 6) << PAGE_SHIFT;
        final long size = 1L << ((int)(block & 63) + PAGE_SHIFT);
        allocator.free(first, size >>> PAGE_SHIFT);
        final Verifier verifier = domain.verifier();
        if (verifier.on && (address != first || length < size))
        {
            MappingDivergence.partialBlock(verifier, member, domain, first, size, true);
        }
        return NtStatus.STATUS_SUCCESS;
    }
}
