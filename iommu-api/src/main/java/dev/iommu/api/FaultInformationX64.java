/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code FAULT_INFORMATION_X64} (spec section 3.12). An x64 (VT-d / AMD-Vi) fault record. Its x64 size is 0x28
 * bytes.
 */
public final class FaultInformationX64
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x28;

    /** Flags bit 0: the fault address is meaningful. */
    public static final int FAULT_ADDRESS_VALID = 0x1;

    private IommuDmaDomain domainHandle;
    private long faultAddress;
    private int flags;
    private FaultInformationType type;
    private long iommuBaseAddress;
    private int pciSegment;

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
    public FaultInformationX64 domainHandle(final IommuDmaDomain domainHandle)
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
    public FaultInformationX64 faultAddress(final long faultAddress)
    {
        this.faultAddress = faultAddress;
        return this;
    }

    /**
     * {@code Flags}: bit FAULT_ADDRESS_VALID.
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
    public FaultInformationX64 flags(final int flags)
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
    public FaultInformationX64 type(final FaultInformationType type)
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
    public FaultInformationX64 iommuBaseAddress(final long iommuBaseAddress)
    {
        this.iommuBaseAddress = iommuBaseAddress;
        return this;
    }

    /**
     * {@code PciSegment}: the PCI segment of the device.
     *
     * @return the value.
     */
    public int pciSegment()
    {
        return pciSegment;
    }

    /**
     * Sets {@code PciSegment}.
     *
     * @param pciSegment the new value.
     * @return this.
     */
    public FaultInformationX64 pciSegment(final int pciSegment)
    {
        this.pciSegment = pciSegment;
        return this;
    }
}
