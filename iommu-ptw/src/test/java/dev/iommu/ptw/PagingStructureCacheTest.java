/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.iommu.ptw.PageSizes.SIZE_2M;
import static dev.iommu.ptw.PageSizes.SIZE_4K;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The translate walk through the paging-structure cache: a miss reads only the leaf when the cache holds the leaf
 * table, a walk from the root fills the cache, and the two checks that make a cached slot safe to read, each forced
 * step by step: the owner tag turns away a slot whose leaf table was freed and reused before the walk (fails if
 * {@code PagingStructureCache.laOwnerTagMatches} always says yes), and the free generation makes a walk that read the
 * page after its reuse walk again (fails if the generation re-read in {@code TranslateWalker.walk} is removed).
 */
class PagingStructureCacheTest
{
    private static final long REGION_A = 0;
    private static final long REGION_B = SIZE_2M;
    private static final long OUTPUT_A = 0x1000_0000L;
    private static final long OUTPUT_B = 0x2000_0000L;

    private final TableArena arena = TableArena.allocateDirect(64);

    @AfterEach
    void close()
    {
        arena.close();
    }

    @Test
    void missReadsOnlyTheLeafWhenTheCacheHoldsItsTableAndARootWalkFillsTheCache()
    {
        final AtomicInteger reads = new AtomicInteger();
        final RadixPageTable table = RadixPageTable.create(
            arena, new PageTableConfig().iotlbEntries(0), (level, entry) -> reads.incrementAndGet());
        assertEquals(PtwResult.OK, table.map(REGION_A, OUTPUT_A, SIZE_4K, PtwPermissions.READ));
        assertEquals(OUTPUT_A + 0x123, Translation.outputAddress(table.translate(0x123), 0x123));
        assertEquals(1, reads.getAndSet(0), "a miss in a cached leaf table reads the leaf only");

        final long sameSlot = (long)PagingStructureCache.SLOTS * SIZE_2M;
        assertEquals(PtwResult.OK, table.map(sameSlot, OUTPUT_B, SIZE_4K, PtwPermissions.READ));
        reads.set(0);
        assertEquals(OUTPUT_A, Translation.outputAddress(table.translate(REGION_A), REGION_A));
        assertEquals(table.levels(), reads.getAndSet(0), "a region whose slot another took walks from the root");
        assertEquals(OUTPUT_A, Translation.outputAddress(table.translate(REGION_A), REGION_A));
        assertEquals(1, reads.get(), "the walk from the root put the leaf table back in the cache");
    }

    @Test
    void slotOfALeafTableFreedAndReusedBeforeTheWalkIsTurnedAwayByTheOwnerTag()
    {
        final RadixPageTable table = reusedUnder(new PagingStructureCache(arena));
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(REGION_A)));

        // The same steps without the owner-tag check read B's leaf through A's stale slot: the check is what helps.
        final RadixPageTable broken = reusedUnder(new PagingStructureCache(arena)
        {
            @Override
            boolean laOwnerTagMatches(final int page, final long pos)
            {
                return true;
            }
        });
        assertEquals(OUTPUT_B, Translation.outputAddress(broken.translate(REGION_A), REGION_A));
    }

    @Test
    void cachedWalkThatReadTheLeafTableAfterItsReuseWalksAgain() throws Exception
    {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        final AtomicLong firstLeafRead = new AtomicLong(-1);
        final BackgroundCall[] reader = new BackgroundCall[1];
        final PagingStructureCache pausing = new PagingStructureCache(arena)
        {
            @Override
            boolean laOwnerTagMatches(final int page, final long pos)
            {
                final boolean matches = super.laOwnerTagMatches(page, pos);
                if (null != reader[0] && Thread.currentThread() == reader[0].thread() && paused.getCount() > 0)
                {
                    paused.countDown();
                    // Fails on the reader thread; BackgroundCall.join rethrows it on the test thread.
                    assertTrue(BackgroundCall.await(resume), "the test never resumed the walk");
                }
                return matches;
            }
        };
        final WalkObserver observer = (level, entry) ->
        {
            if (null != reader[0] && Thread.currentThread() == reader[0].thread())
            {
                firstLeafRead.compareAndSet(-1, entry);
            }
        };
        final int root = arena.allocate();
        final RadixPageTable table =
            new RadixPageTable(arena, new PageTableConfig().iotlbEntries(0), root, observer, null, pausing);
        assertEquals(PtwResult.OK, table.map(REGION_A, OUTPUT_A, SIZE_4K, PtwPermissions.READ));
        reader[0] = new BackgroundCall(() -> table.walk(REGION_A));
        reader[0].start();
        assertTrue(paused.await(10, TimeUnit.SECONDS));

        assertEquals(1, table.unmap(REGION_A, SIZE_2M));
        assertEquals(PtwResult.OK, table.map(REGION_B, OUTPUT_B, SIZE_4K, PtwPermissions.WRITE));
        resume.countDown();
        final long result = reader[0].join();
        assertEquals(OUTPUT_B, PteDescriptor.output(firstLeafRead.get()),
            "the walk went on into the reused page (B's leaf at A's index)");
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(result),
            "walk returned 0x" + Long.toHexString(result) + " from a reused page");
    }

    /**
     * A table with {@code psc}: A mapped (its leaf table cached), A unmapped (the leaf table freed), B mapped (the
     * page reused: B's leaf at A's index), all before any translate.
     */
    private RadixPageTable reusedUnder(final PagingStructureCache psc)
    {
        final RadixPageTable table =
            new RadixPageTable(arena, new PageTableConfig().iotlbEntries(0), arena.allocate(), null, null, psc);
        assertEquals(PtwResult.OK, table.map(REGION_A, OUTPUT_A, SIZE_4K, PtwPermissions.READ));
        final long leafTableA = psc.leafTable(REGION_A);
        assertTrue(leafTableA != 0, "A's leaf table is in the cache");
        assertEquals(1, table.unmap(REGION_A, SIZE_2M));
        assertEquals(PtwResult.OK, table.map(REGION_B, OUTPUT_B, SIZE_4K, PtwPermissions.WRITE));
        assertEquals(leafTableA, psc.leafTable(REGION_B), "B's leaf table is A's freed page");
        return table;
    }
}
