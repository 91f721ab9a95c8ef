/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jctools.queues.MpmcArrayQueue;


/**
 * The shared depot behind the thread caches: per cached order, a lock-free stack of full magazines (a few slots,
 * each taken and filled with one CAS) and a bounded lock-free queue of empty ones (JCTools {@link MpmcArrayQueue});
 * a thread whose magazines overflow or run dry meets the depot without the lock, and only the buddy space behind it
 * is locked. Magazines are exchanged, not copied, so steady state allocates nothing. A full magazine arriving when
 * every slot of its order is occupied is refused ({@link #exchangeFull} returns null) and the caller empties it into
 * the buddy space under the allocator's lock (the trim that bounds cached space).
 * <p>
 * The full magazines are a stack, not a queue, on purpose: LIFO hands out the magazine handed in last, so the same
 * few magazines stay cached batch after batch and the buddy space around them stays merged. A FIFO depot rotates a
 * different magazine out to the buddy space at each trim, scattering the cached blocks over many regions: 99
 * instead of 75 free blocks in IovaBatchBenchmark's steady state, ~5% more tree work, ~10% slower batches.
 * <p>
 * The depot holds up to {@code limit} full magazines per order, rounded up to a power of two and at least 2; a
 * limit of 0 makes a depot that holds none.
 * <p>
 * Ordering: a thread fills a magazine's slots with plain stores and then publishes the array with a CAS (a slot of
 * the stack, {@link AtomicReferenceArray#compareAndSet}) or a release store (the queue's {@code soRefElement}); the
 * taker reads it with a volatile load and takes it with a CAS (the stack) or an acquire load (the queue), so the
 * taking thread sees every block the giving thread stored. A scan that races a put or a take may miss a slot being
 * filled or emptied: a spurious "empty" (the caller refills from the buddy space) or "full" (the caller trims),
 * both harmless, as the queue's relaxed operations were. A magazine is in
 * exactly one place at a time (a thread's cache, one slot, or the queue), so its blocks are free exactly once.
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
    /** Full-magazine slots per order (0 for a depot of limit 0). */
    private final int slots;
    /**
     * Per order k, slots [k * slots, (k + 1) * slots): full magazines, used as a stack (LIFO, like the locked depot
     * before it): a magazine handed in goes to the lowest empty slot, one taken comes from the highest occupied one,
     * each with one CAS. LIFO matters: the magazine handed in last holds the blocks freed last, and giving those out
     * first keeps the cached blocks the same few regions batch after batch, so the buddy space around them stays
     * merged (a FIFO depot rotates older magazines out to the space, scattering the cached blocks).
     */
    private final AtomicReferenceArray<long[]> full;
    /** Per order: empty magazines kept for exchanges. */
    private final MpmcArrayQueue<long[]>[] empty;

    @SuppressWarnings("unchecked")
    MagazineDepot(final int maxOrder, final int limit, final int capacity)
    {
        this.capacity = capacity;
        slots = limit > 0 ? 1 << (32 - Integer.numberOfLeadingZeros(Math.max(2, limit) - 1)) : 0;
        full = new AtomicReferenceArray<>((maxOrder + 1) * slots);
        empty = new MpmcArrayQueue[maxOrder + 1];
        if (limit > 0)
        {
            for (int k = 0; k <= maxOrder; k++)
            {
                empty[k] = new MpmcArrayQueue<>(slots);
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
        final long[] result = takeFull(k);
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
        if (!putFull(k, fullIn))
        {
            return null;
        }
        // fullIn may be in another thread's hands already: never touched again here.
        final long[] pooled = empty[k].relaxedPoll();
        return null != pooled ? pooled : newEmptyMagazine(fullIn);
    }

    /**
     * @return the full magazine of order k in the highest occupied slot (taken), or null when there is none.
     */
    private long[] takeFull(final int k)
    {
        final int base = k * slots;
        for (int i = base + slots - 1; i >= base; i--)
        {
            final long[] m = full.get(i);
            if (null != m && full.compareAndSet(i, m, null))
            {
                return m;
            }
        }
        return null;
    }

    /**
     * @return true when fullIn went into the lowest empty slot of order k, false when every slot is occupied.
     */
    private boolean putFull(final int k, final long[] fullIn)
    {
        final int base = k * slots;
        for (int i = base; i < base + slots; i++)
        {
            if (null == full.get(i) && full.compareAndSet(i, null, fullIn))
            {
                return true;
            }
        }
        return false;
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
     * Gives every block of every full magazine back where it came from (the caller holds the allocator's lock).
     */
    void drainTo(final IovaAllocator allocator)
    {
        for (int k = 0; k < empty.length && slots > 0; k++)
        {
            for (long[] m = takeFull(k); null != m; m = takeFull(k))
            {
                for (int i = 0; i < capacity; i++)
                {
                    allocator.giveBackLocked(m[i], k);
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
        for (int i = 0; i < full.length(); i++)
        {
            if (null != full.get(i))
            {
                pages += (long)capacity << (i / slots);
            }
        }
        return pages;
    }
}
