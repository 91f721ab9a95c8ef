/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code DMA_IOMMU_INTERFACE_V1} (spec 1.2): the 13 members of the first, PDO-based table, in ABI order.
 * Also the table of the deprecated {@code DMA_IOMMU_INTERFACE}. V2 replaced seven of these members with Ex
 * forms, which is why {@link DmaIommuInterfaceV2} does not extend this interface.
 * <p>
 * Every method returns an NTSTATUS ({@link NtStatus}); a call that fails changes nothing.
 */
public interface DmaIommuInterfaceV1
{
    /** The number of members in the table. */
    int MEMBER_COUNT = 13;

    /**
     * {@code CreateDomain} (spec 2.1): creates a remapping domain.
     *
     * @param osManagedPageTable true: the library owns the page table (map and unmap usable, configure and
     *                           flush not); false: the caller owns it (configure and flush usable).
     * @param domainOut          receives the new domain.
     * @return STATUS_SUCCESS or a failing status.
     */
    @TableSlot(index = 0, member = "CreateDomain", type = "PIOMMU_DOMAIN_CREATE")
    int createDomain(boolean osManagedPageTable, Ref<IommuDmaDomain> domainOut);

    /**
     * {@code DeleteDomain} (spec 2.3): deletes a domain that holds no devices and no logical address tokens.
     *
     * @param domain the domain.
     * @return STATUS_SUCCESS or a failing status.
     */
    @TableSlot(index = 1, member = "DeleteDomain", type = "PIOMMU_DOMAIN_DELETE")
    int deleteDomain(IommuDmaDomain domain);

    /**
     * {@code AttachDevice} (spec 2.4): attaches a device, identified by its PDO, to a domain.
     *
     * @param domain             the domain.
     * @param physicalDeviceObject the PDO.
     * @param inputMappingIdBase the first input mapping id (ACPI ARM64 devices only, else 0).
     * @param mappingCount       the number of ids from the base (ACPI ARM64 devices only, else 1).
     * @return STATUS_SUCCESS or a failing status.
     */
    @TableSlot(index = 2, member = "AttachDevice", type = "PIOMMU_DOMAIN_ATTACH_DEVICE")
    int attachDevice(IommuDmaDomain domain, DeviceObject physicalDeviceObject, int inputMappingIdBase,
        int mappingCount);

    /**
     * {@code DetachDevice} (spec 2.5): detaches a device from a domain.
     *
     * @param domain             the domain.
     * @param physicalDeviceObject the PDO.
     * @param inputMappingId     the base id used at attach (ACPI ARM64 devices only, else 0).
     * @return STATUS_SUCCESS or a failing status.
     */
    @TableSlot(index = 3, member = "DetachDevice", type = "PIOMMU_DOMAIN_DETACH_DEVICE")
    int detachDevice(IommuDmaDomain domain, DeviceObject physicalDeviceObject, int inputMappingId);

    /**
     * {@code FlushDomain} (spec 2.8): invalidates every IOTLB entry of the domain.
     *
     * @param domain the domain.
     * @return STATUS_SUCCESS or a failing status.
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
     * {@code MapLogicalRange} (spec 2.11): maps the MDL's pages consecutively at a logical address.
     *
     * @param domain         the domain.
     * @param permissions    {@link IommuPermissions} bits.
     * @param mdl            a whole number of pages.
     * @param logicalAddress the page-aligned start in the domain.
     * @return STATUS_SUCCESS or a failing status.
     */
    @TableSlot(index = 7, member = "MapLogicalRange", type = "PIOMMU_MAP_LOGICAL_RANGE")
    int mapLogicalRange(IommuDmaDomain domain, int permissions, Mdl mdl, long logicalAddress);

    /**
     * {@code UnmapLogicalRange} (spec 2.13): removes a linear range of page mappings.
     *
     * @param domain         the domain.
     * @param logicalAddress the page-aligned start.
     * @param numberOfPages  the number of 4 KiB pages.
     * @return STATUS_SUCCESS or a failing status.
     */
    @TableSlot(index = 8, member = "UnmapLogicalRange", type = "PIOMMU_UNMAP_LOGICAL_RANGE")
    int unmapLogicalRange(IommuDmaDomain domain, long logicalAddress, long numberOfPages);

    /**
     * {@code MapIdentityRange} (spec 2.14): maps each page of the MDL at logical address = physical address.
     *
     * @param domain      the domain.
     * @param permissions {@link IommuPermissions} bits.
     * @param mdl         a whole number of pages.
     * @return STATUS_SUCCESS or a failing status.
     */
    @TableSlot(index = 9, member = "MapIdentityRange", type = "PIOMMU_MAP_IDENTITY_RANGE")
    int mapIdentityRange(IommuDmaDomain domain, int permissions, Mdl mdl);

    /**
     * {@code UnmapIdentityRange} (spec 2.15): removes the identity mapping of the MDL's pages.
     *
     * @param domain the domain.
     * @param mdl    the MDL mapped before.
     * @return STATUS_SUCCESS or a failing status.
     */
    @TableSlot(index = 10, member = "UnmapIdentityRange", type = "PIOMMU_UNMAP_IDENTITY_RANGE")
    int unmapIdentityRange(IommuDmaDomain domain, Mdl mdl);

    /**
     * {@code SetDeviceFaultReporting} (spec 2.18): turns fault reporting on or off for an attached device.
     *
     * @param physicalDeviceObject the PDO.
     * @param inputMappingIdBase the base id used at attach (ACPI ARM64 devices only, else 0).
     * @param enable             true to report faults.
     * @param faultConfig        where faults go; used only when enabling.
     * @return STATUS_SUCCESS or a failing status.
     */
    @TableSlot(index = 11, member = "SetDeviceFaultReporting", type = "PIOMMU_SET_DEVICE_FAULT_REPORTING")
    int setDeviceFaultReporting(DeviceObject physicalDeviceObject, int inputMappingIdBase, boolean enable,
        DeviceFaultConfiguration faultConfig);

    /**
     * {@code ConfigureDomain} (spec 2.20): hands a caller-owned page table to a caller-owned domain.
     *
     * @param domain        the domain.
     * @param configuration the configuration (ARM64 only; X64 is reserved for the system).
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1 (not a caller-owned domain), STATUS_NOT_SUPPORTED
     *         (X64 configuration) or another failing status.
     */
    @TableSlot(index = 12, member = "ConfigureDomain", type = "PIOMMU_DOMAIN_CONFIGURE")
    int configureDomain(IommuDmaDomain domain, DomainConfiguration configuration);
}
