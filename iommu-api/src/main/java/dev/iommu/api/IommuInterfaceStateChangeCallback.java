/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_INTERFACE_STATE_CHANGE_CALLBACK} (spec 2.35), implemented by the driver: called once at
 * registration and then on every change of a watched interface state (today, the available domain types).
 * The callback must read the state it is given; the state object is only valid during the call.
 */
@FunctionalInterface
public interface IommuInterfaceStateChangeCallback
{
    /**
     * A watched state changed, or the callback was just registered.
     *
     * @param stateChange which fields changed, and their new values.
     * @param context     the context given at registration (may be null).
     */
    void onStateChange(IommuInterfaceStateChange stateChange, Object context);
}
