/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * The one level-range iterator behind the recursive walkers of a {@link RadixPageTable} (unmap, table freeing,
 * next-mapped, count-mapped, visit, dump), as Linux's io-pgtable walkers: {@link #walk} visits, in address order,
 * the present entries of one table that overlap a range, read with volatile loads; a walker's {@link #visit}
 * handles a leaf, or recurses into a child table by calling {@link #walk} on it.
 * <p>
 * A visit returns a count (0 or more), summed over the table, or a negative value, which stops the whole walk and
 * is returned as is (a {@link PtwResult} code, or {@link #stop(long)} of a found address). Walkers hold no
 * per-call state unless made per call (visit, dump), so one instance serves concurrent callers.
 */
abstract class LevelRangeWalk
{
    /**
     * Visits the present entries of the table at {@code table} (of {@code level}, spanning from
     * {@code tableBase}) that overlap {@code [start, end)}.
     *
     * @return the sum of the visits, or the first negative visit.
     */
    final long walk(final long table, final int level, final long tableBase, final long start, final long end)
    {
        final int shift = PteDescriptor.shift(level);
        long total = 0;
        for (int i = firstIndex(level, tableBase, start), last = lastIndex(level, tableBase, end); i <= last; i++)
        {
            final long address = PteAccess.entryAddress(table, i);
            final long entry = PteAccess.lvEntry(address);
            if (entry != 0)
            {
                final long result = visit(address, entry, level, tableBase + ((long)i << shift), start, end);
                if (result < 0)
                {
                    return result;
                }
                total += result;
            }
        }
        return total;
    }

    /**
     * {@link #walk} over every entry of the table.
     */
    final long walkWhole(final long table, final int level, final long tableBase)
    {
        return walk(table, level, tableBase, tableBase, tableBase + tableSpan(level));
    }

    /**
     * One present entry.
     *
     * @param address   the entry's address.
     * @param entry     its value (non-zero).
     * @param level     its level.
     * @param entryBase the first address it spans.
     * @param start     the walk's range start.
     * @param end       the walk's range end (exclusive).
     * @return a count to add (0 or more), or a negative value that stops the walk.
     */
    abstract long visit(long address, long entry, int level, long entryBase, long start, long end);

    /**
     * @return {@code found} (an address, 0 or more) as a visit result that stops the walk.
     */
    static long stop(final long found)
    {
        return ~found;
    }

    /**
     * @return the address a walk stopped at by {@link #stop(long)}, or -1 when it ran to the end (0 or more).
     */
    static long stoppedAt(final long walked)
    {
        return walked < 0 ? ~walked : -1;
    }

    /**
     * @return the bytes one table of {@code level} spans.
     */
    static long tableSpan(final int level)
    {
        return 1L << (PteDescriptor.shift(level) + PteDescriptor.BITS_PER_LEVEL);
    }

    /**
     * @return the index of the first entry of a table of {@code level} at {@code tableBase} overlapping a range
     *     that starts at {@code start}.
     */
    static int firstIndex(final int level, final long tableBase, final long start)
    {
        return PteDescriptor.index(Math.max(start, tableBase), level);
    }

    /**
     * @return the index of the last entry of a table of {@code level} at {@code tableBase} overlapping a range
     *     that ends at {@code end} (exclusive).
     */
    static int lastIndex(final int level, final long tableBase, final long end)
    {
        return PteDescriptor.index(Math.min(end - 1, tableBase + tableSpan(level) - 1), level);
    }
}
