/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.NtStatus;
import dev.iommu.callbacks.Notifications;
import dev.iommu.core.platform.AvailabilityListener;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;

/**
 * The state-change members (spec 2.22, 2.23) and the bridge from the platform's DMA Guard policy to the registered
 * callbacks. The rules ({@link DeviceRules#register}, {@link DeviceRules#registerLocked},
 * {@link DeviceRules#unregister}) choose the status; the {@link StateChangeDelivery} the profile built once for this
 * emulator keeps the registrations and makes the calls: the documented one through the notification ring and its
 * dispatcher ({@link RingStateChangeDelivery}), Windows' synchronously on the policy-changing thread
 * ({@link DirectStateChangeDelivery}). A device is marked registered under its monitor (DeleteDevice refuses from
 * then on); no callback runs under a library lock.
 * <p>
 * Verifier: each call whose status differs between the profiles is reported with both answers; an Unregister of a
 * callback that is running at that moment, on another thread or from inside it, is
 * {@link VerifierRule#UNREGISTER_WHILE_RUNNING} in both profiles, reported before the unregister takes effect (the
 * documented profile then waits for the callback; Windows' legacy variant deadlocks from inside it, the new one does
 * not wait at all).
 */
final class StateChangeService implements AvailabilityListener
{
    private static final String REGISTER = "RegisterInterfaceStateChangeCallback";
    private static final String UNREGISTER = "UnregisterInterfaceStateChangeCallback";

    private final DeviceRules rules;
    private final Handles handles;
    private final StateChangeDelivery delivery;

    private final Verifier verifier;

    StateChangeService(final Platform platform, final DeviceRules rules, final Handles handles,
        final Notifications notifications, final Verifier verifier)
    {
        this.verifier = verifier;
        this.rules = rules;
        this.handles = handles;
        this.delivery = rules.stateChangeDelivery(platform, notifications);
    }

    int register(final IommuInterfaceStateChangeCallback callback, final Object context,
        final IommuDmaDevice dmaDevice, final IommuInterfaceStateChangeFields stateFields)
    {
        final DmaDevice device = handles.device(dmaDevice);
        final int status = rules.register(callback, device, stateFields);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            if (verifier.on)
            {
                verifier.compare(REGISTER, status, otherRegister(callback, device, stateFields, true),
                    () -> objects(device), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
            }
            return status;
        }
        final boolean room = delivery.hasRoom();
        synchronized (device)
        {
            final int free = rules.registerLocked(device, room);
            if (verifier.on)
            {
                verifier.compare(REGISTER, free, otherRegister(callback, device, stateFields, room),
                    () -> objects(device), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
            }
            if (free != NtStatus.STATUS_SUCCESS)
            {
                return free;
            }
            // Claimed under the lock, so DeleteDevice refuses from here on; the callback runs outside it.
            device.stateChangeRegistered(true);
        }
        if (delivery.register(device, callback, context, stateFields.asUlong()))
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
        if (verifier.on)
        {
            verifier.compare(UNREGISTER, status, verifier.otherRules().devices.unregister(callback, device),
                () -> objects(device), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if (verifier.on)
        {
            reportIfRunning(device, callback);
        }
        if (!delivery.unregister(device, callback))
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
            delivery.onAvailableDomainTypesChanged(device, availableDomainTypes);
        }
    }

    private void reportIfRunning(final DmaDevice device, final IommuInterfaceStateChangeCallback callback)
    {
        final int running = delivery.runner(device, callback);
        if (running != StateChangeDelivery.NOT_RUNNING)
        {
            verifier.hazard(VerifierRule.UNREGISTER_WHILE_RUNNING, UNREGISTER, objects(device),
                VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS,
                running == StateChangeDelivery.RUNNING_HERE ?
                "from inside the callback" : "while the callback runs on another thread");
        }
    }

    /**
     * The other profile's answer to Register (its checks are side-effect free; under the device's monitor when this
     * profile got that far).
     */
    private int otherRegister(final IommuInterfaceStateChangeCallback callback, final DmaDevice device,
        final IommuInterfaceStateChangeFields stateFields, final boolean room)
    {
        final DeviceRules other = verifier.otherRules().devices;
        final int status = other.register(callback, device, stateFields);
        return status != NtStatus.STATUS_SUCCESS ? status : other.registerLocked(device, room);
    }

    private static String objects(final DmaDevice device)
    {
        return null == device ? "device#null" : "device#" + device.id();
    }
}
