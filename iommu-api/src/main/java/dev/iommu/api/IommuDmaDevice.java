/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code PIOMMU_DMA_DEVICE} (spec 1.3, 3.1): an opaque token standing for a physical device object behind an
 * IOMMU. Created by CreateDevice, destroyed by DeleteDevice.
 */
public interface IommuDmaDevice
{
}
