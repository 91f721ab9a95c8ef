/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

/**
 * Told when the domain types a device may use change because the DMA Guard policy changed. The interface
 * implementation turns this into state-change callbacks (spec 2.22).
 */
@FunctionalInterface
public interface AvailabilityListener
{
    /**
     * A device's available domain types changed.
     *
     * @param device               the device.
     * @param availableDomainTypes the new set, a bit {@code 1 << IommuDmaDomainType.value()} per usable type.
     */
    void onAvailableDomainTypesChanged(PhysicalDeviceObject device, int availableDomainTypes);
}
