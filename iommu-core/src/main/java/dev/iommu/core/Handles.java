/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DeviceObject;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.callbacks.HandleResolver;

/**
 * Turns the opaque handles a driver passes back into this emulator's objects (spec 5.2 item 10): a null handle, one
 * of another emulator, or one already deleted resolves to null, which every member's rule answers with its status.
 * Also resolves the numeric ids of notification records for the dispatcher.
 */
final class Handles implements HandleResolver
{
    private final DomainTable domains;
    private final DeviceTable devices;

    Handles(final DomainTable domains, final DeviceTable devices)
    {
        this.domains = domains;
        this.devices = devices;
    }

    DomainTable domains()
    {
        return domains;
    }

    DeviceTable devices()
    {
        return devices;
    }

    /**
     * @param handle a domain handle, or null.
     * @return the live domain, or null.
     */
    Domain domain(final IommuDmaDomain handle)
    {
        return domains.resolve(handle);
    }

    /**
     * @param handle a device token, or null.
     * @return the live device, or null.
     */
    DmaDevice device(final IommuDmaDevice handle)
    {
        return devices.resolve(handle);
    }

    /**
     * @param handle a token handle, or null.
     * @return the token (in any state: the members read its state), or null when it is not one of this emulator's.
     */
    LogicalAddressToken token(final IommuDmaLogicalAddressToken handle)
    {
        if (handle instanceof LogicalAddressToken)
        {
            final LogicalAddressToken token = (LogicalAddressToken)handle;
            if (token.domain().owner() == domains)
            {
                return token;
            }
        }
        return null;
    }

    /**
     * @param handle a sub-device handle, or null.
     * @return the live sub-device, or null.
     */
    PasidDevice pasidDevice(final IommuDmaPasidDevice handle)
    {
        if (handle instanceof PasidDevice)
        {
            final PasidDevice device = (PasidDevice)handle;
            if (device.parent().owner() == devices && device.isAlive())
            {
                return device;
            }
        }
        return null;
    }

    /** {@inheritDoc} */
    @Override
    public IommuDmaDomain domain(final long domainId)
    {
        return domains.byId(domainId);
    }

    /** {@inheritDoc} */
    @Override
    public DeviceObject physicalDeviceObject(final long deviceId)
    {
        final DmaDevice device = devices.byId(deviceId);
        return null == device ? null : device.pdo();
    }
}
