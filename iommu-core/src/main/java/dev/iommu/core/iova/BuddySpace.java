/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

/**
 * The buddy discipline over pages [1, 2^pageBits) (or [0, 2^pageBits) when page 0 is usable): free blocks of order k
 * are 2^k pages aligned to 2^k, freed blocks merge with a free buddy of the same order. Unless page 0 is usable it is
 * never free, so no block ever contains it, and the largest block is half the space; else one block of order
 * pageBits is the whole space. Keeps no record of
 * what is allocated; the caller does. Not thread-safe: {@link IovaAllocator} holds its lock around every call.
 * <p>
 * Costs, with n free blocks and P = pageBits (at most 51): {@link #takeBlock} is at most P tree descents of
 * O(log n), whatever the bounds (no list is scanned); {@link #giveBlock} at most P exact lookups; the range
 * operations visit at most 2P + 2 free blocks (the free blocks inside a wholly free range all have their buddy
 * partly outside it, at most two per order).
 */
final class BuddySpace
{
    private final int pageBits;
    /** The largest order a free block may have: pageBits - 1, or pageBits when page 0 is usable. */
    private final int topOrder;
    private final FreeBlockTree tree;
    private long freePages;

    BuddySpace(final int pageBits, final int initialNodes)
    {
        this(pageBits, initialNodes, false);
    }

    BuddySpace(final int pageBits, final int initialNodes, final boolean pageZeroUsable)
    {
        this.pageBits = pageBits;
        this.topOrder = pageZeroUsable ? pageBits : pageBits - 1;
        this.tree = new FreeBlockTree(initialNodes);
        if (pageZeroUsable)
        {
            tree.insert(0, pageBits);
            freePages = 1L << pageBits;
            return;
        }
        // [1, 2^P) = {1} + [2, 4) + [4, 8) + ... + [2^(P-1), 2^P): one block of each order below P.
        for (int k = 0; k < pageBits; k++)
        {
            tree.insert(1L << k, k);
        }
        freePages = (1L << pageBits) - 1;
    }

    int pageBits()
    {
        return pageBits;
    }

    long freePages()
    {
        return freePages;
    }

    /**
     * @return the order of the largest free block, or -1 when nothing is free.
     */
    int largestFreeOrder()
    {
        final long mask = tree.orderMask();
        return mask == 0 ? -1 : 63 - Long.numberOfLeadingZeros(mask);
    }

    int freeBlockCount()
    {
        return tree.size();
    }

    FreeBlockTree tree()
    {
        return tree;
    }

    /**
     * Takes the lowest free block of the smallest order that can yield an aligned block of order k lying wholly in
     * [loPage, hiPageExclusive), splitting it; the unused halves stay free.
     *
     * @param k               the order wanted.
     * @param loPage          the lowest page the block may start at.
     * @param hiPageExclusive the page the block must end at or before.
     * @return the first page of the block, or -1 when none fits (nothing changed).
     */
    long takeBlock(final int k, final long loPage, final long hiPageExclusive)
    {
        final long size = 1L << k;
        final long m = (loPage + size - 1) & -size;
        if (m + size > hiPageExclusive)
        {
            return -1;
        }
        final long mask = tree.orderMask() >>> k;
        if (mask == 0)
        {
            return -1;
        }
        for (int j = k + Long.numberOfTrailingZeros(mask); j <= topOrder; j++)
        {
            if ((tree.orderMask() & (1L << j)) == 0)
            {
                continue;
            }
            // A block b of order j holds an aligned order-k block at or above m iff b + 2^j - 2^k >= m.
            final int node = tree.ceilingWithOrder(m - (1L << j) + size, j);
            if (node == FreeBlockTree.NIL)
            {
                continue;
            }
            final long b = tree.key(node);
            final long s = Math.max(b, m);
            if (s + size > hiPageExclusive)
            {
                // Every other order-j candidate starts higher still; try larger orders (they may start lower).
                continue;
            }
            tree.remove(b);
            splitAround(b, j, s, k);
            freePages -= size;
            return s;
        }
        return -1;
    }

    /**
     * Gives a block back, merging it with free buddies.
     *
     * @param page first page of the block (aligned to 2^k).
     * @param k    its order.
     */
    void giveBlock(final long page, final int k)
    {
        freePages += 1L << k;
        insertMerging(page, k);
    }

    /**
     * @param page  first page.
     * @param pages number of pages.
     * @return true when every page of [page, page + pages) is free.
     */
    boolean rangeFree(final long page, final long pages)
    {
        final long end = page + pages;
        long x = page;
        while (x < end)
        {
            final int node = tree.floor(x);
            if (node == FreeBlockTree.NIL)
            {
                return false;
            }
            final long blockEnd = tree.key(node) + (1L << tree.order(node));
            if (blockEnd <= x)
            {
                return false;
            }
            x = blockEnd;
        }
        return true;
    }

    /**
     * Takes an arbitrary page range out of the free space; every page of it must be free ({@link #rangeFree}).
     *
     * @param page  first page.
     * @param pages number of pages.
     */
    void takeRange(final long page, final long pages)
    {
        final long end = page + pages;
        long x = page;
        while (x < end)
        {
            final int node = tree.floor(x);
            final long b = tree.key(node);
            final int j = tree.order(node);
            final long blockEnd = b + (1L << j);
            tree.remove(b);
            if (b < page)
            {
                insertRange(b, page - b);
            }
            if (blockEnd > end)
            {
                insertRange(end, blockEnd - end);
            }
            x = blockEnd;
        }
        freePages -= pages;
    }

    /**
     * Gives an arbitrary page range back, as maximal aligned blocks, each merged with free buddies.
     *
     * @param page  first page.
     * @param pages number of pages.
     */
    void giveRange(final long page, final long pages)
    {
        final long end = page + pages;
        long x = page;
        while (x < end)
        {
            final int k = largestAlignedOrder(x, end);
            insertMerging(x, k);
            x += 1L << k;
        }
        freePages += pages;
    }

    /**
     * Gives back a gap whose neighbouring pages on both sides are not free, as its maximal aligned pieces, without
     * looking for buddies to merge with: no piece has a wholly free buddy. A buddy is adjacent and of the same size,
     * so one outside the gap holds a neighbouring page; and the greedy split never leaves a piece whose buddy lies
     * wholly in the gap (the piece's left buddy would have been reached with at least the pair's alignment and room,
     * and taken with it; so would the piece itself with its right buddy).
     *
     * @param page  first page of the gap.
     * @param pages number of pages.
     */
    void giveGap(final long page, final long pages)
    {
        insertRange(page, pages);
        freePages += pages;
    }

    private void insertRange(final long page, final long pages)
    {
        // Pieces of one maximal free block: their buddies are never wholly free, so no merging is needed.
        final long end = page + pages;
        long x = page;
        while (x < end)
        {
            final int k = largestAlignedOrder(x, end);
            tree.insert(x, k);
            x += 1L << k;
        }
    }

    private static int largestAlignedOrder(final long x, final long end)
    {
        final int byAlignment = Long.numberOfTrailingZeros(x);
        final int byLength = 63 - Long.numberOfLeadingZeros(end - x);
        return Math.min(byAlignment, byLength);
    }

    private void insertMerging(final long start, final int order)
    {
        long page = start;
        int k = order;
        while (k < topOrder)
        {
            final long buddy = page ^ (1L << k);
            if (!tree.removeIfOrder(buddy, k))
            {
                break;
            }
            page &= buddy;
            k++;
        }
        tree.insert(page, k);
    }

    private void splitAround(final long block, final int order, final long target, final int k)
    {
        long b = block;
        int j = order;
        while (j > k)
        {
            j--;
            final long half = 1L << j;
            if (target >= b + half)
            {
                tree.insert(b, j);
                b += half;
            }
            else
            {
                tree.insert(b + half, j);
            }
        }
    }
}
