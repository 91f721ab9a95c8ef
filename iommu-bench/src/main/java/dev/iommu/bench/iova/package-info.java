/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * Benchmarks and long runs of the IOVA allocator beside its baselines.
 */
package dev.iommu.bench.iova;
