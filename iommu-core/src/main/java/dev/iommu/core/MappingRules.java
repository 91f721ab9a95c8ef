/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

/**
 * The argument rules of the mapping and token members of all three tables: MapLogicalRangeEx, V1 MapLogicalRange,
 * UnmapLogicalRange, MapIdentityRangeEx, V1 MapIdentityRange, UnmapIdentityRangeEx, V1 UnmapIdentityRange,
 * ReserveLogicalAddressRange, FreeReservedLogicalAddressRange, MapReservedLogicalRange and
 * UnmapReservedLogicalRange (spec 2.11 to 2.17, 2.24 to 2.27, 5.4, 5.5). Each method holds every check its member
 * makes before it changes anything; {@link MappingDomain} trusts what passed. A null, foreign or deleted domain or
 * token arrives here as null and is STATUS_INVALID_PARAMETER (spec 5.2 item 10, 5.5 item 34).
 * <p>
 * Choices for what the spec leaves open, each made here once:
 * <ul>
 *     <li>the mapping members take Translate domains only (spec 1.4: "must be Translate"; TranslateS1 too is
 *     refused with STATUS_INVALID_PARAMETER_1), the identity members Translate and PassThrough;</li>
 *     <li>item 26: reserved permission bits are the Permissions parameter's code (_2 for the Map*Ex and V1 map
 *     members, _3 for MapReservedLogicalRange); permission 0 is allowed (present, every access faults);</li>
 *     <li>item 27: an empty or malformed physical description is the description's code (_3 for the map members,
 *     _2 for the unmap-identity members, _4 for MapReservedLogicalRange); a frame whose address is at or above 2^52
 *     (frame number 2^40) is malformed;</li>
 *     <li>item 28: with an allocator, Min above Max is STATUS_INVALID_PARAMETER_MIX; without one the bounds are
 *     ignored;</li>
 *     <li>5.1 item 4: the V1 map members on a domain with an allocator (made by CreateDomainEx) are
 *     STATUS_NOT_SUPPORTED, as MapIdentityRangeEx there; an explicit address (V1 LogicalAddress) that is unaligned
 *     or runs past the domain's address space is STATUS_INVALID_PARAMETER_4;</li>
 *     <li>item 21: UnmapLogicalRange with an unaligned address _2, zero pages or a range past the address space _3;
 *     item 23: a range touching a token or reserved region STATUS_INVALID_PARAMETER;</li>
 *     <li>items 35 and 37: Reserve with Size 0 _2; MapReservedLogicalRange past the token's end _4;</li>
 *     <li>a missing out-parameter is the status of its position: LogicalAddressOut _7, the token out of Reserve _6,
 *     MappedSegment _5.</li>
 * </ul>
 */
class MappingRules
{
    private static final long PAGE_MASK = 4095;

    /**
     * {@code MapLogicalRangeEx} (spec 2.12).
     */
    int mapLogicalRangeEx(final Domain domain, final int permissions, final IommuMapPhysicalAddress physical,
        final LongRef explicitAddress, final LongRef minAddress, final LongRef maxAddress, final LongRef addressOut)
    {
        final int status = translateDomain(domain);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if (!IommuPermissions.isValid(permissions))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        final long pages = PhysicalPages.pageCount(physical);
        if (pages < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final MappingDomain mapping = (MappingDomain)domain;
        if (mapping.hasAllocator())
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
            if (!fits(mapping, explicitAddress.get(), pages))
            {
                return NtStatus.STATUS_INVALID_PARAMETER_4;
            }
        }
        if (null == addressOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_7;
        }
        return boundsSatisfiable(mapping, minAddress, maxAddress);
    }

    /**
     * V1 {@code MapLogicalRange} (spec 2.11): a Translate domain without allocator (_1, NOT_SUPPORTED), permissions
     * _2, the MDL _3, the logical address _4.
     */
    int mapLogicalRange(final Domain domain, final int permissions, final Mdl mdl, final long logicalAddress)
    {
        final int status = translateDomain(domain);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if (((MappingDomain)domain).hasAllocator())
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        if (!IommuPermissions.isValid(permissions))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        final long pages = PhysicalPages.pageCount(mdl);
        if (pages < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        return fits((MappingDomain)domain, logicalAddress, pages) ?
            NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_4;
    }

    /**
     * {@code UnmapLogicalRange} (spec 2.13, 5.4 items 21 and 23).
     */
    int unmapLogicalRange(final Domain domain, final long address, final long numberOfPages)
    {
        final int status = translateDomain(domain);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if ((address & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        final MappingDomain mapping = (MappingDomain)domain;
        if (numberOfPages <= 0 || !fits(mapping, address, numberOfPages))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        return mapping.protectedRanges().overlaps(address, address + (numberOfPages << 12)) ?
            NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code MapIdentityRangeEx} (spec 2.16): Translate or PassThrough _1, permissions _2, the description _3 (also
     * a frame whose identity address is past the domain's address space), an allocator STATUS_NOT_SUPPORTED.
     */
    int mapIdentityRangeEx(final Domain domain, final int permissions, final IommuMapPhysicalAddress physical)
    {
        final long pages = PhysicalPages.pageCount(physical);
        return mapIdentity(domain, permissions, pages, pages < 0 ? 0 : PhysicalPages.base(physical),
            pages < 0 ? null : PhysicalPages.frames(physical));
    }

    /**
     * V1 {@code MapIdentityRange} (spec 2.14): as MapIdentityRangeEx, with an MDL.
     */
    int mapIdentityRange(final Domain domain, final int permissions, final Mdl mdl)
    {
        final long pages = PhysicalPages.pageCount(mdl);
        return mapIdentity(domain, permissions, pages, 0, pages < 0 ? null : mdl.pageFrames());
    }

    private static int mapIdentity(final Domain domain, final int permissions, final long pages, final long base,
        final long[] frames)
    {
        final int status = identityDomain(domain);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if (!IommuPermissions.isValid(permissions))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (pages < 0 || !identityFits((MappingDomain)domain, base, frames, pages))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        return ((MappingDomain)domain).hasAllocator() ? NtStatus.STATUS_NOT_SUPPORTED : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code UnmapIdentityRangeEx} (spec 2.17): Translate or PassThrough _1, the description _2, an allocator
     * STATUS_NOT_SUPPORTED. Pages not all identity-mapped (spec 5.4 item 31) are {@link #notIdentityMapped()}.
     */
    int unmapIdentityRangeEx(final Domain domain, final IommuMapPhysicalAddress physical)
    {
        return unmapIdentity(domain, PhysicalPages.pageCount(physical));
    }

    /**
     * V1 {@code UnmapIdentityRange} (spec 2.15): as UnmapIdentityRangeEx, with an MDL.
     */
    int unmapIdentityRange(final Domain domain, final Mdl mdl)
    {
        return unmapIdentity(domain, PhysicalPages.pageCount(mdl));
    }

    private static int unmapIdentity(final Domain domain, final long pages)
    {
        final int status = identityDomain(domain);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if (pages < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        return ((MappingDomain)domain).hasAllocator() ? NtStatus.STATUS_NOT_SUPPORTED : NtStatus.STATUS_SUCCESS;
    }

    /**
     * UnmapIdentityRange(Ex) of pages that are not all identity-mapped, or that a token or region protects (spec 5.4
     * item 31): STATUS_INVALID_PARAMETER_2, nothing unmapped.
     */
    int notIdentityMapped()
    {
        return NtStatus.STATUS_INVALID_PARAMETER_2;
    }

    /**
     * What ReserveLogicalAddressRange writes before any check: nothing in the documented contract (the token out is
     * written on success only).
     */
    void reserveOutputs(final Ref<IommuDmaLogicalAddressToken> tokenOut)
    {
    }

    /**
     * The engine of ReserveLogicalAddressRange once its checks passed: {@link MappingDomain#reserve}.
     */
    int reserveChecked(final MappingDomain domain, final long size, final LongRef explicitAddress,
        final LongRef minAddress, final LongRef maxAddress, final Ref<IommuDmaLogicalAddressToken> tokenOut,
        final Verifier verifier)
    {
        return DocumentedTokens.reserve(domain, size, explicitAddress, minAddress, maxAddress, tokenOut);
    }

    /**
     * The engine of FreeReservedLogicalAddressRange once its checks passed: {@link MappingDomain#freeToken}.
     */
    int freeChecked(final LogicalAddressToken token, final Verifier verifier)
    {
        return DocumentedTokens.free(token, this);
    }

    /**
     * The engine of MapReservedLogicalRange once its checks passed: {@link MappingDomain#mapReserved}.
     */
    int mapReservedChecked(final LogicalAddressToken token, final long offset, final int permissions,
        final IommuMapPhysicalAddress physical, final IommuDmaLogicalAddressTokenMappedSegment segment,
        final Verifier verifier)
    {
        return DocumentedTokens.mapReserved(token, offset, permissions, PhysicalPages.base(physical),
            PhysicalPages.frames(physical), PhysicalPages.checkedPageCount(physical), segment, this);
    }

    /**
     * The engine of UnmapReservedLogicalRange once its checks passed: {@link MappingDomain#unmapReserved}.
     */
    int unmapReservedChecked(final LogicalAddressToken token,
        final IommuDmaLogicalAddressTokenMappedSegment segment, final Verifier verifier)
    {
        return DocumentedTokens.unmapReserved(token, segment, this);
    }

    /**
     * {@code ReserveLogicalAddressRange} (spec 2.24, 5.5 item 35): Translate _1; Size 0 or not whole pages _2; an
     * explicit address unaligned _3; explicit with an allocator, or none without one, STATUS_NOT_SUPPORTED; no token
     * out _6; an explicit range past the address space _3; Min above Max STATUS_INVALID_PARAMETER_MIX.
     */
    int reserveLogicalAddressRange(final Domain domain, final long size, final LongRef explicitAddress,
        final LongRef minAddress, final LongRef maxAddress, final Object tokenOut)
    {
        final int status = translateDomain(domain);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if (size <= 0 || (size & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (null != explicitAddress && (explicitAddress.get() & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final MappingDomain mapping = (MappingDomain)domain;
        if (mapping.hasAllocator() == (null != explicitAddress))
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        if (null == tokenOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_6;
        }
        if (null != explicitAddress && !fits(mapping, explicitAddress.get(), size >>> 12))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        return boundsSatisfiable(mapping, minAddress, maxAddress);
    }

    /**
     * {@code FreeReservedLogicalAddressRange} (spec 2.25): the token; its state is {@link #freeLocked}.
     */
    int freeReservedLogicalAddressRange(final LogicalAddressToken token)
    {
        return null == token ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    /**
     * FreeReservedLogicalAddressRange under the token's monitor: freed or being freed (5.5 item 34)
     * STATUS_INVALID_PARAMETER; segments still mapped STATUS_RESOURCE_IN_USE.
     */
    int freeLocked(final LogicalAddressToken token)
    {
        if (token.state() != LogicalAddressToken.LIVE)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return token.segments().isEmpty() ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_RESOURCE_IN_USE;
    }

    /**
     * {@code MapReservedLogicalRange} (spec 2.26, 5.5 items 37 and 39): the token (being deleted
     * STATUS_UNSUCCESSFUL, freed STATUS_INVALID_PARAMETER: {@link #tokenState}), the offset _2, permissions _3, the
     * description or a range past the token's end _4, no segment _5. A clash with a segment mapped there is
     * STATUS_RESOURCE_IN_USE (the engine's answer).
     */
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
        if (offset < 0 || (offset & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (!IommuPermissions.isValid(permissions))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final long pages = PhysicalPages.pageCount(physical);
        if (pages < 0 || offset >= token.size() || pages > (token.size() - offset) >>> 12)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        return null == segment ? NtStatus.STATUS_INVALID_PARAMETER_5 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * A token's lifecycle as the map members see it (spec 5.5 item 39): LIVE passes, DELETING is
     * STATUS_UNSUCCESSFUL ("being deleted"), FREED STATUS_INVALID_PARAMETER. Read again under the token's monitor.
     */
    int tokenState(final LogicalAddressToken token)
    {
        final int state = token.state();
        return state == LogicalAddressToken.LIVE ? NtStatus.STATUS_SUCCESS :
            state == LogicalAddressToken.DELETING ? NtStatus.STATUS_UNSUCCESSFUL : NtStatus.STATUS_INVALID_PARAMETER;
    }

    /**
     * {@code UnmapReservedLogicalRange} (spec 2.27, 5.5 item 38): no segment, or a segment whose token is not one of
     * this emulator's, STATUS_INVALID_PARAMETER; under the token's monitor {@link #unmapReservedLocked}.
     */
    int unmapReservedLogicalRange(final IommuDmaLogicalAddressTokenMappedSegment segment,
        final LogicalAddressToken token)
    {
        return null == segment || null == token ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    /**
     * UnmapReservedLogicalRange under the token's monitor: the token not live, or no segment with exactly this
     * offset and size (already unmapped, or forged): STATUS_INVALID_PARAMETER. Size is checked positive first: the
     * segment map's missing value is -1, so a forged segment of size -1 would otherwise match it.
     */
    int unmapReservedLocked(final LogicalAddressToken token, final IommuDmaLogicalAddressTokenMappedSegment segment)
    {
        return token.state() != LogicalAddressToken.LIVE || segment.size() <= 0 ||
            token.segments().get(segment.offset()) != segment.size() ?
            NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    // ------------------------------------------------------------------------------------------------------------
    // The engine routines behind the members (a profile whose engine differs overrides these, once per emulator)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * MapLogicalRangeEx past its rules: {@link MappingDomain#mapLogical}.
     */
    int mapLogicalEngine(final MappingDomain domain, final int permissions, final IommuMapPhysicalAddress physical,
        final LongRef explicitAddress, final LongRef minAddress, final LongRef maxAddress, final LongRef addressOut)
    {
        return domain.mapLogical(permissions, PhysicalPages.base(physical), PhysicalPages.frames(physical),
            PhysicalPages.checkedPageCount(physical), explicitAddress, minAddress, maxAddress, addressOut);
    }

    /**
     * V1 MapLogicalRange past its rules: {@link MappingDomain#mapAt}.
     */
    int mapAtEngine(final MappingDomain domain, final int permissions, final Mdl mdl, final long logicalAddress)
    {
        return domain.mapAt(logicalAddress, permissions, mdl.pageFrames(), mdl.byteCount() >>> 12);
    }

    /**
     * UnmapLogicalRange past its rules: {@link MappingDomain#unmapLogical}.
     */
    int unmapLogicalEngine(final MappingDomain domain, final long logicalAddress, final long numberOfPages)
    {
        return domain.unmapLogical(logicalAddress, numberOfPages);
    }

    /**
     * MapIdentityRangeEx past its rules: {@link MappingDomain#mapIdentity}.
     */
    int mapIdentityEngine(final MappingDomain domain, final int permissions, final IommuMapPhysicalAddress physical)
    {
        return domain.mapIdentity(permissions, PhysicalPages.base(physical), PhysicalPages.frames(physical),
            PhysicalPages.checkedPageCount(physical));
    }

    /**
     * V1 MapIdentityRange past its rules: {@link MappingDomain#mapIdentity}.
     */
    int mapIdentityEngine(final MappingDomain domain, final int permissions, final Mdl mdl)
    {
        return domain.mapIdentity(permissions, 0, mdl.pageFrames(), mdl.byteCount() >>> 12);
    }

    /**
     * UnmapIdentityRangeEx past its rules: {@link MappingDomain#unmapIdentity}.
     */
    int unmapIdentityEngine(final MappingDomain domain, final IommuMapPhysicalAddress physical)
    {
        return domain.unmapIdentity(PhysicalPages.base(physical), PhysicalPages.frames(physical),
            PhysicalPages.checkedPageCount(physical), notIdentityMapped());
    }

    /**
     * V1 UnmapIdentityRange past its rules: {@link MappingDomain#unmapIdentity}.
     */
    int unmapIdentityEngine(final MappingDomain domain, final Mdl mdl)
    {
        return domain.unmapIdentity(0, mdl.pageFrames(), mdl.byteCount() >>> 12, notIdentityMapped());
    }

    private static int translateDomain(final Domain domain)
    {
        if (null == domain)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return domain.type() == IommuDmaDomainType.TRANSLATE && domain instanceof MappingDomain ?
            NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1;
    }

    private static int identityDomain(final Domain domain)
    {
        if (null == domain)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final IommuDmaDomainType type = domain.type();
        return (type == IommuDmaDomainType.TRANSLATE || type == IommuDmaDomainType.PASS_THROUGH) &&
            domain instanceof MappingDomain ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1;
    }

    /**
     * Whether {@code pages} pages from a page-aligned {@code address} lie inside the domain's address space.
     */
    static boolean fits(final MappingDomain domain, final long address, final long pages)
    {
        final long limit = domain.limit();
        return (address & PAGE_MASK) == 0 && address >= 0 && address < limit &&
            pages <= (limit - address) >>> 12;
    }

    static boolean identityFits(final MappingDomain domain, final long base, final long[] frames,
        final long pages)
    {
        final long limitFrame = domain.limit() >>> 12;
        if (null == frames)
        {
            return (base >>> 12) + pages <= limitFrame;
        }
        for (int i = 0; i < (int)pages; i++)
        {
            if (frames[i] >= limitFrame)
            {
                return false;
            }
        }
        return true;
    }

    private static int boundsSatisfiable(final MappingDomain domain, final LongRef minAddress,
        final LongRef maxAddress)
    {
        if (domain.hasAllocator() && null != minAddress && null != maxAddress &&
            Long.compareUnsigned(minAddress.get(), maxAddress.get()) > 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_MIX;
        }
        return NtStatus.STATUS_SUCCESS;
    }
}
