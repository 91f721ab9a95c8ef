/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaPasidDevice;

/**
 * The library's {@link IommuDmaPasidDevice}: one PASID of a DMA device created for PASID-tagged DMA (spec 2.30, 1.3).
 * Its PASID is its ASID in the emulator-wide space ({@link AsidSpace}). Lifecycle changes (attach, detach, delete)
 * happen under the parent device's monitor (spec 1.5 item 9 makes the caller serialise them per device); the domain
 * is volatile so that a translating thread sees the attach that happened before it started.
 */
final class PasidDevice implements IommuDmaPasidDevice
{
    private final DmaDevice parent;
    private final int pasid;
    private volatile boolean alive = true;
    private volatile Domain domain;

    PasidDevice(final DmaDevice parent, final int pasid)
    {
        this.parent = parent;
        this.pasid = pasid;
    }

    DmaDevice parent()
    {
        return parent;
    }

    /**
     * The PASID (the ASID CreatePasidDevice returned), at least 1.
     */
    int pasid()
    {
        return pasid;
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
     * The domain the sub-device is attached to, or null.
     */
    Domain domain()
    {
        return domain;
    }

    void domain(final Domain domain)
    {
        this.domain = domain;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "PasidDevice{" + parent.pdo().name() + ", pasid=" + pasid + (alive ? "" : ", deleted") + "}";
    }
}
