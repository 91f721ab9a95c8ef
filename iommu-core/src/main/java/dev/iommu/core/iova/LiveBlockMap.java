/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which small blocks (orders 0 to {@code maxOrder}) are allocated: one bit per aligned slot of each order, in a
 * sparse three-level radix of {@code long[]} leaves created on first use and never freed (their number is bounded
 * by the span of addresses ever handed out). Lock-free; this is what lets a thread free a block into its own
 * magazine without a lock and still refuse a double free or a wrong size.
 * <p>
 * Layout: {@link LiveSlotDescriptor}.
 * <p>
 * Orderings: a leaf or directory is published with a CAS (volatile semantics) and read with an acquire load, so a
 * reader sees it zeroed or with later bits, never uninitialised. A bit is set with getAndBitwiseOr (volatile) when
 * the block is handed to a caller and cleared with getAndBitwiseAnd (volatile) on free; the old value returned by
 * the clear is what decides "was live", so of two racing frees of one block exactly one sees the bit and succeeds.
 * Atomic read-modify-writes are needed, not plain stores, because the other 63 bits of the word belong to other
 * blocks that other threads may be changing at the same time.
 */
final class LiveBlockMap
{
    static final int LEAF_BITS = LiveSlotDescriptor.LEAF_BITS;
    private static final int LEAF_LONGS = LiveSlotDescriptor.LEAF_LONGS;
    private static final int LEVEL_BITS = LiveSlotDescriptor.LEVEL_BITS;

    private static final VarHandle LEAF = MethodHandles.arrayElementVarHandle(long[].class);
    /** Elements of a dir: leaves. */
    private static final VarHandle DIR = MethodHandles.arrayElementVarHandle(long[][].class);
    /** Elements of a mid: dirs. */
    private static final VarHandle MID = MethodHandles.arrayElementVarHandle(long[][][].class);
    /** Elements of a root: mids. */
    private static final VarHandle ROOT = MethodHandles.arrayElementVarHandle(long[][][][].class);

    private final int maxOrder;
    private final long[][][][][] roots;

    LiveBlockMap(final int pageBits, final int maxOrder)
    {
        this.maxOrder = maxOrder;
        roots = new long[maxOrder + 1][][][][];
        for (int k = 0; k <= maxOrder; k++)
        {
            final int leafIndexBits = Math.max(0, pageBits - k - LEAF_BITS);
            final int rootBits = Math.max(0, leafIndexBits - 2 * LEVEL_BITS);
            roots[k] = new long[1 << rootBits][][][];
        }
    }

    int maxOrder()
    {
        return maxOrder;
    }

    /**
     * Marks a block live.
     *
     * @param page first page, aligned to 2^order.
     * @param order at most {@link #maxOrder()}.
     * @return true if it was not live before (false means a bookkeeping error by the caller).
     */
    boolean setLive(final long page, final int order)
    {
        final long slot = page >>> order;
        return setLive(leaf(order, slot >>> LEAF_BITS, true), slot);
    }

    /**
     * Clears a block's live bit if it is set.
     *
     * @param page first page, aligned to 2^order.
     * @param order at most {@link #maxOrder()}.
     * @return true if it was live (and now is not); false changes nothing.
     */
    boolean clearLive(final long page, final int order)
    {
        final long slot = page >>> order;
        final long[] leaf = leaf(order, slot >>> LEAF_BITS, false);
        return leaf != null && clearLive(leaf, slot);
    }

    /**
     * @param page first page, aligned to 2^order.
     * @param order at most {@link #maxOrder()}.
     * @return whether the block is live (an acquire read; for diagnosis and tests).
     */
    boolean isLive(final long page, final int order)
    {
        final long slot = page >>> order;
        final long[] leaf = leaf(order, slot >>> LEAF_BITS, false);
        if (leaf == null)
        {
            return false;
        }
        return ((long)LEAF.getAcquire(leaf, wordIndex(slot)) & bit(slot)) != 0;
    }

    /**
     * @param order at most {@link #maxOrder()}.
     * @param leafIndex slot &gt;&gt;&gt; {@link #LEAF_BITS}.
     * @return the leaf, created if absent (so that a thread may keep it and skip the radix walk).
     */
    long[] leafFor(final int order, final long leafIndex)
    {
        return leaf(order, leafIndex, true);
    }

    /**
     * @param order at most {@link #maxOrder()}.
     * @param leafIndex slot &gt;&gt;&gt; {@link #LEAF_BITS}.
     * @return the leaf, or null when no block in its range was ever allocated (frees must not create leaves).
     */
    long[] leafIfPresent(final int order, final long leafIndex)
    {
        return leaf(order, leafIndex, false);
    }

    /**
     * Sets a slot's bit in a leaf (see {@link #setLive(long, int)}).
     */
    static boolean setLive(final long[] leaf, final long slot)
    {
        final long bit = bit(slot);
        // getAndBitwiseOr: volatile RMW; only this block's bit changes, neighbours' concurrent RMWs are kept.
        return ((long)LEAF.getAndBitwiseOr(leaf, wordIndex(slot), bit) & bit) == 0;
    }

    /**
     * Clears a slot's bit in a leaf (see {@link #clearLive(long, int)}).
     */
    static boolean clearLive(final long[] leaf, final long slot)
    {
        final long bit = bit(slot);
        // getAndBitwiseAnd: volatile RMW; the returned old word decides the winner of two racing frees.
        return ((long)LEAF.getAndBitwiseAnd(leaf, wordIndex(slot), ~bit) & bit) != 0;
    }

    private static int wordIndex(final long slot)
    {
        return LiveSlotDescriptor.wordIndex(slot);
    }

    private static long bit(final long slot)
    {
        return LiveSlotDescriptor.bit(slot);
    }

    private long[] leaf(final int order, final long leafIndex, final boolean create)
    {
        final long[][][][] root = roots[order];
        final int rootIndex = LiveSlotDescriptor.rootIndex(leafIndex);
        long[][][] mid = (long[][][])ROOT.getAcquire(root, rootIndex);
        if (mid == null)
        {
            if (!create)
            {
                return null;
            }
            final long[][][] fresh = new long[1 << LEVEL_BITS][][];
            // CAS publishes the zeroed array (volatile semantics); a loser uses the winner's.
            final Object witness = ROOT.compareAndExchange(root, rootIndex, (long[][][])null, fresh);
            mid = witness == null ? fresh : (long[][][])witness;
        }
        final int midIndex = LiveSlotDescriptor.midIndex(leafIndex);
        long[][] dir = (long[][])MID.getAcquire(mid, midIndex);
        if (dir == null)
        {
            if (!create)
            {
                return null;
            }
            final long[][] fresh = new long[1 << LEVEL_BITS][];
            final Object witness = MID.compareAndExchange(mid, midIndex, (long[][])null, fresh);
            dir = witness == null ? fresh : (long[][])witness;
        }
        final int dirIndex = LiveSlotDescriptor.dirIndex(leafIndex);
        long[] leaf = (long[])DIR.getAcquire(dir, dirIndex);
        if (leaf == null)
        {
            if (!create)
            {
                return null;
            }
            final long[] fresh = new long[LEAF_LONGS];
            final Object witness = DIR.compareAndExchange(dir, dirIndex, (long[])null, fresh);
            leaf = witness == null ? fresh : (long[])witness;
        }
        return leaf;
    }
}
