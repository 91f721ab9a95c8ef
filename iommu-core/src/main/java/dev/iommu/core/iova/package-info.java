/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * The IOVA (logical address) allocator of translate domains: {@link dev.iommu.core.iova.IovaAllocator}, a buddy
 * allocator with per-thread magazines, configured by {@link dev.iommu.core.iova.IovaAllocatorConfig}, answering
 * with {@link dev.iommu.core.iova.IovaResult} codes; {@link dev.iommu.core.iova.IovaThreadCache} is the per-thread
 * handle that skips the allocator's thread lookup on hot paths.
 */
package dev.iommu.core.iova;
