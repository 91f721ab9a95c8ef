/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

/**
 * The mapping and token members of all three tables, each written once: MapLogicalRangeEx, V1 MapLogicalRange,
 * UnmapLogicalRange, MapIdentityRangeEx, V1 MapIdentityRange, UnmapIdentityRangeEx, V1 UnmapIdentityRange and the
 * four token members. Each resolves its handles, runs its {@link MappingRules}, and hands the checked arguments to
 * the {@link MappingDomain} engine. The map, unmap and translate paths allocate nothing.
 */
final class MappingMembers
{
    private final MappingRules rules;
    private final Handles handles;

    private final Verifier verifier;

    MappingMembers(final MappingRules rules, final Handles handles, final Verifier verifier)
    {
        this.verifier = verifier;
        this.rules = rules;
        this.handles = handles;
    }

    int mapLogicalRangeEx(final IommuDmaDomain handle, final int permissions,
        final IommuMapPhysicalAddress physical, final LongRef explicitAddress, final LongRef minAddress,
        final LongRef maxAddress, final LongRef addressOut)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.mapLogicalRangeEx(
            domain, permissions, physical, explicitAddress, minAddress, maxAddress, addressOut);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        return ((MappingDomain)domain).mapLogical(permissions, PhysicalPages.base(physical),
            PhysicalPages.frames(physical), PhysicalPages.checkedPageCount(physical), explicitAddress, minAddress,
            maxAddress, addressOut);
    }

    int mapLogicalRange(final IommuDmaDomain handle, final int permissions, final Mdl mdl, final long logicalAddress)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.mapLogicalRange(domain, permissions, mdl, logicalAddress);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        return ((MappingDomain)domain).mapAt(logicalAddress, permissions, mdl.pageFrames(), mdl.byteCount() >>> 12);
    }

    int unmapLogicalRange(final IommuDmaDomain handle, final long logicalAddress, final long numberOfPages)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.unmapLogicalRange(domain, logicalAddress, numberOfPages);
        return status != NtStatus.STATUS_SUCCESS ? status :
            ((MappingDomain)domain).unmapLogical(logicalAddress, numberOfPages);
    }

    int mapIdentityRangeEx(final IommuDmaDomain handle, final int permissions,
        final IommuMapPhysicalAddress physical)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.mapIdentityRangeEx(domain, permissions, physical);
        return status != NtStatus.STATUS_SUCCESS ? status : ((MappingDomain)domain).mapIdentity(permissions,
            PhysicalPages.base(physical), PhysicalPages.frames(physical), PhysicalPages.checkedPageCount(physical));
    }

    int mapIdentityRange(final IommuDmaDomain handle, final int permissions, final Mdl mdl)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.mapIdentityRange(domain, permissions, mdl);
        return status != NtStatus.STATUS_SUCCESS ? status :
            ((MappingDomain)domain).mapIdentity(permissions, 0, mdl.pageFrames(), mdl.byteCount() >>> 12);
    }

    int unmapIdentityRangeEx(final IommuDmaDomain handle, final IommuMapPhysicalAddress physical)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.unmapIdentityRangeEx(domain, physical);
        return status != NtStatus.STATUS_SUCCESS ? status : ((MappingDomain)domain).unmapIdentity(
            PhysicalPages.base(physical), PhysicalPages.frames(physical), PhysicalPages.checkedPageCount(physical),
            rules.notIdentityMapped());
    }

    int unmapIdentityRange(final IommuDmaDomain handle, final Mdl mdl)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.unmapIdentityRange(domain, mdl);
        return status != NtStatus.STATUS_SUCCESS ? status : ((MappingDomain)domain).unmapIdentity(
            0, mdl.pageFrames(), mdl.byteCount() >>> 12, rules.notIdentityMapped());
    }

    /**
     * ReserveLogicalAddressRange. With the verifier on, the other profile's rule answers too (before the engine, which
     * changes state); the answers are compared once this call's outcome is known: when this profile's rule passed and
     * the other's refused, this profile's answer is the engine's. Where both rules pass, the engine reports what only
     * it can tell (an overlap), and where only the other's passes, its engine's answer is taken to be success.
     */
    int reserveLogicalAddressRange(final IommuDmaDomain handle, final long size, final LongRef explicitAddress,
        final LongRef minAddress, final LongRef maxAddress, final Ref<IommuDmaLogicalAddressToken> tokenOut)
    {
        rules.reserveOutputs(tokenOut);
        final Domain domain = handles.domain(handle);
        final int status = rules.reserveLogicalAddressRange(
            domain, size, explicitAddress, minAddress, maxAddress, tokenOut);
        final int other = !verifier.on ? NtStatus.STATUS_SUCCESS : verifier.otherRules().mappings
            .reserveLogicalAddressRange(domain, size, explicitAddress, minAddress, maxAddress, tokenOut);
        final int result = status != NtStatus.STATUS_SUCCESS ? status : rules.reserveChecked((MappingDomain)domain,
            size, explicitAddress, minAddress, maxAddress, tokenOut, verifier);
        if (verifier.on && (status != NtStatus.STATUS_SUCCESS || other != NtStatus.STATUS_SUCCESS))
        {
            verifier.compare("ReserveLogicalAddressRange", result, other,
                null == domain ? "" : "domain#" + domain.id(),
                null == explicitAddress ? VerifierReport.NO_ADDRESS : explicitAddress.get(), size);
        }
        return result;
    }

    int freeReservedLogicalAddressRange(final IommuDmaLogicalAddressToken handle)
    {
        final LogicalAddressToken token = handles.token(handle);
        final int status = rules.freeReservedLogicalAddressRange(token);
        return status != NtStatus.STATUS_SUCCESS ? status : rules.freeChecked(token, verifier);
    }

    /**
     * MapReservedLogicalRange; the verifier compares as for {@link #reserveLogicalAddressRange}.
     */
    int mapReservedLogicalRange(final IommuDmaLogicalAddressToken handle, final long offset, final int permissions,
        final IommuMapPhysicalAddress physical, final IommuDmaLogicalAddressTokenMappedSegment segment)
    {
        final LogicalAddressToken token = handles.token(handle);
        final int status = rules.mapReservedLogicalRange(token, offset, permissions, physical, segment);
        final int other = !verifier.on ? NtStatus.STATUS_SUCCESS : verifier.otherRules().mappings
            .mapReservedLogicalRange(token, offset, permissions, physical, segment);
        final int result = status != NtStatus.STATUS_SUCCESS ? status :
            rules.mapReservedChecked(token, offset, permissions, physical, segment, verifier);
        if (verifier.on && (status != NtStatus.STATUS_SUCCESS || other != NtStatus.STATUS_SUCCESS))
        {
            verifier.compare("MapReservedLogicalRange", result, other, null == token ? "" : token.describe(),
                null == token ? VerifierReport.NO_ADDRESS : token.logicalAddressBase() + offset,
                VerifierReport.NO_ADDRESS);
        }
        return result;
    }

    int unmapReservedLogicalRange(final IommuDmaLogicalAddressTokenMappedSegment segment)
    {
        final LogicalAddressToken token = null == segment ? null : handles.token(segment.owningToken());
        final int status = rules.unmapReservedLogicalRange(segment, token);
        return status != NtStatus.STATUS_SUCCESS ? status : rules.unmapReservedChecked(token, segment, verifier);
    }
}
