/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.Arrays;

/**
 * One thread's magazines (Bonwick's design, as in Linux iova.c's rcaches), and the handle a thread may keep to
 * call its {@link IovaAllocator} without the per-call thread lookup ({@link IovaAllocator#threadCache()}, like a
 * JCTools or Agrona per-thread context).
 * <p>
 * Per cached order a loaded and a previous magazine, each a {@code long[]} of first pages used as a stack. Only the
 * owner thread touches the stacks, with plain loads and stores; the only exception is {@link IovaAllocator}
 * draining the cache of a thread that has terminated (Thread.isAlive() returning false happens-after the thread's
 * last action, JLS 17.4.4) or the owner draining its own. {@link #cachedPages()} reads the counts racily for
 * statistics only.
 * <p>
 * {@link #allocate} and {@link #free} behave exactly as {@link IovaAllocator#allocate} and
 * {@link IovaAllocator#free}. Called by a thread other than the owner (a handle passed on by mistake), they do not
 * touch this cache: they go through the allocator's own lookup for the calling thread, so misuse costs speed, never
 * correctness.
 */
public final class IovaThreadCache
{
    final IovaAllocator allocator;
    final Thread owner;
    final long[][] loaded;
    final int[] loadedCount;
    final long[][] previous;
    final int[] previousCount;
    /** Per order, the live-byte-map leaf last used and its index, so the common case skips the radix walk. */
    final byte[][] leaves;
    final long[] leafIndexes;
    /** The chunk this thread refills from first (-1: none yet; owner only). */
    int chunk = -1;
    /** Where in the active chunk list this thread's last search ended (owner only; first set at registration). */
    int chunkCursor;
    /**
     * The bitmap word a refill from a chunk starts at: the n-th thread registered with the allocator starts at word
     * 8n, a cache line of its own when the chunk has enough (set at registration, before the owner's first refill).
     */
    int chunkWordStart;
    private final int capacity;

    IovaThreadCache(final IovaAllocator allocator, final Thread owner, final int maxOrder, final int capacity)
    {
        this.allocator = allocator;
        this.owner = owner;
        this.capacity = capacity;
        loaded = new long[maxOrder + 1][capacity];
        previous = new long[maxOrder + 1][capacity];
        loadedCount = new int[maxOrder + 1];
        previousCount = new int[maxOrder + 1];
        leaves = new byte[maxOrder + 1][];
        leafIndexes = new long[maxOrder + 1];
        Arrays.fill(leafIndexes, -1);
    }

    /**
     * Allocates as {@link IovaAllocator#allocate(long, long, long)} does.
     *
     * @param pages      the size in pages (at least 1).
     * @param minAddress the lowest byte the block may cover ({@link IovaAllocator#NO_MIN} for none).
     * @param maxAddress the highest byte the block may cover ({@link IovaAllocator#NO_MAX} for none).
     * @return the block's address (positive; 0 only when page 0 is usable), or a negative {@link IovaResult} code.
     */
    public long allocate(final long pages, final long minAddress, final long maxAddress)
    {
        // currentThread() is one load from the thread register: the owner check is what makes a leaked handle safe.
        return allocator.allocate(Thread.currentThread() == owner ? this : allocator.cacheOfCurrentThread(), pages,
            minAddress, maxAddress);
    }

    /**
     * Frees as {@link IovaAllocator#free(long, long)} does.
     *
     * @param address the address an allocate call returned.
     * @param pages   the size (see {@link IovaAllocator#free(long, long)}).
     * @return {@link IovaResult#SUCCESS} or a negative {@link IovaResult} code; a refused free changes nothing.
     */
    public int free(final long address, final long pages)
    {
        return allocator.free(Thread.currentThread() == owner ? this : allocator.cacheOfCurrentThread(), address,
            pages);
    }

    /**
     * Frees a block whose free the caller's own bookkeeping decided, once, as {@link IovaAllocator#freeDecided} does:
     * no other free of it may run (for example a mapping domain's block ledger, whose last unmap of a block is the
     * only one to free it). Without that guarantee, call {@link #free}.
     *
     * @param address the block's address, as an allocate call returned it.
     * @param pages   the requested size or any size rounding to the same power of two.
     * @return {@link IovaResult#SUCCESS} or a negative {@link IovaResult} code, as {@link #free}.
     */
    public int freeDecided(final long address, final long pages)
    {
        return allocator.freeDecided(Thread.currentThread() == owner ? this : allocator.cacheOfCurrentThread(),
            address, pages);
    }

    /**
     * @return the allocator this cache belongs to.
     */
    public IovaAllocator allocator()
    {
        return allocator;
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
     * Hands out the lowest of the n blocks a refill just put, ascending, into the empty loaded magazine of order k,
     * and keeps the others there so that the lowest addresses pop first (the magazine is a stack).
     *
     * @param k the order.
     * @param n how many blocks the refill put there (at least 1).
     * @return the first page of the lowest block.
     */
    long popRefilled(final int k, final int n)
    {
        final long[] magazine = loaded[k];
        for (int i = 0, j = n - 1; i < j; i++, j--)
        {
            final long t = magazine[i];
            magazine[i] = magazine[j];
            magazine[j] = t;
        }
        loadedCount[k] = n - 1;
        return magazine[n - 1];
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
     * Gives every cached block back where it came from (owner thread, or a terminated owner; caller holds the
     * lock).
     */
    void drainTo(final IovaAllocator allocator)
    {
        for (int k = 0; k < loadedCount.length; k++)
        {
            for (int i = 0; i < loadedCount[k]; i++)
            {
                allocator.giveBackLocked(loaded[k][i], k);
            }
            for (int i = 0; i < previousCount[k]; i++)
            {
                allocator.giveBackLocked(previous[k][i], k);
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
