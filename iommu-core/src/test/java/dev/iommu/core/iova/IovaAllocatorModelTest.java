/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.iommu.core.iova.IovaAllocator.NO_MAX;
import static dev.iommu.core.iova.IovaAllocator.NO_MIN;
import static dev.iommu.core.iova.IovaAllocator.PAGE_SHIFT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Randomised model-based test: the allocator against a sorted map of used page intervals. Seed printed on failure
 * (set -Diova.seed=N to replay).
 */
class IovaAllocatorModelTest
{
    private static final int WIDTH = 24;
    private static final long TOTAL_PAGES = 1L << (WIDTH - PAGE_SHIFT);

    private final TreeMap<Long, Long> used = new TreeMap<>();
    private final Map<Long, Integer> liveIndex = new HashMap<>();
    private long[] liveAddress = new long[1024];
    private long[] livePages = new long[1024];
    private boolean[] liveExplicit = new boolean[1024];
    private int liveCount;
    private long usedPages;

    @ParameterizedTest
    // 32 cached pages with magazines: chunks of 1,024 pages (4 in the space) unless turned off; 256 cached pages would
    // need chunks of 8,192 pages, more than half the space: none.
    @CsvSource({"0, 32, true", "8, 32, true", "8, 32, false", "8, 256, true"})
    void hundredThousandRandomOperationsMatchTheModelAndEndWhole(final int magazine, final int maxCached,
        final boolean chunks)
    {
        final long seed = Long.getLong("iova.seed", System.nanoTime());
        final String msg = "seed " + seed + " magazine " + magazine + " maxCachedPages " + maxCached + " chunks " +
            chunks;
        final Random random = new Random(seed);
        final IovaAllocatorConfig config = new IovaAllocatorConfig().addressWidth(WIDTH).explicitAllowed(true)
            .magazineCapacity(magazine).depotMagazines(2).maxCachedPages(maxCached).initialFreeBlocks(4)
            .nonBlockingChunks(chunks)
            .reserve(0x40000, 7).reserve(0x7F0000, 16).reserve(0, 2);
        final IovaAllocator a = new IovaAllocator(config);
        // Half the calls go through the thread's handle (IovaAllocator.threadCache()), half through the allocator.
        final IovaThreadCache handle = a.threadCache();
        usedAdd(0, 2);
        usedAdd(0x40, 7);
        usedAdd(0x7F0, 16);
        final long reserved = usedPages;
        final List<long[]> recentlyFreed = new ArrayList<>();
        int successes = 0;
        int noSpace = 0;
        for (int op = 0; op < 100_000; op++)
        {
            final int dice = random.nextInt(100);
            if (dice < 45)
            {
                final long pages = randomPages(random);
                long min = NO_MIN;
                long max = NO_MAX;
                if (random.nextInt(3) == 0)
                {
                    min = random.nextInt((int)(TOTAL_PAGES << PAGE_SHIFT));
                    max = min + random.nextInt((int)(TOTAL_PAGES << PAGE_SHIFT) / 4);
                }
                final long result = random.nextBoolean() ?
                    handle.allocate(pages, min, max) : a.allocate(pages, min, max);
                final int k = IovaAllocator.orderOf(pages);
                final long blockBytes = 1L << (k + PAGE_SHIFT);
                final long lo = Math.max(min, 1L << PAGE_SHIFT);
                final long top = (TOTAL_PAGES << PAGE_SHIFT) - 1;
                final long hi = max < 0 ? top : Math.min(max, top);
                final long firstSlot = (lo + blockBytes - 1) / blockBytes * blockBytes;
                final boolean satisfiable = firstSlot + blockBytes - 1 <= hi;
                if (result > 0)
                {
                    assertTrue(satisfiable, msg);
                    assertEquals(0, result % blockBytes, msg + " alignment");
                    assertTrue(result >= min && result + blockBytes - 1 <= hi, msg + " bounds");
                    final long page = result >>> PAGE_SHIFT;
                    assertTrue(!overlaps(page, 1L << k), msg + " overlap at op " + op + " page " + page);
                    usedAdd(page, 1L << k);
                    liveAdd(result, pages, false);
                    successes++;
                }
                else if (result == IovaResult.UNSATISFIABLE_BOUNDS)
                {
                    assertTrue(!satisfiable, msg);
                }
                else
                {
                    assertEquals(IovaResult.NO_SPACE, result, msg);
                    assertTrue(satisfiable, msg);
                    for (long slot = firstSlot; slot + blockBytes - 1 <= hi; slot += blockBytes)
                    {
                        if (!overlaps(slot >>> PAGE_SHIFT, 1L << k))
                        {
                            fail(msg + " NO_SPACE but slot free at " + slot + " op " + op);
                        }
                    }
                    noSpace++;
                }
            }
            else if (dice < 55)
            {
                final long pages = 1 + random.nextInt(random.nextBoolean() ? 4 : 40);
                final long page = random.nextInt((int)TOTAL_PAGES);
                final long result = a.allocateAt(page << PAGE_SHIFT, pages);
                if (page + pages > TOTAL_PAGES)
                {
                    assertEquals(IovaResult.BEYOND_WIDTH, result, msg);
                }
                else if (overlaps(page, pages))
                {
                    assertEquals(IovaResult.ADDRESS_IN_USE, result, msg + " op " + op);
                }
                else
                {
                    assertEquals(page << PAGE_SHIFT, result, msg + " op " + op);
                    usedAdd(page, pages);
                    liveAdd(result, pages, true);
                }
            }
            else if (liveCount > 0)
            {
                final int i = random.nextInt(liveCount);
                final long address = liveAddress[i];
                final long pages = livePages[i];
                final int bad = random.nextInt(100);
                if (bad < 4)
                {
                    final long wrong = liveExplicit[i] ? pages + 1 :
                        (random.nextBoolean() || pages == 1 ? roundUp(pages) * 2 : roundUp(pages) / 2);
                    if ((address >>> PAGE_SHIFT) + wrong <= TOTAL_PAGES)
                    {
                        assertEquals(IovaResult.WRONG_SIZE, handle.free(address, wrong), msg);
                    }
                }
                else if (bad < 8 && !recentlyFreed.isEmpty())
                {
                    final long[] f = recentlyFreed.get(random.nextInt(recentlyFreed.size()));
                    if (!liveIndex.containsKey(f[0]))
                    {
                        assertEquals(IovaResult.NOT_ALLOCATED, handle.free(f[0], f[1]), msg + " double free");
                    }
                }
                else
                {
                    final long freedPages = liveExplicit[i] ? pages : (random.nextBoolean() ? pages : roundUp(pages));
                    final int freed = random.nextBoolean() ?
                        handle.free(address, freedPages) : a.free(address, freedPages);
                    assertEquals(IovaResult.SUCCESS, freed, msg + " op " + op);
                    usedRemove(address >>> PAGE_SHIFT);
                    liveRemove(i);
                    if (recentlyFreed.size() < 64)
                    {
                        recentlyFreed.add(new long[] {address, pages});
                    }
                    else
                    {
                        recentlyFreed.set(random.nextInt(64), new long[] {address, pages});
                    }
                }
            }
            if (op % 5000 == 0)
            {
                assertEquals((TOTAL_PAGES - usedPages) << PAGE_SHIFT, a.freeBytes(), msg + " free bytes op " + op);
                if (magazine == 0)
                {
                    checkFreeBlocksAreTheComplement(a, msg);
                }
            }
        }
        assertTrue(successes > 10_000 && noSpace > 100, msg + " too few successes " + successes + "/" + noSpace);
        while (liveCount > 0)
        {
            final long address = liveAddress[liveCount - 1];
            assertEquals(IovaResult.SUCCESS, a.free(address, livePages[liveCount - 1]), msg);
            usedRemove(address >>> PAGE_SHIFT);
            liveRemove(liveCount - 1);
        }
        assertEquals(reserved, usedPages);
        a.releaseThreadCache();
        a.trim();
        assertEquals(0, a.cachedBytes(), msg);
        assertWhole(a, msg);
    }

    @Test
    void exhaustionFailsCleanlyAndFreeingAllMakesTheSpaceWhole()
    {
        final long seed = System.nanoTime();
        final String msg = "seed " + seed;
        final Random random = new Random(seed);
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig().addressWidth(WIDTH).explicitAllowed(true)
            .magazineCapacity(8).reserve(0x100000, 33));
        usedAdd(0, 1);
        usedAdd(0x100, 33);
        while (true)
        {
            final long pages = 1 + random.nextInt(random.nextBoolean() ? 2 : 100);
            final long result = a.allocate(pages, NO_MIN, NO_MAX);
            if (result < 0)
            {
                assertEquals(IovaResult.NO_SPACE, result, msg);
                if (pages == 1)
                {
                    break;
                }
                continue;
            }
            usedAdd(result >>> PAGE_SHIFT, roundUp(pages));
            liveAdd(result, pages, false);
        }
        assertEquals(TOTAL_PAGES, usedPages, msg + ": every page allocated or reserved");
        assertEquals(0, a.freeBytes(), msg);
        assertEquals(0, a.largestFreeBlockBytes(), msg);
        for (int i = 0; i < 1000; i++)
        {
            final long pages = 1 + random.nextInt(200);
            assertEquals(IovaResult.NO_SPACE, a.allocate(pages, NO_MIN, NO_MAX), msg);
            assertEquals(IovaResult.NO_SPACE, a.allocate(1, 0x10000, 0x1FFFF), msg);
            assertEquals(IovaResult.ADDRESS_IN_USE, a.allocateAt((1 + random.nextInt(4000)) << PAGE_SHIFT, 1), msg);
        }
        assertEquals(0, a.freeBytes(), msg);
        while (liveCount > 0)
        {
            final int i = random.nextInt(liveCount);
            assertEquals(IovaResult.SUCCESS, a.free(liveAddress[i], livePages[i]), msg);
            usedRemove(liveAddress[i] >>> PAGE_SHIFT);
            liveRemove(i);
        }
        a.releaseThreadCache();
        a.trim();
        assertEquals(0, a.cachedBytes(), msg);
        assertEquals((TOTAL_PAGES - 34) << PAGE_SHIFT, a.freeBytes(), msg);
        assertWhole(a, msg);
    }

    private void assertWhole(final IovaAllocator a, final String msg)
    {
        final List<Long> expected = new ArrayList<>();
        expectBlocks(0, WIDTH - PAGE_SHIFT, expected);
        final List<Long> actual = new ArrayList<>();
        a.forEachFreeBlock((page, order) -> actual.add(page << 8 | order));
        assertEquals(expected, actual, msg + ": one free block per maximal aligned span");
    }

    private void expectBlocks(final long page, final int order, final List<Long> out)
    {
        final long pages = 1L << order;
        if (!overlaps(page, pages))
        {
            out.add(page << 8 | order);
        }
        else if (order > 0 && !covered(page, pages))
        {
            expectBlocks(page, order - 1, out);
            expectBlocks(page + pages / 2, order - 1, out);
        }
    }

    private void checkFreeBlocksAreTheComplement(final IovaAllocator a, final String msg)
    {
        final long[] total = new long[1];
        a.forEachFreeBlock((page, order) ->
        {
            assertTrue(!overlaps(page, 1L << order), msg + " free block overlaps a used range at page " + page);
            assertEquals(0, page & ((1L << order) - 1), msg);
            total[0] += 1L << order;
        });
        assertEquals(TOTAL_PAGES - usedPages, total[0], msg);
    }

    private static long randomPages(final Random random)
    {
        final int r = random.nextInt(10);
        if (r < 6)
        {
            return 1 + random.nextInt(4);
        }
        if (r < 9)
        {
            return 1 + random.nextInt(32);
        }
        return 1 + random.nextInt(300);
    }

    private static long roundUp(final long pages)
    {
        return 1L << IovaAllocator.orderOf(pages);
    }

    private boolean overlaps(final long page, final long pages)
    {
        final Map.Entry<Long, Long> below = used.floorEntry(page);
        if (below != null && below.getValue() > page)
        {
            return true;
        }
        final Long above = used.ceilingKey(page);
        return above != null && above < page + pages;
    }

    private boolean covered(final long page, final long pages)
    {
        long x = page;
        while (x < page + pages)
        {
            final Map.Entry<Long, Long> e = used.floorEntry(x);
            if (e == null || e.getValue() <= x)
            {
                return false;
            }
            x = e.getValue();
        }
        return true;
    }

    private void usedAdd(final long page, final long pages)
    {
        used.put(page, page + pages);
        usedPages += pages;
    }

    private void usedRemove(final long page)
    {
        final Long end = used.remove(page);
        usedPages -= end - page;
    }

    private void liveAdd(final long address, final long pages, final boolean explicit)
    {
        if (liveCount == liveAddress.length)
        {
            liveAddress = Arrays.copyOf(liveAddress, liveCount * 2);
            livePages = Arrays.copyOf(livePages, liveCount * 2);
            liveExplicit = Arrays.copyOf(liveExplicit, liveCount * 2);
        }
        liveAddress[liveCount] = address;
        livePages[liveCount] = pages;
        liveExplicit[liveCount] = explicit;
        liveIndex.put(address, liveCount);
        liveCount++;
    }

    private void liveRemove(final int i)
    {
        liveIndex.remove(liveAddress[i]);
        liveCount--;
        if (i != liveCount)
        {
            liveAddress[i] = liveAddress[liveCount];
            livePages[i] = livePages[liveCount];
            liveExplicit[i] = liveExplicit[liveCount];
            liveIndex.put(liveAddress[i], i);
        }
    }
}
