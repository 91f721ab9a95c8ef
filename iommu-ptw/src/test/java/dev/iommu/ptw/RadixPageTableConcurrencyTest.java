/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static dev.iommu.ptw.PageSizes.SIZE_2M;
import static dev.iommu.ptw.PageSizes.SIZE_4K;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writers map, translate and unmap their own 2 MiB regions, interleaved so that every writer shares the upper
 * tables with the others, and often unmap a whole region so that its level-0 table is freed and its page reused
 * by the next map. A reader translates addresses of every region all the time. Every output is {@code iova + OFFSET},
 * so any translation that came from a reused page (another region's leaves) has the wrong output.
 */
class RadixPageTableConcurrencyTest
{
    private static final long OFFSET = 1L << 40;
    private static final int WRITERS = 3;
    private static final int REGIONS_PER_WRITER = 8;
    private static final int OPERATIONS = 150_000;
    private static final int PAGES = (int)(SIZE_2M / SIZE_4K);

    @Test
    void disjointWritersAndARacingReaderNeverSeeAnotherRegionsLeaves() throws Exception
    {
        final long seed = Long.getLong("ptw.seed", System.nanoTime());
        try (TableArena arena = TableArena.allocateDirect(1024))
        {
            final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(64));
            final long startPages = table.tablePages();
            final CyclicBarrier barrier = new CyclicBarrier(WRITERS + 1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean writersDone = new AtomicBoolean();
            final AtomicLong readerHits = new AtomicLong();
            final Thread[] writers = new Thread[WRITERS];
            for (int w = 0; w < WRITERS; w++)
            {
                final int id = w;
                writers[w] = new Thread(() -> runWriter(table, id, seed + id, barrier, failure), "writer-" + w);
                writers[w].start();
            }
            final Thread reader = new Thread(() ->
            {
                try
                {
                    barrier.await();
                    final SplittableRandom random = new SplittableRandom(seed - 1);
                    long hits = 0;
                    while (!writersDone.get() && failure.get() == null)
                    {
                        final long iova = random.nextLong(WRITERS * REGIONS_PER_WRITER * SIZE_2M) & ~(SIZE_4K - 1);
                        final long t = (hits & 1) == 0 ? table.walk(iova) : table.translate(iova);
                        if (!Translation.isFault(t))
                        {
                            hits++;
                            if (Translation.outputAddress(t, iova) != iova + OFFSET)
                            {
                                throw new AssertionError("seed " + seed + ": 0x" + Long.toHexString(iova) +
                                    " translated to 0x" + Long.toHexString(Translation.outputAddress(t, iova)));
                            }
                        }
                        else if (Translation.faultReason(t) != Translation.FAULT_NOT_PRESENT)
                        {
                            throw new AssertionError("seed " + seed + ": fault " + Translation.faultReason(t));
                        }
                    }
                    readerHits.set(hits);
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            }, "reader");
            reader.start();
            for (final Thread writer : writers)
            {
                writer.join();
            }
            writersDone.set(true);
            reader.join();
            assertNull(failure.get(), () -> "seed " + seed + ": " + failure.get());
            assertTrue(readerHits.get() > 1000, "reader saw too few mappings: " + readerHits.get());
            assertEquals(0, table.unmap(0, 1L << 48), "writers unmapped everything they mapped");
            assertEquals(startPages, table.tablePages(), "no table leaked, seed " + seed);
            assertEquals(startPages, arena.pagesInUse(), "no arena page leaked, seed " + seed);
        }
    }

    private static void runWriter(
        final RadixPageTable table, final int id, final long seed, final CyclicBarrier barrier,
        final AtomicReference<Throwable> failure)
    {
        try
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final BitSet[] mapped = new BitSet[REGIONS_PER_WRITER];
            for (int r = 0; r < REGIONS_PER_WRITER; r++)
            {
                mapped[r] = new BitSet(PAGES);
            }
            barrier.await();
            for (int op = 0; op < OPERATIONS && failure.get() == null; op++)
            {
                final int r = random.nextInt(REGIONS_PER_WRITER);
                final long region = (long)(r * WRITERS + id) * SIZE_2M;
                final int page = random.nextInt(PAGES);
                final int run = Math.min(1 + random.nextInt(8), PAGES - page);
                final long iova = region + page * SIZE_4K;
                final int action = random.nextInt(16);
                if (action < 7)
                {
                    final boolean free = mapped[r].nextSetBit(page) < 0 || mapped[r].nextSetBit(page) >= page + run;
                    final int result = table.map(iova, iova + OFFSET, run * SIZE_4K, PtwPermissions.READ_WRITE);
                    check(free ? PtwResult.OK : PtwResult.EXISTS, result, seed, "map");
                    if (free)
                    {
                        mapped[r].set(page, page + run);
                    }
                }
                else if (action < 12)
                {
                    final int expected = mapped[r].get(page, page + run).cardinality();
                    check(expected, table.unmap(iova, run * SIZE_4K), seed, "unmap");
                    mapped[r].clear(page, page + run);
                }
                else if (action < 13)
                {
                    check(mapped[r].cardinality(), table.unmap(region, SIZE_2M), seed, "unmap region");
                    mapped[r].clear();
                }
                else
                {
                    final long t = table.translate(iova);
                    if (mapped[r].get(page))
                    {
                        check(iova + OFFSET, Translation.outputAddress(t, iova), seed, "translate own");
                    }
                    else
                    {
                        check(Translation.FAULT_NOT_PRESENT, Translation.faultReason(t), seed, "translate own");
                    }
                }
            }
            for (int r = 0; r < REGIONS_PER_WRITER; r++)
            {
                final long region = (long)(r * WRITERS + id) * SIZE_2M;
                check(mapped[r].cardinality(), table.unmap(region, SIZE_2M), seed, "final unmap");
            }
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, ex);
        }
    }

    private static void check(final long expected, final long actual, final long seed, final String what)
    {
        if (expected != actual)
        {
            throw new AssertionError(what + ": expected " + expected + " but was " + actual + ", seed " + seed);
        }
    }
}
