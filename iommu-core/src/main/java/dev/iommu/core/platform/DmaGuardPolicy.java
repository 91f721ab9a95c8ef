/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.iommu.api.IommuDmaDomainType;

/**
 * The DMA Guard (Kernel DMA Protection) policy: which domain types each device may use now (spec 2.6, 2.21).
 * Changeable at run time; every change that alters a device's set is told to the {@link AvailabilityListener}s.
 * <p>
 * The rule, for a device behind an IOMMU:
 * <ul>
 *     <li>Translate is always offered;</li>
 *     <li>Unmanaged (caller-owned stage-1 tables) only on ARM64, where SMMUs take them;</li>
 *     <li>TranslateS1 only when the device's IOMMU supports PASIDs;</li>
 *     <li>PassThrough unless DMA Guard is enabled and the device is external or blocking is active (spec 2.21:
 *     while DMA Guard blocking is active the PassThrough bit is clear);</li>
 *     <li>then masked by the device's restriction, if an administrator set one.</li>
 * </ul>
 * A device behind no IOMMU is offered PassThrough only (spec 5.2 item 12).
 * <p>
 * Thread safety: reads are lock-free (volatile fields, a copy-on-write restriction map); changes are serialised
 * by this object's monitor, and listeners are told under it, in change order, so they must not block or call
 * back into the policy.
 */
public final class DmaGuardPolicy
{
    private final Architecture architecture;
    private final List<PhysicalDeviceObject> devices;
    private final CopyOnWriteArrayList<AvailabilityListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean enabled;
    private volatile boolean blockingActive;
    private volatile Map<PhysicalDeviceObject, Integer> restrictions = new IdentityHashMap<>();

    DmaGuardPolicy(final Architecture architecture, final List<PhysicalDeviceObject> devices, final boolean enabled)
    {
        this.architecture = architecture;
        this.devices = devices;
        this.enabled = enabled;
    }

    /**
     * The domain types a device may use now.
     *
     * @param device a device of this platform.
     * @return a bit {@code 1 << IommuDmaDomainType.value()} per usable type.
     */
    public int availableDomainTypes(final PhysicalDeviceObject device)
    {
        final IommuUnit iommu = device.iommu();
        if (null == iommu)
        {
            return IommuDmaDomainType.PASS_THROUGH.mask();
        }
        int types = IommuDmaDomainType.TRANSLATE.mask();
        if (architecture == Architecture.ARM64)
        {
            types |= IommuDmaDomainType.UNMANAGED.mask();
        }
        if (iommu.supportsPasid())
        {
            types |= IommuDmaDomainType.TRANSLATE_S1.mask();
        }
        if (!(enabled && (device.isExternal() || blockingActive)))
        {
            types |= IommuDmaDomainType.PASS_THROUGH.mask();
        }
        final Integer restriction = restrictions.get(device);
        return null == restriction ? types : types & restriction;
    }

    /**
     * Whether DMA Guard is enabled.
     *
     * @return true when enabled.
     */
    public boolean isEnabled()
    {
        return enabled;
    }

    /**
     * Whether DMA Guard blocking is active (for example while the screen is locked).
     *
     * @return true when active.
     */
    public boolean isBlockingActive()
    {
        return blockingActive;
    }

    /**
     * Enables or disables DMA Guard.
     *
     * @param enabled the new setting.
     */
    public synchronized void enabled(final boolean enabled)
    {
        final int[] before = snapshot();
        this.enabled = enabled;
        announce(before);
    }

    /**
     * Starts or ends DMA Guard blocking.
     *
     * @param blockingActive the new setting.
     */
    public synchronized void blockingActive(final boolean blockingActive)
    {
        final int[] before = snapshot();
        this.blockingActive = blockingActive;
        announce(before);
    }

    /**
     * Restricts a device to a subset of domain types (an administrator's policy), or lifts the restriction.
     *
     * @param device  a device of this platform.
     * @param allowed the domain types still allowed, or -1 to lift the restriction.
     * @throws IllegalArgumentException when the device is not of this platform.
     */
    public synchronized void restrict(final PhysicalDeviceObject device, final int allowed)
    {
        if (!devices.contains(device))
        {
            throw new IllegalArgumentException(device + " is not a device of this platform");
        }
        final int[] before = snapshot();
        final Map<PhysicalDeviceObject, Integer> next = new IdentityHashMap<>(restrictions);
        if (allowed == -1)
        {
            next.remove(device);
        }
        else
        {
            next.put(device, allowed);
        }
        restrictions = next;
        announce(before);
    }

    /**
     * Adds a listener told of every change of a device's available domain types.
     *
     * @param listener the listener.
     */
    public void addListener(final AvailabilityListener listener)
    {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Removes a listener.
     *
     * @param listener the listener.
     * @return true when it was registered.
     */
    public boolean removeListener(final AvailabilityListener listener)
    {
        return listeners.remove(listener);
    }

    private int[] snapshot()
    {
        final int[] types = new int[devices.size()];
        for (int i = 0; i < types.length; i++)
        {
            types[i] = availableDomainTypes(devices.get(i));
        }
        return types;
    }

    private void announce(final int[] before)
    {
        for (int i = 0; i < before.length; i++)
        {
            final PhysicalDeviceObject device = devices.get(i);
            final int after = availableDomainTypes(device);
            if (after != before[i])
            {
                for (final AvailabilityListener listener : listeners)
                {
                    listener.onAvailableDomainTypesChanged(device, after);
                }
            }
        }
    }
}
