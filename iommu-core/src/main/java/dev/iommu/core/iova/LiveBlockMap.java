/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which small blocks (orders 0 to {@code maxOrder}) are allocated: one byte per aligned slot of each order, in a
 * sparse three-level radix of {@code byte[]} leaves created on first use and never freed (their number is bounded
 * by the span of addresses ever handed out). Lock-free; this is what lets a thread free a block into its own
 * magazine without a lock and still refuse a double free or a wrong size.
 * <p>
 * Layout: {@link LiveSlotDescriptor}.
 * <p>
 * Orderings: a leaf or directory is published with a CAS (volatile semantics) and read with an acquire load, so a
 * reader sees it zeroed or with later bytes, never uninitialised. A byte goes from {@code LIVE} to
 * {@code NOT_LIVE} by a CAS (volatile) on free: of two racing frees of one block exactly one CAS succeeds; or by a
 * release store when the caller's own bookkeeping decided, once, that no other free of the block runs
 * ({@link #clearLiveDecided}).
 * It goes from {@code NOT_LIVE} to {@code LIVE} by a release store when the block is handed to a caller, and no
 * CAS is needed there: a block being handed out is owned by the allocating thread alone (popped from its own
 * magazine or taken from the buddy space under the lock), and the CAS that last cleared its byte happens-before
 * that hand-out (through the lock that moved the block between threads, or program order when it never left the
 * thread), so the store cannot overwrite a newer value. A racing wrong free of a block being handed out sees either
 * {@code NOT_LIVE} (refused) or {@code LIVE} (the free is ordered after the allocation). One byte per slot is what
 * makes the plain store possible: with bits, other threads' read-modify-writes of neighbouring bits in the word
 * would be lost.
 */
final class LiveBlockMap
{
    static final int LEAF_BITS = LiveSlotDescriptor.LEAF_BITS;
    private static final int LEAF_BYTES = LiveSlotDescriptor.LEAF_BYTES;
    private static final int LEVEL_BITS = LiveSlotDescriptor.LEVEL_BITS;

    private static final VarHandle LEAF = MethodHandles.arrayElementVarHandle(byte[].class);
    /** Elements of a dir: leaves. */
    private static final VarHandle DIR = MethodHandles.arrayElementVarHandle(byte[][].class);
    /** Elements of a mid: dirs. */
    private static final VarHandle MID = MethodHandles.arrayElementVarHandle(byte[][][].class);
    /** Elements of a root: mids. */
    private static final VarHandle ROOT = MethodHandles.arrayElementVarHandle(byte[][][][].class);
    private static final byte LIVE = LiveSlotDescriptor.LIVE;
    private static final byte NOT_LIVE = LiveSlotDescriptor.NOT_LIVE;

    private final int maxOrder;
    private final byte[][][][][] roots;

    LiveBlockMap(final int pageBits, final int maxOrder)
    {
        this.maxOrder = maxOrder;
        roots = new byte[maxOrder + 1][][][][];
        for (int k = 0; k <= maxOrder; k++)
        {
            final int leafIndexBits = Math.max(0, pageBits - k - LEAF_BITS);
            final int rootBits = Math.max(0, leafIndexBits - 2 * LEVEL_BITS);
            roots[k] = new byte[1 << rootBits][][][];
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
     * @return true if it was not live before (false means a bookkeeping error by the caller; nothing changed).
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
        final byte[] leaf = leaf(order, slot >>> LEAF_BITS, false);
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
        final byte[] leaf = leaf(order, slot >>> LEAF_BITS, false);
        if (leaf == null)
        {
            return false;
        }
        return (byte)LEAF.getAcquire(leaf, byteIndex(slot)) == LIVE;
    }

    /**
     * @param order at most {@link #maxOrder()}.
     * @param leafIndex slot &gt;&gt;&gt; {@link #LEAF_BITS}.
     * @return the leaf, created if absent (so that a thread may keep it and skip the radix walk).
     */
    byte[] leafFor(final int order, final long leafIndex)
    {
        return leaf(order, leafIndex, true);
    }

    /**
     * @param order at most {@link #maxOrder()}.
     * @param leafIndex slot &gt;&gt;&gt; {@link #LEAF_BITS}.
     * @return the leaf, or null when no block in its range was ever allocated (frees must not create leaves).
     */
    byte[] leafIfPresent(final int order, final long leafIndex)
    {
        return leaf(order, leafIndex, false);
    }

    /**
     * Marks a slot live in a leaf (see {@link #setLive(long, int)}); the caller owns the block (see above).
     *
     * @return true if it was not live (false means a bookkeeping error by the caller; nothing changed).
     */
    static boolean setLive(final byte[] leaf, final long slot)
    {
        final int index = byteIndex(slot);
        // Opaque read: only the owner writes a NOT_LIVE byte, so this sees the latest value or a bookkeeping bug.
        if ((byte)LEAF.getOpaque(leaf, index) != NOT_LIVE)
        {
            return false;
        }
        // Release store, no CAS: the clearing CAS happens-before this hand-out (class comment); a byte has no
        // neighbour in its word whose concurrent update a plain store could lose.
        LEAF.setRelease(leaf, index, LIVE);
        return true;
    }

    /**
     * Clears a slot in a leaf if it is live (see {@link #clearLive(long, int)}).
     */
    static boolean clearLive(final byte[] leaf, final long slot)
    {
        // CAS (volatile): of two racing frees of one block exactly one moves LIVE to NOT_LIVE and wins.
        return LEAF.compareAndSet(leaf, byteIndex(slot), LIVE, NOT_LIVE);
    }

    /**
     * Clears a slot in a leaf whose block the caller alone frees (see {@link IovaAllocator#freeDecided}): an opaque
     * read that the slot is live, then a release store, no CAS. Only the caller can write the byte now: the block is
     * live, so no allocation hands it out, and the caller's own bookkeeping decided that no other free of it runs.
     *
     * @return true if it was live (and now is not); false changes nothing.
     */
    static boolean clearLiveDecided(final byte[] leaf, final long slot)
    {
        final int index = byteIndex(slot);
        if ((byte)LEAF.getOpaque(leaf, index) != LIVE)
        {
            return false;
        }
        // Release: what the freeing call did to the block happens before a later hand-out that reads the byte.
        LEAF.setRelease(leaf, index, NOT_LIVE);
        return true;
    }

    private static int byteIndex(final long slot)
    {
        return LiveSlotDescriptor.byteIndex(slot);
    }

    private byte[] leaf(final int order, final long leafIndex, final boolean create)
    {
        final byte[][][][] root = roots[order];
        final int rootIndex = LiveSlotDescriptor.rootIndex(leafIndex);
        byte[][][] mid = (byte[][][])ROOT.getAcquire(root, rootIndex);
        if (mid == null)
        {
            if (!create)
            {
                return null;
            }
            final byte[][][] fresh = new byte[1 << LEVEL_BITS][][];
            // CAS publishes the zeroed array (volatile semantics); a loser uses the winner's.
            final Object witness = ROOT.compareAndExchange(root, rootIndex, (byte[][][])null, fresh);
            mid = witness == null ? fresh : (byte[][][])witness;
        }
        final int midIndex = LiveSlotDescriptor.midIndex(leafIndex);
        byte[][] dir = (byte[][])MID.getAcquire(mid, midIndex);
        if (dir == null)
        {
            if (!create)
            {
                return null;
            }
            final byte[][] fresh = new byte[1 << LEVEL_BITS][];
            final Object witness = MID.compareAndExchange(mid, midIndex, (byte[][])null, fresh);
            dir = witness == null ? fresh : (byte[][])witness;
        }
        final int dirIndex = LiveSlotDescriptor.dirIndex(leafIndex);
        byte[] leaf = (byte[])DIR.getAcquire(dir, dirIndex);
        if (leaf == null)
        {
            if (!create)
            {
                return null;
            }
            final byte[] fresh = new byte[LEAF_BYTES];
            final Object witness = DIR.compareAndExchange(dir, dirIndex, (byte[])null, fresh);
            leaf = witness == null ? fresh : (byte[])witness;
        }
        return leaf;
    }
}
