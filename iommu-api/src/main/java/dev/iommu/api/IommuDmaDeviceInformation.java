/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_DMA_DEVICE_INFORMATION} (spec section 3.10). What QueryDeviceInfo (V3) reports about a DMA device's
 * PASID use. Its x64 size is 0x3 bytes.
 */
public final class IommuDmaDeviceInformation
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x3;

    private boolean defaultPasidEnabled;
    private boolean pasidTaggedDmaEnabled;
    private boolean pasidFaultsSuppressed;

    /**
     * {@code DefaultPasidEnabled}: the device does DMA through a default PASID.
     *
     * @return the value.
     */
    public boolean defaultPasidEnabled()
    {
        return defaultPasidEnabled;
    }

    /**
     * Sets {@code DefaultPasidEnabled}.
     *
     * @param defaultPasidEnabled the new value.
     * @return this.
     */
    public IommuDmaDeviceInformation defaultPasidEnabled(final boolean defaultPasidEnabled)
    {
        this.defaultPasidEnabled = defaultPasidEnabled;
        return this;
    }

    /**
     * {@code PasidTaggedDmaEnabled}: the device may issue PASID-tagged DMA.
     *
     * @return the value.
     */
    public boolean pasidTaggedDmaEnabled()
    {
        return pasidTaggedDmaEnabled;
    }

    /**
     * Sets {@code PasidTaggedDmaEnabled}.
     *
     * @param pasidTaggedDmaEnabled the new value.
     * @return this.
     */
    public IommuDmaDeviceInformation pasidTaggedDmaEnabled(final boolean pasidTaggedDmaEnabled)
    {
        this.pasidTaggedDmaEnabled = pasidTaggedDmaEnabled;
        return this;
    }

    /**
     * {@code PasidFaultsSuppressed}: PASID-related faults are not reported.
     *
     * @return the value.
     */
    public boolean pasidFaultsSuppressed()
    {
        return pasidFaultsSuppressed;
    }

    /**
     * Sets {@code PasidFaultsSuppressed}.
     *
     * @param pasidFaultsSuppressed the new value.
     * @return this.
     */
    public IommuDmaDeviceInformation pasidFaultsSuppressed(final boolean pasidFaultsSuppressed)
    {
        this.pasidFaultsSuppressed = pasidFaultsSuppressed;
        return this;
    }
}
