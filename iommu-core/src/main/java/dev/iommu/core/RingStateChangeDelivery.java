/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.callbacks.NotificationPublisher;
import dev.iommu.callbacks.Notifications;
import dev.iommu.core.platform.Platform;

/**
 * The documented delivery (spec 5.6 items 41, 44, 45): registrations live in the notification registry; a change of
 * a device's available domain types is published to the notification ring and delivered by the dispatcher, never
 * on the thread that changed the policy and never under a library lock. The first call is synchronous, before
 * Register returns, with every watched known bit in PresentFields; Unregister returns only when the callback is not
 * running and will not run again, except when called from inside it.
 */
final class RingStateChangeDelivery extends StateChangeDelivery
{
    private final Platform platform;
    private final Notifications notifications;
    private final NotificationPublisher publisher;

    RingStateChangeDelivery(final Platform platform, final Notifications notifications)
    {
        this.platform = platform;
        this.notifications = notifications;
        this.publisher = notifications.publisher();
    }

    /**
     * Always: the registry refuses only after close, and that is {@link #register}'s false (STATUS_UNSUCCESSFUL).
     */
    @Override
    boolean hasRoom()
    {
        return true;
    }

    @Override
    boolean register(final DmaDevice device, final IommuInterfaceStateChangeCallback callback, final Object context,
        final int stateFields)
    {
        return notifications.registerStateChangeCallback(callback, context, device.id(), stateFields,
            () -> platform.policy().availableDomainTypes(device.pdo()));
    }

    @Override
    boolean unregister(final DmaDevice device, final IommuInterfaceStateChangeCallback callback)
    {
        return notifications.unregisterStateChangeCallback(callback, device.id());
    }

    @Override
    void onAvailableDomainTypesChanged(final DmaDevice device, final int availableDomainTypes)
    {
        publisher.publishStateChange(
            device.id(), IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES, availableDomainTypes);
    }

    @Override
    int runner(final DmaDevice device, final IommuInterfaceStateChangeCallback callback)
    {
        return runnerOf(notifications.stateChangeCallbackRunner(callback, device.id()));
    }
}
