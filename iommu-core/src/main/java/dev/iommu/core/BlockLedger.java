/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The logical mappings of an allocator domain, one entry per allocator block: which block a page belongs to and how
 * many of its pages are still mapped, so that the block goes back to the allocator exactly once, when its last
 * mapped page is unmapped (spec 5.4 item 22), however the unmaps are split across calls and threads.
 * <p>
 * Layout: a sparse three-level radix over page numbers (root, directory, leaf of 512 longs), leaves created on first
 * use with one CAS and never freed (their number is bounded by the span of addresses the allocator ever handed out).
 * One long per block, at the block's first page:
 * <pre>
 *    63                                                       6 5        0
 *   +----------------------------------------------------------+----------+
 *   |                  pages still mapped (58 bits)            |  order   |
 *   +----------------------------------------------------------+----------+
 *   0: no block starts here.
 * </pre>
 * Orderings: {@link #open} publishes an entry with a release store after the block's pages were mapped;
 * {@link #find} reads with acquire loads. {@link #release} is a CAS loop: the caller whose CAS takes the count to
 * zero (and the entry to 0 in the same CAS) is the only one that frees the block, so two threads unmapping
 * different pages of one block can never both free it. A caller releases only pages whose leaves its own unmap
 * cleared (a getAndSet each, so each page is counted off by exactly one caller); so a caller that reads a count no
 * larger than its own pages holds every page still counted, no other caller can write the entry any more, and it
 * clears the entry with a release store instead of the CAS (the single-page block's only path). The allocator relies on
 * this decision: the block is freed without a second arbitration ({@code IovaThreadCache.freeDecided}). An unmap of a
 * page whose map has not returned yet is a driver race; it finds no entry and accounts nothing.
 * <p>
 * Not final only so that a jcstress test can override the CAS step ({@link #casEntry}) in a broken variant;
 * production code never subclasses it.
 */
class BlockLedger
{
    static final int ORDER_BITS = 6;
    private static final long ORDER_MASK = (1L << ORDER_BITS) - 1;
    private static final int LEAF_BITS = 9;
    private static final int LEAF_SIZE = 1 << LEAF_BITS;
    private static final int DIR_BITS = 14;
    private static final int DIR_SIZE = 1 << DIR_BITS;

    private static final VarHandle LEAF = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle DIR = MethodHandles.arrayElementVarHandle(long[][].class);
    private static final VarHandle ROOT = MethodHandles.arrayElementVarHandle(long[][][].class);

    private final int maxOrder;
    private final long[][][] root;

    /**
     * @param pageBits the width of page numbers (address width - 12).
     */
    BlockLedger(final int pageBits)
    {
        this.maxOrder = pageBits;
        final int rootBits = Math.max(0, pageBits - LEAF_BITS - DIR_BITS);
        this.root = new long[1 << rootBits][][];
    }

    /**
     * @return the largest block order the ledger finds (the width of page numbers it was made for).
     */
    int maxOrder()
    {
        return maxOrder;
    }

    /**
     * Visits every recorded block in address order (tests and tools: quiescent ledgers only; racing changes may or
     * may not be seen).
     *
     * @param visitor receives each block.
     */
    void forEachBlock(final BlockVisitor visitor)
    {
        for (int r = 0; r < root.length; r++)
        {
            final long[][] dir = (long[][])ROOT.getAcquire(root, r);
            if (null == dir)
            {
                continue;
            }
            for (int d = 0; d < DIR_SIZE; d++)
            {
                final long[] leaf = (long[])DIR.getAcquire(dir, d);
                if (null == leaf)
                {
                    continue;
                }
                final long base = (((long)r << DIR_BITS) | d) << LEAF_BITS;
                for (int i = 0; i < LEAF_SIZE; i++)
                {
                    final long entry = (long)LEAF.getAcquire(leaf, i);
                    if (entry != 0)
                    {
                        visitor.block(base | i, (int)(entry & ORDER_MASK), entry >>> ORDER_BITS);
                    }
                }
            }
        }
    }

    /**
     * Records a mapped block.
     *
     * @param page        the block's first page, aligned to 2^order.
     * @param order       the block's order.
     * @param mappedPages how many of its pages the map call mapped, at least 1.
     */
    void open(final long page, final int order, final long mappedPages)
    {
        final long[] leaf = leaf(page, true);
        // Release: the pages were mapped before; whoever finds the entry (acquire) may unmap them.
        LEAF.setRelease(leaf, (int)(page & (LEAF_SIZE - 1)), (mappedPages << ORDER_BITS) | order);
    }

    /**
     * The block containing a page, with its order: {@code (first page << ORDER_BITS) | order}, so that the caller
     * needs one lookup, not two ({@link #start(long)} and {@link #orderOf(long)} take it apart).
     *
     * @param page a page number.
     * @return the packed block, or -1 when no mapped block contains the page.
     */
    long find(final long page)
    {
        return find(leafOf(page), page);
    }

    /**
     * {@link #find(long)} with the page's leaf already looked up: blocks of up to 2^9 pages start in that leaf, so a
     * small block costs no lookup here, and the caller can hand the same leaf to {@link #release(long[], long, long)}.
     *
     * @param leaf {@link #leafOf(long)} of {@code page} (null when absent).
     * @param page a page number.
     * @return the packed block, or -1 when no mapped block contains the page.
     */
    long find(final long[] leaf, final long page)
    {
        long previous = -1;
        for (int k = 0; k <= maxOrder; k++)
        {
            final long start = page & -(1L << k);
            if (start == previous)
            {
                continue;
            }
            previous = start;
            final long entry = k <= LEAF_BITS ?
                (null == leaf ? 0 : (long)LEAF.getAcquire(leaf, (int)(start & (LEAF_SIZE - 1)))) : get(start);
            if (entry != 0 && page - start < (1L << (int)(entry & ORDER_MASK)))
            {
                return (start << ORDER_BITS) | (entry & ORDER_MASK);
            }
        }
        return -1;
    }

    /**
     * The leaf holding a page's entry, for {@link #find(long[], long)} and {@link #release(long[], long, long)}.
     *
     * @param page a page number.
     * @return the leaf, or null when no block was ever recorded in its 512 pages.
     */
    long[] leafOf(final long page)
    {
        return leaf(page, false);
    }

    /**
     * Whether two pages' entries lie in the same leaf.
     *
     * @param a a page number.
     * @param b a page number.
     * @return true when one {@link #leafOf(long)} serves both.
     */
    static boolean sameLeaf(final long a, final long b)
    {
        return (a >>> LEAF_BITS) == (b >>> LEAF_BITS);
    }

    /**
     * @param found a value {@link #find(long)} returned (not -1).
     * @return the block's first page.
     */
    static long start(final long found)
    {
        return found >>> ORDER_BITS;
    }

    /**
     * @param found a value {@link #find(long)} returned (not -1).
     * @return the block's order.
     */
    static int orderOf(final long found)
    {
        return (int)(found & ORDER_MASK);
    }

    /**
     * The order of the block starting at a page, or -1 when none does.
     *
     * @param page a block's first page.
     * @return the order or -1.
     */
    int order(final long page)
    {
        final long entry = get(page);
        return entry == 0 ? -1 : (int)(entry & ORDER_MASK);
    }

    /**
     * Takes unmapped pages off a block's count.
     *
     * @param page     the block's first page (from {@link #find}).
     * @param unmapped pages this caller unmapped in the block, at least 1.
     * @return the block's order when this call took the count to zero (the caller must free the block), -1 when
     *     pages remain mapped, -2 when there is no entry (a driver race, nothing done).
     */
    int release(final long page, final long unmapped)
    {
        return release(leaf(page, false), page, unmapped);
    }

    /**
     * {@link #release(long, long)} with the block's leaf already looked up.
     *
     * @param leaf     {@link #leafOf(long)} of {@code page} (null when absent).
     * @param page     the block's first page (from {@link #find}).
     * @param unmapped pages this caller unmapped in the block, at least 1.
     * @return as {@link #release(long, long)}.
     */
    int release(final long[] leaf, final long page, final long unmapped)
    {
        if (null == leaf)
        {
            return -2;
        }
        final int index = (int)(page & (LEAF_SIZE - 1));
        while (true)
        {
            final long entry = (long)LEAF.getVolatile(leaf, index);
            if (entry == 0)
            {
                return -2;
            }
            final long remaining = (entry >>> ORDER_BITS) - unmapped;
            if (remaining <= 0)
            {
                // Every page still counted is one this caller cleared (class comment): no other caller writes the
                // entry again, so a release store decides; it orders the unmap before the next open of the block.
                LEAF.setRelease(leaf, index, 0L);
                return (int)(entry & ORDER_MASK);
            }
            // CAS: pages of other callers remain counted; of racing releases each takes its pages off exactly once.
            if (casEntry(leaf, index, entry, (remaining << ORDER_BITS) | (entry & ORDER_MASK)))
            {
                return -1;
            }
        }
    }

    /**
     * Takes pages off a count that other callers' pages are still part of: a CAS, so that of two callers releasing
     * pages of one block at once neither's update is lost (a lost one would leave the count above zero for good, and
     * the block would never go back to the allocator).
     *
     * @param leaf  the entry's leaf.
     * @param index the entry's index in it.
     * @param entry the value read.
     * @param next  the value with this caller's pages taken off (not 0).
     * @return whether the entry was still {@code entry} and is now {@code next}.
     */
    boolean casEntry(final long[] leaf, final int index, final long entry, final long next)
    {
        return LEAF.compareAndSet(leaf, index, entry, next);
    }

    /**
     * Receives the blocks of {@link #forEachBlock}.
     */
    @FunctionalInterface
    interface BlockVisitor
    {
        /**
         * One recorded block.
         *
         * @param page        its first page.
         * @param order       its order.
         * @param mappedPages its pages still mapped.
         */
        void block(long page, int order, long mappedPages);
    }

    private long get(final long page)
    {
        final long[] leaf = leaf(page, false);
        return null == leaf ? 0 : (long)LEAF.getAcquire(leaf, (int)(page & (LEAF_SIZE - 1)));
    }

    private long[] leaf(final long page, final boolean create)
    {
        final long leafIndex = page >>> LEAF_BITS;
        final int rootIndex = (int)(leafIndex >>> DIR_BITS);
        final int dirIndex = (int)(leafIndex & (DIR_SIZE - 1));
        if (rootIndex >= root.length)
        {
            return null;
        }
        long[][] dir = (long[][])ROOT.getAcquire(root, rootIndex);
        if (null == dir)
        {
            if (!create)
            {
                return null;
            }
            // Install with one CAS; the loser uses the winner's (its own array is garbage, lifecycle-rate only).
            final long[][] fresh = new long[DIR_SIZE][];
            dir = ROOT.compareAndSet(root, rootIndex, null, fresh) ? fresh : (long[][])ROOT.getAcquire(root, rootIndex);
        }
        long[] leaf = (long[])DIR.getAcquire(dir, dirIndex);
        if (null == leaf)
        {
            if (!create)
            {
                return null;
            }
            final long[] fresh = new long[LEAF_SIZE];
            leaf = DIR.compareAndSet(dir, dirIndex, null, fresh) ? fresh : (long[])DIR.getAcquire(dir, dirIndex);
        }
        return leaf;
    }
}
