/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.HashSet;
import java.util.Set;

/**
 * The sequential specification of {@link IovaAllocatorLinearizabilityTest}'s magazine path: one-page blocks of a
 * large space served from per-thread magazines, as {@link IovaAllocator} and {@link IovaThreadCache} document them.
 * A thread whose two magazines are empty refills one from the space (the lowest free pages, lowest on top: the
 * space hands out pages in ascending order because frees go to magazines, not back); a free that wins the block
 * pushes it on the freeing thread's magazine (swapping in the empty spare when full); a free of a block that is
 * not live is {@link IovaResult#NOT_ALLOCATED}. Which thread calls is an operation argument (Lincheck's thread id).
 */
public class MagazineSpaceModel
{
    static final int ADDRESS_WIDTH = 16;
    static final int MAGAZINE_CAPACITY = 4;
    private static final int THREADS = 4;

    private final long[][] loaded = new long[THREADS][MAGAZINE_CAPACITY];
    private final long[][] previous = new long[THREADS][MAGAZINE_CAPACITY];
    private final int[] loadedCount = new int[THREADS];
    private final int[] previousCount = new int[THREADS];
    private final Set<Long> live = new HashSet<>();
    private long nextFreePage = 1;

    /**
     * @param thread the calling thread.
     * @return the block's address.
     */
    public long allocate(final int thread)
    {
        if (loadedCount[thread] == 0)
        {
            if (previousCount[thread] == 0)
            {
                return refill(thread);
            }
            swap(thread);
        }
        final long page = loaded[thread][--loadedCount[thread]];
        live.add(page);
        return page << IovaAllocator.PAGE_SHIFT;
    }

    /**
     * @param thread the calling thread.
     * @param page   the block.
     * @return {@link IovaResult#SUCCESS} or {@link IovaResult#NOT_ALLOCATED}.
     */
    public int free(final int thread, final int page)
    {
        if (!live.remove((long)page))
        {
            return IovaResult.NOT_ALLOCATED;
        }
        if (loadedCount[thread] == MAGAZINE_CAPACITY)
        {
            if (previousCount[thread] != 0)
            {
                throw new IllegalStateException("scenario too long for the model: depot exchange");
            }
            swap(thread);
        }
        loaded[thread][loadedCount[thread]++] = page;
        return IovaResult.SUCCESS;
    }

    private long refill(final int thread)
    {
        final long first = nextFreePage++;
        final int more = MAGAZINE_CAPACITY - 1;
        for (int i = more - 1; i >= 0; i--)
        {
            loaded[thread][i] = nextFreePage + (more - 1 - i);
        }
        nextFreePage += more;
        loadedCount[thread] = more;
        live.add(first);
        return first << IovaAllocator.PAGE_SHIFT;
    }

    private void swap(final int thread)
    {
        final long[] magazine = loaded[thread];
        loaded[thread] = previous[thread];
        previous[thread] = magazine;
        final int count = loadedCount[thread];
        loadedCount[thread] = previousCount[thread];
        previousCount[thread] = count;
    }
}
