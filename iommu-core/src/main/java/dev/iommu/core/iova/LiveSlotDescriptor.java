/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

/**
 * Where the live byte of a small block lives in {@link LiveBlockMap}. For a block of order k at page p the slot is
 * s = p &gt;&gt;&gt; k; the high bits of s walk the radix (root, mid, dir) to a leaf of 4,096 bytes (64 cache lines
 * of 64 bytes), one byte per slot; the low 12 bits pick the byte, swizzled so that consecutive slots fall in
 * different cache lines (a magazine refill gives a thread a run of consecutive blocks, and two threads on
 * neighbouring runs must not fight over one line).
 * <pre>
 *   slot s: | root index | mid index (12) | dir index (12) | byte in line (6) | line (6) |
 *   byte index in leaf = line * 64 + byte in line
 * </pre>
 * A byte, not a bit, per slot: a byte has no neighbours sharing its word, so marking a block live is a plain
 * store (only its owner may write a 0 byte, see {@link LiveBlockMap}) and only the free needs an atomic.
 */
final class LiveSlotDescriptor
{
    static final int LEAF_BITS = 12;
    static final int LEAF_BYTES = 1 << LEAF_BITS;
    static final int LEVEL_BITS = 12;
    static final int LEVEL_MASK = (1 << LEVEL_BITS) - 1;
    /** The byte of a live block. */
    static final byte LIVE = 1;
    /** The byte of a block that is not live (free, cached, or part of another block). */
    static final byte NOT_LIVE = 0;

    private LiveSlotDescriptor()
    {
    }

    static long leafIndex(final long slot)
    {
        return slot >>> LEAF_BITS;
    }

    static int byteIndex(final long slot)
    {
        return (((int)slot & 63) << 6) | (((int)slot >>> 6) & 63);
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
