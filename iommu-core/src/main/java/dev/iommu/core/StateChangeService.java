/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.NtStatus;
import dev.iommu.callbacks.NotificationPublisher;
import dev.iommu.callbacks.Notifications;
import dev.iommu.core.platform.AvailabilityListener;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;

/**
 * The state-change members (spec 2.22, 2.23) and the bridge from the platform's DMA Guard policy to the registered
 * callbacks: a change of a device's available domain types is published to the notification ring and delivered by
 * the dispatcher, never on the thread that changed the policy and never under a library lock (spec 5.6 item 45).
 * The first call of a registration is synchronous, before Register returns, with every watched bit in PresentFields
 * (spec 5.6 item 41); Unregister returns only when the callback is not running and will not run again, except when
 * called from inside it (spec 5.6 item 44).
 */
final class StateChangeService implements AvailabilityListener
{
    private final Platform platform;
    private final DeviceRules rules;
    private final Handles handles;
    private final Notifications notifications;
    private final NotificationPublisher publisher;

    private final Verifier verifier;

    StateChangeService(final Platform platform, final DeviceRules rules, final Handles handles,
        final Notifications notifications, final Verifier verifier)
    {
        this.verifier = verifier;
        this.platform = platform;
        this.rules = rules;
        this.handles = handles;
        this.notifications = notifications;
        this.publisher = notifications.publisher();
    }

    int register(final IommuInterfaceStateChangeCallback callback, final Object context,
        final IommuDmaDevice dmaDevice, final IommuInterfaceStateChangeFields stateFields)
    {
        final DmaDevice device = handles.device(dmaDevice);
        final int status = rules.register(callback, device, stateFields);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        synchronized (device)
        {
            final int free = rules.registerLocked(device);
            if (free != NtStatus.STATUS_SUCCESS)
            {
                return free;
            }
            // Claimed under the lock, so DeleteDevice refuses from here on; the callback runs outside it.
            device.stateChangeRegistered(true);
        }
        if (notifications.registerStateChangeCallback(callback, context, device.id(), stateFields.asUlong(),
            platform.policy().availableDomainTypes(device.pdo())))
        {
            return NtStatus.STATUS_SUCCESS;
        }
        synchronized (device)
        {
            device.stateChangeRegistered(false);
        }
        return NtStatus.STATUS_UNSUCCESSFUL;
    }

    int unregister(final IommuInterfaceStateChangeCallback callback, final IommuDmaDevice dmaDevice)
    {
        final DmaDevice device = handles.device(dmaDevice);
        final int status = rules.unregister(callback, device);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if (!notifications.unregisterStateChangeCallback(callback, device.id()))
        {
            return rules.notRegistered();
        }
        synchronized (device)
        {
            device.stateChangeRegistered(false);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /** {@inheritDoc} */
    @Override
    public void onAvailableDomainTypesChanged(final PhysicalDeviceObject pdo, final int availableDomainTypes)
    {
        final DmaDevice device = handles.devices().deviceOf(pdo);
        if (null != device && !device.isV1())
        {
            publisher.publishStateChange(
                device.id(), IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES, availableDomainTypes);
        }
    }
}
