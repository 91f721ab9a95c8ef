/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaResult;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.PtwResult;
import dev.iommu.ptw.RadixPageTable;

/**
 * The token engine of the observed-Windows profile (observed record section 5), used instead of
 * {@link MappingDomain}'s token methods through {@link ObservedTokenRules}: stateless static methods over a domain's
 * tables, allocator and protected ranges, trusting what the rules checked. Where it differs from the documented
 * engine:
 * <ul>
 *     <li>a reservation overlapping another token, a reserved region or mapped pages succeeds (the range joins the
 *     protected ranges only when it overlaps none of them, since those stay disjoint); with the verifier on it is
 *     reported ({@link VerifierRule#OVERLAPPING_RESERVATION} and the divergence);</li>
 *     <li>tables are never freed: a failed reservation keeps the tables it built, and a free zeroes the leaves over
 *     the whole token but keeps its tables (Windows' native unmap never frees tables);</li>
 *     <li>MapReservedLogicalRange writes the permissions' read and write bits whatever else is set, writes no leaves
 *     for permission 0 (tables only), and answers any map failure STATUS_RESOURCE_IN_USE;</li>
 *     <li>UnmapReservedLogicalRange goes by the token's mapped-segment count, zeroes the segment's Offset and Size and
 *     keeps its OwningToken.</li>
 * </ul>
 */
final class ObservedTokens
{
    private static final int PAGE_SHIFT = 12;
    private static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    private static final String RESERVE = "ReserveLogicalAddressRange";

    private ObservedTokens()
    {
    }

    /**
     * The allocator block of a reservation: the next power of two of its pages, in bytes.
     */
    static long blockBytes(final long pages)
    {
        final long up = Long.highestOneBit(pages) == pages ? pages : Long.highestOneBit(pages) << 1;
        return up << PAGE_SHIFT;
    }

    static long min(final LongRef minAddress)
    {
        return null == minAddress ? 0 : minAddress.get();
    }

    static long max(final LongRef maxAddress)
    {
        return null == maxAddress ? -1 : maxAddress.get();
    }

    /**
     * The window's first address: Min rounded up to the block, or -1 when that overflows.
     */
    static long windowLow(final long min, final long block)
    {
        final long up = min + block - 1;
        return Long.compareUnsigned(up, min) < 0 ? -1 : up & -block;
    }

    /**
     * The window's end (exclusive): Max + 1 rounded down to the block; 0 stands for 2^64 (Max = all ones).
     */
    static long windowEnd(final long max, final long block)
    {
        return (max + 1) & -block;
    }

    /**
     * Observed 5 ReserveLogicalAddressRange rows 6-8 and the last row: the range from the allocator (no free block in
     * the window: STATUS_INSUFFICIENT_RESOURCES) or at Explicit, overlap not checked, the tables built (a failure
     * frees the range but keeps the tables built so far: STATUS_INSUFFICIENT_RESOURCES), then the token.
     */
    static int reserve(
        final MappingDomain domain,
        final long size,
        final LongRef explicitAddress,
        final LongRef minAddress,
        final LongRef maxAddress,
        final Ref<IommuDmaLogicalAddressToken> tokenOut,
        final Verifier verifier)
    {
        if (!domain.addToken())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final IovaAllocator allocator = domain.allocator();
        final long pages = size >>> PAGE_SHIFT;
        final long address;
        final boolean allocated = null != allocator && null == explicitAddress;
        if (allocated)
        {
            final long block = blockBytes(pages);
            final long end = windowEnd(max(maxAddress), block);
            address = allocator.allocate(pages, windowLow(min(minAddress), block), 0 == end ? -1 : end - 1);
            if (address < 0)
            {
                domain.removeToken();
                return address == IovaResult.BEYOND_WIDTH ?
                    NtStatus.STATUS_INVALID_PARAMETER_3 : NtStatus.STATUS_INSUFFICIENT_RESOURCES;
            }
        }
        else
        {
            address = explicitAddress.get();
            if (null != allocator)
            {
                // Observed 4 MapLogicalRangeEx row 5a: an Explicit inside a reserved region marks the region's node
                // in use (whether it already was is not checked); nothing is taken from the allocator.
                allocator.markReservedInUse(allocator.reservedRegionAt(address));
            }
        }
        final ProtectedRanges ranges = domain.protectedRanges();
        final boolean added = ranges.add(address, address + size);
        if (verifier.on)
        {
            overlapReport(domain, address, size, added, null == allocator, verifier);
        }
        // Observed 5 ReserveLogicalAddressRange row 7: the tables built before running out stay.
        if (domain.table().reserveAsFarAsPossible(address, size) != PtwResult.OK)
        {
            if (added)
            {
                ranges.remove(address, address + size);
            }
            if (allocated)
            {
                allocator.free(address, pages);
            }
            domain.removeToken();
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        final LogicalAddressToken token = new LogicalAddressToken(domain, address, size, allocated, added);
        domain.owner().tokenReserved(token, true);
        tokenOut.set(token);
        return NtStatus.STATUS_SUCCESS;
    }

    private static void overlapReport(final MappingDomain domain, final long address, final long size,
        final boolean added, final boolean explicit, final Verifier verifier)
    {
        final String what = !added ? "a reservation or reserved region" :
            domain.table().countMapped(address, size) > 0 ? "mapped pages" : null;
        if (null != what)
        {
            reportOverlap(verifier, domain.id(), address, size, what, explicit);
        }
    }

    /**
     * Reports a reservation overlapping {@code what} (both profiles' engines call it, with the verifier on):
     * {@link VerifierRule#OVERLAPPING_RESERVATION}, and for an explicit range the divergence: the documented contract
     * refuses it (STATUS_IN_USE), Windows does not check (observed 5 ReserveLogicalAddressRange, last row).
     */
    static void reportOverlap(final Verifier verifier, final long domainId, final long address, final long size,
        final String what, final boolean explicit)
    {
        final String objects = "domain#" + domainId;
        verifier.hazard(VerifierRule.OVERLAPPING_RESERVATION, RESERVE, objects, address, size, "overlaps " + what);
        if (explicit)
        {
            verifier.divergence(RESERVE, NtStatus.STATUS_IN_USE, NtStatus.STATUS_SUCCESS, objects, address, size,
                "overlaps " + what + ": Windows does not check");
        }
    }

    /**
     * Observed 5 FreeReservedLogicalAddressRange: under the token's monitor the count checked
     * ({@link MappingRules#freeLocked}) and the token marked deleting; then the leaves over the whole token zeroed
     * (tables kept; segments a repeated unmap left mapped are zeroed too), the range given back, the token freed.
     */
    static int free(final LogicalAddressToken token, final MappingRules rules, final Verifier verifier)
    {
        synchronized (token)
        {
            final int status = rules.freeLocked(token);
            if (verifier.on)
            {
                verifier.compare("FreeReservedLogicalAddressRange", status,
                    verifier.otherRules().mappings.freeLocked(token), token, token.logicalAddressBase(),
                    token.size());
            }
            if (status != NtStatus.STATUS_SUCCESS)
            {
                return status;
            }
            token.state(LogicalAddressToken.DELETING);
        }
        final MappingDomain domain = token.domain();
        final long base = token.logicalAddressBase();
        final long size = token.size();
        domain.table().unmapKeepTables(base, size);
        if (token.protectedRange())
        {
            domain.protectedRanges().remove(base, base + size);
        }
        if (token.allocated())
        {
            domain.allocator().free(base, size >>> PAGE_SHIFT);
        }
        synchronized (token)
        {
            domain.owner().tokenFreed(token);
            token.segments().clear();
            token.state(LogicalAddressToken.FREED);
        }
        domain.removeToken();
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 5 MapReservedLogicalRange rows 1, 5 and 6: the count raised, the pages mapped at base + Offset (past
     * the token's end where row 4 let it), any failure STATUS_RESOURCE_IN_USE with the count lowered again (a clash
     * undoes this call's leaves), success fills the segment and keeps the count raised.
     */
    static int mapReserved(
        final LogicalAddressToken token,
        final long offset,
        final int permissions,
        final long base,
        final long[] frames,
        final long pages,
        final IommuDmaLogicalAddressTokenMappedSegment segment,
        final MappingRules rules)
    {
        final RadixPageTable table = token.domain().table();
        final long length = pages << PAGE_SHIFT;
        final long address = token.logicalAddressBase() + offset;
        synchronized (token)
        {
            final int state = rules.tokenState(token);
            if (state != NtStatus.STATUS_SUCCESS)
            {
                return state;
            }
            token.segmentMapped();
            // IommuPermissions and PtwPermissions share their read and write bits; other bits are not validated.
            final int access = permissions & PtwPermissions.READ_WRITE;
            final int result = access == 0 ? table.reserve(address, length) : null == frames ?
                table.map(address, base, length, access) : table.mapScatter(address, frames, 0, (int)pages, access);
            if (result != PtwResult.OK)
            {
                token.segmentUnmapped();
                return NtStatus.STATUS_RESOURCE_IN_USE;
            }
            token.segments().put(offset, length);
            token.domain().owner().records().segmentMapped(token, offset, length);
        }
        segment.owningToken(token).offset(offset).size(length);
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 5 UnmapReservedLogicalRange: under the token's monitor the count checked
     * ({@link MappingRules#unmapReservedLocked}); Size bytes zeroed at base + Offset with the tables kept (Size 0:
     * nothing; an error is returned as it is, STATUS_INVALID_PARAMETER); then the count lowered, whichever segment
     * this was, and the segment's Offset and Size zeroed, its OwningToken kept.
     */
    static int unmapReserved(final LogicalAddressToken token, final IommuDmaLogicalAddressTokenMappedSegment segment,
        final MappingRules rules, final Verifier verifier)
    {
        final long offset = segment.offset();
        final long size = segment.size();
        synchronized (token)
        {
            final int status = rules.unmapReservedLocked(token, segment);
            if (verifier.on)
            {
                verifier.compare("UnmapReservedLogicalRange", status,
                    verifier.otherRules().mappings.unmapReservedLocked(token, segment), token,
                    token.logicalAddressBase() + offset, size);
            }
            if (status != NtStatus.STATUS_SUCCESS)
            {
                return status;
            }
            if (size != 0)
            {
                final long bytes = ((size >>> PAGE_SHIFT) + ((size & (PAGE_SIZE - 1)) != 0 ? 1 : 0)) << PAGE_SHIFT;
                if (token.domain().table().unmapKeepTables(token.logicalAddressBase() + offset, bytes) < 0)
                {
                    return NtStatus.STATUS_INVALID_PARAMETER;
                }
                if (token.segments().get(offset) == size)
                {
                    token.segments().remove(offset);
                    token.domain().owner().records().segmentUnmapped(token, offset);
                }
            }
            token.segmentUnmapped();
        }
        segment.offset(0).size(0);
        return NtStatus.STATUS_SUCCESS;
    }
}
