/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

/**
 * Where the live bit of a small block lives in {@link LiveBlockMap}. For a block of order k at page p the slot is
 * s = p &gt;&gt;&gt; k; the high bits of s walk the radix (root, mid, dir) to a leaf of 512 longs (4 KiB, 64 cache
 * lines of 8 longs); the low 15 bits pick one bit of the leaf, swizzled so that consecutive slots fall in different
 * cache lines (a magazine refill gives a thread a run of consecutive blocks, and two threads on neighbouring runs
 * must not fight over one line with their atomic operations).
 * <pre>
 *   slot s: | root index | mid index (12) | dir index (12) | bit in word (6) | word in line (3) | line (6) |
 *   word index in leaf = line * 8 + word in line
 * </pre>
 */
final class LiveSlotDescriptor
{
    static final int LEAF_BITS = 15;
    static final int LEAF_LONGS = 1 << (LEAF_BITS - 6);
    static final int LEVEL_BITS = 12;
    static final int LEVEL_MASK = (1 << LEVEL_BITS) - 1;

    private LiveSlotDescriptor()
    {
    }

    static long leafIndex(final long slot)
    {
        return slot >>> LEAF_BITS;
    }

    static int wordIndex(final long slot)
    {
        return (((int)slot & 63) << 3) | (((int)slot >>> 6) & 7);
    }

    static long bit(final long slot)
    {
        return 1L << (slot >>> 9);
    }

    static int rootIndex(final long leafIndex)
    {
        return (int)(leafIndex >>> (2 * LEVEL_BITS));
    }

    static int midIndex(final long leafIndex)
    {
        return (int)(leafIndex >>> LEVEL_BITS) & LEVEL_MASK;
    }

    static int dirIndex(final long leafIndex)
    {
        return (int)leafIndex & LEVEL_MASK;
    }
}
