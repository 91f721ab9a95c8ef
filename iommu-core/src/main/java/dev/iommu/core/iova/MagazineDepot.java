/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import org.jctools.queues.MpmcArrayQueue;

/**
 * The shared depot behind the thread caches: per cached order, a bounded lock-free queue of full magazines and one
 * of empty ones (JCTools {@link MpmcArrayQueue}, so an exchange takes no lock: a thread whose magazines overflow or
 * run dry meets the depot with one CAS on each queue, and only the buddy space behind it is locked). Magazines are
 * exchanged, not copied, so steady state allocates nothing. A full magazine arriving when the depot's queue for its
 * order is full is refused ({@link #exchangeFull} returns null) and the caller empties it into the buddy space under
 * the allocator's lock (the trim that bounds cached space).
 * <p>
 * The depot holds up to {@code limit} full magazines per order, rounded up to a power of two and at least 2 (the
 * queue's capacity); a limit of 0 makes a depot that holds none.
 * <p>
 * Ordering: a thread fills a magazine's slots with plain stores and then offers the array to a queue; the offer
 * publishes the slot with a release store (JCTools' {@code soRefElement}), and the poll that takes it reads the slot
 * with an acquire load ({@code lvRefElement}), so the taking thread sees every block the giving thread stored. A
 * magazine is in exactly one place at a time (a thread's cache, or one queue), so its blocks are free exactly once.
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

    private final int capacity;
    /** Per order: full magazines, or null for a depot of limit 0. */
    private final MpmcArrayQueue<long[]>[] full;
    /** Per order: empty magazines kept for exchanges. */
    private final MpmcArrayQueue<long[]>[] empty;

    @SuppressWarnings("unchecked")
    MagazineDepot(final int maxOrder, final int limit, final int capacity)
    {
        this.capacity = capacity;
        full = new MpmcArrayQueue[maxOrder + 1];
        empty = new MpmcArrayQueue[maxOrder + 1];
        if (limit > 0)
        {
            final int queueCapacity = Math.max(2, limit);
            for (int k = 0; k <= maxOrder; k++)
            {
                full[k] = new MpmcArrayQueue<>(queueCapacity);
                empty[k] = new MpmcArrayQueue<>(queueCapacity);
            }
        }
    }

    /**
     * Takes a full magazine of order k in exchange for an empty one. Lock-free.
     *
     * @param emptyIn the caller's empty magazine (kept for a later exchange, or dropped when the pool is full).
     * @return a full magazine (of {@code capacity} blocks), or null when the depot has none (emptyIn not taken).
     */
    long[] exchangeEmpty(final int k, final long[] emptyIn)
    {
        final MpmcArrayQueue<long[]> queue = full[k];
        final long[] result = null == queue ? null : queue.relaxedPoll();
        if (null != result)
        {
            empty[k].relaxedOffer(emptyIn);
        }
        return result;
    }

    /**
     * Hands in a full magazine of order k and gets an empty one back. Lock-free.
     *
     * @param fullIn a magazine holding {@code capacity} blocks.
     * @return an empty magazine (a pooled one, or a new one when the pool has none), or null when the depot
     *     holds as many full magazines of order k as it may: then fullIn was not taken, and the caller gives its
     *     blocks back to the buddy space and keeps it as its empty magazine.
     */
    long[] exchangeFull(final int k, final long[] fullIn)
    {
        final MpmcArrayQueue<long[]> queue = full[k];
        if (null == queue || !queue.relaxedOffer(fullIn))
        {
            return null;
        }
        // fullIn may be in another thread's hands already: never touched again here.
        final long[] pooled = empty[k].relaxedPoll();
        return null != pooled ? pooled : newEmptyMagazine(fullIn);
    }

    /**
     * A new empty magazine for a thread whose full one the depot just kept, when no empty one is pooled. Always a
     * new array: the kept one now belongs to the depot (and, once exchanged, to another thread), so its blocks are
     * free exactly once.
     *
     * @param kept the full magazine the depot kept (never returned).
     * @return an empty magazine of {@code capacity} slots.
     */
    long[] newEmptyMagazine(final long[] kept)
    {
        return new long[capacity];
    }

    /**
     * Gives every block of every full magazine back to the buddy space (the caller holds the allocator's lock).
     */
    void drainTo(final BuddySpace space)
    {
        for (int k = 0; k < full.length; k++)
        {
            if (null == full[k])
            {
                continue;
            }
            for (long[] m = full[k].relaxedPoll(); null != m; m = full[k].relaxedPoll())
            {
                for (int i = 0; i < capacity; i++)
                {
                    space.giveBlock(m[i], k);
                }
                empty[k].relaxedOffer(m);
            }
        }
    }

    /**
     * @return pages in full magazines (racy while other threads exchange; exact when quiescent).
     */
    long cachedPages()
    {
        long pages = 0;
        for (int k = 0; k < full.length; k++)
        {
            if (null != full[k])
            {
                pages += ((long)full[k].size() * capacity) << k;
            }
        }
        return pages;
    }
}
