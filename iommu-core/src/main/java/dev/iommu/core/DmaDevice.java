/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * The library's {@link IommuDmaDevice} token: a physical device object behind an IOMMU, with its PASID
 * configuration and its PASID sub-devices. Its lifecycle state is guarded by its own monitor (spec 1.5 item 9 makes
 * the caller serialise attach, detach and fault-reporting calls on one device; the lock makes a racing caller safe
 * anyway). A device that V1 AttachDevice attached by its device object ({@link #isV1()}) has no token in the
 * driver's hands: it lives from that attach to the V1 DetachDevice.
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
    /**
     * The attached domain when DMA walks its page tables (a Translate or TranslateS1 mapping domain), else null:
     * what the device-side fast path reads, one load instead of a type test per access. Written with
     * {@link #domain} (before it, so a reader that sees the new domain also sees this).
     */
    private volatile MappingDomain walkedDomain;
    private boolean stateChangeRegistered;
    private volatile boolean faultReporting;
    private final boolean v1;
    private final int attachBase;
    /** The references the driver holds (guarded by this monitor): 1 at creation; more only where a profile shares. */
    private int references = 1;
    /** The live sub-devices sorted by PASID: copied on write under this monitor, read lock-free by translate. */
    private volatile PasidDevice[] pasidDevices = NO_PASID_DEVICES;

    private static final PasidDevice[] NO_PASID_DEVICES = new PasidDevice[0];

    DmaDevice(
        final DeviceTable owner,
        final long id,
        final PhysicalDeviceObject pdo,
        final IommuPasidConfigurationType pasidConfig,
        final boolean pasidFaultsSuppressed,
        final boolean v1,
        final int attachBase)
    {
        this.v1 = v1;
        this.attachBase = attachBase;
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
        this.walkedDomain = domain instanceof MappingDomain && domain.type() != IommuDmaDomainType.PASS_THROUGH ?
            (MappingDomain)domain : null;
        this.domain = domain;
    }

    /**
     * The attached domain whose tables DMA walks, or null (none, PassThrough, Unmanaged); volatile.
     */
    MappingDomain walkedDomain()
    {
        return walkedDomain;
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

    /**
     * Takes one more reference (a CreateDevice that shares this device); call under this monitor.
     */
    void retain()
    {
        references++;
    }

    /**
     * Whether a token device was created with these settings (the PASID configuration and SuppressPasidFaults).
     */
    boolean sameSettings(final IommuPasidConfigurationType config, final boolean suppress)
    {
        return !v1 && pasidConfig == config && pasidFaultsSuppressed == suppress;
    }

    /**
     * Drops one reference; call under this monitor.
     *
     * @return the references left: at 0 the caller tears the device down.
     */
    int references()
    {
        return references;
    }

    int release()
    {
        return --references;
    }

    /**
     * Whether V1 AttachDevice made this device (by its device object; the driver holds no token).
     */
    boolean isV1()
    {
        return v1;
    }

    /**
     * The first input mapping id the device stands for: the InputMappingIdBase of its V1 attach, or for a token of an
     * ARM64 ACPI device the base of its ACPI configuration; 0 for every other device.
     */
    int attachBase()
    {
        return attachBase;
    }

    /**
     * The live sub-device with a PASID, lock-free (a binary search over the published array).
     *
     * @param pasid the PASID, at least 1.
     * @return the sub-device, or null.
     */
    PasidDevice pasidDevice(final int pasid)
    {
        final PasidDevice[] devices = pasidDevices;
        int low = 0;
        int high = devices.length - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final int here = devices[mid].pasid();
            if (here < pasid)
            {
                low = mid + 1;
            }
            else if (here > pasid)
            {
                high = mid - 1;
            }
            else
            {
                return devices[mid];
            }
        }
        return null;
    }

    /**
     * The live sub-devices, ordered by PASID (the published array: the caller must not change it).
     */
    PasidDevice[] pasidDevicesView()
    {
        return pasidDevices;
    }

    /**
     * How many sub-devices are alive (read under this monitor by DeleteDevice).
     */
    int pasidDeviceCount()
    {
        return pasidDevices.length;
    }

    /**
     * Publishes a new sub-device; call under this monitor.
     */
    void addPasidDevice(final PasidDevice device)
    {
        final PasidDevice[] old = pasidDevices;
        final PasidDevice[] copy = new PasidDevice[old.length + 1];
        int i = 0;
        while (i < old.length && old[i].pasid() < device.pasid())
        {
            copy[i] = old[i];
            i++;
        }
        copy[i] = device;
        System.arraycopy(old, i, copy, i + 1, old.length - i);
        pasidDevices = copy;
    }

    /**
     * Withdraws a sub-device; call under this monitor.
     */
    void removePasidDevice(final PasidDevice device)
    {
        final PasidDevice[] old = pasidDevices;
        final PasidDevice[] copy = new PasidDevice[old.length - 1];
        int j = 0;
        for (final PasidDevice d : old)
        {
            if (d != device)
            {
                copy[j++] = d;
            }
        }
        pasidDevices = copy;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "DmaDevice{" + pdo.name() + (alive ? "" : ", deleted") + "}";
    }
}
