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
 *   0           8                                                 16                  24        32
 *  +-----------+-------------------------------------------------+-------------------+---------+
 *  | version   | key: 0 | epoch (17 bits) | page number + 1 (46) | translation       | unused  |
 *  +-----------+-------------------------------------------------+-------------------+---------+
 *  version odd: a fill or an invalidation is writing the slot. key 0: empty.
 * </pre>
 * Each slot is a small seqlock: a reader reads the version (acquire), the key, the translation, then the version again
 * (after a load fence), and hits only if both versions are equal and even and the key is the expected one (the
 * current epoch and the page). A writer takes the slot by CAS from an even version to the next (odd) one and
 * releases it with the following even one. The version is what makes a hit safe: with the key alone as the guard, a
 * reader whose two key reads both saw page A could have read, in between, the translation of a page B that took the
 * slot and left it again (A, then B, then A refilled): the version changes on every write, so that reader misses.
 * <p>
 * <b>Flushing everything</b> (a deferred batch, {@link #invalidateAll()}, an invalidation wider than the cache) costs
 * one increment of the epoch: every key of an older epoch stops matching. The epoch has 17 bits in the key; the
 * increment that wraps it first clears every slot, so an entry 2^17 flushes old can never match again.
 * <p>
 * A fill never waits: it skips a slot another writer holds, and replaces a live entry of another page only on every
 * eighth such fill ({@link #replaceThisTime()}).
 * <p>
 * Counters of misses (always) and hits (when {@link PageTableConfig#iotlbHitCounting(boolean)} is on) are striped
 * by thread id over padded slots and incremented with plain stores: exact while each thread has its own stripe (up
 * to 16 threads with consecutive ids), statistics otherwise.
 * <p>
 * Not final only so that a jcstress test can override one named step ({@link #lvLeafUnchanged},
 * {@link #publishedKey}) in a broken variant; the constructor is package-private, and production code never
 * subclasses it.
 */
public class SoftwareIotlb
{
    static final long MISS = -1L;
    private static final int SLOT_SHIFT = 5;
    private static final int VERSION_OFFSET = 0;
    private static final int KEY_OFFSET = 8;
    private static final int VALUE_OFFSET = 16;
    private static final int EPOCH_SHIFT = 46;
    private static final long EPOCH_MASK = (1L << 17) - 1;
    private static final long PAGE_KEY_MASK = (1L << EPOCH_SHIFT) - 1;
    private static final int STRIPES = 16;
    private static final int DELAY_CHECK_INTERVAL = 8;
    private static final int REPLACE_INTERVAL = 8;
    private static final int STRIPE_LONGS = 16;
    private static final long EPOCH_FIELD_OFFSET = UnsafeApi.objectFieldOffset(SoftwareIotlb.class, "epoch");
    private static final long PENDING_FIELD_OFFSET = UnsafeApi.objectFieldOffset(SoftwareIotlb.class, "pending");

    private final int entries;
    private final long mask;
    private final ByteBuffer memory;
    private final long base;
    private final IotlbMode mode;
    private final int batchSize;
    private final long maxDelayNs;
    private final NanoClock clock;
    private final AtomicLong flushes = new AtomicLong();
    /** Flushes of the whole cache so far; its low 17 bits are in every key filled since (see the class comment). */
    private volatile long epoch;
    /** Deferred mode: unmaps not yet flushed (see {@link #afterUnmap}). */
    private volatile long pending;
    private volatile long firstPendingNs;
    private final long[] counters = new long[STRIPES * STRIPE_LONGS];
    private final boolean countHits;

    SoftwareIotlb(final PageTableConfig config)
    {
        this.countHits = config.iotlbHitCounting();
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
     * @return whether hits are counted ({@link PageTableConfig#iotlbHitCounting(boolean)}).
     */
    public boolean countsHits()
    {
        return countHits;
    }

    /**
     * @return hits so far; 0 when hits are not counted.
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
        return pending;
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
            // Wider than the cache: one epoch step forgets everything, instead of a pass over every slot.
            flushAll();
            return;
        }
        for (long vpn = first; vpn <= last; vpn++)
        {
            invalidateSlot(base + ((vpn & mask) << SLOT_SHIFT), vpn);
        }
    }

    /**
     * Forget every translation, and every pending deferred invalidation.
     */
    public void invalidateAll()
    {
        UnsafeApi.putLongVolatile(this, PENDING_FIELD_OFFSET, 0);
        flushAll();
    }

    /**
     * Deferred mode: flush now if the batch is full or the oldest pending unmap is older than the delay.
     *
     * @return true when it flushed.
     */
    public boolean flushPending()
    {
        final long count = pending;
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
        final long expected = epochKey(epoch) | (vpn + 1);
        // Acquire: the key and the translation are read after the version that guards them.
        final long version = UnsafeApi.getLongAcquire(null, slot + VERSION_OFFSET);
        final long key = UnsafeApi.getLong(null, slot + KEY_OFFSET);
        final long value = UnsafeApi.getLong(null, slot + VALUE_OFFSET);
        // Seqlock read: the key and translation loads complete before the version is read again.
        UnsafeApi.loadFence();
        final long again = UnsafeApi.getLong(null, slot + VERSION_OFFSET);
        if (key == expected && version == again && (version & 1) == 0)
        {
            if (countHits)
            {
                counters[stripe()]++;
            }
            return value;
        }
        counters[stripe() + 1]++;
        return MISS;
    }

    /**
     * Cache a translation found by a walk, unless an unmap removed it meanwhile.
     * <p>
     * Ordering, against a strict unmap (Dekker): the filler takes the slot with a CAS (a full fence) and only then
     * re-reads the leaf entry and the table's free generation; an unmap clears the leaf with getAndSet (or bumps
     * the generation with incrementAndGet), both full fences, and only then reads the slot. So either the filler
     * sees the cleared leaf / new generation and leaves the slot empty, or the unmap sees the slot held or filled
     * and clears it after the filler releases it.
     * <p>
     * Against a flush of everything (deferred batch, wide invalidation): the filler reads the epoch <em>before</em>
     * its re-read of the leaf, and the flusher bumps the epoch <em>after</em> the unmap cleared the leaf (all
     * volatile: one total order). If the re-read saw the leaf still mapped, it came before the clear, so the
     * epoch read came before the bump and the key carries the old epoch, which the bump retires. Reading the epoch
     * after the re-read instead would let a stale entry carry the new epoch and survive the flush.
     */
    void fill(final long vpn, final long value, final long leafAddress, final long leafEntry,
        final long generationAddress, final long generation)
    {
        final long slot = base + ((vpn & mask) << SLOT_SHIFT);
        final long key = epochKey(epoch) | (vpn + 1);
        final long version = UnsafeApi.getLongVolatile(null, slot + VERSION_OFFSET);
        if ((version & 1) != 0 ||
            (isLiveOtherPage(UnsafeApi.getLongVolatile(null, slot + KEY_OFFSET), key) && !replaceThisTime()) ||
            !UnsafeApi.compareAndSetLong(null, slot + VERSION_OFFSET, version, version + 1))
        {
            return;
        }
        final boolean valid = lvLeafUnchanged(leafAddress, leafEntry, generationAddress, generation);
        UnsafeApi.putLong(null, slot + KEY_OFFSET, valid ? publishedKey(key, vpn) : 0);
        UnsafeApi.putLong(null, slot + VALUE_OFFSET, value);
        // Release: the key and the translation are visible before the even version that ends the write.
        UnsafeApi.putLongRelease(null, slot + VERSION_OFFSET, version + 2);
    }

    /**
     * Whether a slot's key is a live entry (this epoch) of another page than the one a fill brings.
     */
    private static boolean isLiveOtherPage(final long held, final long key)
    {
        return held != 0 && (held & ~PAGE_KEY_MASK) == (key & ~PAGE_KEY_MASK) && held != key;
    }

    /**
     * Bimodal insertion (as CPU caches use against thrashing): a fill that would evict a live entry of another page
     * does so on every {@value #REPLACE_INTERVAL}th such fill of the thread's stripe, and otherwise leaves the slot
     * alone. Empty slots and entries of an older epoch are always filled. A working set larger than the cache then
     * costs most misses no slot claim (a CAS), and two pages that share a slot no longer evict each other on every
     * access; a hot set that moves still takes its slots over within a few passes. The per-stripe count is a plain
     * increment: a lost one only shifts which fill replaces (benign race).
     */
    private boolean replaceThisTime()
    {
        final int index = stripe() + 2;
        final long conflicts = counters[index] + 1;
        counters[index] = conflicts;
        return (conflicts & (REPLACE_INTERVAL - 1)) == 0;
    }

    /**
     * The filler's re-read, after the CAS that took the slot (see {@link #fill}): whether the leaf it walked is still
     * in place (volatile load) and no table page was freed since the walk began (volatile load of the generation).
     * The CAS before it is what orders these loads after the slot claim; without this re-read a fill that raced an
     * unmap would cache the translation the unmap removed.
     */
    boolean lvLeafUnchanged(final long leafAddress, final long leafEntry, final long generationAddress,
        final long generation)
    {
        return UnsafeApi.getLongVolatile(null, leafAddress) == leafEntry &&
            FreeGeneration.lv(generationAddress) == generation;
    }

    /**
     * The key a fill publishes: the one it made from the epoch it read before its re-read of the leaf (see
     * {@link #fill}). A broken variant makes it from the epoch read afterwards.
     */
    long publishedKey(final long keyFromEarlierEpoch, final long vpn)
    {
        return keyFromEarlierEpoch;
    }

    /**
     * The epoch bits of a key filled now (volatile load of the epoch); for a broken variant.
     */
    final long lvEpochKey()
    {
        return epochKey(epoch);
    }

    /**
     * After an unmap whose leaves are cleared: strict mode invalidates the range now; deferred mode counts it and
     * flushes everything when the batch is full, or when the oldest pending unmap is older than the delay. The
     * clock is read when the first unmap of a batch is queued and then at every {@value #DELAY_CHECK_INTERVAL}th
     * one (a clock read per unmap cost deferred mode more than strict invalidation of one page); a delay of 0
     * flushes at every unmap, and {@link #flushPending()} checks the delay whenever the embedder calls it.
     * <p>
     * The pending count is a plain read-increment-write (opaque), not an atomic: two unmaps of the same domain on
     * two threads may count once, which delays the flush by one unmap and never loses one (every unmap leaves the
     * count at 1 or more until a flush that follows its leaf clears). Benign race.
     */
    void afterUnmap(final long iova, final long length)
    {
        if (mode == IotlbMode.STRICT)
        {
            invalidateRange(iova, length);
        }
        else if (mode == IotlbMode.DEFERRED)
        {
            final long count = UnsafeApi.getLongOpaque(this, PENDING_FIELD_OFFSET) + 1;
            UnsafeApi.putLongOpaque(this, PENDING_FIELD_OFFSET, count);
            if (count == 1)
            {
                firstPendingNs = clock.nanoTime();
            }
            if (count >= batchSize || maxDelayNs == 0 ||
                ((count & (DELAY_CHECK_INTERVAL - 1)) == 0 && clock.nanoTime() - firstPendingNs >= maxDelayNs))
            {
                invalidateAll();
            }
        }
    }

    private void flushAll()
    {
        flushes.incrementAndGet();
        while (true)
        {
            final long current = epoch;
            final long next = current + 1;
            if ((next & EPOCH_MASK) == 0)
            {
                wrapEpoch(current);
                return;
            }
            // Volatile (a CAS): ordered after the leaf clears of every unmap this flush retires (see fill).
            if (UnsafeApi.compareAndSetLong(this, EPOCH_FIELD_OFFSET, current, next))
            {
                return;
            }
        }
    }

    private synchronized void wrapEpoch(final long current)
    {
        // Every flush whose increment would wrap comes here; the lock makes the clear-then-publish one step.
        if (epoch != current)
        {
            flushAll();
            return;
        }
        for (long slot = 0; slot < entries; slot++)
        {
            clearSlot(base + (slot << SLOT_SHIFT));
        }
        UnsafeApi.putLongVolatile(this, EPOCH_FIELD_OFFSET, current + 1);
    }

    private static int stripe()
    {
        return ((int)Thread.currentThread().getId() & (STRIPES - 1)) * STRIPE_LONGS;
    }

    private static long epochKey(final long epoch)
    {
        return (epoch & EPOCH_MASK) << EPOCH_SHIFT;
    }

    private static void invalidateSlot(final long slot, final long vpn)
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
            if ((key & PAGE_KEY_MASK) != vpn + 1)
            {
                // Not this page, as of an even version that has not moved since: nothing to remove.
                if (UnsafeApi.getLongVolatile(null, slot + VERSION_OFFSET) == version)
                {
                    return;
                }
                continue;
            }
            if (clearHeld(slot, version))
            {
                return;
            }
        }
    }

    private static void clearSlot(final long slot)
    {
        while (true)
        {
            final long version = UnsafeApi.getLongVolatile(null, slot + VERSION_OFFSET);
            if ((version & 1) != 0)
            {
                Thread.onSpinWait();
                continue;
            }
            if (clearHeld(slot, version))
            {
                return;
            }
        }
    }

    private static boolean clearHeld(final long slot, final long version)
    {
        if (!UnsafeApi.compareAndSetLong(null, slot + VERSION_OFFSET, version, version + 1))
        {
            return false;
        }
        UnsafeApi.putLong(null, slot + KEY_OFFSET, 0);
        UnsafeApi.putLongRelease(null, slot + VERSION_OFFSET, version + 2);
        return true;
    }
}
