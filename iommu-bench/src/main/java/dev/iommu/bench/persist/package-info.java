/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * What persistence costs: reopening a persistent directory that holds a million live mappings
 * ({@link dev.iommu.bench.persist.ReopenBenchmark}, its directory built by
 * {@link dev.iommu.bench.persist.ReopenFixture} in a JVM of its own). Map and unmap with persistence off and on are
 * {@code InterfaceBenchmark}'s {@code -p impl=library,library-persistent}.
 */
package dev.iommu.bench.persist;
