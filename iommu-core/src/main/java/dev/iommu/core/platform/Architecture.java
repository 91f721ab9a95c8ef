/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

/**
 * The processor architecture of the emulated machine. It decides which fault record form is filled (spec
 * 3.12), whether ACPI devices must pass input mappings to CreateDevice (ARM64 only, spec 2.28), and whether
 * caller-owned (unmanaged) domains exist (an ARM64 SMMU feature; on x64 their configuration is reserved for the
 * system, spec 2.20).
 */
public enum Architecture
{
    /** x64: VT-d or AMD-Vi style IOMMUs. */
    X64,
    /** ARM64: SMMU style IOMMUs with stream (input mapping) ids. */
    ARM64
}
