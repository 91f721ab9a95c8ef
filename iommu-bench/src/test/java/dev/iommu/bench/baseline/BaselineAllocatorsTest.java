/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.baseline;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.iommu.bench.iova.RangeAllocators;
import dev.iommu.core.iova.IovaResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class BaselineAllocatorsTest
{
    private static final int WIDTH = 22;
    private static final long TOTAL = 1L << (WIDTH - 12);

    @ParameterizedTest
    @ValueSource(strings = {"tree", "skiplist", "buddy"})
    void randomOperationsNeverOverlapRespectBoundsAndEndWhole(final String name)
    {
        final long seed = System.nanoTime();
        final String msg = name + " seed " + seed;
        final Random random = new Random(seed);
        final RangeAllocator a = RangeAllocators.create(name, WIDTH);
        final TreeMap<Long, Long> used = new TreeMap<>();
        final long[] addr = new long[4096];
        final long[] pages = new long[4096];
        int live = 0;
        int noSpace = 0;
        for (int op = 0; op < 30_000; op++)
        {
            if (random.nextInt(100) < 55 && live < addr.length)
            {
                final long n = 1 + random.nextInt(random.nextBoolean() ? 4 : 64);
                final long size = n == 1 ? 1 : Long.highestOneBit(n - 1) << 1;
                final boolean bounded = random.nextInt(4) == 0;
                final long min = bounded ? random.nextInt((int)TOTAL / 2) << 12 : 0;
                final long max = bounded ? min + ((long)random.nextInt((int)TOTAL / 2) << 12) : -1;
                final long r = a.allocate(n, min, max);
                if (r > 0)
                {
                    final long page = r >>> 12;
                    assertEquals(0, page % size, msg);
                    assertTrue(r >= min && (max < 0 || r + (size << 12) - 1 <= max), msg);
                    final Map.Entry<Long, Long> below = used.floorEntry(page + size - 1);
                    if (below != null && below.getValue() > page)
                    {
                        fail(msg + " overlap at page " + page);
                    }
                    used.put(page, page + size);
                    addr[live] = r;
                    pages[live] = n;
                    live++;
                }
                else if (r == IovaResult.NO_SPACE)
                {
                    noSpace++;
                }
                else
                {
                    assertEquals(IovaResult.UNSATISFIABLE_BOUNDS, r, msg);
                }
            }
            else if (live > 0)
            {
                final int i = random.nextInt(live);
                assertEquals(IovaResult.SUCCESS, a.free(addr[i], pages[i]), msg);
                assertEquals(IovaResult.NOT_ALLOCATED, a.free(addr[i], pages[i]), msg + " double free");
                used.remove(addr[i] >>> 12);
                live--;
                addr[i] = addr[live];
                pages[i] = pages[live];
            }
        }
        assertTrue(noSpace >= 0);
        for (int i = 0; i < live; i++)
        {
            assertEquals(IovaResult.SUCCESS, a.free(addr[i], pages[i]), msg);
        }
        assertEquals((TOTAL - 1) << 12, a.freeBytes(), msg);
        assertEquals(TOTAL / 2 << 12, a.allocate(TOTAL / 2, 0, -1), msg + ": the upper half is whole again");
    }
}
