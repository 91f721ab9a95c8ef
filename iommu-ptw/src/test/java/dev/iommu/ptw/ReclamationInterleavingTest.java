/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static dev.iommu.ptw.PageSizes.SIZE_2M;
import static dev.iommu.ptw.PageSizes.SIZE_4K;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interleaving that safe reclamation exists for, forced step by step: a walk reads the pointer to a level-0
 * table and stops; the table is unmapped (freed) and its page reused for another region's leaves; the walk goes
 * on. Without the generation check the walk returns the other region's output; with it the walk retries and
 * reports "not present". This test fails if the check in {@code TranslateWalker.walk} is removed (the same through
 * the paging-structure cache: {@link PagingStructureCacheTest}). An assertion that fails inside the observer (on the
 * walking thread) fails the test too ({@link BackgroundCall}).
 */
class ReclamationInterleavingTest
{
    @Test
    void walkThatReadAFreedTableRetriesInsteadOfReturningItsNewContent() throws Exception
    {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        final AtomicLong readerLevel1 = new AtomicLong();
        final BackgroundCall[] reader = new BackgroundCall[1];
        final WalkObserver observer = (level, entry) ->
        {
            if (Thread.currentThread() == reader[0].thread() && level == 1 && readerLevel1.get() == 0)
            {
                readerLevel1.set(entry);
                paused.countDown();
                // Fails on the reader thread; BackgroundCall.join rethrows it on the test thread.
                assertTrue(BackgroundCall.await(resume), "the test never resumed the walk");
            }
        };
        try (TableArena arena = TableArena.allocateDirect(64))
        {
            final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(0), observer);
            assertEquals(PtwResult.OK, table.map(0, 0x1000_0000L, SIZE_4K, PtwPermissions.READ));
            // A region that shares region 0's paging-structure cache slot takes it, so the walk starts at the root.
            final long sameSlot = (long)PagingStructureCache.SLOTS * SIZE_2M;
            assertEquals(PtwResult.OK, table.map(sameSlot, 0x3000_0000L, SIZE_4K, PtwPermissions.READ));
            reader[0] = new BackgroundCall(() -> table.walk(0));
            reader[0].start();
            assertTrue(paused.await(10, TimeUnit.SECONDS));
            final int oldTable = PteDescriptor.childIndex(readerLevel1.get());

            assertEquals(1, table.unmap(0, SIZE_2M));
            assertEquals(PtwResult.OK, table.map(SIZE_2M, 0x2000_0000L, SIZE_4K, PtwPermissions.WRITE));
            final int newTable = (int)(arena.buffer().getLong(
                oldTable * TableArena.PAGE_SIZE) >>> 12) == (0x2000_0000 >>> 12) ? oldTable : -1;
            assertEquals(oldTable, newTable, "the freed page was reused for the other region");

            resume.countDown();
            final long result = reader[0].join();
            assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(result),
                "walk returned 0x" + Long.toHexString(result) + " from a reused page");
        }
    }
}
