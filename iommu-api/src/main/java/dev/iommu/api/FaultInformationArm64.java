/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code FAULT_INFORMATION_ARM64} (spec section 3.12). An ARM64 (SMMU) fault record. Its x64 size is 0x30 bytes.
 */
public final class FaultInformationArm64
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x30;

    /** Flags bit 0: the faulting access wanted to write. */
    public static final int WRITE_NOT_READ = 0x1;
    /** Flags bit 1: the faulting access wanted to execute. */
    public static final int INSTRUCTION_NOT_DATA = 0x2;
    /** Flags bit 2: the faulting access wanted supervisor privilege. */
    public static final int PRIVILEGED = 0x4;
    /** Flags bit 3: the fault address is meaningful. */
    public static final int FAULT_ADDRESS_VALID = 0x8;

    private IommuDmaDomain domainHandle;
    private long faultAddress;
    private DeviceObject physicalDeviceObject;
    private int inputMappingId;
    private int flags;
    private FaultInformationType type;
    private long iommuBaseAddress;

    /**
     * {@code DomainHandle}: the domain the device was attached to.
     *
     * @return the value.
     */
    public IommuDmaDomain domainHandle()
    {
        return domainHandle;
    }

    /**
     * Sets {@code DomainHandle}.
     *
     * @param domainHandle the new value.
     * @return this.
     */
    public FaultInformationArm64 domainHandle(final IommuDmaDomain domainHandle)
    {
        this.domainHandle = domainHandle;
        return this;
    }

    /**
     * {@code FaultAddress}: the faulting input (logical) address.
     *
     * @return the value.
     */
    public long faultAddress()
    {
        return faultAddress;
    }

    /**
     * Sets {@code FaultAddress}.
     *
     * @param faultAddress the new value.
     * @return this.
     */
    public FaultInformationArm64 faultAddress(final long faultAddress)
    {
        this.faultAddress = faultAddress;
        return this;
    }

    /**
     * {@code PhysicalDeviceObject}: the PDO of the device.
     *
     * @return the value.
     */
    public DeviceObject physicalDeviceObject()
    {
        return physicalDeviceObject;
    }

    /**
     * Sets {@code PhysicalDeviceObject}.
     *
     * @param physicalDeviceObject the new value.
     * @return this.
     */
    public FaultInformationArm64 physicalDeviceObject(final DeviceObject physicalDeviceObject)
    {
        this.physicalDeviceObject = physicalDeviceObject;
        return this;
    }

    /**
     * {@code InputMappingId}: the stream id.
     *
     * @return the value.
     */
    public int inputMappingId()
    {
        return inputMappingId;
    }

    /**
     * Sets {@code InputMappingId}.
     *
     * @param inputMappingId the new value.
     * @return this.
     */
    public FaultInformationArm64 inputMappingId(final int inputMappingId)
    {
        this.inputMappingId = inputMappingId;
        return this;
    }

    /**
     * {@code Flags}: bits WRITE_NOT_READ, INSTRUCTION_NOT_DATA, PRIVILEGED, FAULT_ADDRESS_VALID.
     *
     * @return the value.
     */
    public int flags()
    {
        return flags;
    }

    /**
     * Sets {@code Flags}.
     *
     * @param flags the new value.
     * @return this.
     */
    public FaultInformationArm64 flags(final int flags)
    {
        this.flags = flags;
        return this;
    }

    /**
     * {@code Type}: why the access faulted.
     *
     * @return the value.
     */
    public FaultInformationType type()
    {
        return type;
    }

    /**
     * Sets {@code Type}.
     *
     * @param type the new value.
     * @return this.
     */
    public FaultInformationArm64 type(final FaultInformationType type)
    {
        this.type = type;
        return this;
    }

    /**
     * {@code IommuBaseAddress}: the MMIO base of the IOMMU that reported the fault.
     *
     * @return the value.
     */
    public long iommuBaseAddress()
    {
        return iommuBaseAddress;
    }

    /**
     * Sets {@code IommuBaseAddress}.
     *
     * @param iommuBaseAddress the new value.
     * @return this.
     */
    public FaultInformationArm64 iommuBaseAddress(final long iommuBaseAddress)
    {
        this.iommuBaseAddress = iommuBaseAddress;
        return this;
    }
}
