/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The logical ranges of a domain that plain map and unmap calls must not touch: reserved regions given at creation
 * and the ranges of live logical address tokens (spec 5.4 items 23 and 24). A sorted array of
 * {@code [start, end)} pairs, replaced whole on every change (copy on write, under this object's monitor; changes
 * come at lifecycle rate) and read without a lock through one volatile load, so the map and unmap paths allocate
 * nothing and never block.
 * <p>
 * Not final only so that a jcstress test can override the map side's named re-check ({@link #fenceThenOverlaps})
 * in a broken variant; production code never subclasses it.
 */
class ProtectedRanges
{
    private static final long[] EMPTY = new long[0];
    private volatile long[] ranges = EMPTY;

    /**
     * Whether any protected range overlaps {@code [from, to)}.
     *
     * @param from first address.
     * @param to   end (exclusive), above from.
     * @return true when one overlaps.
     */
    boolean overlaps(final long from, final long to)
    {
        final long[] r = ranges;
        int lo = 0;
        int hi = (r.length >> 1) - 1;
        // The last range starting below 'to' is the only candidate: ranges are disjoint and sorted.
        int candidate = -1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (r[mid << 1] < to)
            {
                candidate = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return candidate >= 0 && r[(candidate << 1) + 1] > from;
    }

    /**
     * The map side's re-check (see {@code MappingDomain.mapChecked}): a full fence, then {@link #overlaps}. The fence
     * orders the leaf CASes the map made before it ahead of the read of the ranges (store-load), so that of a map and
     * a reservation of overlapping ranges, each of which publishes first and looks second, one sees the other.
     *
     * @param from first address.
     * @param to   end (exclusive), above from.
     * @return true when a protected range overlaps.
     */
    boolean fenceThenOverlaps(final long from, final long to)
    {
        VarHandle.fullFence();
        return overlaps(from, to);
    }

    /**
     * Whether the set is empty (one volatile load).
     */
    boolean isEmpty()
    {
        return ranges.length == 0;
    }

    /**
     * Adds a range if it overlaps none.
     *
     * @param from first address.
     * @param to   end (exclusive).
     * @return true when added; false when it overlaps a protected range (nothing changed).
     */
    synchronized boolean add(final long from, final long to)
    {
        if (overlaps(from, to))
        {
            return false;
        }
        final long[] r = ranges;
        final long[] next = Arrays.copyOf(r, r.length + 2);
        int i = r.length;
        while (i > 0 && next[i - 2] > from)
        {
            next[i] = next[i - 2];
            next[i + 1] = next[i - 1];
            i -= 2;
        }
        next[i] = from;
        next[i + 1] = to;
        // Volatile store: publishes the new array after it was filled.
        ranges = next;
        return true;
    }

    /**
     * Removes a range added before.
     *
     * @param from its first address.
     * @param to   its end.
     * @return true when it was there.
     */
    synchronized boolean remove(final long from, final long to)
    {
        final long[] r = ranges;
        for (int i = 0; i < r.length; i += 2)
        {
            if (r[i] == from && r[i + 1] == to)
            {
                final long[] next = new long[r.length - 2];
                System.arraycopy(r, 0, next, 0, i);
                System.arraycopy(r, i + 2, next, i, r.length - i - 2);
                ranges = next;
                return true;
            }
        }
        return false;
    }

    /**
     * The number of protected ranges.
     */
    int size()
    {
        return ranges.length >> 1;
    }
}
