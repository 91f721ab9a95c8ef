/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BlockLedgerTest
{
    private final BlockLedger ledger = new BlockLedger(36);

    @Test
    void findsTheBlockContainingAPage()
    {
        ledger.open(0x1000, 4, 10);
        ledger.open(0x1010, 0, 1);
        assertEquals(0x1000, BlockLedger.start(ledger.find(0x1000)));
        assertEquals(4, BlockLedger.orderOf(ledger.find(0x1000)));
        assertEquals(0x1000, BlockLedger.start(ledger.find(0x100F)), "last page of the 16-page block");
        assertEquals(0x1010, BlockLedger.start(ledger.find(0x1010)));
        assertEquals(-1, ledger.find(0x1011));
        assertEquals(-1, ledger.find(0xFFF));
        assertEquals(-1, ledger.find(1L << 35), "a page whose leaf was never created");
        assertEquals(4, ledger.order(0x1000));
        assertEquals(-1, ledger.order(0x1001));
    }

    @Test
    void releaseFreesOnlyWhenTheLastMappedPageGoes()
    {
        ledger.open(0x2000, 3, 5);
        assertEquals(-1, ledger.release(0x2000, 2));
        assertEquals(-1, ledger.release(0x2000, 2));
        assertEquals(3, ledger.release(0x2000, 1), "the call that takes the count to zero gets the order");
        assertEquals(-1, ledger.find(0x2000), "the entry is gone with it");
        assertEquals(-2, ledger.release(0x2000, 1), "nothing left to release");
        assertEquals(-2, ledger.release(0x3000_0000L, 1), "never opened");
    }

    @Test
    void veryLargeBlocksAreFound()
    {
        final long start = 1L << 30;
        ledger.open(start, 30, 1L << 30);
        assertEquals(start, BlockLedger.start(ledger.find(start + (1L << 29) + 7)));
        assertEquals(30, ledger.release(start, 1L << 30));
    }

    @RepeatedTest(5)
    void exactlyOneOfManyRacingReleasesFreesTheBlock() throws Exception
    {
        final int threads = 4;
        final int pagesEach = 2000;
        final int blocks = 64;
        for (int b = 0; b < blocks; b++)
        {
            ledger.open((long)b << 14, 14, (long)threads * pagesEach);
        }
        final AtomicInteger frees = new AtomicInteger();
        final CyclicBarrier start = new CyclicBarrier(threads);
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
                for (int i = 0; i < pagesEach; i++)
                {
                    for (int b = 0; b < blocks; b++)
                    {
                        if (ledger.release((long)b << 14, 1) >= 0)
                        {
                            frees.incrementAndGet();
                        }
                    }
                }
            });
            workers[t].start();
        }
        for (final Thread worker : workers)
        {
            worker.join();
        }
        assertEquals(blocks, frees.get(), "each block freed exactly once, after its last page");
    }
}
