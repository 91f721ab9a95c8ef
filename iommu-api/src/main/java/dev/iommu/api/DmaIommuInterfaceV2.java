/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code DMA_IOMMU_INTERFACE_V2} (spec 1.2): the 22 members of the token-based table, in ABI order. Six
 * members are V1's unchanged (DeleteDomain, FlushDomain, FlushDomainByVaList, QueryInputMappings,
 * UnmapLogicalRange, ConfigureDomain), seven replace a V1 member with an Ex form, and nine are new.
 * <p>
 * Every method but {@link #queryAvailableDomainTypes} returns an NTSTATUS ({@link NtStatus}); a call that
 * fails changes nothing. Optional inputs are null when not supplied.
 */
public interface DmaIommuInterfaceV2
{
    /** The number of members in the table. */
    int MEMBER_COUNT = 22;

    /**
     * {@code CreateDomainEx} (spec 2.2): creates a domain of the given type.
     *
     * @param domainType             the domain type.
     * @param flags                  {@code IOMMU_DMA_DOMAIN_CREATION_FLAGS.AsUlonglong}: reserved, must be 0.
     * @param logicalAllocatorConfig optional: attaches a logical allocator (translate domains).
     * @param reservedRegions        optional: the first of a list of ranges to reserve at creation.
     * @param domainOut              receives the new domain.
     * @return STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES, STATUS_NOT_SUPPORTED, or the choices of spec 5.3
     *         item 13 for invalid arguments.
     */
    @TableSlot(index = 0, member = "CreateDomainEx", type = "PIOMMU_DOMAIN_CREATE_EX")
    int createDomainEx(IommuDmaDomainType domainType, long flags, IommuDmaLogicalAllocatorConfig logicalAllocatorConfig,
        IommuDmaReservedRegion reservedRegions, Ref<IommuDmaDomain> domainOut);

    /**
     * {@code DeleteDomain} (spec 2.3): deletes a domain that holds no devices and no logical address tokens.
     *
     * @param domain the domain.
     * @return STATUS_SUCCESS or a failing status (spec 5.3 item 14).
     */
    @TableSlot(index = 1, member = "DeleteDomain", type = "PIOMMU_DOMAIN_DELETE")
    int deleteDomain(IommuDmaDomain domain);

    /**
     * {@code AttachDeviceEx} (spec 2.6): attaches a DMA device to a domain.
     *
     * @param domain    the domain.
     * @param dmaDevice the device.
     * @return STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_PARAMETER (already attached) or
     *         STATUS_ACCESS_DENIED (policy forbids this domain type now).
     */
    @TableSlot(index = 2, member = "AttachDeviceEx", type = "PIOMMU_DOMAIN_ATTACH_DEVICE_EX")
    int attachDeviceEx(IommuDmaDomain domain, IommuDmaDevice dmaDevice);

    /**
     * {@code DetachDeviceEx} (spec 2.7): detaches a DMA device from its domain.
     *
     * @param dmaDevice the device.
     * @return STATUS_SUCCESS or STATUS_INVALID_PARAMETER_1 (not attached).
     */
    @TableSlot(index = 3, member = "DetachDeviceEx", type = "PIOMMU_DOMAIN_DETACH_DEVICE_EX")
    int detachDeviceEx(IommuDmaDevice dmaDevice);

    /**
     * {@code FlushDomain} (spec 2.8): invalidates every IOTLB entry of the domain.
     *
     * @param domain the domain.
     * @return STATUS_SUCCESS or a failing status (spec 5.3 item 17).
     */
    @TableSlot(index = 4, member = "FlushDomain", type = "PIOMMU_FLUSH_DOMAIN")
    int flushDomain(IommuDmaDomain domain);

    /**
     * {@code FlushDomainByVaList} (spec 2.9): invalidates the IOTLB entries of the listed addresses.
     *
     * @param domain    the domain.
     * @param lastLevel true: only leaf entries need flushing.
     * @param number    the number of entries of {@code vaList} to use.
     * @param vaList    the logical addresses (spec 5.3 item 18: 64-bit addresses).
     * @return STATUS_SUCCESS or a failing status.
     */
    @TableSlot(index = 5, member = "FlushDomainByVaList", type = "PIOMMU_FLUSH_DOMAIN_VA_LIST")
    int flushDomainByVaList(IommuDmaDomain domain, boolean lastLevel, int number, long[] vaList);

    /**
     * {@code QueryInputMappings} (spec 2.10): writes the input mapping ids of a device.
     *
     * @param physicalDeviceObject the PDO.
     * @param buffer       receives the ids.
     * @param bufferLength the space at {@code buffer} in bytes ({@link InputMappingElement#SIZE_X64} each).
     * @param returnLength optional: receives the bytes written, or the bytes needed when too small.
     * @return STATUS_SUCCESS, STATUS_BUFFER_TOO_SMALL or STATUS_UNSUCCESSFUL.
     */
    @TableSlot(index = 6, member = "QueryInputMappings", type = "PIOMMU_QUERY_INPUT_MAPPINGS")
    int queryInputMappings(DeviceObject physicalDeviceObject, InputMappingElement[] buffer, int bufferLength,
        IntRef returnLength);

    /**
     * {@code MapLogicalRangeEx} (spec 2.12): maps physical memory into a translate domain and returns the
     * logical address used.
     *
     * @param domain                 the domain.
     * @param permissions            {@link IommuPermissions} bits.
     * @param physicalAddressToMap   the memory to map.
     * @param explicitLogicalAddress optional: where to map (mandatory without an allocator; refused by the
     *                               buddy allocator).
     * @param minLogicalAddress      optional: inclusive lower bound for the allocator.
     * @param maxLogicalAddress      optional: inclusive upper bound for the allocator.
     * @param logicalAddressOut      receives the logical address.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1, _3, _4, STATUS_INVALID_PARAMETER_MIX,
     *         {@link NtStatus#STATUS_IN_USE} or STATUS_NOT_SUPPORTED.
     */
    @TableSlot(index = 7, member = "MapLogicalRangeEx", type = "PIOMMU_MAP_LOGICAL_RANGE_EX")
    int mapLogicalRangeEx(IommuDmaDomain domain, int permissions, IommuMapPhysicalAddress physicalAddressToMap,
        LongRef explicitLogicalAddress, LongRef minLogicalAddress, LongRef maxLogicalAddress,
        LongRef logicalAddressOut);

    /**
     * {@code UnmapLogicalRange} (spec 2.13): removes a linear range of page mappings.
     *
     * @param domain         the domain.
     * @param logicalAddress the page-aligned start.
     * @param numberOfPages  the number of 4 KiB pages.
     * @return STATUS_SUCCESS or a failing status (spec 5.4 items 21 to 23).
     */
    @TableSlot(index = 8, member = "UnmapLogicalRange", type = "PIOMMU_UNMAP_LOGICAL_RANGE")
    int unmapLogicalRange(IommuDmaDomain domain, long logicalAddress, long numberOfPages);

    /**
     * {@code MapIdentityRangeEx} (spec 2.16): maps physical memory at logical address = physical address.
     *
     * @param domain               the domain.
     * @param permissions          {@link IommuPermissions} bits.
     * @param physicalAddressToMap the memory to map.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1, _3, {@link NtStatus#STATUS_IN_USE} or
     *         STATUS_NOT_SUPPORTED.
     */
    @TableSlot(index = 9, member = "MapIdentityRangeEx", type = "PIOMMU_MAP_IDENTITY_RANGE_EX")
    int mapIdentityRangeEx(IommuDmaDomain domain, int permissions, IommuMapPhysicalAddress physicalAddressToMap);

    /**
     * {@code UnmapIdentityRangeEx} (spec 2.17): removes an identity mapping.
     *
     * @param domain                the domain.
     * @param mappedPhysicalAddress the memory mapped before.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1, _2 or STATUS_NOT_SUPPORTED.
     */
    @TableSlot(index = 10, member = "UnmapIdentityRangeEx", type = "PIOMMU_UNMAP_IDENTITY_RANGE_EX")
    int unmapIdentityRangeEx(IommuDmaDomain domain, IommuMapPhysicalAddress mappedPhysicalAddress);

    /**
     * {@code SetDeviceFaultReportingEx} (spec 2.19): documented as not implemented.
     *
     * @param dmaDevice          the device.
     * @param inputMappingIdBase the base input mapping id.
     * @param enable             true to report faults.
     * @param faultConfig        where faults go.
     * @return STATUS_NOT_IMPLEMENTED, always, as on Windows.
     */
    @TableSlot(index = 11, member = "SetDeviceFaultReportingEx", type = "PIOMMU_SET_DEVICE_FAULT_REPORTING_EX")
    int setDeviceFaultReportingEx(IommuDmaDevice dmaDevice, int inputMappingIdBase, boolean enable,
        DeviceFaultConfiguration faultConfig);

    /**
     * {@code ConfigureDomain} (spec 2.20): hands a caller-owned page table to an unmanaged domain.
     *
     * @param domain        the domain.
     * @param configuration the configuration (ARM64 only; X64 is reserved for the system).
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1 (not an unmanaged domain), STATUS_NOT_SUPPORTED
     *         (X64 configuration) or another failing status.
     */
    @TableSlot(index = 12, member = "ConfigureDomain", type = "PIOMMU_DOMAIN_CONFIGURE")
    int configureDomain(IommuDmaDomain domain, DomainConfiguration configuration);

    /**
     * {@code QueryAvailableDomainTypes} (spec 2.21): which domain types the device could attach to now.
     * Returns nothing, as in C.
     *
     * @param dmaDevice        the device.
     * @param availableDomains receives a bit {@code 1 << IommuDmaDomainType.value()} per usable type.
     */
    @TableSlot(index = 13, member = "QueryAvailableDomainTypes", type = "PIOMMU_DEVICE_QUERY_DOMAIN_TYPES")
    void queryAvailableDomainTypes(IommuDmaDevice dmaDevice, IntRef availableDomains);

    /**
     * {@code RegisterInterfaceStateChangeCallback} (spec 2.22): registers the device's one state-change
     * callback and calls it once at once.
     *
     * @param stateChangeCallback the callback.
     * @param context             optional: passed back to the callback.
     * @param dmaDevice           the device.
     * @param stateFields         which states to watch.
     * @return STATUS_SUCCESS, STATUS_UNSUCCESSFUL (the device has a callback) or STATUS_INVALID_PARAMETER_4
     *         (no state selected).
     */
    @TableSlot(index = 14, member = "RegisterInterfaceStateChangeCallback",
        type = "PIOMMU_REGISTER_INTERFACE_STATE_CHANGE_CALLBACK")
    int registerInterfaceStateChangeCallback(IommuInterfaceStateChangeCallback stateChangeCallback, Object context,
        IommuDmaDevice dmaDevice, IommuInterfaceStateChangeFields stateFields);

    /**
     * {@code UnregisterInterfaceStateChangeCallback} (spec 2.23): unregisters the device's callback.
     *
     * @param stateChangeCallback the callback registered.
     * @param dmaDevice           the device.
     * @return STATUS_SUCCESS or STATUS_UNSUCCESSFUL (that callback is not registered for that device).
     */
    @TableSlot(index = 15, member = "UnregisterInterfaceStateChangeCallback",
        type = "PIOMMU_UNREGISTER_INTERFACE_STATE_CHANGE_CALLBACK")
    int unregisterInterfaceStateChangeCallback(IommuInterfaceStateChangeCallback stateChangeCallback,
        IommuDmaDevice dmaDevice);

    /**
     * {@code ReserveLogicalAddressRange} (spec 2.24): reserves a contiguous logical range and every page table
     * behind it.
     *
     * @param domain                 the domain.
     * @param size                   bytes, a whole number of pages.
     * @param explicitLogicalAddress optional: where to reserve.
     * @param minLogicalAddress      optional: inclusive lower bound.
     * @param maxLogicalAddress      optional: inclusive upper bound.
     * @param logicalAddressToken    receives the token.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1, _2, _3, STATUS_INVALID_PARAMETER_MIX,
     *         {@link NtStatus#STATUS_IN_USE} or STATUS_NOT_SUPPORTED.
     */
    @TableSlot(index = 16, member = "ReserveLogicalAddressRange", type = "PIOMMU_RESERVE_LOGICAL_ADDRESS_RANGE")
    int reserveLogicalAddressRange(IommuDmaDomain domain, long size, LongRef explicitLogicalAddress,
        LongRef minLogicalAddress, LongRef maxLogicalAddress, Ref<IommuDmaLogicalAddressToken> logicalAddressToken);

    /**
     * {@code FreeReservedLogicalAddressRange} (spec 2.25): frees a token with no mapped segments.
     *
     * @param logicalAddressToken the token.
     * @return STATUS_SUCCESS or STATUS_RESOURCE_IN_USE (part of the range is mapped).
     */
    @TableSlot(index = 17, member = "FreeReservedLogicalAddressRange",
        type = "PIOMMU_FREE_RESERVED_LOGICAL_ADDRESS_RANGE")
    int freeReservedLogicalAddressRange(IommuDmaLogicalAddressToken logicalAddressToken);

    /**
     * {@code MapReservedLogicalRange} (spec 2.26): maps physical memory into part of a token, without
     * allocating.
     *
     * @param logicalAddressToken  the token.
     * @param offset               bytes into the token, page-aligned.
     * @param permissions          {@link IommuPermissions} bits.
     * @param physicalAddressToMap the memory to map.
     * @param mappedSegment        caller storage; receives the segment.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_2, _4, STATUS_RESOURCE_IN_USE or STATUS_UNSUCCESSFUL
     *         (the token is being deleted).
     */
    @TableSlot(index = 18, member = "MapReservedLogicalRange", type = "PIOMMU_MAP_RESERVED_LOGICAL_RANGE")
    int mapReservedLogicalRange(IommuDmaLogicalAddressToken logicalAddressToken, long offset, int permissions,
        IommuMapPhysicalAddress physicalAddressToMap, IommuDmaLogicalAddressTokenMappedSegment mappedSegment);

    /**
     * {@code UnmapReservedLogicalRange} (spec 2.27): unmaps exactly one segment, keeping the page tables.
     *
     * @param mappedSegment the segment; invalidated (zeroed) on success.
     * @return STATUS_SUCCESS or STATUS_INVALID_PARAMETER (the segment was not mapped).
     */
    @TableSlot(index = 19, member = "UnmapReservedLogicalRange", type = "PIOMMU_UNMAP_RESERVED_LOGICAL_RANGE")
    int unmapReservedLogicalRange(IommuDmaLogicalAddressTokenMappedSegment mappedSegment);

    /**
     * {@code CreateDevice} (spec 2.28): wraps a PDO into a DMA device token.
     *
     * @param deviceObject the PDO.
     * @param deviceConfig optional: the first of a list of configurations.
     * @param dmaDeviceOut receives the device.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER, STATUS_NOT_FOUND (not behind an IOMMU, spec 5.2
     *         item 6), STATUS_INVALID_PARAMETER_2, STATUS_INSUFFICIENT_RESOURCES or STATUS_UNSUCCESSFUL.
     */
    @TableSlot(index = 20, member = "CreateDevice", type = "PIOMMU_DEVICE_CREATE")
    int createDevice(DeviceObject deviceObject, IommuDeviceCreationConfiguration deviceConfig,
        Ref<IommuDmaDevice> dmaDeviceOut);

    /**
     * {@code DeleteDevice} (spec 2.29): deletes a DMA device token.
     *
     * @param dmaDevice the device.
     * @return STATUS_SUCCESS or STATUS_RESOURCE_IN_USE (still attached).
     */
    @TableSlot(index = 21, member = "DeleteDevice", type = "PIOMMU_DEVICE_DELETE")
    int deleteDevice(IommuDmaDevice dmaDevice);
}
