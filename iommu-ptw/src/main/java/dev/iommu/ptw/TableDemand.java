/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import static dev.iommu.ptw.PteDescriptor.TABLE;

/**
 * The counting walk behind all-or-nothing maps and reserves: how many table pages mapping (or reserving) a range
 * will install, decided exactly as {@link TableWriter}'s map step decides at each empty entry (a large leaf where
 * one fits and is allowed, else a table), or {@link PtwResult#EXISTS} when a large leaf already lies in the range.
 * Read-only; reads entries with acquire loads, like a walk. The count is exact when no other thread maps in the
 * same tables meanwhile; a racing map of a neighbouring range may install a counted table first (the stash then
 * holds a page too many, given back) — never the reverse, since a table inside the caller's range is only freed by
 * an unmap of that range, which the contract forbids to overlap the map.
 */
final class TableDemand
{
    private final RadixPageTable table;
    private final TableArena arena;

    TableDemand(final RadixPageTable table, final TableArena arena)
    {
        this.table = table;
        this.arena = arena;
    }

    /**
     * @param start first address, 4 KiB aligned.
     * @param end   end address (exclusive), above start.
     * @param delta output minus input address (for large-leaf alignment); ignored when {@code large} is false.
     * @param large whether the map may use large leaves.
     * @return the number of tables to install (0 or more), or {@link PtwResult#EXISTS}.
     */
    long count(final long start, final long end, final long delta, final boolean large)
    {
        return countLevel(table.rootTableAddress(), table.levels() - 1, 0, start, end, delta, large);
    }

    private long countLevel(
        final long tableAddress, final int level, final long tableBase, final long start, final long end,
        final long delta, final boolean large)
    {
        final int shift = PteDescriptor.shift(level);
        long demand = 0;
        // The range arithmetic of LevelRangeWalk, but every entry is visited (an empty one counts what it needs),
        // and the map's output offset rides along: a loop of its own rather than a walker per call.
        for (int i = LevelRangeWalk.firstIndex(level, tableBase, start),
            last = LevelRangeWalk.lastIndex(level, tableBase, end); i <= last; i++)
        {
            final long entryBase = tableBase + ((long)i << shift);
            final long from = Math.max(entryBase, start);
            final long entry = PteAccess.lvEntry(PteAccess.entryAddress(tableAddress, i));
            if (entry == 0)
            {
                demand += emptyDemand(level, entryBase, from, end, delta, large);
            }
            else if ((entry & TABLE) == 0)
            {
                return PtwResult.EXISTS;
            }
            else if (level > 1)
            {
                final long below = countLevel(arena.pageAddress(PteDescriptor.childIndex(entry)), level - 1,
                    entryBase, start, end, delta, large);
                if (below < 0)
                {
                    return below;
                }
                demand += below;
            }
        }
        return demand;
    }

    /**
     * Tables a map installs below an empty entry of {@code level} (base {@code entryBase}) for its part from
     * {@code from}: none where a large leaf fits there, else one table and what its own entries need. The entries
     * strictly between the first and the last are alike (whole, aligned, the same offset to the output), so one of
     * them is counted and multiplied: the count costs a few steps per level, not one per entry.
     */
    private long emptyDemand(
        final int level, final long entryBase, final long from, final long end, final long delta,
        final boolean large)
    {
        if (large && table.canLarge(level, from, end, delta))
        {
            return 0;
        }
        long demand = 1;
        if (level > 1)
        {
            final long childSize = 1L << PteDescriptor.shift(level - 1);
            final long entryEnd = Math.min(entryBase + (1L << PteDescriptor.shift(level)), end);
            final long firstBase = from & -childSize;
            final long lastBase = (entryEnd - 1) & -childSize;
            demand += emptyDemand(level - 1, firstBase, from, end, delta, large);
            if (lastBase > firstBase)
            {
                final long middle = (lastBase - firstBase) / childSize - 1;
                if (middle > 0)
                {
                    final long second = firstBase + childSize;
                    demand += middle * emptyDemand(level - 1, second, second, end, delta, large);
                }
                demand += emptyDemand(level - 1, lastBase, lastBase, end, delta, large);
            }
        }
        return demand;
    }
}
