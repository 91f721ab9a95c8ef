/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.NanoClock;

/**
 * A fixed-size, direct-mapped cache of 4 KiB translations, one per {@link RadixPageTable}. Only successful
 * translations are cached (no negative caching), so a map never needs an invalidation; unmaps invalidate
 * according to the {@link IotlbMode}.
 * <pre>
 *  slot (32 bytes), slot index = input page number &amp; (entries - 1):
 *   0           8                 16                   24        32
 *  +-----------+-----------------+--------------------+---------+
 *  | version   | key (vpn + 1)   | translation        | unused  |
 *  +-----------+-----------------+--------------------+---------+
 *  version odd: a fill or an invalidation is writing the slot. key 0: empty.
 * </pre>
 * Each slot is a tiny seqlock: a reader reads version, key, translation, then the version again and hits only
 * if both versions are equal and even. A writer takes the slot by CAS from an even version to the next (odd)
 * one and releases it with the following even one.
 * <p>
 * Counters of hits and misses are striped by thread id over padded slots and incremented with plain stores:
 * exact while each thread has its own stripe (up to 16 threads with consecutive ids), statistics otherwise.
 * <p>
 * Not final only so that a jcstress test can override one named ordering step ({@link #lvLeafUnchanged}) in a
 * broken variant; the constructor is package-private, and production code never subclasses it.
 */
public class SoftwareIotlb
{
    static final long MISS = -1L;
    private static final int SLOT_SHIFT = 5;
    private static final int VERSION_OFFSET = 0;
    private static final int KEY_OFFSET = 8;
    private static final int VALUE_OFFSET = 16;
    private static final int STRIPES = 16;
    private static final int STRIPE_LONGS = 16;

    private final int entries;
    private final long mask;
    private final ByteBuffer memory;
    private final long base;
    private final IotlbMode mode;
    private final int batchSize;
    private final long maxDelayNs;
    private final NanoClock clock;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private volatile long firstPendingNs;
    private final long[] counters = new long[STRIPES * STRIPE_LONGS];

    SoftwareIotlb(final PageTableConfig config)
    {
        this.entries = config.iotlbEntries();
        this.mask = entries - 1;
        this.memory = BufferUtil.allocateDirectAligned(entries << SLOT_SHIFT, 64);
        this.base = BufferUtil.address(memory);
        UnsafeApi.setMemory(base, (long)entries << SLOT_SHIFT, (byte)0);
        this.mode = config.iotlbMode();
        this.batchSize = config.deferredBatchSize();
        this.maxDelayNs = config.deferredMaxDelayNs();
        this.clock = config.clock();
    }

    /**
     * @return the number of slots.
     */
    public int entries()
    {
        return entries;
    }

    /**
     * @return the invalidation mode.
     */
    public IotlbMode mode()
    {
        return mode;
    }

    /**
     * @return hits so far.
     */
    public long hits()
    {
        long sum = 0;
        for (int i = 0; i < STRIPES; i++)
        {
            sum += counters[i * STRIPE_LONGS];
        }
        return sum;
    }

    /**
     * @return misses so far.
     */
    public long misses()
    {
        long sum = 0;
        for (int i = 0; i < STRIPES; i++)
        {
            sum += counters[i * STRIPE_LONGS + 1];
        }
        return sum;
    }

    /**
     * @return unmaps waiting for a deferred flush.
     */
    public long pendingInvalidations()
    {
        return pending.get();
    }

    /**
     * @return flushes of the whole cache done so far (deferred flushes and {@link #invalidateAll()}).
     */
    public long flushCount()
    {
        return flushes.get();
    }

    /**
     * Forget every translation of the 4 KiB pages that overlap {@code [iova, iova + length)}.
     *
     * @param iova   first input address.
     * @param length bytes; zero or negative does nothing.
     */
    public void invalidateRange(final long iova, final long length)
    {
        if (length <= 0)
        {
            return;
        }
        final long first = iova >>> PteDescriptor.PAGE_SHIFT;
        final long last = (iova + length - 1) >>> PteDescriptor.PAGE_SHIFT;
        if (last - first >= entries)
        {
            for (long slot = 0; slot < entries; slot++)
            {
                invalidateSlot(base + (slot << SLOT_SHIFT), first, last);
            }
        }
        else
        {
            for (long vpn = first; vpn <= last; vpn++)
            {
                invalidateSlot(base + ((vpn & mask) << SLOT_SHIFT), vpn, vpn);
            }
        }
    }

    /**
     * Forget every translation, and every pending deferred invalidation.
     */
    public void invalidateAll()
    {
        pending.set(0);
        flushes.incrementAndGet();
        for (long slot = 0; slot < entries; slot++)
        {
            invalidateSlot(base + (slot << SLOT_SHIFT), 0, Long.MAX_VALUE);
        }
    }

    /**
     * Deferred mode: flush now if the batch is full or the oldest pending unmap is older than the delay.
     *
     * @return true when it flushed.
     */
    public boolean flushPending()
    {
        final long count = pending.get();
        if (count > 0 && (count >= batchSize || clock.nanoTime() - firstPendingNs >= maxDelayNs))
        {
            invalidateAll();
            return true;
        }
        return false;
    }

    long lookup(final long vpn)
    {
        final long slot = base + ((vpn & mask) << SLOT_SHIFT);
        final long v1 = UnsafeApi.getLongAcquire(null, slot + VERSION_OFFSET);
        final long key = UnsafeApi.getLongAcquire(null, slot + KEY_OFFSET);
        final long value = UnsafeApi.getLongAcquire(null, slot + VALUE_OFFSET);
        // Seqlock read: the data loads above must complete before the version is read again.
        UnsafeApi.loadFence();
        final long v2 = UnsafeApi.getLong(null, slot + VERSION_OFFSET);
        final int stripe = ((int)Thread.currentThread().getId() & (STRIPES - 1)) * STRIPE_LONGS;
        if (v1 == v2 && (v1 & 1) == 0 && key == vpn + 1)
        {
            counters[stripe]++;
            return value;
        }
        counters[stripe + 1]++;
        return MISS;
    }

    /**
     * Cache a translation found by a walk, unless an unmap removed it meanwhile.
     * <p>
     * Ordering (Dekker): the filler takes the slot with a CAS (a full fence) and only then re-reads the leaf entry
     * and the table's free generation; an unmap clears the leaf with getAndSet (or bumps the generation with
     * incrementAndGet), both full fences, and only then reads the slot. So either the filler sees the cleared
     * leaf / new generation and leaves the slot empty, or the unmap sees the slot held or filled and clears it
     * after the filler releases it. Breaking either fence lets a stale translation survive a strict unmap.
     */
    void fill(final long vpn, final long value, final long leafAddress, final long leafEntry,
        final RadixPageTable table, final long generation)
    {
        final long slot = base + ((vpn & mask) << SLOT_SHIFT);
        final long version = UnsafeApi.getLongVolatile(null, slot + VERSION_OFFSET);
        if ((version & 1) != 0 || !UnsafeApi.compareAndSetLong(null, slot + VERSION_OFFSET, version, version + 1))
        {
            return;
        }
        final boolean valid = lvLeafUnchanged(leafAddress, leafEntry, table, generation);
        UnsafeApi.putLong(null, slot + KEY_OFFSET, valid ? vpn + 1 : 0);
        UnsafeApi.putLong(null, slot + VALUE_OFFSET, value);
        UnsafeApi.putLongRelease(null, slot + VERSION_OFFSET, version + 2);
    }

    /**
     * The filler's re-read, after the CAS that took the slot (see {@link #fill}): whether the leaf it walked is still
     * in place (volatile load) and no table page was freed since the walk began (volatile load of the generation).
     * The CAS before it is what orders these loads after the slot claim; without this re-read a fill that raced an
     * unmap would cache the translation the unmap removed.
     */
    boolean lvLeafUnchanged(final long leafAddress, final long leafEntry, final RadixPageTable table,
        final long generation)
    {
        return UnsafeApi.getLongVolatile(null, leafAddress) == leafEntry && table.freeGeneration() == generation;
    }

    void afterUnmap(final long iova, final long length)
    {
        if (mode == IotlbMode.STRICT)
        {
            invalidateRange(iova, length);
        }
        else if (mode == IotlbMode.DEFERRED)
        {
            if (pending.getAndIncrement() == 0)
            {
                firstPendingNs = clock.nanoTime();
            }
            flushPending();
        }
    }

    private void invalidateSlot(final long slot, final long firstVpn, final long lastVpn)
    {
        while (true)
        {
            final long version = UnsafeApi.getLongVolatile(null, slot + VERSION_OFFSET);
            if ((version & 1) != 0)
            {
                // A filler holds the slot for a few instructions (two loads, two stores): wait for it, because
                // its entry may be the stale one this invalidation must remove.
                Thread.onSpinWait();
                continue;
            }
            final long key = UnsafeApi.getLongVolatile(null, slot + KEY_OFFSET);
            if (key == 0 || key - 1 < firstVpn || key - 1 > lastVpn)
            {
                if (UnsafeApi.getLongVolatile(null, slot + VERSION_OFFSET) == version)
                {
                    return;
                }
                continue;
            }
            if (UnsafeApi.compareAndSetLong(null, slot + VERSION_OFFSET, version, version + 1))
            {
                UnsafeApi.putLong(null, slot + KEY_OFFSET, 0);
                UnsafeApi.putLongRelease(null, slot + VERSION_OFFSET, version + 2);
                return;
            }
        }
    }
}
