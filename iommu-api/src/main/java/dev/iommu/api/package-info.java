/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * The contract of the Windows kernel's DMA remapping interface, {@code DMA_IOMMU_INTERFACE_EX} versions 1 to 3
 * (wdm.h), in Java: the three function tables ({@link dev.iommu.api.DmaIommuInterfaceV1},
 * {@link dev.iommu.api.DmaIommuInterfaceV2}, {@link dev.iommu.api.DmaIommuInterfaceV3}), the acquisition entry
 * point ({@link dev.iommu.api.IommuInterfaceProvider}), every structure and enumeration they use, the
 * driver-supplied callback types, and {@link dev.iommu.api.NtStatus}.
 * <p>
 * Calling convention: every method returns the {@code int} NTSTATUS the specification documents for the case
 * and writes its outputs into caller-supplied, reusable holders ({@link dev.iommu.api.Ref},
 * {@link dev.iommu.api.LongRef}, {@link dev.iommu.api.IntRef}), so that a steady-state loop allocates nothing.
 * Optional inputs are null when not supplied, as NULL pointers are in C. This package has no implementation
 * and no dependencies.
 */
package dev.iommu.api;
