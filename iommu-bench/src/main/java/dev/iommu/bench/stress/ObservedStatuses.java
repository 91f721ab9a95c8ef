/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.Map;

import dev.iommu.api.NtStatus;

/**
 * The observed layer of {@link AllowedStatuses}: for each member whose statuses differ between the profiles, the
 * statuses it may return in {@link dev.iommu.core.BehaviourProfile#OBSERVED_WINDOWS} (the x64 rows of
 * {@code windows-observed-behaviour.md}; section 8 lists the differences), and the racing sets that differ. A member
 * not listed has the documented set in both profiles.
 */
final class ObservedStatuses
{
    /**
     * The observed layer where it differs from the documented one (observed record sections 2 to 7, x64; section 8
     * lists the differences). Where Windows does not check an argument (undefined), the documented status stays.
     */
    static final Map<String, Integer> ALLOWED = Map.ofEntries(
        // Observed 2 CreateDomainEx: flags and regions not validated (no _2, _4); allocator on PassThrough or a
        // region clash INVALID_PARAMETER; allocator type _1; 0-page region _3; NULL DomainOut documented _5.
        Map.entry("CreateDomainEx", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INSUFFICIENT_RESOURCES,
            NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER_1,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_INVALID_PARAMETER_5)),
        // Observed 3 V1 AttachDevice: no ACCESS_DENIED; a taken device object NOT_SUPPORTED; the join's MIX.
        Map.entry("AttachDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_NOT_FOUND, NtStatus.STATUS_UNSUCCESSFUL,
            NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INVALID_PARAMETER_MIX,
            NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        // Observed 3 AttachDeviceEx rows 1-8 (the PASID path's _1 and UNSUCCESSFUL; blocked NOT_SUPPORTED).
        Map.entry("AttachDeviceEx", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_ACCESS_DENIED, NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INVALID_PARAMETER_MIX,
            NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        // Observed 3 DetachDeviceEx: a PASID-mode device without its default sub-device UNSUCCESSFUL.
        Map.entry("DetachDeviceEx", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_UNSUCCESSFUL)),
        // Observed 2 FlushDomain, FlushDomainByVaList, ConfigureDomain: _1 on x64; native NOT_IMPLEMENTED, the
        // hypervisor's NOT_SUPPORTED; no X64-configuration refusal (_2) and no VaList check (_4).
        Map.entry("FlushDomain", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_NOT_IMPLEMENTED, NtStatus.STATUS_NOT_SUPPORTED)),
        Map.entry("FlushDomainByVaList", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_NOT_IMPLEMENTED, NtStatus.STATUS_NOT_SUPPORTED)),
        Map.entry("ConfigureDomain", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_NOT_IMPLEMENTED, NtStatus.STATUS_NOT_SUPPORTED)),
        // Observed 3 QueryInputMappings: the x64 stub.
        Map.entry("QueryInputMappings", mask(NtStatus.STATUS_NOT_SUPPORTED)),
        // Observed 4 V1 MapLogicalRange: _1, _3, _4, a clash INVALID_PARAMETER, tables INSUFFICIENT_RESOURCES.
        Map.entry("MapLogicalRange", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_3,
            NtStatus.STATUS_INVALID_PARAMETER_4, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        // Observed 4 MapLogicalRangeEx rows 1-7 (no IN_USE; _4 and _7 are the documented choices kept).
        Map.entry("MapLogicalRangeEx", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_INVALID_PARAMETER_4,
            NtStatus.STATUS_INVALID_PARAMETER_7, NtStatus.STATUS_INVALID_PARAMETER_MIX,
            NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        // Observed 4 UnmapLogicalRange: never CONFLICTING_ADDRESSES (4 KiB leaves only).
        Map.entry("UnmapLogicalRange", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_INVALID_PARAMETER_3)),
        // Observed 4 MapIdentityRangeEx / V1 MapIdentityRange: a clash INVALID_PARAMETER, the allocator's statuses.
        Map.entry("MapIdentityRange", observedIdentityMap()),
        Map.entry("MapIdentityRangeEx", observedIdentityMap()),
        // Observed 4 UnmapIdentityRangeEx / V1 UnmapIdentityRange: no NOT_SUPPORTED, no CONFLICTING_ADDRESSES.
        Map.entry("UnmapIdentityRange", observedIdentityUnmap()),
        Map.entry("UnmapIdentityRangeEx", observedIdentityUnmap()),
        // Observed 3 V1 SetDeviceFaultReporting: native NOT_SUPPORTED; the hypervisor's INVALID_PARAMETER and
        // NOT_IMPLEMENTED.
        Map.entry("SetDeviceFaultReporting", mask(NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_NOT_IMPLEMENTED)),
        // Observed 3 SetDeviceFaultReportingEx rows 1-7 (build A); a bad token the documented INVALID_PARAMETER.
        Map.entry("SetDeviceFaultReportingEx", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_INVALID_PARAMETER_4,
            NtStatus.STATUS_ALREADY_REGISTERED)),
        // Observed 6 Register row 3: the registration's memory INSUFFICIENT_RESOURCES.
        Map.entry("RegisterInterfaceStateChangeCallback", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_UNSUCCESSFUL,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_3,
            NtStatus.STATUS_INVALID_PARAMETER_4, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        // Observed 5 ReserveLogicalAddressRange rows 1-8: no overlap check (no IN_USE); _6 the documented choice.
        Map.entry("ReserveLogicalAddressRange", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_INVALID_PARAMETER_6,
            NtStatus.STATUS_INVALID_PARAMETER_MIX, NtStatus.STATUS_NOT_SUPPORTED,
            NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        // Observed 5 MapReservedLogicalRange rows 1-6: every map failure RESOURCE_IN_USE; permissions not checked
        // (no _3); _5 (NULL segment) the documented choice.
        Map.entry("MapReservedLogicalRange", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_INVALID_PARAMETER_4,
            NtStatus.STATUS_INVALID_PARAMETER_5, NtStatus.STATUS_RESOURCE_IN_USE)),
        // Observed 3 CreateDevice rows 1-13: NULL PDO and a taken device object NOT_SUPPORTED, lists _2; a NULL
        // DmaDeviceOut the documented _3.
        Map.entry("CreateDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_NOT_SUPPORTED,
            NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_NOT_FOUND,
            NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        // Observed 7 DeletePasidDevice: PASID 0 NOT_SUPPORTED.
        Map.entry("DeletePasidDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_RESOURCE_IN_USE, NtStatus.STATUS_NOT_SUPPORTED)),
        // Observed 7 AttachPasidDevice rows 1-8.
        Map.entry("AttachPasidDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INSUFFICIENT_RESOURCES, NtStatus.STATUS_INVALID_PARAMETER_1,
            NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_ACCESS_DENIED, NtStatus.STATUS_NOT_SUPPORTED)),
        // Observed 7 DetachPasidDevice: PASID 0 NOT_SUPPORTED.
        Map.entry("DetachPasidDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_NOT_SUPPORTED)));

    /**
     * The observed racing sets where they differ: a device object another thread holds through V1 refuses
     * CreateDevice with STATUS_NOT_SUPPORTED (observed 3 CreateDevice row 7), and one with a token refuses V1
     * AttachDevice the same way.
     */
    static final Map<String, Integer> RACING = Map.ofEntries(
        Map.entry("CreateDevice", mask(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("AttachDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_NOT_SUPPORTED)));

    private ObservedStatuses()
    {
    }

    private static int mask(final int... statuses)
    {
        return AllowedStatuses.mask(statuses);
    }

    private static int observedIdentityMap()
    {
        return mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER_1,
            NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_INVALID_PARAMETER_3,
            NtStatus.STATUS_INVALID_PARAMETER_MIX, NtStatus.STATUS_INSUFFICIENT_RESOURCES);
    }

    private static int observedIdentityUnmap()
    {
        return mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER_1,
            NtStatus.STATUS_INVALID_PARAMETER_2);
    }
}
