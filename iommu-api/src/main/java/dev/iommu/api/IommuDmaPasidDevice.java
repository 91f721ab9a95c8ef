/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code PIOMMU_DMA_PASID_DEVICE} (spec 1.3, 3.1): an opaque handle to one PASID of a DMA device (V3).
 * Created by CreatePasidDevice, destroyed by DeletePasidDevice.
 */
public interface IommuDmaPasidDevice
{
}
