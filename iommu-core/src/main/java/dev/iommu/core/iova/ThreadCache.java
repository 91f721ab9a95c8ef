/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.Arrays;

/**
 * One thread's magazines (Bonwick's design, as in Linux iova.c's rcaches): per cached order a loaded and a previous
 * magazine, each a {@code long[]} of first pages used as a stack. Only the owner thread touches the stacks, with
 * plain loads and stores; the only exception is {@link IovaAllocator} draining the cache of a thread that has
 * terminated (Thread.isAlive() returning false happens-after the thread's last action, JLS 17.4.4) or the owner
 * draining its own. {@link #cachedPages()} reads the counts racily for statistics only.
 */
final class ThreadCache
{
    final Thread owner;
    final long[][] loaded;
    final int[] loadedCount;
    final long[][] previous;
    final int[] previousCount;
    /** Per order, the live-bitmap leaf last used and its index, so the common case skips the radix walk. */
    final long[][] leaves;
    final long[] leafIndexes;
    private final int capacity;

    ThreadCache(final Thread owner, final int maxOrder, final int capacity)
    {
        this.owner = owner;
        this.capacity = capacity;
        loaded = new long[maxOrder + 1][capacity];
        previous = new long[maxOrder + 1][capacity];
        loadedCount = new int[maxOrder + 1];
        previousCount = new int[maxOrder + 1];
        leaves = new long[maxOrder + 1][];
        leafIndexes = new long[maxOrder + 1];
        Arrays.fill(leafIndexes, -1);
    }

    /**
     * Pops the most recently cached block of order k if it lies in [loPage, hiPageExclusive).
     *
     * @return its first page, or -1 (nothing changed except possibly swapping an empty loaded magazine for a
     *     full previous one).
     */
    long pop(final int k, final long loPage, final long hiPageExclusive)
    {
        int n = loadedCount[k];
        if (n == 0)
        {
            if (previousCount[k] == 0)
            {
                return -1;
            }
            swap(k);
            n = loadedCount[k];
        }
        final long page = loaded[k][n - 1];
        if (page < loPage || page + (1L << k) > hiPageExclusive)
        {
            return -1;
        }
        loadedCount[k] = n - 1;
        return page;
    }

    /**
     * Pushes a freed block of order k.
     *
     * @return false when both magazines are full (the caller exchanges one with the depot).
     */
    boolean push(final int k, final long page)
    {
        int n = loadedCount[k];
        if (n == capacity)
        {
            if (previousCount[k] != 0)
            {
                return false;
            }
            swap(k);
            n = 0;
        }
        loaded[k][n] = page;
        loadedCount[k] = n + 1;
        return true;
    }

    boolean bothEmpty(final int k)
    {
        return loadedCount[k] == 0 && previousCount[k] == 0;
    }

    long cachedPages()
    {
        long pages = 0;
        for (int k = 0; k < loadedCount.length; k++)
        {
            pages += (long)(loadedCount[k] + previousCount[k]) << k;
        }
        return pages;
    }

    /**
     * Gives every cached block back to the buddy space (owner thread, or a terminated owner; caller holds the lock).
     */
    void drainTo(final BuddySpace space)
    {
        for (int k = 0; k < loadedCount.length; k++)
        {
            for (int i = 0; i < loadedCount[k]; i++)
            {
                space.giveBlock(loaded[k][i], k);
            }
            for (int i = 0; i < previousCount[k]; i++)
            {
                space.giveBlock(previous[k][i], k);
            }
            loadedCount[k] = 0;
            previousCount[k] = 0;
        }
    }

    private void swap(final int k)
    {
        final long[] m = loaded[k];
        loaded[k] = previous[k];
        previous[k] = m;
        final int c = loadedCount[k];
        loadedCount[k] = previousCount[k];
        previousCount[k] = c;
    }
}
