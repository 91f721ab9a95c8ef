/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuInterfaceStateChangeCallback;

/**
 * How state-change callbacks are kept and called: the engine half of RegisterInterfaceStateChangeCallback,
 * UnregisterInterfaceStateChangeCallback and the policy-change notifications, below the rules. Built once per
 * emulator by {@link DeviceRules#stateChangeDelivery} (the profile picks the strategy there, never per call):
 * {@link RingStateChangeDelivery} for the documented contract (the notification ring and its dispatcher),
 * {@link DirectStateChangeDelivery} for Windows as observed (synchronous on the thread that changed the policy).
 */
abstract class StateChangeDelivery
{
    /** {@link #runner} answer: the callback is not running. */
    static final int NOT_RUNNING = 0;
    /** {@link #runner} answer: the callback is running on another thread. */
    static final int RUNNING_ELSEWHERE = 1;
    /** {@link #runner} answer: the callback is running on the calling thread (the caller is inside it). */
    static final int RUNNING_HERE = 2;

    /**
     * Whether a registration can be stored now (Windows: the 0x30-byte registration allocation; the emulator's
     * registrations are Java objects, so this is false only when the delivery is closed).
     *
     * @return true when there is room.
     */
    abstract boolean hasRoom();

    /**
     * Stores the registration of a device the rules accepted (marked registered under its monitor) and makes the
     * first call, synchronously on the calling thread, no library lock held.
     *
     * @return true when stored; false when the delivery refused it (closed), nothing stored and no call made.
     */
    abstract boolean register(DmaDevice device, IommuInterfaceStateChangeCallback callback, Object context,
        int stateFields);

    /**
     * Removes a device's registration when its callback is the one given.
     *
     * @return true when removed; false when that callback is not registered for the device.
     */
    abstract boolean unregister(DmaDevice device, IommuInterfaceStateChangeCallback callback);

    /**
     * A change of a device's available domain types, on the thread that changed the policy (under the policy's
     * monitor).
     *
     * @param device               the device, not a V1 one.
     * @param availableDomainTypes the policy's new set.
     */
    abstract void onAvailableDomainTypesChanged(DmaDevice device, int availableDomainTypes);

    /**
     * Whether the device's callback, when it is the one given, is running now, for the verifier's
     * {@link VerifierRule#UNREGISTER_WHILE_RUNNING} (a snapshot).
     *
     * @return {@link #NOT_RUNNING}, {@link #RUNNING_ELSEWHERE} or {@link #RUNNING_HERE}.
     */
    abstract int runner(DmaDevice device, IommuInterfaceStateChangeCallback callback);

    static int runnerOf(final Thread thread)
    {
        if (null == thread)
        {
            return NOT_RUNNING;
        }
        return thread == Thread.currentThread() ? RUNNING_HERE : RUNNING_ELSEWHERE;
    }
}
