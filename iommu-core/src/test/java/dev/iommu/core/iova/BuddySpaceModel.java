/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The sequential specification of {@link IovaAllocatorLinearizabilityTest}'s exact space (no magazines): a buddy
 * allocator over the 8 pages of a 15-bit space with page 0 reserved, as {@link IovaAllocator} documents it (the
 * smallest free order that can yield the block, then the lowest address; a free coalesces with its buddy; the
 * free statuses of a live block of another order, of an unknown block and of a double free).
 */
public class BuddySpaceModel
{
    static final int ADDRESS_WIDTH = 15;
    private static final int MAX_ORDER = 3;

    private final Map<Integer, TreeSet<Long>> free = new HashMap<>();
    private final Map<Long, Integer> live = new HashMap<>();

    /**
     * The space after page 0 is reserved: blocks [1], [2, 4), [4, 8).
     */
    public BuddySpaceModel()
    {
        for (int k = 0; k <= MAX_ORDER; k++)
        {
            free.put(k, new TreeSet<>());
        }
        free.get(0).add(1L);
        free.get(1).add(2L);
        free.get(2).add(4L);
    }

    /**
     * @param pages 1 or 2.
     * @return the block's address or {@link IovaResult#NO_SPACE}.
     */
    public long allocate(final int pages)
    {
        final int k = IovaAllocator.orderOf(pages);
        for (int j = k; j <= MAX_ORDER; j++)
        {
            if (!free.get(j).isEmpty())
            {
                final long page = free.get(j).pollFirst();
                for (int split = j - 1; split >= k; split--)
                {
                    free.get(split).add(page + (1L << split));
                }
                live.put(page, k);
                return page << IovaAllocator.PAGE_SHIFT;
            }
        }
        return IovaResult.NO_SPACE;
    }

    /**
     * @param page  the block's first page.
     * @param pages the size given to free.
     * @return the {@link IovaResult}.
     */
    public int free(final int page, final int pages)
    {
        final Integer order = live.get((long)page);
        if (null == order)
        {
            return IovaResult.NOT_ALLOCATED;
        }
        if (order != IovaAllocator.orderOf(pages))
        {
            return IovaResult.WRONG_SIZE;
        }
        live.remove((long)page);
        long block = page;
        int k = order;
        while (k < MAX_ORDER && free.get(k).remove(block ^ (1L << k)))
        {
            block &= ~(1L << k);
            k++;
        }
        free.get(k).add(block);
        return IovaResult.SUCCESS;
    }
}
