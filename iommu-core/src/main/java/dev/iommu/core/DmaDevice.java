/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * The library's {@link IommuDmaDevice} token: a physical device object behind an IOMMU, with its PASID
 * configuration. Its lifecycle state is guarded by its own monitor (spec 1.5 item 9 makes the caller serialise
 * attach, detach and fault-reporting calls on one device; the lock makes a racing caller safe anyway).
 */
final class DmaDevice implements IommuDmaDevice
{
    private final DeviceTable owner;
    private final long id;
    private final PhysicalDeviceObject pdo;
    private final IommuPasidConfigurationType pasidConfig;
    private final boolean pasidFaultsSuppressed;
    private volatile boolean alive = true;
    private volatile Domain domain;
    private boolean stateChangeRegistered;
    private volatile boolean faultReporting;

    DmaDevice(
        final DeviceTable owner,
        final long id,
        final PhysicalDeviceObject pdo,
        final IommuPasidConfigurationType pasidConfig,
        final boolean pasidFaultsSuppressed)
    {
        this.owner = owner;
        this.id = id;
        this.pdo = pdo;
        this.pasidConfig = pasidConfig;
        this.pasidFaultsSuppressed = pasidFaultsSuppressed;
    }

    DeviceTable owner()
    {
        return owner;
    }

    /**
     * The device's number, unique in its emulator (used in notification records).
     */
    long id()
    {
        return id;
    }

    /**
     * Whether faults of this device go to its fault handler (written under the device's monitor).
     */
    boolean faultReporting()
    {
        return faultReporting;
    }

    void faultReporting(final boolean on)
    {
        faultReporting = on;
    }

    PhysicalDeviceObject pdo()
    {
        return pdo;
    }

    /**
     * The PASID configuration given at creation, or null when none was.
     */
    IommuPasidConfigurationType pasidConfig()
    {
        return pasidConfig;
    }

    boolean pasidFaultsSuppressed()
    {
        return pasidFaultsSuppressed;
    }

    boolean isAlive()
    {
        return alive;
    }

    void kill()
    {
        alive = false;
    }

    /**
     * The domain the device is attached to, or null. Written under the device's monitor, read anywhere
     * (volatile: a translating thread sees the attach that happened before it started).
     */
    Domain domain()
    {
        return domain;
    }

    void domain(final Domain domain)
    {
        this.domain = domain;
    }

    /**
     * Whether a state-change callback is registered for the device (guarded by the device's monitor).
     */
    boolean stateChangeRegistered()
    {
        return stateChangeRegistered;
    }

    void stateChangeRegistered(final boolean registered)
    {
        stateChangeRegistered = registered;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "DmaDevice{" + pdo.name() + (alive ? "" : ", deleted") + "}";
    }
}
