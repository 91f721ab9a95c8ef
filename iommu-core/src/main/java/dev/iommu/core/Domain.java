/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;

/**
 * The library's {@link IommuDmaDomain}: a type, the devices attached, the logical address tokens outstanding,
 * and a lifecycle. Lifecycle changes (attach, detach, token reserve and free, delete) are serialised by the
 * domain's monitor, always taken after the device's (lock order: device, then domain). Map, unmap and translate
 * never take it: they read {@link #isAlive()} and go to the page tables.
 */
class Domain implements IommuDmaDomain
{
    private final DomainTable owner;
    private final IommuDmaDomainType type;
    private final long id;
    private volatile boolean alive = true;
    private int attachedDevices;
    private int attachedPasidDevices;
    private int outstandingTokens;

    Domain(final DomainTable owner, final IommuDmaDomainType type, final long id)
    {
        this.owner = owner;
        this.type = type;
        this.id = id;
    }

    /**
     * The domain's number, unique in its emulator (used in notification records).
     */
    long id()
    {
        return id;
    }

    DomainTable owner()
    {
        return owner;
    }

    IommuDmaDomainType type()
    {
        return type;
    }

    boolean isAlive()
    {
        return alive;
    }

    /**
     * Marks the domain deleted; the caller holds this domain's monitor and has checked, under it, what its profile
     * refuses ({@link DomainRules#deleteDomainInUse}). In the observed profile devices may still be attached: they
     * stay attached to the dead domain (their DMA faults) until DetachDeviceEx, and its tokens answer as freed ones.
     */
    void kill()
    {
        alive = false;
    }

    /**
     * Counts one more attached device, unless the domain was deleted.
     *
     * @return true when counted.
     */
    synchronized boolean attach()
    {
        if (!alive)
        {
            return false;
        }
        attachedDevices++;
        return true;
    }

    synchronized void detach()
    {
        attachedDevices--;
    }

    /**
     * The devices attached, PASID sub-devices included.
     */
    synchronized int attachedDevices()
    {
        return attachedDevices;
    }

    /**
     * Counts one more attached PASID sub-device (also in {@link #attachedDevices()}), unless the domain was deleted.
     *
     * @return true when counted.
     */
    synchronized boolean attachPasid()
    {
        if (!attach())
        {
            return false;
        }
        attachedPasidDevices++;
        return true;
    }

    synchronized void detachPasid()
    {
        attachedPasidDevices--;
        detach();
    }

    /**
     * The PASID sub-devices attached (Windows' DeleteDomain refuses only these: observed record section 2).
     */
    synchronized int attachedPasidDevices()
    {
        return attachedPasidDevices;
    }

    /**
     * Counts one more outstanding token, unless the domain was deleted.
     *
     * @return true when counted.
     */
    synchronized boolean addToken()
    {
        if (!alive)
        {
            return false;
        }
        outstandingTokens++;
        return true;
    }

    synchronized void removeToken()
    {
        outstandingTokens--;
    }

    synchronized int outstandingTokens()
    {
        return outstandingTokens;
    }

    /**
     * Releases what the domain holds (page tables, allocator, ASID) once it is deleted. Overridden by the
     * domain types that hold something.
     */
    void release()
    {
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "Domain{" + type.specName() + (alive ? "" : ", deleted") + "}";
    }
}
