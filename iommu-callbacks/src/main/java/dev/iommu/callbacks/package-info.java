/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * Notification transport and callback dispatch: producers on any thread encode fixed-layout records
 * ({@link dev.iommu.callbacks.StateChangeDescriptor}, {@link dev.iommu.callbacks.FaultDescriptor},
 * {@link dev.iommu.callbacks.MappingDescriptor}) into an off-heap Agrona many-to-one ring buffer through a
 * {@link dev.iommu.callbacks.NotificationPublisher}, never blocking and never allocating; a dispatcher drains the
 * ring and calls the registered {@link dev.iommu.api.IommuInterfaceStateChangeCallback},
 * {@link dev.iommu.api.IommuDeviceFaultHandler} and {@link dev.iommu.callbacks.MappingListener} instances, on its
 * own thread or from the embedder's loop ({@link dev.iommu.callbacks.Notifications#doWork()}).
 * <p>
 * Entry point: {@link dev.iommu.callbacks.Notifications#launch(Notifications.Context)}. Devices and domains are
 * numeric ids here; {@link dev.iommu.callbacks.HandleResolver} turns them back into the objects a
 * {@link dev.iommu.api.FaultInformation} carries.
 */
package dev.iommu.callbacks;
