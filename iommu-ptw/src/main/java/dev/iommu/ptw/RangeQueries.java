/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import static dev.iommu.ptw.PteDescriptor.PAGE_SHIFT;
import static dev.iommu.ptw.PteDescriptor.TABLE;

/**
 * The writers' read-only range queries of a {@link RadixPageTable}: the first mapped page of a range and the number
 * of mapped pages in it, skipping absent tables (a sparse range costs what its tables cost). Volatile loads; meant
 * for a caller that owns the range: concurrent changes inside it may or may not be seen.
 */
final class RangeQueries
{
    private final NextMapped nextMapped;
    private final CountMapped countMapped;
    private final long rootAddress;
    private final int top;

    RangeQueries(final TableArena arena, final long rootAddress, final int top)
    {
        this.nextMapped = new NextMapped(arena);
        this.countMapped = new CountMapped(arena);
        this.rootAddress = rootAddress;
        this.top = top;
    }

    /**
     * @return the first mapped address in {@code [start, end)} (a large leaf's start clipped to {@code start}), or
     *     -1 when none is mapped.
     */
    long nextMapped(final long start, final long end)
    {
        return LevelRangeWalk.stoppedAt(nextMapped.walk(rootAddress, top, 0, start, end));
    }

    /**
     * @return the 4 KiB pages mapped in {@code [start, end)} (a large leaf counts its pages inside the range).
     */
    long countMapped(final long start, final long end)
    {
        return countMapped.walk(rootAddress, top, 0, start, end);
    }

    /**
     * Stops at the first leaf.
     */
    private static final class NextMapped extends LevelRangeWalk
    {
        private final TableArena arena;

        NextMapped(final TableArena arena)
        {
            this.arena = arena;
        }

        @Override
        long visit(
            final long address, final long entry, final int level, final long entryBase, final long start,
            final long end)
        {
            if ((entry & TABLE) == 0)
            {
                return stop(Math.max(entryBase, start));
            }
            return walk(arena.pageAddress(PteDescriptor.childIndex(entry)), level - 1, entryBase, start, end);
        }
    }

    /**
     * Sums the pages of the leaves inside the range.
     */
    private static final class CountMapped extends LevelRangeWalk
    {
        private final TableArena arena;

        CountMapped(final TableArena arena)
        {
            this.arena = arena;
        }

        @Override
        long visit(
            final long address, final long entry, final int level, final long entryBase, final long start,
            final long end)
        {
            if ((entry & TABLE) == 0)
            {
                final long from = Math.max(entryBase, start);
                final long to = Math.min(entryBase + (1L << PteDescriptor.shift(level)), end);
                return (to - from) >>> PAGE_SHIFT;
            }
            return walk(arena.pageAddress(PteDescriptor.childIndex(entry)), level - 1, entryBase, start, end);
        }
    }
}
