/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

/**
 * How a physical device object was enumerated.
 */
public enum Bus
{
    /** A PCI function, located by segment, bus, device and function. */
    PCI,
    /** An ACPI device, located by hardware id and unique id. */
    ACPI
}
