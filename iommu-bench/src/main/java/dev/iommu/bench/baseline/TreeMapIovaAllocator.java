/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.baseline;

import java.util.Map;
import java.util.TreeMap;

import dev.iommu.core.iova.IovaResult;

/**
 * Baseline: the Linux {@code drivers/iommu/iova.c} design in Java. The allocated ranges sit in a red-black tree
 * ({@link TreeMap}, start page to end page) under one lock; allocation searches top-down from a cached node (the
 * last allocation, moved up by frees above it), size-aligned, walking to lower neighbours until a gap fits, and
 * retries once from the limit down to the cached node when that fails, as {@code __alloc_and_insert_iova_range}
 * does. The walk is linear in the number of ranges it passes: the known cliff. Boxes a key and creates a tree
 * node per allocation. Correct: no overlap, page 0 never handed out, double and wrong-size frees refused.
 */
public final class TreeMapIovaAllocator implements RangeAllocator
{
    private static final int PAGE_SHIFT = RangeRequest.PAGE_SHIFT;

    private final TreeMap<Long, Long> allocated = new TreeMap<>();
    private final long totalPages;
    private Long cached;
    private long usedPages = 1;

    /**
     * @param addressWidth the address width in bits (13 to 63).
     */
    public TreeMapIovaAllocator(final int addressWidth)
    {
        totalPages = 1L << (addressWidth - PAGE_SHIFT);
    }

    /** {@inheritDoc} */
    @Override
    public synchronized long allocate(final long pages, final long minAddress, final long maxAddress)
    {
        final long refused = RangeRequest.check(pages, minAddress, maxAddress, totalPages);
        if (refused != 0)
        {
            return refused;
        }
        final long size = RangeRequest.roundUp(pages);
        final long low = RangeRequest.lowPage(minAddress);
        final long limit = RangeRequest.limitPage(maxAddress, totalPages);
        long page;
        if (cached != null && cached < limit)
        {
            page = search(cached, low, size);
            if (page < 0)
            {
                page = search(limit, Math.max(low, allocated.get(cached)), size);
            }
        }
        else
        {
            page = search(limit, low, size);
        }
        if (page < 0)
        {
            return IovaResult.NO_SPACE;
        }
        allocated.put(page, page + size);
        cached = page;
        usedPages += size;
        return page << PAGE_SHIFT;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized int free(final long address, final long pages)
    {
        if (pages <= 0)
        {
            return IovaResult.INVALID_SIZE;
        }
        final long page = address >>> PAGE_SHIFT;
        final Long end = allocated.get(page);
        if (end == null || (address & ((1L << PAGE_SHIFT) - 1)) != 0)
        {
            return IovaResult.NOT_ALLOCATED;
        }
        if (end - page != RangeRequest.roundUp(pages))
        {
            return IovaResult.WRONG_SIZE;
        }
        if (cached != null && page >= cached)
        {
            cached = allocated.higherKey(page);
        }
        allocated.remove(page);
        usedPages -= end - page;
        return IovaResult.SUCCESS;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized long freeBytes()
    {
        return (totalPages - usedPages) << PAGE_SHIFT;
    }

    private long search(final long high, final long low, final long size)
    {
        long h = high;
        Map.Entry<Long, Long> curr = allocated.lowerEntry(h);
        while (true)
        {
            if (h < size)
            {
                return -1;
            }
            final long candidate = (h - size) & -size;
            if (candidate < low)
            {
                return -1;
            }
            if (curr == null || curr.getValue() <= candidate)
            {
                return candidate;
            }
            h = Math.min(h, curr.getKey());
            curr = allocated.lowerEntry(curr.getKey());
        }
    }
}
