/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_DEVICE_FAULT_HANDLER} (spec 2.36), implemented by the driver: reports a fault of a device
 * whose fault reporting is on. Runs at PASSIVE_LEVEL, here: never while a library lock is held, and never on
 * a thread in the middle of map, unmap or translate. The fault object is only valid during the call.
 */
@FunctionalInterface
public interface IommuDeviceFaultHandler
{
    /**
     * A device access faulted.
     *
     * @param context          {@code DEVICE_FAULT_CONFIGURATION.FaultContext}.
     * @param faultInformation what faulted, and why.
     */
    void onFault(Object context, FaultInformation faultInformation);
}
