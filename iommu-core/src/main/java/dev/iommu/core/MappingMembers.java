/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
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
 * the engine its rule set names (the mapping members: {@code MappingRules.*Engine}, {@link MappingDomain} in the
 * documented profile, {@link ObservedMappingEngine} in the observed one). The map, unmap and translate paths allocate
 * nothing.
 * <p>
 * With the verifier on, each mapping member reports, right after its rule check, an answer the other profile's rule
 * would give differently ({@link Verifier#compare}), and a range touching a token's range or a reserved region
 * ({@link VerifierRule#MAP_IN_RESERVED_RANGE}, {@link VerifierRule#UNMAP_IN_RESERVED_RANGE}; in both profiles, since
 * the documented profile refuses such a call and Windows lets it through). The engines report what only the tables
 * can tell ({@link MappingDivergence}).
 */
final class MappingMembers
{
    private final MappingRules rules;
    private final Handles handles;

    private final Verifier verifier;
    private final FailureInjection injection;

    MappingMembers(final MappingRules rules, final Handles handles, final Verifier verifier,
        final FailureInjection injection)
    {
        this.injection = injection;
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
        if (verifier.on)
        {
            verifier.compare("MapLogicalRangeEx", status, verifier.otherRules().mappings.mapLogicalRangeEx(
                domain, permissions, physical, explicitAddress, minAddress, maxAddress, addressOut),
                domain, null == explicitAddress ? VerifierReport.NO_ADDRESS :
                explicitAddress.get(), VerifierReport.NO_ADDRESS);
        }
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final MappingDomain mapping = (MappingDomain)domain;
        if (verifier.on && null != explicitAddress)
        {
            reservedHazard(VerifierRule.MAP_IN_RESERVED_RANGE, "MapLogicalRangeEx", mapping, explicitAddress.get(),
                ObservedMappingEngine.pageCount(physical));
        }
        return rules.mapLogicalEngine(
            mapping, permissions, physical, explicitAddress, minAddress, maxAddress, addressOut);
    }

    int mapLogicalRange(final IommuDmaDomain handle, final int permissions, final Mdl mdl, final long logicalAddress)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.mapLogicalRange(domain, permissions, mdl, logicalAddress);
        if (verifier.on)
        {
            verifier.compare("MapLogicalRange", status, verifier.otherRules().mappings.mapLogicalRange(
                domain, permissions, mdl, logicalAddress), domain, logicalAddress,
                VerifierReport.NO_ADDRESS);
        }
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if (verifier.on)
        {
            reservedHazard(VerifierRule.MAP_IN_RESERVED_RANGE, "MapLogicalRange", (MappingDomain)domain,
                logicalAddress, mdl.byteCount() >>> 12);
        }
        return rules.mapAtEngine((MappingDomain)domain, permissions, mdl, logicalAddress);
    }

    int unmapLogicalRange(final IommuDmaDomain handle, final long logicalAddress, final long numberOfPages)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.unmapLogicalRange(domain, logicalAddress, numberOfPages);
        if (verifier.on)
        {
            verifier.compare("UnmapLogicalRange", status, verifier.otherRules().mappings.unmapLogicalRange(
                domain, logicalAddress, numberOfPages), domain, logicalAddress,
                numberOfPages << 12);
            // Also when the documented rules refuse it for that very reason (spec 5.4 item 23).
            if (domain instanceof MappingDomain && MappingRules.fits((MappingDomain)domain, logicalAddress,
                numberOfPages))
            {
                reservedHazard(VerifierRule.UNMAP_IN_RESERVED_RANGE, "UnmapLogicalRange", (MappingDomain)domain,
                    logicalAddress, numberOfPages);
            }
        }
        return status != NtStatus.STATUS_SUCCESS ? status :
            rules.unmapLogicalEngine((MappingDomain)domain, logicalAddress, numberOfPages);
    }

    int mapIdentityRangeEx(final IommuDmaDomain handle, final int permissions,
        final IommuMapPhysicalAddress physical)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.mapIdentityRangeEx(domain, permissions, physical);
        if (verifier.on)
        {
            verifier.compare("MapIdentityRangeEx", status, verifier.otherRules().mappings.mapIdentityRangeEx(
                domain, permissions, physical), domain, VerifierReport.NO_ADDRESS,
                VerifierReport.NO_ADDRESS);
            if (status == NtStatus.STATUS_SUCCESS)
            {
                identityHazard(VerifierRule.MAP_IN_RESERVED_RANGE, "MapIdentityRangeEx", (MappingDomain)domain,
                    physical);
            }
        }
        return status != NtStatus.STATUS_SUCCESS ? status :
            rules.mapIdentityEngine((MappingDomain)domain, permissions, physical);
    }

    int mapIdentityRange(final IommuDmaDomain handle, final int permissions, final Mdl mdl)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.mapIdentityRange(domain, permissions, mdl);
        if (verifier.on)
        {
            verifier.compare("MapIdentityRange", status, verifier.otherRules().mappings.mapIdentityRange(
                domain, permissions, mdl), domain, VerifierReport.NO_ADDRESS,
                VerifierReport.NO_ADDRESS);
            if (status == NtStatus.STATUS_SUCCESS && null != mdl)
            {
                identityHazard(VerifierRule.MAP_IN_RESERVED_RANGE, "MapIdentityRange", (MappingDomain)domain,
                    mdl.pageFrames(), mdl.byteCount() >>> 12);
            }
        }
        return status != NtStatus.STATUS_SUCCESS ? status :
            rules.mapIdentityEngine((MappingDomain)domain, permissions, mdl);
    }

    int unmapIdentityRangeEx(final IommuDmaDomain handle, final IommuMapPhysicalAddress physical)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.unmapIdentityRangeEx(domain, physical);
        if (verifier.on)
        {
            verifier.compare("UnmapIdentityRangeEx", status, verifier.otherRules().mappings.unmapIdentityRangeEx(
                domain, physical), domain, VerifierReport.NO_ADDRESS,
                VerifierReport.NO_ADDRESS);
            if (status == NtStatus.STATUS_SUCCESS)
            {
                identityHazard(VerifierRule.UNMAP_IN_RESERVED_RANGE, "UnmapIdentityRangeEx", (MappingDomain)domain,
                    physical);
            }
        }
        return status != NtStatus.STATUS_SUCCESS ? status : rules.unmapIdentityEngine((MappingDomain)domain, physical);
    }

    int unmapIdentityRange(final IommuDmaDomain handle, final Mdl mdl)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.unmapIdentityRange(domain, mdl);
        if (verifier.on)
        {
            verifier.compare("UnmapIdentityRange", status, verifier.otherRules().mappings.unmapIdentityRange(
                domain, mdl), domain, VerifierReport.NO_ADDRESS,
                VerifierReport.NO_ADDRESS);
            if (status == NtStatus.STATUS_SUCCESS && null != mdl)
            {
                identityHazard(VerifierRule.UNMAP_IN_RESERVED_RANGE, "UnmapIdentityRange", (MappingDomain)domain,
                    mdl.pageFrames(), mdl.byteCount() >>> 12);
            }
        }
        return status != NtStatus.STATUS_SUCCESS ? status : rules.unmapIdentityEngine((MappingDomain)domain, mdl);
    }

    /**
     * Reports {@code rule} when {@code pages} pages from {@code address} touch a token's range or a reserved region
     * (verifier on only).
     */
    private void reservedHazard(final VerifierRule rule, final String member, final MappingDomain domain,
        final long address, final long pages)
    {
        if (pages > 0 && address >= 0 && domain.protectedRanges().overlaps(address, address + (pages << 12)))
        {
            verifier.hazard(rule, member, MappingDivergence.objects(domain), address, pages << 12,
                "the range touches a logical address token's range or a reserved region");
        }
    }

    private void identityHazard(final VerifierRule rule, final String member, final MappingDomain domain,
        final IommuMapPhysicalAddress physical)
    {
        if (null == physical || domain.type() == IommuDmaDomainType.PASS_THROUGH)
        {
            return;
        }
        final long pages = ObservedMappingEngine.pageCount(physical);
        if (pages > 0)
        {
            final long[] frames = PhysicalPages.frames(physical);
            if (null == frames)
            {
                reservedHazard(rule, member, domain, PhysicalPages.base(physical), pages);
            }
            else
            {
                identityHazard(rule, member, domain, frames, pages);
            }
        }
    }

    private void identityHazard(final VerifierRule rule, final String member, final MappingDomain domain,
        final long[] frames, final long pages)
    {
        if (domain.type() == IommuDmaDomainType.PASS_THROUGH || null == frames)
        {
            return;
        }
        for (int i = 0; i < (int)Math.min(pages, frames.length); i++)
        {
            final long address = frames[i] << 12;
            if (domain.protectedRanges().overlaps(address, address + 4096))
            {
                reservedHazard(rule, member, domain, address, 1);
                return;
            }
        }
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
        // The token is the reservation's first allocation: none made, nothing to give back.
        final int result = status != NtStatus.STATUS_SUCCESS ? status :
            !injection.allows(FailureInjection.AllocationKind.TOKEN) ? NtStatus.STATUS_INSUFFICIENT_RESOURCES :
            rules.reserveChecked((MappingDomain)domain, size, explicitAddress, minAddress, maxAddress, tokenOut,
                verifier);
        if (verifier.on && (status != NtStatus.STATUS_SUCCESS || other != NtStatus.STATUS_SUCCESS))
        {
            verifier.compare("ReserveLogicalAddressRange", result, other,
                domain,
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
            verifier.compare("MapReservedLogicalRange", result, other, token,
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
