/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.lang.invoke.VarHandle;

import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaResult;
import dev.iommu.ptw.PtwResult;

/**
 * The token engine of the documented profile (spec 2.24 to 2.27, 5.5), reached through {@link MappingRules}'
 * routing methods ({@link ObservedTokens} is the observed profile's): stateless static methods over a
 * {@link MappingDomain}'s tables, allocator and protected ranges, trusting what the rules checked. A reservation is
 * all-or-nothing (its tables built, its range protected, or nothing); one overlapping a reservation, a reserved region
 * or mapped pages is STATUS_IN_USE (spec 5.5 item 35), reported as {@link VerifierRule#OVERLAPPING_RESERVATION}
 * when the verifier is on; a MapReservedLogicalRange clash is STATUS_RESOURCE_IN_USE; UnmapReservedLogicalRange
 * zeroes the caller's segment and keeps the tables (item 38). A token's own monitor serialises its members.
 */
final class DocumentedTokens
{
    private static final int PAGE_SHIFT = 12;

    private DocumentedTokens()
    {
    }

    /**
     * Reserves a checked range: a token with all its tables built, counted by the domain.
     */
    static int reserve(
        final MappingDomain d,
        final long size,
        final LongRef explicitAddress,
        final LongRef minAddress,
        final LongRef maxAddress,
        final Ref<IommuDmaLogicalAddressToken> tokenOut)
    {
        if (d.persistent() && size > ContextRecordDescriptor.MAX_PERSISTED_TOKEN_BYTES)
        {
            // A segment's key holds its offset page in 32 bits (ContextRecordDescriptor): a larger token cannot be
            // persisted, and a persistent emulator cannot keep what it cannot persist.
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        if (!d.addToken())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final int status = d.hasAllocator() ?
            reserveAllocated(d, size, minAddress, maxAddress, tokenOut) :
            reserveExplicit(d, explicitAddress.get(), size, tokenOut);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            d.removeToken();
        }
        else
        {
            d.owner().tokenReserved((LogicalAddressToken)tokenOut.get(), true);
        }
        return status;
    }

    private static int reserveAllocated(
        final MappingDomain d, final long size, final LongRef minAddress, final LongRef maxAddress,
        final Ref<IommuDmaLogicalAddressToken> tokenOut)
    {
        final long min = null == minAddress ? IovaAllocator.NO_MIN : minAddress.get();
        final long max = null == maxAddress ? IovaAllocator.NO_MAX : maxAddress.get();
        final long pages = size >>> PAGE_SHIFT;
        final long address = d.allocator().allocate(pages, min, max);
        if (address < 0)
        {
            return address == IovaResult.UNSATISFIABLE_BOUNDS ?
                NtStatus.STATUS_INVALID_PARAMETER_MIX : NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        d.protectedRanges().add(address, address + size);
        if (d.table().reserve(address, size) != PtwResult.OK)
        {
            // The table refused before installing anything (all or nothing): give back the range and the space.
            d.protectedRanges().remove(address, address + size);
            d.allocator().free(address, pages);
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        tokenOut.set(new LogicalAddressToken(d, address, size, true, true));
        return NtStatus.STATUS_SUCCESS;
    }

    static int reserveExplicit(final MappingDomain d, final long address, final long size,
        final Ref<IommuDmaLogicalAddressToken> tokenOut)
    {
        final long end = address + size;
        if (!d.protectedRanges().add(address, end))
        {
            return overlapping(d, address, size, "a reservation or reserved region");
        }
        // Full fence: the range's publication above before the page-table reads below (see mapChecked).
        VarHandle.fullFence();
        if (d.table().countMapped(address, size) > 0)
        {
            d.protectedRanges().remove(address, end);
            return overlapping(d, address, size, "mapped pages");
        }
        if (d.table().reserve(address, size) != PtwResult.OK)
        {
            // The table refused before installing anything (all or nothing): give back the range.
            d.protectedRanges().remove(address, end);
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        tokenOut.set(new LogicalAddressToken(d, address, size, false, true));
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * A reservation refused for overlapping {@code what}: STATUS_IN_USE, reported when the verifier is on
     * ({@link ObservedTokens#reportOverlap}).
     */
    private static int overlapping(final MappingDomain d, final long address, final long size, final String what)
    {
        if (d.verifier().on)
        {
            ObservedTokens.reportOverlap(d.verifier(), d.id(), address, size, what, true);
        }
        return NtStatus.STATUS_IN_USE;
    }

    static int free(final LogicalAddressToken token, final MappingRules rules)
    {
        final MappingDomain d = token.domain();
        synchronized (token)
        {
            final int status = rules.freeLocked(token);
            if (d.verifier().on)
            {
                d.verifier().compare("FreeReservedLogicalAddressRange", status,
                    d.verifier().otherRules().mappings.freeLocked(token), token,
                    token.logicalAddressBase(), token.size());
            }
            if (status != NtStatus.STATUS_SUCCESS)
            {
                return status;
            }
            token.state(LogicalAddressToken.DELETING);
        }
        final long base = token.logicalAddressBase();
        final long size = token.size();
        // Recorded in flight: recovery completes a free the process died in (the range cleared, the token dropped).
        final InFlightLog.Slot slot = d.beginCall(InFlightLog.FREE_TOKEN, base, size >>> PAGE_SHIFT);
        try
        {
            d.table().unmap(base, size);
            d.owner().tokenFreed(token);
            token.state(LogicalAddressToken.FREED);
        }
        finally
        {
            d.endCall(slot);
        }
        // Only once the record no longer names the range may another call take it (recovery would clear it).
        d.protectedRanges().remove(base, base + size);
        if (token.allocated())
        {
            d.allocator().free(base, size >>> PAGE_SHIFT);
        }
        d.removeToken();
        return NtStatus.STATUS_SUCCESS;
    }

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
        final MappingDomain d = token.domain();
        synchronized (token)
        {
            final int state = rules.tokenState(token);
            if (state != NtStatus.STATUS_SUCCESS)
            {
                return state;
            }
            final long address = token.logicalAddressBase() + offset;
            // A persistent emulator refuses a clash before recording the call in flight (see MappingDomain.mapChecked).
            if (d.persistent() && d.table().countMapped(address, pages << PAGE_SHIFT) > 0)
            {
                return NtStatus.STATUS_RESOURCE_IN_USE;
            }
            final InFlightLog.Slot slot = d.beginCall(InFlightLog.MAP, address, pages);
            try
            {
                final int result = d.mapPhysical(address, permissions, base, frames, pages);
                if (result != PtwResult.OK)
                {
                    return result == PtwResult.EXISTS ?
                        NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_INSUFFICIENT_RESOURCES;
                }
                token.segments().put(offset, pages << PAGE_SHIFT);
                token.segmentMapped();
                d.owner().records().segmentMapped(token, offset, pages << PAGE_SHIFT);
            }
            finally
            {
                d.endCall(slot);
            }
        }
        segment.owningToken(token).offset(offset).size(pages << PAGE_SHIFT);
        return NtStatus.STATUS_SUCCESS;
    }

    static int unmapReserved(final LogicalAddressToken token, final IommuDmaLogicalAddressTokenMappedSegment segment,
        final MappingRules rules)
    {
        final MappingDomain d = token.domain();
        synchronized (token)
        {
            final int status = rules.unmapReservedLocked(token, segment);
            if (d.verifier().on)
            {
                d.verifier().compare("UnmapReservedLogicalRange", status,
                    d.verifier().otherRules().mappings.unmapReservedLocked(token, segment), token,
                    token.logicalAddressBase() + segment.offset(), segment.size());
            }
            if (status != NtStatus.STATUS_SUCCESS)
            {
                return status;
            }
            final InFlightLog.Slot slot = d.beginCall(InFlightLog.UNMAP, token.logicalAddressBase() + segment.offset(),
                segment.size() >>> PAGE_SHIFT);
            try
            {
                d.table().unmapKeepTables(token.logicalAddressBase() + segment.offset(), segment.size());
                token.segments().remove(segment.offset());
                token.segmentUnmapped();
                d.owner().records().segmentUnmapped(token, segment.offset());
            }
            finally
            {
                d.endCall(slot);
            }
        }
        segment.clear();
        return NtStatus.STATUS_SUCCESS;
    }
}
