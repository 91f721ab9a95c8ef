/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.iommu.ptw.PageSizes.SIZE_2M;
import static dev.iommu.ptw.PageSizes.SIZE_4K;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The software IOTLB of a page table: hits, misses, invalidation by unmap (strict and deferred), and a fill racing a
 * strict unmap, stopped half-way by a {@link WalkObserver} (its assertions reach the test thread through
 * {@link BackgroundCall}).
 */
class SoftwareIotlbTest
{
    private static final int RW = PtwPermissions.READ_WRITE;
    private final TableArena arena = TableArena.allocateDirect(256);

    @AfterEach
    void close()
    {
        arena.close();
    }

    private static boolean present(final long translation)
    {
        return !Translation.isFault(translation);
    }

    @Test
    void countsHitsAndMisses()
    {
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(16));
        final SoftwareIotlb iotlb = table.iotlb();
        assertEquals(16, iotlb.entries());
        table.map(0, 0x10000, 4 * SIZE_4K, RW);
        table.translate(0x10);
        assertEquals(0, iotlb.hits());
        assertEquals(1, iotlb.misses());
        table.translate(0x20);
        table.translate(0x30);
        assertEquals(2, iotlb.hits());
        table.translate(0x5000);
        assertEquals(2, iotlb.misses(), "faults are looked up but never cached");
        table.translate(0x5000);
        assertEquals(3, iotlb.misses());
        table.walk(0x1000);
        assertEquals(3, iotlb.misses(), "walk bypasses the IOTLB");
        // A different page with the same slot evicts.
        table.map(16 * SIZE_4K, 0x90000, SIZE_4K, RW);
        table.translate(16 * SIZE_4K);
        table.translate(0);
        assertEquals(5, iotlb.misses());
        assertEquals(0x10000, Translation.outputAddress(table.translate(0), 0));
        assertEquals(3, iotlb.hits());
    }

    @Test
    void noIotlbWhenConfiguredWithZeroEntries()
    {
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(0));
        assertNull(table.iotlb());
        table.map(0, 0x10000, SIZE_4K, RW);
        assertEquals(0x10000, Translation.outputAddress(table.translate(0), 0));
        assertEquals(0x10000, Translation.outputAddress(table.translate(0), 0));
        assertThrows(IllegalArgumentException.class, () -> new PageTableConfig().iotlbEntries(3));
    }

    @Test
    void strictUnmapInvalidates()
    {
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(64));
        table.map(0, 0x10000, SIZE_2M, RW);
        table.translate(0);
        table.translate(0);
        assertEquals(1, table.iotlb().hits());
        assertEquals(512, table.unmap(0, SIZE_2M));
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(0)));
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(SIZE_4K)));
    }

    @Test
    void callerFlushKeepsStaleEntriesUntilInvalidated()
    {
        final RadixPageTable table = RadixPageTable.create(
            arena, new PageTableConfig().iotlbEntries(64).iotlbMode(IotlbMode.CALLER_FLUSH));
        table.map(0, 0x10000, 4 * SIZE_4K, RW);
        table.translate(0);
        table.translate(SIZE_4K);
        table.translate(2 * SIZE_4K);
        assertEquals(4, table.unmap(0, 4 * SIZE_4K));
        assertTrue(present(table.translate(0)), "stale until the caller flushes");
        assertTrue(present(table.translate(SIZE_4K)));
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.walk(0)));
        table.iotlb().invalidateRange(0, SIZE_4K);
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(0)));
        assertTrue(present(table.translate(SIZE_4K)));
        table.iotlb().invalidateAll();
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(SIZE_4K)));
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(2 * SIZE_4K)));
    }

    @Test
    void invalidateRangeLargerThanTheCacheScansEverySlot()
    {
        final RadixPageTable table = RadixPageTable.create(
            arena, new PageTableConfig().iotlbEntries(8).iotlbMode(IotlbMode.CALLER_FLUSH));
        table.map(0, 0, 64 * SIZE_4K, RW);
        for (int i = 0; i < 8; i++)
        {
            table.translate(i * SIZE_4K + 40 * SIZE_4K);
        }
        table.unmap(0, 64 * SIZE_4K);
        table.iotlb().invalidateRange(50 * SIZE_4K, 14 * SIZE_4K);
        table.iotlb().invalidateRange(0, 45 * SIZE_4K);
        assertTrue(present(table.translate(46 * SIZE_4K)), "outside both ranges: still cached");
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(44 * SIZE_4K)));
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(40 * SIZE_4K)));
    }

    @Test
    void deferredFlushesByBatchSize()
    {
        final RadixPageTable table = RadixPageTable.create(arena,
            new PageTableConfig().iotlbEntries(64).iotlbMode(IotlbMode.DEFERRED).deferredFlush(3, Long.MAX_VALUE));
        table.map(0, 0, 8 * SIZE_4K, RW);
        table.translate(0);
        table.unmap(0, SIZE_4K);
        table.unmap(SIZE_4K, SIZE_4K);
        assertEquals(2, table.iotlb().pendingInvalidations());
        assertTrue(present(table.translate(0)), "deferred: still cached");
        table.unmap(2 * SIZE_4K, SIZE_4K);
        assertEquals(0, table.iotlb().pendingInvalidations());
        assertEquals(1, table.iotlb().flushCount());
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(0)));
    }

    @Test
    void deferredFlushesByTime()
    {
        final AtomicLong now = new AtomicLong(1000);
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(64)
            .iotlbMode(IotlbMode.DEFERRED).deferredFlush(100, 500).clock(now::get));
        table.map(0, 0, 8 * SIZE_4K, RW);
        table.translate(0);
        table.unmap(0, SIZE_4K);
        now.addAndGet(499);
        assertTrue(!table.iotlb().flushPending());
        assertTrue(present(table.translate(0)));
        now.addAndGet(1);
        assertTrue(table.iotlb().flushPending());
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(0)));
        table.translate(SIZE_4K);
        table.unmap(SIZE_4K, SIZE_4K);
        now.addAndGet(10_000);
        table.unmap(2 * SIZE_4K, SIZE_4K);
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(SIZE_4K)),
            "an unmap after the delay flushes");
    }

    /**
     * A translate walks, reads the leaf and stops before it fills the IOTLB; a strict unmap then clears the leaf
     * and invalidates; the translate fills. The fill must see the cleared leaf and leave the slot empty: fails if
     * the re-check in {@code SoftwareIotlb.fill} is removed.
     */
    @Test
    void fillRacingStrictUnmapLeavesNoStaleEntry() throws Exception
    {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        final BackgroundCall[] reader = new BackgroundCall[1];
        final WalkObserver observer = (level, entry) ->
        {
            if (Thread.currentThread() == reader[0].thread() && level == 0)
            {
                paused.countDown();
                // Fails on the reader thread; BackgroundCall.join rethrows it on the test thread.
                assertTrue(BackgroundCall.await(resume), "the test never resumed the walk");
            }
        };
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(64), observer);
        table.map(0, 0x10000, SIZE_4K, RW);
        reader[0] = new BackgroundCall(() -> table.translate(0));
        reader[0].start();
        assertTrue(paused.await(10, TimeUnit.SECONDS));
        assertEquals(1, table.unmap(0, SIZE_4K));
        resume.countDown();
        final long seen = reader[0].join();
        assertEquals(0x10000, Translation.outputAddress(seen, 0), "the racing translate saw the old leaf");
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(0)),
            "a translate after the strict unmap returned must not hit a stale entry");
    }
}
