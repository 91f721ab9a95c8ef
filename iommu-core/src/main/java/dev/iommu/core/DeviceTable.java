/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.ConcurrentHashMap;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * The DMA devices of one emulator: at most one per physical device object (an IOMMU has one context entry per
 * requester id), counted against the platform's device limit, found by token, by id (notification records) and by
 * device object (V1 members, {@code IommuEmulator.dmaDeviceOf}). It holds no status rules: {@link DeviceMembers}
 * checks, this table records.
 */
final class DeviceTable
{
    private final BoundedCounter live;
    private final ConcurrentHashMap<PhysicalDeviceObject, DmaDevice> byPdo = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, DmaDevice> byId = new ConcurrentHashMap<>();
    private final StableIds ids;

    DeviceTable(final int maxDmaDevices, final FailureInjection injection, final ContextRecords records)
    {
        this.ids = new StableIds(ContextRecordDescriptor.DEVICE, records);
        this.live = new BoundedCounter(maxDmaDevices, injection, FailureInjection.AllocationKind.DEVICE_SLOT);
    }

    /**
     * The live device behind a token the driver holds.
     *
     * @param handle any token, or null.
     * @return the device, or null when the token is null, of another emulator, deleted, or not a token (a device
     *     V1 AttachDevice made is named by its device object only).
     */
    DmaDevice resolve(final IommuDmaDevice handle)
    {
        if (handle instanceof DmaDevice)
        {
            final DmaDevice device = (DmaDevice)handle;
            if (device.owner() == this && device.isAlive() && !device.isV1())
            {
                return device;
            }
        }
        return null;
    }

    /**
     * The live device behind a handle an embedder passes to the device-side translate: a token, or a device V1
     * attached (from {@code IommuEmulator.dmaDeviceOf}).
     *
     * @param handle any handle, or null.
     * @return the device, or null.
     */
    DmaDevice resolveForDma(final IommuDmaDevice handle)
    {
        if (handle instanceof DmaDevice)
        {
            final DmaDevice device = (DmaDevice)handle;
            if (device.owner() == this && device.isAlive())
            {
                return device;
            }
        }
        return null;
    }

    /**
     * Records a new device for a device object that has none.
     *
     * @param pdo          the device object.
     * @param pasidConfig  its PASID configuration, or null.
     * @param suppress     SuppressPasidFaults.
     * @param v1           made by V1 AttachDevice.
     * @param attachBase   the V1 InputMappingIdBase.
     * @return the device; {@link #TAKEN} when the device object has one; null at the device limit.
     */
    DmaDevice add(final PhysicalDeviceObject pdo, final IommuPasidConfigurationType pasidConfig,
        final boolean suppress, final boolean v1, final int attachBase)
    {
        final DmaDevice device = new DmaDevice(this, ids.next(), pdo, pasidConfig, suppress, v1, attachBase);
        if (null != byPdo.putIfAbsent(pdo, device))
        {
            return TAKEN;
        }
        if (!live.tryAcquire())
        {
            byPdo.remove(pdo, device);
            return null;
        }
        byId.put(device.id(), device);
        return device;
    }

    /**
     * Puts back a device of a persisted context table (a reopening emulator, before any call), under its old id.
     *
     * @return the device.
     * @throws IllegalStateException when the device object has a device already or the limit is reached.
     */
    DmaDevice restore(final long id, final PhysicalDeviceObject pdo, final IommuPasidConfigurationType pasidConfig,
        final boolean suppress, final boolean v1, final int attachBase)
    {
        final DmaDevice device = new DmaDevice(this, id, pdo, pasidConfig, suppress, v1, attachBase);
        if (null != byPdo.putIfAbsent(pdo, device) || !live.tryAcquire())
        {
            throw new IllegalStateException("device#" + id + " (" + pdo.name() + ") of the persisted context: " +
                "the device object has another device, or the platform's device limit is reached");
        }
        ids.continueAfter(id);
        byId.put(id, device);
        return device;
    }

    /**
     * Makes later ids larger than the last lease a reopened emulator wrote.
     *
     * @param id the lease's end.
     */
    void advanceIdsTo(final long id)
    {
        ids.continueAfter(id);
    }

    /**
     * Records a new device for a device object, or shares the one it has (observed record section 3 CreateDevice
     * row 7): a live token device with the same settings (PASID configuration type and SuppressPasidFaults, all the
     * settings the Java configuration list can carry) gets one more reference and is returned.
     *
     * @return the new or shared device; {@link #TAKEN} when the device object has a device with other settings (or a
     *     V1 one); null at the device limit.
     */
    DmaDevice addOrShare(final PhysicalDeviceObject pdo, final IommuPasidConfigurationType pasidConfig,
        final boolean suppress, final int attachBase)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            final DmaDevice existing = byPdo.get(pdo);
            if (null == existing)
            {
                final DmaDevice device = add(pdo, pasidConfig, suppress, false, attachBase);
                if (device != TAKEN)
                {
                    return device;
                }
                continue;
            }
            synchronized (existing)
            {
                if (existing.isAlive() && existing.sameSettings(pasidConfig, suppress))
                {
                    existing.retain();
                    return existing;
                }
            }
            return TAKEN;
        }
        return TAKEN;
    }

    /**
     * Forgets a device the caller has killed (under its monitor). The limit is given back before the device object
     * is free for a new device: the other order lets a racing CreateDevice of the same device take the map slot while
     * the count is still full, and fail with a spurious STATUS_INSUFFICIENT_RESOURCES (LifecycleConcurrencyTest).
     *
     * @param device a killed device.
     */
    void remove(final DmaDevice device)
    {
        live.release();
        byId.remove(device.id(), device);
        byPdo.remove(device.pdo(), device);
    }

    /**
     * The live device with an id.
     *
     * @param id the id.
     * @return the device, or null.
     */
    DmaDevice byId(final long id)
    {
        return byId.get(id);
    }

    /**
     * The live device of a physical device object, token or V1.
     *
     * @param pdo the device object.
     * @return the device, or null.
     */
    DmaDevice deviceOf(final PhysicalDeviceObject pdo)
    {
        return byPdo.get(pdo);
    }

    /**
     * Visits every live device (lifecycle rate: introspection).
     *
     * @param visitor receives each device.
     */
    void forEachLive(final java.util.function.Consumer<DmaDevice> visitor)
    {
        byId.values().forEach(visitor);
    }

    /**
     * How many devices are alive.
     *
     * @return the count.
     */
    int liveCount()
    {
        return live.get();
    }

    /** What {@link #add} returns when the device object already has a device. */
    static final DmaDevice TAKEN = new DmaDevice(null, -1, null, null, false, false, 0);
}
