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

    /**
     * Bimodal insertion: a page whose slot holds another live page is cached on every eighth such miss only; an empty
     * slot or an entry of an older epoch is always filled.
     */
    @Test
    void aLiveEntryOfAnotherPageIsReplacedOnEveryEighthConflictingFill()
    {
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(16));
        final SoftwareIotlb iotlb = table.iotlb();
        table.map(0, 0x10000, SIZE_4K, RW);
        table.map(16 * SIZE_4K, 0x90000, SIZE_4K, RW);
        table.translate(0);
        assertEquals(1, iotlb.misses(), "an empty slot is filled at once");
        for (int i = 1; i <= 7; i++)
        {
            table.translate(16 * SIZE_4K);
            table.translate(0);
            assertEquals(1 + i, iotlb.misses(), "the live entry of page 0 stays: only page 16 misses");
        }
        table.translate(16 * SIZE_4K);
        assertEquals(9, iotlb.misses());
        assertEquals(0x90000, Translation.outputAddress(table.translate(16 * SIZE_4K), 0));
        assertEquals(9, iotlb.misses(), "the eighth conflicting fill replaced page 0");
        iotlb.invalidateAll();
        table.translate(0);
        table.translate(0);
        assertEquals(10, iotlb.misses(), "an entry of an older epoch is replaced at once");
    }

    @Test
    void hitsAreNotCountedUnlessAskedMissesAlways()
    {
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(16));
        table.map(0, 0x10000, SIZE_4K, RW);
        table.translate(0);
        table.translate(0);
        assertTrue(present(table.translate(0)));
        assertEquals(0, table.iotlb().hits());
        assertEquals(1, table.iotlb().misses());
    }

    @Test
    void countsHitsAndMisses()
    {
        final RadixPageTable table =
            RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(16).iotlbHitCounting(true));
        final SoftwareIotlb iotlb = table.iotlb();
        assertEquals(16, iotlb.entries());
        assertTrue(iotlb.countsHits());
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
        // A different page with the same slot misses and does not evict the live entry (bimodal insertion).
        table.map(16 * SIZE_4K, 0x90000, SIZE_4K, RW);
        table.translate(16 * SIZE_4K);
        table.translate(0);
        assertEquals(4, iotlb.misses());
        assertEquals(0x10000, Translation.outputAddress(table.translate(0), 0));
        assertEquals(4, iotlb.hits());
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
        final RadixPageTable table =
            RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(64).iotlbHitCounting(true));
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
    void invalidateRangeLargerThanTheCacheForgetsEverythingInOneFlush()
    {
        final RadixPageTable table = RadixPageTable.create(
            arena, new PageTableConfig().iotlbEntries(8).iotlbMode(IotlbMode.CALLER_FLUSH));
        table.map(0, 0, 64 * SIZE_4K, RW);
        for (int i = 0; i < 8; i++)
        {
            table.translate(i * SIZE_4K + 40 * SIZE_4K);
        }
        table.unmap(0, 64 * SIZE_4K);
        table.iotlb().invalidateRange(42 * SIZE_4K, 2 * SIZE_4K);
        assertTrue(present(table.translate(46 * SIZE_4K)), "narrower than the cache: other slots stay");
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(43 * SIZE_4K)));
        assertEquals(0, table.iotlb().flushCount());
        table.iotlb().invalidateRange(0, 9 * SIZE_4K);
        assertEquals(1, table.iotlb().flushCount(), "wider than the cache: one flush of everything");
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(46 * SIZE_4K)));
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
        table.map(16 * SIZE_4K, 0, 16 * SIZE_4K, RW);
        table.translate(SIZE_4K);
        table.unmap(SIZE_4K, SIZE_4K);
        now.addAndGet(10_000);
        for (int i = 2; i < 8; i++)
        {
            table.unmap(i * SIZE_4K, SIZE_4K);
        }
        assertTrue(present(table.translate(SIZE_4K)), "the delay is checked at every eighth queued unmap");
        table.unmap(16 * SIZE_4K, SIZE_4K);
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(SIZE_4K)),
            "the eighth queued unmap after the delay flushes");
        assertEquals(0, table.iotlb().pendingInvalidations());
    }

    @Test
    void deferredWithoutDelayFlushesAtEveryUnmap()
    {
        final RadixPageTable table = RadixPageTable.create(arena,
            new PageTableConfig().iotlbEntries(64).iotlbMode(IotlbMode.DEFERRED).deferredFlush(64, 0));
        table.map(0, 0, 2 * SIZE_4K, RW);
        table.translate(0);
        table.unmap(0, SIZE_4K);
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(0)));
        assertEquals(1, table.iotlb().flushCount());
    }

    /**
     * A flush of everything is one epoch step; the step that wraps the epoch's 17 bits must clear every slot, or an
     * entry filled a full cycle of flushes ago matches again. Fails if the wrap's clearing pass is dropped.
     */
    @Test
    void anEntryAFullEpochCycleOldNeverMatchesAgain()
    {
        final RadixPageTable table = RadixPageTable.create(arena,
            new PageTableConfig().iotlbEntries(64).iotlbMode(IotlbMode.CALLER_FLUSH));
        table.map(0, 0x10000, SIZE_4K, RW);
        assertEquals(0x10000, Translation.outputAddress(table.translate(0), 0));
        table.unmap(0, SIZE_4K);
        table.map(0, 0x20000, SIZE_4K, RW);
        assertEquals(0x10000, Translation.outputAddress(table.translate(0), 0), "caller-flush: the old entry stays");
        for (int i = 0; i < 1 << 17; i++)
        {
            table.iotlb().invalidateAll();
        }
        assertEquals(0x20000, Translation.outputAddress(table.translate(0), 0),
            "the entry of epoch 0 is gone after the epoch wrapped back to 0");
        assertEquals(1 << 17, table.iotlb().flushCount());
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
