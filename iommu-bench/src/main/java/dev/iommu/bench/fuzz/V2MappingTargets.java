/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.Map;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

/**
 * The fuzz targets of the eight mapping and token members of the V2 table, named {@code V2.<member>}; each call goes
 * through the V2 table or the V3 table, as the input chooses.
 */
final class V2MappingTargets
{
    private V2MappingTargets()
    {
    }

    /**
     * Adds the targets.
     *
     * @param targets target name to target.
     */
    static void register(final Map<String, MemberTarget> targets)
    {
        targets.put("V2.MapLogicalRangeEx", V2MappingTargets::mapLogicalRangeEx);
        targets.put("V2.UnmapLogicalRange", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = V2DeviceTargets.table(a, w);
            final IommuDmaDomain domain = a.domain();
            final long address = a.address();
            final long pages = a.pages();
            o.check("UnmapLogicalRange", () -> table.unmapLogicalRange(domain, address, pages), domain, address,
                pages);
        });
        targets.put("V2.MapIdentityRangeEx", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = V2DeviceTargets.table(a, w);
            final IommuDmaDomain domain = a.domain();
            final int permissions = a.permissions();
            final IommuMapPhysicalAddress physical = a.physical();
            o.check("MapIdentityRangeEx", () -> table.mapIdentityRangeEx(domain, permissions, physical), domain,
                permissions, physical);
        });
        targets.put("V2.UnmapIdentityRangeEx", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = V2DeviceTargets.table(a, w);
            final IommuDmaDomain domain = a.domain();
            final IommuMapPhysicalAddress physical = a.physical();
            o.check("UnmapIdentityRangeEx", () -> table.unmapIdentityRangeEx(domain, physical), domain, physical);
        });
        targets.put("V2.ReserveLogicalAddressRange", V2MappingTargets::reserve);
        targets.put("V2.FreeReservedLogicalAddressRange", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = V2DeviceTargets.table(a, w);
            final IommuDmaLogicalAddressToken token = a.token();
            o.check("FreeReservedLogicalAddressRange", () -> table.freeReservedLogicalAddressRange(token), token);
        });
        targets.put("V2.MapReservedLogicalRange", V2MappingTargets::mapReserved);
        targets.put("V2.UnmapReservedLogicalRange", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = V2DeviceTargets.table(a, w);
            final IommuDmaLogicalAddressTokenMappedSegment segment = a.segment();
            final String described = describe(segment);
            o.check("UnmapReservedLogicalRange", () -> table.unmapReservedLogicalRange(segment), described);
        });
    }

    private static void mapLogicalRangeEx(final HostileArgs a, final FuzzOracle o, final FuzzWorld w)
    {
        final DmaIommuInterfaceV2 table = V2DeviceTargets.table(a, w);
        final IommuDmaDomain domain = a.domain();
        final int permissions = a.permissions();
        final IommuMapPhysicalAddress physical = a.physical();
        final LongRef explicit = a.optionalAddress();
        final LongRef min = a.optionalAddress();
        final LongRef max = a.optionalAddress();
        final LongRef out = a.addressOut();
        if (o.check("MapLogicalRangeEx", () -> table.mapLogicalRangeEx(domain, permissions, physical, explicit, min,
            max, out), domain, permissions, physical, explicit, min, max, out) == NtStatus.STATUS_SUCCESS)
        {
            w.addresses.add(out.get());
        }
    }

    private static void reserve(final HostileArgs a, final FuzzOracle o, final FuzzWorld w)
    {
        final DmaIommuInterfaceV2 table = V2DeviceTargets.table(a, w);
        final IommuDmaDomain domain = a.domain();
        final long size = a.size();
        final LongRef explicit = a.optionalAddress();
        final LongRef min = a.optionalAddress();
        final LongRef max = a.optionalAddress();
        final Ref<IommuDmaLogicalAddressToken> out = a.out(a.token());
        if (o.check("ReserveLogicalAddressRange", () -> table.reserveLogicalAddressRange(domain, size, explicit, min,
            max, out), domain, size, explicit, min, max, out) == NtStatus.STATUS_SUCCESS)
        {
            w.tokens.add(out.get());
        }
    }

    private static void mapReserved(final HostileArgs a, final FuzzOracle o, final FuzzWorld w)
    {
        final DmaIommuInterfaceV2 table = V2DeviceTargets.table(a, w);
        final IommuDmaLogicalAddressToken token = a.token();
        final long offset = a.offset();
        final int permissions = a.permissions();
        final IommuMapPhysicalAddress physical = a.physical();
        final IommuDmaLogicalAddressTokenMappedSegment segment = a.choose(8) == 0 ? null : a.choose(4) == 0 ?
            a.segment() : new IommuDmaLogicalAddressTokenMappedSegment();
        final String described = describe(segment);
        if (o.check("MapReservedLogicalRange", () -> table.mapReservedLogicalRange(token, offset, permissions,
            physical, segment), token, offset, permissions, physical, described) == NtStatus.STATUS_SUCCESS)
        {
            w.segments.add(segment);
        }
    }

    private static String describe(final IommuDmaLogicalAddressTokenMappedSegment segment)
    {
        return null == segment ? "null" : "segment{token=" + segment.owningToken() + ", offset=0x" +
            Long.toHexString(segment.offset()) + ", size=0x" + Long.toHexString(segment.size()) + "}";
    }
}
