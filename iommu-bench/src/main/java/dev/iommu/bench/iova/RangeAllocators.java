/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iova;

import dev.iommu.bench.baseline.RangeAllocator;
import dev.iommu.bench.baseline.SkipListIovaAllocator;
import dev.iommu.bench.baseline.TreeMapIovaAllocator;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaAllocatorConfig;

/**
 * Creates the allocators the IOVA benchmarks compare, by name: "buddy" (the library's, default configuration),
 * "tree" (iova.c style), "skiplist"; and buddy variants for experiments: "buddy-m0" (no magazines), "buddy-m8"
 * (magazines of 8), "buddy-c1024" (magazines for sizes up to 1,024 pages).
 */
public final class RangeAllocators
{
    private RangeAllocators()
    {
    }

    /**
     * @param name         "buddy", "tree", "skiplist", "buddy-m0", "buddy-m8" or "buddy-c1024".
     * @param addressWidth bits.
     * @return a new allocator.
     */
    public static RangeAllocator create(final String name, final int addressWidth)
    {
        switch (name)
        {
            case "buddy":
                return new BuddyRangeAllocator(new IovaAllocator(new IovaAllocatorConfig().addressWidth(addressWidth)
                    .initialFreeBlocks(1 << 16)));
            case "buddy-m8":
                return new BuddyRangeAllocator(new IovaAllocator(new IovaAllocatorConfig().addressWidth(addressWidth)
                    .initialFreeBlocks(1 << 16).magazineCapacity(8)));
            case "buddy-m0":
                return new BuddyRangeAllocator(new IovaAllocator(new IovaAllocatorConfig().addressWidth(addressWidth)
                    .initialFreeBlocks(1 << 16).magazineCapacity(0)));
            case "buddy-c1024":
                return new BuddyRangeAllocator(new IovaAllocator(new IovaAllocatorConfig().addressWidth(addressWidth)
                    .initialFreeBlocks(1 << 16).maxCachedPages(1024)));
            case "tree":
                return new TreeMapIovaAllocator(addressWidth);
            case "skiplist":
                return new SkipListIovaAllocator(addressWidth);
            default:
                throw new IllegalArgumentException("unknown allocator " + name);
        }
    }
}
