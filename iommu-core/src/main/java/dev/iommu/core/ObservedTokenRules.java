/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuMapPhysicalAddressType;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

/**
 * Windows as observed (x64 build A) for the four logical-address-token members (observed record section 5, and
 * section 8 items 13, 14 and 20): the token half of {@link ObservedMappingRules}, which extends this class. Each
 * method overrides the {@link MappingRules} method of the same member, holds that member's checks in Windows' order
 * and cites the rows it reproduces; the engine overrides send the checked call to {@link ObservedTokens} instead of
 * {@link MappingDomain}'s token methods. Where Windows checks nothing (a NULL or freed handle, a NULL out-parameter:
 * undefined behaviour there), the documented answer is kept, as the Javadoc of each method says.
 */
abstract class ObservedTokenRules extends MappingRules
{
    static final long PAGE_MASK = 4095;
    private static final int PAGE_SHIFT = 12;

    /**
     * Observed 5 ReserveLogicalAddressRange row 0: {@code *TokenOut = NULL} before any check (a NULL TokenOut is
     * undefined on Windows; here nothing is written and the documented _6 comes later).
     */
    @Override
    void reserveOutputs(final Ref<IommuDmaLogicalAddressToken> tokenOut)
    {
        if (null != tokenOut)
        {
            tokenOut.set(null);
        }
    }

    /**
     * Observed 5 ReserveLogicalAddressRange rows 1-6, in Windows' order: Size 0 or not whole pages _2 (before the
     * domain is read, so a NULL domain with a bad Size is _2 too); the domain not Translate or TranslateS1 _1; row 3
     * (the token's own allocation) cannot fail here; no allocator and no Explicit STATUS_NOT_SUPPORTED; then the range
     * ({@link #explicitRange}, {@link #allocatorRange}). Kept from the documented contract where Windows does not
     * check (undefined there): a NULL domain STATUS_INVALID_PARAMETER, a NULL TokenOut _6, an explicit range past the
     * address space _3. Overlap with tokens, regions or mappings is not checked (last row): the engine reports it.
     */
    @Override
    int reserveLogicalAddressRange(final Domain domain, final long size, final LongRef explicitAddress,
        final LongRef minAddress, final LongRef maxAddress, final Object tokenOut)
    {
        if (size == 0 || (size & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (null == domain)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final IommuDmaDomainType type = domain.type();
        if (!(domain instanceof MappingDomain) ||
            type != IommuDmaDomainType.TRANSLATE && type != IommuDmaDomainType.TRANSLATE_S1)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        final MappingDomain mapping = (MappingDomain)domain;
        if (!mapping.hasAllocator() && null == explicitAddress)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        if (null == tokenOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_6;
        }
        return mapping.hasAllocator() ? allocatorRange(mapping, size, explicitAddress, minAddress, maxAddress) :
            explicitRange(mapping, size, explicitAddress.get());
    }

    /**
     * Observed 5 ReserveLogicalAddressRange row 5 without an allocator: an unaligned Explicit is the allocator's _2,
     * remapped to _3. A range past the address space: _3 (documented; Windows does not check it).
     */
    private static int explicitRange(final MappingDomain domain, final long size, final long address)
    {
        if ((address & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final long limit = domain.limit();
        return address >= 0 && address < limit && Long.compareUnsigned(size, limit - address) <= 0 ?
            NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_3;
    }

    /**
     * Observed 5 ReserveLogicalAddressRange rows 5 and 6 with an allocator (the allocator's rules are observed 4
     * MapLogicalRangeEx rows 5a-5e): Explicit given _2, remapped to _3, unless it is page-aligned and inside a
     * reserved region given at creation (row 5a: then that address is used); Size above the largest block _3; Min
     * above Max, an overflow, or a window ({@link ObservedTokens#windowLow}, {@link ObservedTokens#windowEnd})
     * narrower than one block INVALID_PARAMETER, remapped to _3; a window that misses the allocator's whole range
     * MIX. No free block in the window (INSUFFICIENT_RESOURCES) is the engine's answer.
     */
    private static int allocatorRange(final MappingDomain domain, final long size, final LongRef explicitAddress,
        final LongRef minAddress, final LongRef maxAddress)
    {
        if (null != explicitAddress)
        {
            final long address = explicitAddress.get();
            return (address & ((1L << PAGE_SHIFT) - 1)) == 0 && domain.allocator().reservedRegionAt(address) >= 0 ?
                NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final long pages = size >>> PAGE_SHIFT;
        final int width = domain.allocator().addressWidth();
        if (pages > 1L << (width - PAGE_SHIFT))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final long block = ObservedTokens.blockBytes(pages);
        final long min = ObservedTokens.min(minAddress);
        final long max = ObservedTokens.max(maxAddress);
        if (Long.compareUnsigned(min, max) > 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final long low = ObservedTokens.windowLow(min, block);
        final long end = ObservedTokens.windowEnd(max, block);
        final boolean narrow = end != 0 &&
            (Long.compareUnsigned(end, low) <= 0 || Long.compareUnsigned(end - low, block) < 0);
        if (low == -1 || narrow)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        return Long.compareUnsigned(low, 1L << width) >= 0 ?
            NtStatus.STATUS_INVALID_PARAMETER_MIX : NtStatus.STATUS_SUCCESS;
    }

    @Override
    int reserveChecked(final MappingDomain domain, final long size, final LongRef explicitAddress,
        final LongRef minAddress, final LongRef maxAddress, final Ref<IommuDmaLogicalAddressToken> tokenOut,
        final Verifier verifier)
    {
        return ObservedTokens.reserve(domain, size, explicitAddress, minAddress, maxAddress, tokenOut, verifier);
    }

    /**
     * Observed 5 FreeReservedLogicalAddressRange, under the token's monitor: the mapped-segment count not 0, or the
     * token already being freed (Windows' compare-exchange from 0 fails on the "deleting" value),
     * STATUS_RESOURCE_IN_USE. A freed token (double free) is a use-after-free on Windows: the documented
     * STATUS_INVALID_PARAMETER is kept.
     */
    @Override
    int freeLocked(final LogicalAddressToken token)
    {
        final int state = token.state();
        if (state == LogicalAddressToken.FREED)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return state == LogicalAddressToken.DELETING || token.mappedSegments() != 0 ?
            NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_SUCCESS;
    }

    @Override
    int freeChecked(final LogicalAddressToken token, final Verifier verifier)
    {
        return ObservedTokens.free(token, this, verifier);
    }

    /**
     * Observed 5 MapReservedLogicalRange rows 1-6, in Windows' order: row 1 ({@link #tokenState}) refuses nothing
     * Windows can reach; Offset not 4 KiB-aligned _2; the description invalid _4 (a contiguous Size is rounded up,
     * {@link #pages}); Offset + length above LogicalAddressBase + Size _4 (row 4: Windows compares with the token's
     * end address, not its size, so a mapping may run past the token when its base is above 0; reproduced, unsigned);
     * permissions are not validated. Kept from the documented contract (undefined on Windows): a NULL or foreign
     * token STATUS_INVALID_PARAMETER, a NULL MappedSegment _5 (last).
     */
    @Override
    int mapReservedLogicalRange(final LogicalAddressToken token, final long offset, final int permissions,
        final IommuMapPhysicalAddress physical, final IommuDmaLogicalAddressTokenMappedSegment segment)
    {
        if (null == token)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final int state = tokenState(token);
        if (state != NtStatus.STATUS_SUCCESS)
        {
            return state;
        }
        if ((offset & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        final long pages = pages(physical);
        if (pages < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        final long end = offset + (pages << PAGE_SHIFT);
        if (Long.compareUnsigned(end, offset) < 0 ||
            Long.compareUnsigned(end, token.logicalAddressBase() + token.size()) > 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        return null == segment ? NtStatus.STATUS_INVALID_PARAMETER_5 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 5 MapReservedLogicalRange row 1: a token being freed is not refused (Windows marks "deleting" with a
     * positive count, so a map racing a free maps into the token being freed). A freed token is a use-after-free on
     * Windows: the documented STATUS_INVALID_PARAMETER is kept.
     */
    @Override
    int tokenState(final LogicalAddressToken token)
    {
        return token.state() == LogicalAddressToken.FREED ?
            NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    @Override
    int mapReservedChecked(final LogicalAddressToken token, final long offset, final int permissions,
        final IommuMapPhysicalAddress physical, final IommuDmaLogicalAddressTokenMappedSegment segment,
        final Verifier verifier)
    {
        return ObservedTokens.mapReserved(token, offset, permissions, PhysicalPages.base(physical),
            PhysicalPages.frames(physical), pages(physical), segment, this);
    }

    /**
     * Observed 5 UnmapReservedLogicalRange, under the token's monitor: the owning token's mapped-segment count not
     * positive STATUS_INVALID_PARAMETER; otherwise it passes, whatever the segment holds (an already-unmapped segment
     * has Size 0 and unmaps nothing). A freed owning token is a use-after-free on Windows: the documented
     * STATUS_INVALID_PARAMETER is kept.
     */
    @Override
    int unmapReservedLocked(final LogicalAddressToken token, final IommuDmaLogicalAddressTokenMappedSegment segment)
    {
        return token.state() == LogicalAddressToken.FREED || token.mappedSegments() <= 0 ?
            NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    @Override
    int unmapReservedChecked(final LogicalAddressToken token,
        final IommuDmaLogicalAddressTokenMappedSegment segment, final Verifier verifier)
    {
        return ObservedTokens.unmapReserved(token, segment, this, verifier);
    }

    /**
     * The pages a description covers as Windows reads it (observed 4, common facts): a contiguous range needs an
     * aligned Base and a Size above 0, which is rounded up to pages; other descriptions as documented. -1 when
     * invalid.
     */
    static long pages(final IommuMapPhysicalAddress physical)
    {
        if (null != physical && physical.mapType() == IommuMapPhysicalAddressType.CONTIGUOUS_RANGE)
        {
            final long base = physical.contiguousBase();
            final long size = physical.contiguousSize();
            if (base < 0 || size <= 0 || (base & PAGE_MASK) != 0)
            {
                return -1;
            }
            final long pages = (size >>> PAGE_SHIFT) + ((size & PAGE_MASK) != 0 ? 1 : 0);
            return (base >>> PAGE_SHIFT) + pages > PhysicalPages.FRAME_LIMIT ? -1 : pages;
        }
        return PhysicalPages.pageCount(physical);
    }
}
