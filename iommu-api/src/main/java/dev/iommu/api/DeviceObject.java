/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code PDEVICE_OBJECT} (spec 1.3): a physical device object (PDO) as the platform enumerates it. The
 * platform model supplies these; the V1 calls and CreateDevice take them.
 */
public interface DeviceObject
{
}
