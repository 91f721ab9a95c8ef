/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * "An IOMMU under test": the small, allocation-free interface ({@link dev.iommu.bench.adapter.DmaMapper}) that the
 * benchmarks and the command-line workloads drive, with one factory per implementation: the library's emulator
 * ({@link dev.iommu.bench.adapter.LibraryDmaMapperFactory}) and the baselines a Java developer would otherwise write
 * ({@link dev.iommu.bench.adapter.PageMapDmaMapperFactory}). {@link dev.iommu.bench.adapter.DmaMapperFactories}
 * creates them by name.
 */
package dev.iommu.bench.adapter;
