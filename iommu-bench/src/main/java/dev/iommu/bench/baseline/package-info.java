/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * Baselines a user would otherwise write, as real and correct allocators, measured beside the library's own.
 */
package dev.iommu.bench.baseline;
