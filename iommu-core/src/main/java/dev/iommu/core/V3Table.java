/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.Ref;

/**
 * {@code DMA_IOMMU_INTERFACE_V3}: the V2 view plus the five PASID members, one line each. Their rules are in
 * {@link PasidRules}.
 */
final class V3Table extends V2Table implements DmaIommuInterfaceV3
{
    V3Table(final InterfaceCore core)
    {
        super(core);
    }

    /** {@inheritDoc} */
    @Override
    public int createPasidDevice(
        final IommuDmaDevice dmaDevice,
        final Ref<IommuDmaPasidDevice> pasidDeviceOut,
        final IntRef asidOut)
    {
        return core.pasids.createPasidDevice(dmaDevice, pasidDeviceOut, asidOut);
    }

    /** {@inheritDoc} */
    @Override
    public int deletePasidDevice(final IommuDmaPasidDevice pasidDevice)
    {
        return core.pasids.deletePasidDevice(pasidDevice);
    }

    /** {@inheritDoc} */
    @Override
    public int attachPasidDevice(final IommuDmaDomain domain, final IommuDmaPasidDevice pasidDevice)
    {
        return core.pasids.attachPasidDevice(domain, pasidDevice);
    }

    /** {@inheritDoc} */
    @Override
    public int detachPasidDevice(final IommuDmaPasidDevice pasidDevice)
    {
        return core.pasids.detachPasidDevice(pasidDevice);
    }

    /** {@inheritDoc} */
    @Override
    public int queryDeviceInfo(
        final IommuDmaDevice dmaDevice,
        final int size,
        final IntRef bytesWritten,
        final IommuDmaDeviceInformation buffer)
    {
        return core.pasids.queryDeviceInfo(dmaDevice, size, bytesWritten, buffer);
    }
}
