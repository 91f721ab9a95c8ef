/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iova;

import dev.iommu.bench.baseline.RangeAllocator;
import dev.iommu.core.iova.IovaAllocator;

/**
 * {@link IovaAllocator} seen as a {@link RangeAllocator}, for the benchmarks.
 */
public final class BuddyRangeAllocator implements RangeAllocator
{
    private final IovaAllocator allocator;

    /**
     * @param allocator the allocator to measure.
     */
    public BuddyRangeAllocator(final IovaAllocator allocator)
    {
        this.allocator = allocator;
    }

    /**
     * @return the allocator measured.
     */
    public IovaAllocator allocator()
    {
        return allocator;
    }

    /** {@inheritDoc} */
    @Override
    public long allocate(final long pages, final long minAddress, final long maxAddress)
    {
        return allocator.allocate(pages, minAddress, maxAddress);
    }

    /** {@inheritDoc} */
    @Override
    public int free(final long address, final long pages)
    {
        return allocator.free(address, pages);
    }

    /** {@inheritDoc} */
    @Override
    public long freeBytes()
    {
        return allocator.freeBytes();
    }
}
