/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.DeviceObject;
import dev.iommu.api.IommuDmaDomain;

/**
 * Turns the numeric ids of fault records back into the objects {@code FAULT_INFORMATION} carries
 * ({@code DomainHandle}, {@code PhysicalDeviceObject}). Supplied by the embedder (the core); called on the
 * dispatching thread once per delivered fault, so it must not block and should not allocate.
 */
public interface HandleResolver
{
    /** A resolver that knows no object: faults carry null handles. */
    HandleResolver NONE = new HandleResolver()
    {
        public IommuDmaDomain domain(final long domainId)
        {
            return null;
        }

        public DeviceObject physicalDeviceObject(final long deviceId)
        {
            return null;
        }
    };

    /**
     * The domain with an id.
     *
     * @param domainId the id in the fault record.
     * @return the domain, or null when unknown.
     */
    IommuDmaDomain domain(long domainId);

    /**
     * The physical device object of a device id.
     *
     * @param deviceId the id in the fault record.
     * @return the PDO, or null when unknown.
     */
    DeviceObject physicalDeviceObject(long deviceId);
}
