/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
/**
 * The workloads of {@code iommu bench}: request-response, scatter-gather, mixed sizes, fragmentation, bulk, thread
 * scaling and translate-heavy, each run on the library and on the baselines through
 * {@link dev.iommu.bench.adapter.DmaMapper}.
 */
package dev.iommu.bench.workload;
