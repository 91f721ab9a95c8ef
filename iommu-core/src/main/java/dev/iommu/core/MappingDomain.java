/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.lang.invoke.VarHandle;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuMapPhysicalAddressType;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaResult;
import dev.iommu.core.iova.IovaThreadCache;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.PtwResult;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.Translation;

/**
 * A domain whose page tables the library owns: Translate (logical and identity mappings, optionally a buddy
 * allocator, logical address tokens) and PassThrough (identity mappings recorded, translation is the identity:
 * spec 5.4 item 30). Every map and unmap runs on the caller's thread without a lock, inside the domain's
 * {@link OperationGate}; tokens take their own monitor.
 * <p>
 * The rules for what the spec leaves open, made here once (spec section 5):
 * <ul>
 *     <li>item 21: UnmapLogicalRange with an unaligned address is STATUS_INVALID_PARAMETER_2; NumberOfPages 0, or a
 *     range past the domain's address space, STATUS_INVALID_PARAMETER_3; when no page of the range is mapped,
 *     STATUS_INVALID_PARAMETER (nothing changes); a partly mapped range unmaps what is mapped and succeeds;</li>
 *     <li>item 22: page-granular partial unmaps are allowed; an allocator block goes back to the allocator once the
 *     last of its mapped pages is unmapped ({@link BlockLedger});</li>
 *     <li>an unmap range that covers only part of a 2 MiB or 1 GiB leaf (the library maps large leaves when
 *     address, physical address and length are aligned) is refused with STATUS_CONFLICTING_ADDRESSES and changes
 *     nothing: unmap the whole large page, or map with 4 KiB pages;</li>
 *     <li>items 23 and 24: UnmapLogicalRange touching a token's range or a reserved region is
 *     STATUS_INVALID_PARAMETER; an explicit map or identity map touching one is STATUS_IN_USE;</li>
 *     <li>item 25: STATUS_IN_USE is {@link NtStatus#STATUS_IN_USE} (STATUS_RESOURCE_IN_USE);</li>
 *     <li>item 26: reserved permission bits are the Permissions parameter's code (_2 for Map*Ex, _3 for
 *     MapReservedLogicalRange); permission 0 is allowed (present, no access: every device access faults with a
 *     permission fault);</li>
 *     <li>items 27 and 29: an empty physical description is STATUS_INVALID_PARAMETER_3; no room in the allocator's
 *     space, or no table page left, is STATUS_INSUFFICIENT_RESOURCES;</li>
 *     <li>item 28: both bounds are inclusive on every byte; Min above Max, or no block fitting, is
 *     STATUS_INVALID_PARAMETER_MIX; with an explicit address (no-allocator domains) the bounds are ignored;</li>
 *     <li>item 31: UnmapIdentityRangeEx of pages not all identity-mapped is STATUS_INVALID_PARAMETER_2;</li>
 *     <li>items 35 and 37: Reserve with Size 0 is STATUS_INVALID_PARAMETER_2, overlapping a reservation STATUS_IN_USE;
 *     MapReservedLogicalRange past the token's end is STATUS_INVALID_PARAMETER_4;</li>
 *     <li>item 38: UnmapReservedLogicalRange zeroes the caller's segment.</li>
 * </ul>
 * A missing out-parameter is the status of its position (STATUS_INVALID_PARAMETER_7 for LogicalAddressOut, _6 for
 * the token out of Reserve, _5 for MappedSegment).
 */
final class MappingDomain extends Domain
{
    private static final int PAGE_SHIFT = 12;
    private static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    private static final long PAGE_MASK = PAGE_SIZE - 1;

    private final RadixPageTable table;
    private final IovaAllocator allocator;
    private final BlockLedger ledger;
    private final ProtectedRanges protectedRanges = new ProtectedRanges();
    private final OperationGate gate = new OperationGate();
    private final long limit;
    /**
     * The allocator handle of the first thread that mapped (a benign race: any thread's handle is correct for every
     * thread, because a handle used by another thread than its owner goes through the allocator's own lookup; the
     * owner, usually the one thread that maps into this domain, skips that lookup).
     */
    private IovaThreadCache handle;

    MappingDomain(
        final DomainTable owner,
        final IommuDmaDomainType type,
        final long id,
        final RadixPageTable table,
        final IovaAllocator allocator,
        final int addressWidth)
    {
        super(owner, type, id);
        this.table = table;
        this.allocator = allocator;
        this.ledger = null == allocator ? null : new BlockLedger(addressWidth - PAGE_SHIFT);
        this.limit = 1L << addressWidth;
    }

    RadixPageTable table()
    {
        return table;
    }

    IovaAllocator allocator()
    {
        return allocator;
    }

    ProtectedRanges protectedRanges()
    {
        return protectedRanges;
    }

    /**
     * Sets up a reserved region at creation (before the domain is published): protected, and identity-mapped
     * read|write when asked (spec 5.3 item 16).
     *
     * @return STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES (no table page).
     */
    int addReservedRegion(final long base, final long pages, final boolean identity)
    {
        protectedRanges.add(base, base + (pages << PAGE_SHIFT));
        if (identity)
        {
            final int result = table.map(base, base, pages << PAGE_SHIFT, PtwPermissions.READ_WRITE);
            if (result != PtwResult.OK)
            {
                return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * The device-side translation of an address through this domain.
     *
     * @param address the device (logical) address.
     * @param access  the {@code IommuPermissions} the access needs.
     * @return an encoded {@link Translation}.
     */
    long translate(final long address, final int access)
    {
        return table.translate(address, access);
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapLogicalRangeEx / UnmapLogicalRange
    // ------------------------------------------------------------------------------------------------------------

    int mapLogical(
        final int permissions,
        final IommuMapPhysicalAddress physical,
        final LongRef explicitAddress,
        final LongRef minAddress,
        final LongRef maxAddress,
        final LongRef addressOut)
    {
        if (type() != IommuDmaDomainType.TRANSLATE)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if ((permissions & ~IommuPermissions.READ_WRITE) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        final long pages = PhysicalPages.pageCount(physical);
        if (pages < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        if (null != allocator)
        {
            if (null != explicitAddress)
            {
                return NtStatus.STATUS_NOT_SUPPORTED;
            }
        }
        else
        {
            if (null == explicitAddress)
            {
                return NtStatus.STATUS_NOT_SUPPORTED;
            }
            if ((explicitAddress.get() & PAGE_MASK) != 0)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_4;
            }
        }
        if (null == addressOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_7;
        }
        final int stripe = gate.enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            return null != allocator ?
                mapAllocated(permissions, physical, pages, minAddress, maxAddress, addressOut) :
                mapExplicit(explicitAddress.get(), permissions, physical, pages, addressOut);
        }
        finally
        {
            gate.exit(stripe);
        }
    }

    private int mapAllocated(
        final int permissions,
        final IommuMapPhysicalAddress physical,
        final long pages,
        final LongRef minAddress,
        final LongRef maxAddress,
        final LongRef addressOut)
    {
        final long min = null == minAddress ? IovaAllocator.NO_MIN : minAddress.get();
        final long max = null == maxAddress ? IovaAllocator.NO_MAX : maxAddress.get();
        if (null != minAddress && null != maxAddress && Long.compareUnsigned(min, max) > 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_MIX;
        }
        final IovaThreadCache cache = handle();
        final long address = cache.allocate(pages, min, max);
        if (address < 0)
        {
            return address == IovaResult.UNSATISFIABLE_BOUNDS ?
                NtStatus.STATUS_INVALID_PARAMETER_MIX : NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        final int result = mapPhysical(address, permissions, physical, pages);
        final int order = 64 - Long.numberOfLeadingZeros(pages - 1);
        if (result != PtwResult.OK)
        {
            cache.free(address, 1L << order);
            return result == PtwResult.NO_MEMORY ? NtStatus.STATUS_INSUFFICIENT_RESOURCES : NtStatus.STATUS_IN_USE;
        }
        ledger.open(address >>> PAGE_SHIFT, order, pages);
        addressOut.set(address);
        return NtStatus.STATUS_SUCCESS;
    }

    private int mapExplicit(
        final long address,
        final int permissions,
        final IommuMapPhysicalAddress physical,
        final long pages,
        final LongRef addressOut)
    {
        final long end = address + (pages << PAGE_SHIFT);
        if (address < 0 || end > limit || end <= address)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        final int status = mapChecked(address, end, permissions, physical, pages);
        if (status == NtStatus.STATUS_SUCCESS)
        {
            addressOut.set(address);
        }
        return status;
    }

    /**
     * Maps at an explicit address, refusing overlap with existing mappings and with protected ranges. Protected
     * ranges are checked before and again after the leaves are claimed, with a full fence in between: a token
     * reservation publishes its range, fences, then counts the mapped pages of the range
     * ({@link #reserveExplicit}). In the total order of those accesses one of the two sees the other, so a
     * reservation and a map of overlapping ranges never both succeed (Dekker).
     */
    private int mapChecked(
        final long address, final long end, final int permissions, final IommuMapPhysicalAddress physical,
        final long pages)
    {
        if (protectedRanges.overlaps(address, end))
        {
            return NtStatus.STATUS_IN_USE;
        }
        final int result = mapPhysical(address, permissions, physical, pages);
        if (result != PtwResult.OK)
        {
            return result == PtwResult.NO_MEMORY ? NtStatus.STATUS_INSUFFICIENT_RESOURCES :
                result == PtwResult.EXISTS ? NtStatus.STATUS_IN_USE : NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        // Full fence: the leaf CASes above before the protected-range read below (store-load, see Javadoc).
        VarHandle.fullFence();
        if (protectedRanges.overlaps(address, end))
        {
            table.unmap(address, end - address);
            return NtStatus.STATUS_IN_USE;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    private int mapPhysical(
        final long address, final int permissions, final IommuMapPhysicalAddress physical, final long pages)
    {
        // IommuPermissions and PtwPermissions share their bits (read 0x1, write 0x2).
        if (physical.mapType() == IommuMapPhysicalAddressType.CONTIGUOUS_RANGE)
        {
            return table.map(address, physical.contiguousBase(), pages << PAGE_SHIFT, permissions);
        }
        return table.mapScatter(address, PhysicalPages.frames(physical), 0, (int)pages, permissions);
    }

    int unmapLogical(final long address, final long numberOfPages)
    {
        if (type() != IommuDmaDomainType.TRANSLATE)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if ((address & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (numberOfPages <= 0 || address < 0 || numberOfPages > (limit - address) >>> PAGE_SHIFT)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final long end = address + (numberOfPages << PAGE_SHIFT);
        if (protectedRanges.overlaps(address, end))
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final int stripe = gate.enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            return null == allocator ? unmapPlain(address, end) : unmapAllocated(address, end);
        }
        finally
        {
            gate.exit(stripe);
        }
    }

    private int unmapPlain(final long address, final long end)
    {
        final long count = table.unmap(address, end - address);
        if (count == PtwResult.PARTIAL_LARGE_PAGE)
        {
            return NtStatus.STATUS_CONFLICTING_ADDRESSES;
        }
        return count > 0 ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER;
    }

    private int unmapAllocated(final long address, final long end)
    {
        final long firstPage = address >>> PAGE_SHIFT;
        final long found = ledger.find(firstPage);
        if (found >= 0)
        {
            final long first = BlockLedger.start(found);
            final long blockEnd = (first + (1L << BlockLedger.orderOf(found))) << PAGE_SHIFT;
            if (end <= blockEnd)
            {
                // The common case: the range lies in one block (ptw refuses a cut large leaf itself).
                final long count = table.unmap(address, end - address);
                if (count == PtwResult.PARTIAL_LARGE_PAGE)
                {
                    return NtStatus.STATUS_CONFLICTING_ADDRESSES;
                }
                if (count <= 0)
                {
                    return NtStatus.STATUS_INVALID_PARAMETER;
                }
                settle(first, count);
                return NtStatus.STATUS_SUCCESS;
            }
        }
        if (table.cutsLargePage(address, end - address))
        {
            return NtStatus.STATUS_CONFLICTING_ADDRESSES;
        }
        long total = 0;
        long pos = address;
        while (pos < end)
        {
            final long here = ledger.find(pos >>> PAGE_SHIFT);
            if (here < 0)
            {
                // No block here: nothing of ours is mapped until the next mapped page.
                final long next = table.nextMapped(pos, end);
                pos = next == pos ? pos + PAGE_SIZE : next;
                continue;
            }
            final long block = BlockLedger.start(here);
            final long blockEnd = (block + (1L << BlockLedger.orderOf(here))) << PAGE_SHIFT;
            final long to = Math.min(end, blockEnd);
            final long count = table.unmap(pos, to - pos);
            if (count > 0)
            {
                total += count;
                settle(block, count);
            }
            pos = to;
        }
        return total > 0 ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER;
    }

    private void settle(final long block, final long count)
    {
        final int order = ledger.release(block, count);
        if (order >= 0)
        {
            handle().free(block << PAGE_SHIFT, 1L << order);
        }
    }

    private IovaThreadCache handle()
    {
        IovaThreadCache cache = handle;
        if (null == cache)
        {
            cache = allocator.threadCache();
            handle = cache;
        }
        return cache;
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapIdentityRangeEx / UnmapIdentityRangeEx
    // ------------------------------------------------------------------------------------------------------------

    int mapIdentity(final int permissions, final IommuMapPhysicalAddress physical)
    {
        if ((permissions & ~IommuPermissions.READ_WRITE) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        final long pages = PhysicalPages.pageCount(physical);
        if (pages < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        if (null != allocator)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        final int stripe = gate.enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            long done = 0;
            while (done < pages)
            {
                final long run = identityRun(physical, done, pages);
                final long base = PhysicalPages.frame(physical, done) << PAGE_SHIFT;
                final long end = base + (run << PAGE_SHIFT);
                final int status = end > limit ? NtStatus.STATUS_INVALID_PARAMETER_3 :
                    mapChecked(base, end, permissions, contiguous(base, run), run);
                if (status != NtStatus.STATUS_SUCCESS)
                {
                    undoIdentity(physical, done);
                    return status;
                }
                done += run;
            }
            return NtStatus.STATUS_SUCCESS;
        }
        finally
        {
            gate.exit(stripe);
        }
    }

    int unmapIdentity(final IommuMapPhysicalAddress physical)
    {
        final long pages = PhysicalPages.pageCount(physical);
        if (pages < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (null != allocator)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        final int stripe = gate.enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            for (long i = 0; i < pages; i++)
            {
                final long address = PhysicalPages.frame(physical, i) << PAGE_SHIFT;
                if (address >= limit || protectedRanges.overlaps(address, address + PAGE_SIZE))
                {
                    return NtStatus.STATUS_INVALID_PARAMETER_2;
                }
                final long t = table.walk(address);
                if (Translation.isFault(t) || Translation.outputAddress(t, address) != address)
                {
                    return NtStatus.STATUS_INVALID_PARAMETER_2;
                }
            }
            long done = 0;
            while (done < pages)
            {
                final long run = identityRun(physical, done, pages);
                if (table.cutsLargePage(PhysicalPages.frame(physical, done) << PAGE_SHIFT, run << PAGE_SHIFT))
                {
                    return NtStatus.STATUS_CONFLICTING_ADDRESSES;
                }
                done += run;
            }
            done = 0;
            while (done < pages)
            {
                final long run = identityRun(physical, done, pages);
                table.unmap(PhysicalPages.frame(physical, done) << PAGE_SHIFT, run << PAGE_SHIFT);
                done += run;
            }
            return NtStatus.STATUS_SUCCESS;
        }
        finally
        {
            gate.exit(stripe);
        }
    }

    private void undoIdentity(final IommuMapPhysicalAddress physical, final long mapped)
    {
        long done = 0;
        while (done < mapped)
        {
            final long run = Math.min(identityRun(physical, done, mapped), mapped - done);
            table.unmap(PhysicalPages.frame(physical, done) << PAGE_SHIFT, run << PAGE_SHIFT);
            done += run;
        }
    }

    /**
     * The number of pages from {@code from} whose frames are consecutive.
     */
    private static long identityRun(final IommuMapPhysicalAddress physical, final long from, final long pages)
    {
        if (physical.mapType() == IommuMapPhysicalAddressType.CONTIGUOUS_RANGE)
        {
            return pages - from;
        }
        long run = 1;
        long frame = PhysicalPages.frame(physical, from);
        while (from + run < pages && PhysicalPages.frame(physical, from + run) == frame + 1)
        {
            frame++;
            run++;
        }
        return run;
    }

    private IommuMapPhysicalAddress contiguous(final long base, final long pages)
    {
        // Identity maps are lifecycle-rate calls: a fresh description keeps threads apart.
        return new IommuMapPhysicalAddress().useContiguousRange(base, pages << PAGE_SHIFT);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Logical address tokens
    // ------------------------------------------------------------------------------------------------------------

    int reserve(
        final long size,
        final LongRef explicitAddress,
        final LongRef minAddress,
        final LongRef maxAddress,
        final Ref<IommuDmaLogicalAddressToken> tokenOut)
    {
        if (type() != IommuDmaDomainType.TRANSLATE)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (size <= 0 || (size & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (null != explicitAddress && (explicitAddress.get() & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        if ((null != allocator) == (null != explicitAddress))
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        if (null == tokenOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_6;
        }
        if (!addToken())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final int status = null != allocator ?
            reserveAllocated(size, minAddress, maxAddress, tokenOut) :
            reserveExplicit(explicitAddress.get(), size, tokenOut);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            removeToken();
        }
        return status;
    }

    private int reserveAllocated(
        final long size, final LongRef minAddress, final LongRef maxAddress,
        final Ref<IommuDmaLogicalAddressToken> tokenOut)
    {
        final long min = null == minAddress ? IovaAllocator.NO_MIN : minAddress.get();
        final long max = null == maxAddress ? IovaAllocator.NO_MAX : maxAddress.get();
        if (null != minAddress && null != maxAddress && Long.compareUnsigned(min, max) > 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_MIX;
        }
        final long pages = size >>> PAGE_SHIFT;
        final long address = allocator.allocate(pages, min, max);
        if (address < 0)
        {
            return address == IovaResult.UNSATISFIABLE_BOUNDS ?
                NtStatus.STATUS_INVALID_PARAMETER_MIX : NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        protectedRanges.add(address, address + size);
        if (table.reserve(address, size) != PtwResult.OK)
        {
            table.unmap(address, size);
            protectedRanges.remove(address, address + size);
            allocator.free(address, pages);
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        tokenOut.set(new LogicalAddressToken(this, address, size, true));
        return NtStatus.STATUS_SUCCESS;
    }

    private int reserveExplicit(final long address, final long size, final Ref<IommuDmaLogicalAddressToken> tokenOut)
    {
        final long end = address + size;
        if (address < 0 || end > limit || end <= address)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        if (!protectedRanges.add(address, end))
        {
            return NtStatus.STATUS_IN_USE;
        }
        // Full fence: the range's publication above before the page-table reads below (see mapChecked).
        VarHandle.fullFence();
        if (table.countMapped(address, size) > 0)
        {
            protectedRanges.remove(address, end);
            return NtStatus.STATUS_IN_USE;
        }
        if (table.reserve(address, size) != PtwResult.OK)
        {
            table.unmap(address, size);
            protectedRanges.remove(address, end);
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        tokenOut.set(new LogicalAddressToken(this, address, size, false));
        return NtStatus.STATUS_SUCCESS;
    }

    int freeToken(final LogicalAddressToken token)
    {
        synchronized (token)
        {
            if (token.state() != LogicalAddressToken.LIVE)
            {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            if (!token.segments().isEmpty())
            {
                return NtStatus.STATUS_RESOURCE_IN_USE;
            }
            token.state(LogicalAddressToken.DELETING);
        }
        final long base = token.logicalAddressBase();
        final long size = token.size();
        table.unmap(base, size);
        protectedRanges.remove(base, base + size);
        if (token.allocated())
        {
            allocator.free(base, size >>> PAGE_SHIFT);
        }
        token.state(LogicalAddressToken.FREED);
        removeToken();
        return NtStatus.STATUS_SUCCESS;
    }

    int mapReserved(
        final LogicalAddressToken token,
        final long offset,
        final int permissions,
        final IommuMapPhysicalAddress physical,
        final IommuDmaLogicalAddressTokenMappedSegment segment)
    {
        final int state = token.state();
        if (state != LogicalAddressToken.LIVE)
        {
            return state == LogicalAddressToken.DELETING ?
                NtStatus.STATUS_UNSUCCESSFUL : NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (offset < 0 || (offset & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if ((permissions & ~IommuPermissions.READ_WRITE) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final long pages = PhysicalPages.pageCount(physical);
        if (pages < 0 || offset >= token.size() || pages > (token.size() - offset) >>> PAGE_SHIFT)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        if (null == segment)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_5;
        }
        synchronized (token)
        {
            final int now = token.state();
            if (now != LogicalAddressToken.LIVE)
            {
                return now == LogicalAddressToken.DELETING ?
                    NtStatus.STATUS_UNSUCCESSFUL : NtStatus.STATUS_INVALID_PARAMETER;
            }
            final int result = mapPhysical(token.logicalAddressBase() + offset, permissions, physical, pages);
            if (result != PtwResult.OK)
            {
                return result == PtwResult.EXISTS ?
                    NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_INSUFFICIENT_RESOURCES;
            }
            token.segments().put(offset, pages << PAGE_SHIFT);
        }
        segment.owningToken(token).offset(offset).size(pages << PAGE_SHIFT);
        return NtStatus.STATUS_SUCCESS;
    }

    int unmapReserved(final LogicalAddressToken token, final IommuDmaLogicalAddressTokenMappedSegment segment)
    {
        synchronized (token)
        {
            // size > 0 first: the segment map's missing value is -1, so a forged segment of size -1 at an unmapped
            // offset used to match it and "succeed" (found by ConformanceTest).
            if (token.state() != LogicalAddressToken.LIVE || segment.size() <= 0 ||
                token.segments().get(segment.offset()) != segment.size())
            {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            table.unmapKeepTables(token.logicalAddressBase() + segment.offset(), segment.size());
            token.segments().remove(segment.offset());
        }
        segment.clear();
        return NtStatus.STATUS_SUCCESS;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Lifecycle
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Frees the tables once no map or unmap is inside them (the domain is already dead for new calls).
     */
    @Override
    void release()
    {
        gate.closeAndDrain();
        table.destroy();
    }
}
