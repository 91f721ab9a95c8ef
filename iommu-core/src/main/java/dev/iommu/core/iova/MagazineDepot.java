/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

/**
 * The shared depot behind the thread caches: per cached order, up to {@code limit} full magazines and a pool of
 * empty ones. Magazines are exchanged, not copied, so steady state allocates nothing; a full magazine arriving
 * when the depot already holds {@code limit} is emptied into the buddy space at once (the trim that bounds cached
 * space). Guarded by the allocator's lock.
 * <p>
 * Not final only so that a jcstress test can override one named step ({@link #newEmptyMagazine}) in a broken
 * variant; production code never subclasses it.
 */
class MagazineDepot
{
    /**
     * Makes a depot (the allocator's constructor takes one, so that a jcstress test can pass a broken variant).
     */
    @FunctionalInterface
    interface Factory
    {
        /**
         * @param maxOrder the highest cached order.
         * @param limit    full magazines kept per order.
         * @param capacity blocks per magazine.
         * @return the depot.
         */
        MagazineDepot create(int maxOrder, int limit, int capacity);
    }

    private final int limit;
    private final int capacity;
    private final long[][][] full;
    private final int[] fullCount;
    private final long[][][] empty;
    private final int[] emptyCount;

    MagazineDepot(final int maxOrder, final int limit, final int capacity)
    {
        this.limit = limit;
        this.capacity = capacity;
        full = new long[maxOrder + 1][limit][];
        fullCount = new int[maxOrder + 1];
        empty = new long[maxOrder + 1][limit][];
        emptyCount = new int[maxOrder + 1];
    }

    /**
     * Takes a full magazine of order k in exchange for an empty one.
     *
     * @param emptyIn the caller's empty magazine.
     * @return a full magazine (of {@code capacity} blocks), or null when the depot has none (emptyIn not taken).
     */
    long[] exchangeEmpty(final int k, final long[] emptyIn)
    {
        final int n = fullCount[k];
        if (n == 0)
        {
            return null;
        }
        final long[] result = full[k][n - 1];
        full[k][n - 1] = null;
        fullCount[k] = n - 1;
        if (emptyCount[k] < limit)
        {
            empty[k][emptyCount[k]++] = emptyIn;
        }
        return result;
    }

    /**
     * Hands in a full magazine of order k and gets an empty one back.
     *
     * @param fullIn a magazine holding {@code capacity} blocks.
     * @return an empty magazine: a pooled one, or fullIn itself after its blocks went back to the buddy space.
     */
    long[] exchangeFull(final int k, final long[] fullIn, final BuddySpace space)
    {
        if (fullCount[k] == limit || emptyCount[k] == 0)
        {
            if (fullCount[k] < limit)
            {
                // No pooled empty magazine yet: keep fullIn and grow the pool by one (bounded by the limit).
                full[k][fullCount[k]++] = fullIn;
                return newEmptyMagazine(fullIn);
            }
            for (int i = 0; i < capacity; i++)
            {
                space.giveBlock(fullIn[i], k);
            }
            return fullIn;
        }
        full[k][fullCount[k]++] = fullIn;
        final long[] result = empty[k][--emptyCount[k]];
        empty[k][emptyCount[k]] = null;
        return result;
    }

    /**
     * A new empty magazine for a thread whose full one the depot just kept. Always a new array: the kept one now
     * belongs to the depot (and, once exchanged, to another thread), so its blocks are free exactly once.
     *
     * @param kept the full magazine the depot kept (never returned).
     * @return an empty magazine of {@code capacity} slots.
     */
    long[] newEmptyMagazine(final long[] kept)
    {
        return new long[capacity];
    }

    /**
     * Gives every block of every full magazine back to the buddy space.
     */
    void drainTo(final BuddySpace space)
    {
        for (int k = 0; k < fullCount.length; k++)
        {
            while (fullCount[k] > 0)
            {
                final long[] m = full[k][--fullCount[k]];
                full[k][fullCount[k]] = null;
                for (int i = 0; i < capacity; i++)
                {
                    space.giveBlock(m[i], k);
                }
                if (emptyCount[k] < limit)
                {
                    empty[k][emptyCount[k]++] = m;
                }
            }
        }
    }

    long cachedPages()
    {
        long pages = 0;
        for (int k = 0; k < fullCount.length; k++)
        {
            pages += ((long)fullCount[k] * capacity) << k;
        }
        return pages;
    }
}
