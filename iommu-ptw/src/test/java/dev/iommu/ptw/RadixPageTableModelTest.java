/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import static dev.iommu.ptw.PageSizes.SIZE_1G;
import static dev.iommu.ptw.PageSizes.SIZE_2M;
import static dev.iommu.ptw.PageSizes.SIZE_4K;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 100,000 random map / scatter map / unmap / translate operations, each checked against a sorted map of
 * intervals. The seed is random unless -Dptw.seed is given, and is part of every failure message.
 */
class RadixPageTableModelTest
{
    private static final int OPERATIONS = 100_000;
    private static final long SPACE = 8 * SIZE_1G;

    /** start -> { end, output start, permissions }. */
    private final TreeMap<Long, long[]> model = new TreeMap<>();
    private long seed;
    private int step;

    @Test
    void randomOperationsMatchTheIntervalModel()
    {
        seed = Long.getLong("ptw.seed", System.nanoTime());
        final SplittableRandom random = new SplittableRandom(seed);
        try (TableArena arena = TableArena.allocateDirect(32_768))
        {
            final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(64));
            final long startPages = table.tablePages();
            final long startArena = arena.pagesInUse();
            int maps = 0;
            int refused = 0;
            int partial = 0;
            for (step = 0; step < OPERATIONS; step++)
            {
                final int op = random.nextInt(10);
                final long start = randomStart(random);
                final long length = Math.min(randomLength(random), SPACE - start);
                if (op < 4)
                {
                    final long output = (random.nextBoolean() ? start : random.nextLong(1L << 36)) & ~(SIZE_4K - 1);
                    final int perm = random.nextInt(4);
                    final int result = table.map(start, output, length, perm);
                    if (overlaps(start, start + length))
                    {
                        assertEquals(PtwResult.EXISTS, result, message("map over a mapping"));
                        refused++;
                    }
                    else
                    {
                        assertEquals(PtwResult.OK, result, message("map"));
                        model.put(start, new long[] { start + length, output, perm });
                        maps++;
                    }
                }
                else if (op < 5)
                {
                    final int count = 1 + random.nextInt(24);
                    final long[] frames = new long[count];
                    for (int i = 0; i < count; i++)
                    {
                        frames[i] = random.nextLong(1L << 30);
                    }
                    final long end = start + count * SIZE_4K;
                    if (end > SPACE)
                    {
                        continue;
                    }
                    final int result = table.mapScatter(start, frames, 0, count, PtwPermissions.READ);
                    if (overlaps(start, end))
                    {
                        assertEquals(PtwResult.EXISTS, result, message("scatter over a mapping"));
                    }
                    else
                    {
                        assertEquals(PtwResult.OK, result, message("scatter"));
                        for (int i = 0; i < count; i++)
                        {
                            model.put(start + i * SIZE_4K,
                                new long[] { start + (i + 1) * SIZE_4K, frames[i] << 12, PtwPermissions.READ });
                        }
                    }
                }
                else if (op < 8)
                {
                    final long end = start + length;
                    final boolean cuts = cutsLargeLeaf(table, start, start, end) ||
                        cutsLargeLeaf(table, end - SIZE_4K, start, end);
                    final boolean keep = random.nextInt(4) == 0;
                    final long result = keep ? table.unmapKeepTables(start, length) : table.unmap(start, length);
                    if (cuts)
                    {
                        assertEquals(PtwResult.PARTIAL_LARGE_PAGE, result, message("partial large unmap"));
                        partial++;
                    }
                    else
                    {
                        assertEquals(removeFromModel(start, end), result, message("unmap count"));
                    }
                }
                else
                {
                    check(table, start);
                }
                // After every step: the edges of the touched range and a few random addresses.
                check(table, start);
                check(table, start + length - SIZE_4K);
                check(table, start - SIZE_4K);
                check(table, start + length);
                check(table, start + random.nextLong(length));
                check(table, randomStart(random));
                if (step % 10_000 == 0)
                {
                    checkAllRanges(table);
                }
            }
            checkAllRanges(table);
            assertTrue(maps > 10_000 && refused > 1_000 && partial > 100,
                message("mix: maps " + maps + " refused " + refused + " partial " + partial));
            final long mapped = removeFromModel(0, SPACE);
            assertEquals(mapped, table.unmap(0, 1L << table.addressWidth()), message("final unmap"));
            assertEquals(startPages, table.tablePages(), message("table pages leaked"));
            assertEquals(startArena, arena.pagesInUse(), message("arena pages leaked"));
        }
    }

    private Supplier<String> message(final String what)
    {
        return () -> what + " at step " + step + ", seed " + seed + " (rerun with -Dptw.seed=" + seed + ")";
    }

    private static long randomStart(final SplittableRandom random)
    {
        final int kind = random.nextInt(10);
        if (kind < 2)
        {
            return random.nextLong(SPACE / SIZE_2M) * SIZE_2M;
        }
        if (kind < 3)
        {
            return random.nextLong(SPACE / SIZE_1G) * SIZE_1G;
        }
        // Cluster small operations so that they meet each other.
        return random.nextLong(4096) * SIZE_4K + random.nextInt(8) * SIZE_1G;
    }

    private static long randomLength(final SplittableRandom random)
    {
        final int kind = random.nextInt(20);
        if (kind < 14)
        {
            return (1 + random.nextInt(16)) * SIZE_4K;
        }
        if (kind < 18)
        {
            return (1 + random.nextInt(3)) * SIZE_2M + (random.nextBoolean() ? 0 : random.nextInt(8) * SIZE_4K);
        }
        if (kind < 19)
        {
            return SIZE_1G;
        }
        return (1 + random.nextInt(2048)) * SIZE_4K;
    }

    private static boolean cutsLargeLeaf(final RadixPageTable table, final long iova, final long start, final long end)
    {
        final long t = table.walk(iova);
        if (Translation.isFault(t) || Translation.pageSize(t) == SIZE_4K)
        {
            return false;
        }
        final long size = Translation.pageSize(t);
        final long leafStart = iova & -size;
        return leafStart < start || leafStart + size > end;
    }

    private boolean overlaps(final long start, final long end)
    {
        final Map.Entry<Long, long[]> e = model.lowerEntry(end);
        return e != null && e.getValue()[0] > start;
    }

    private long removeFromModel(final long start, final long end)
    {
        long pages = 0;
        final List<long[]> keep = new ArrayList<>();
        final Map.Entry<Long, long[]> first = model.lowerEntry(start);
        final Long from = first != null && first.getValue()[0] > start ? first.getKey() : Long.valueOf(start);
        final Map<Long, long[]> affected = model.subMap(from, true, end, false);
        for (final Map.Entry<Long, long[]> e : affected.entrySet())
        {
            final long s = e.getKey();
            final long[] v = e.getValue();
            final long lo = Math.max(s, start);
            final long hi = Math.min(v[0], end);
            pages += (hi - lo) / SIZE_4K;
            if (s < lo)
            {
                keep.add(new long[] { s, lo, v[1], v[2] });
            }
            if (hi < v[0])
            {
                keep.add(new long[] { hi, v[0], v[1] + (hi - s), v[2] });
            }
        }
        affected.clear();
        for (final long[] k : keep)
        {
            model.put(k[0], new long[] { k[1], k[2], k[3] });
        }
        return pages;
    }

    private void check(final RadixPageTable table, final long iova)
    {
        if (iova < 0 || iova >= SPACE)
        {
            return;
        }
        final long t = table.translate(iova);
        final Map.Entry<Long, long[]> e = model.floorEntry(iova);
        if (e == null || e.getValue()[0] <= iova)
        {
            assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(t), message("not present 0x" +
                Long.toHexString(iova)));
            return;
        }
        final long[] v = e.getValue();
        assertTrue(!Translation.isFault(t), message("present 0x" + Long.toHexString(iova)));
        assertEquals(v[1] + (iova - e.getKey()), Translation.outputAddress(t, iova), message("output"));
        assertEquals((int)v[2], Translation.permissions(t), message("permissions"));
        // A leaf of any size lies wholly inside one model interval.
        final long size = Translation.pageSize(t);
        final long leafStart = iova & -size;
        assertTrue(leafStart >= e.getKey() && leafStart + size <= v[0], message("leaf inside interval"));
    }

    private void checkAllRanges(final RadixPageTable table)
    {
        final List<long[]> actual = new ArrayList<>();
        table.forEachMappedRange((iova, output, length, perm) -> actual.add(new long[] { iova, output, length, perm }));
        final List<long[]> expected = new ArrayList<>();
        for (final Map.Entry<Long, long[]> e : model.entrySet())
        {
            final long[] v = e.getValue();
            final long[] last = expected.isEmpty() ? null : expected.get(expected.size() - 1);
            if (last != null && last[0] + last[2] == e.getKey() && last[1] + last[2] == v[1] && last[3] == v[2])
            {
                last[2] += v[0] - e.getKey();
            }
            else
            {
                expected.add(new long[] { e.getKey(), v[1], v[0] - e.getKey(), v[2] });
            }
        }
        assertEquals(expected.size(), actual.size(), message("coalesced range count"));
        for (int i = 0; i < expected.size(); i++)
        {
            for (int j = 0; j < 4; j++)
            {
                assertEquals(expected.get(i)[j], actual.get(i)[j], message("coalesced range " + i));
            }
        }
    }
}
