/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code DMA_IOMMU_INTERFACE_V3} (spec 1.2): V2 plus five PASID and query members, 27 in all, in ABI order.
 * The five new members run at PASSIVE_LEVEL.
 */
public interface DmaIommuInterfaceV3 extends DmaIommuInterfaceV2
{
    /** The number of members in the table. */
    int MEMBER_COUNT = 27;

    /**
     * {@code CreatePasidDevice} (spec 2.30): allocates a PASID for the device and returns a sub-device.
     *
     * @param dmaDevice      the device, created with a PASID-tagged-DMA configuration.
     * @param pasidDeviceOut receives the sub-device.
     * @param asidOut        receives the PASID assigned.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1, STATUS_INSUFFICIENT_RESOURCES or STATUS_NONE_MAPPED.
     */
    @TableSlot(index = 22, member = "CreatePasidDevice", type = "PIOMMU_PASID_DEVICE_CREATE")
    int createPasidDevice(IommuDmaDevice dmaDevice, Ref<IommuDmaPasidDevice> pasidDeviceOut, IntRef asidOut);

    /**
     * {@code DeletePasidDevice} (spec 2.31): deletes a sub-device and releases its PASID.
     *
     * @param pasidDevice the sub-device.
     * @return STATUS_SUCCESS or STATUS_RESOURCE_IN_USE (still attached).
     */
    @TableSlot(index = 23, member = "DeletePasidDevice", type = "PIOMMU_PASID_DEVICE_DELETE")
    int deletePasidDevice(IommuDmaPasidDevice pasidDevice);

    /**
     * {@code AttachPasidDevice} (spec 2.32): attaches a sub-device to a domain.
     *
     * @param domain      the domain.
     * @param pasidDevice the sub-device.
     * @return STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_PARAMETER_1,
     *         STATUS_UNSUCCESSFUL (already attached) or STATUS_ACCESS_DENIED.
     */
    @TableSlot(index = 24, member = "AttachPasidDevice", type = "PIOMMU_DOMAIN_ATTACH_PASID_DEVICE")
    int attachPasidDevice(IommuDmaDomain domain, IommuDmaPasidDevice pasidDevice);

    /**
     * {@code DetachPasidDevice} (spec 2.33): detaches a sub-device from its domain.
     *
     * @param pasidDevice the sub-device.
     * @return STATUS_SUCCESS or STATUS_INVALID_PARAMETER_1 (never attached).
     */
    @TableSlot(index = 25, member = "DetachPasidDevice", type = "PIOMMU_DOMAIN_DETACH_PASID_DEVICE")
    int detachPasidDevice(IommuDmaPasidDevice pasidDevice);

    /**
     * {@code QueryDeviceInfo} (spec 2.34): reports the device's PASID use.
     *
     * @param dmaDevice    the device.
     * @param size         the bytes available at {@code buffer}.
     * @param bytesWritten receives the bytes written (0 on failure, spec 5.7 item 51).
     * @param buffer       receives the information.
     * @return STATUS_SUCCESS or STATUS_BUFFER_TOO_SMALL ({@code size} below
     *         {@link IommuDmaDeviceInformation#SIZE_X64}).
     */
    @TableSlot(index = 26, member = "QueryDeviceInfo", type = "PIOMMU_DEVICE_QUERY_INFORMATION")
    int queryDeviceInfo(IommuDmaDevice dmaDevice, int size, IntRef bytesWritten, IommuDmaDeviceInformation buffer);
}
