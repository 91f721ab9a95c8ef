/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.baseline;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.iommu.core.iova.IovaResult;

/**
 * Baseline: free ranges (start page to end page) in a {@link ConcurrentSkipListMap}, lowest-address first fit,
 * size-aligned, without a lock. A range is claimed by an atomic {@code remove(key, value)} and its leftovers put
 * back; a lost race restarts the search. Frees merge with free neighbours when they can claim them (under races a
 * merge may be missed, which leaves two adjacent free ranges: still correct, only more fragmented). Live blocks
 * are recorded in a {@link ConcurrentHashMap} so double and wrong-size frees are refused. First fit scans the free
 * ranges below the first that fits: linear in the fragmentation. Boxes and allocates nodes per operation.
 * <p>
 * A claimed range is out of the map until its leftovers are put back, so a scan racing with a change can find
 * nothing although there is room. A scan that finds nothing therefore reports NO_SPACE only when no change was in
 * flight when it started or when it ended and none completed in between (counted in {@code inFlight} and
 * {@code changes}); otherwise it scans again (a claimer descheduled between its claim and its put-back holds the
 * range for a time slice, so the rescans yield after the first {@value #SPINS_BEFORE_YIELD}).
 */
public final class SkipListIovaAllocator implements RangeAllocator
{
    private static final int PAGE_SHIFT = RangeRequest.PAGE_SHIFT;
    private static final int SPINS_BEFORE_YIELD = 100;

    private final ConcurrentSkipListMap<Long, Long> free = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<Long, Long> live = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong changes = new AtomicLong();
    private final long totalPages;

    /**
     * @param addressWidth the address width in bits (13 to 63).
     */
    public SkipListIovaAllocator(final int addressWidth)
    {
        totalPages = 1L << (addressWidth - PAGE_SHIFT);
        free.put(1L, totalPages);
    }

    /** {@inheritDoc} */
    @Override
    public long allocate(final long pages, final long minAddress, final long maxAddress)
    {
        final long refused = RangeRequest.check(pages, minAddress, maxAddress, totalPages);
        if (refused != 0)
        {
            return refused;
        }
        final long size = RangeRequest.roundUp(pages);
        final long low = RangeRequest.lowPage(minAddress);
        final long limit = RangeRequest.limitPage(maxAddress, totalPages);
        int rescans = 0;
        retry:
        while (true)
        {
            // Volatile reads, like the map's own: the scan's reads sit between these and the ones below.
            final long changesBefore = changes.get();
            final int inFlightBefore = inFlight.get();
            final Long from = free.floorKey(low);
            for (final Map.Entry<Long, Long> e : free.tailMap(from == null ? low : from, true).entrySet())
            {
                final long s = e.getKey();
                final long end = e.getValue();
                if (s >= limit)
                {
                    break;
                }
                final long a = (Math.max(s, low) + size - 1) & -size;
                if (a + size <= Math.min(end, limit))
                {
                    // Counted before the claim (a full fence), uncounted after the leftovers are back.
                    inFlight.incrementAndGet();
                    if (!free.remove(s, end))
                    {
                        endChange();
                        continue retry;
                    }
                    if (s < a)
                    {
                        free.put(s, a);
                    }
                    if (a + size < end)
                    {
                        free.put(a + size, end);
                    }
                    endChange();
                    live.put(a, size);
                    return a << PAGE_SHIFT;
                }
            }
            if (inFlightBefore != 0 || inFlight.get() != 0 || changes.get() != changesBefore)
            {
                // A claimer may be descheduled between its claim and its put-back: wait for it, politely after a
                // while, rather than report no space that exists.
                if (++rescans > SPINS_BEFORE_YIELD)
                {
                    Thread.yield();
                }
                else
                {
                    Thread.onSpinWait();
                }
                continue;
            }
            return IovaResult.NO_SPACE;
        }
    }

    /** {@inheritDoc} */
    @Override
    public int free(final long address, final long pages)
    {
        if (pages <= 0)
        {
            return IovaResult.INVALID_SIZE;
        }
        final long page = address >>> PAGE_SHIFT;
        final long size = RangeRequest.roundUp(pages);
        if (!live.remove(page, size))
        {
            return live.containsKey(page) ? IovaResult.WRONG_SIZE : IovaResult.NOT_ALLOCATED;
        }
        long s = page;
        long e = page + size;
        inFlight.incrementAndGet();
        final Long rightEnd = free.get(e);
        if (rightEnd != null && free.remove(e, rightEnd))
        {
            e = rightEnd;
        }
        final Map.Entry<Long, Long> left = free.lowerEntry(s);
        if (left != null && left.getValue() == s && free.remove(left.getKey(), s))
        {
            s = left.getKey();
        }
        free.put(s, e);
        endChange();
        return IovaResult.SUCCESS;
    }

    /** {@inheritDoc} */
    @Override
    public long freeBytes()
    {
        long pages = 0;
        for (final Map.Entry<Long, Long> e : free.entrySet())
        {
            pages += e.getValue() - e.getKey();
        }
        return pages << PAGE_SHIFT;
    }

    private void endChange()
    {
        changes.incrementAndGet();
        inFlight.decrementAndGet();
    }
}
