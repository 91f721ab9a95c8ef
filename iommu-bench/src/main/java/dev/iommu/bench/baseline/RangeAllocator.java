/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.baseline;

/**
 * What the IOVA benchmarks call: the shape of {@code dev.iommu.core.iova.IovaAllocator}, so that the allocator and
 * the baselines a user would otherwise write can be measured by the same code. Results are addresses (positive) or
 * {@code dev.iommu.core.iova.IovaResult} codes (negative).
 */
public interface RangeAllocator
{
    /**
     * Allocates a block of the next power of two of pages, aligned to its size, within inclusive byte bounds.
     *
     * @param pages      size in pages.
     * @param minAddress lowest byte the block may cover (0 for none).
     * @param maxAddress highest byte the block may cover (negative for none).
     * @return the address, or a negative result code.
     */
    long allocate(long pages, long minAddress, long maxAddress);

    /**
     * Frees a block.
     *
     * @param address what allocate returned.
     * @param pages   the size that was requested.
     * @return 0 on success or a negative result code.
     */
    int free(long address, long pages);

    /**
     * @return bytes free (not allocated, not reserved).
     */
    long freeBytes();
}
