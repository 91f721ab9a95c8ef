/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * JMH benchmarks through the interface ({@link dev.iommu.bench.adapter.DmaMapper}): the library's emulator and the
 * baselines in the same run, and the engine floor (page table and allocator called directly) that shows where the
 * interface's time goes.
 */
package dev.iommu.bench.iface;
