/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OperationGateTest
{
    @Test
    void aClosedGateAdmitsNobody()
    {
        final OperationGate gate = new OperationGate();
        final int stripe = gate.enter();
        assertTrue(stripe >= 0);
        gate.exit(stripe);
        gate.closeAndDrain();
        assertFalse(gate.isOpen());
        assertEquals(-1, gate.enter());
    }

    /**
     * Threads enter, mark themselves inside a "table" (a flag that the closer destroys), and leave. Once
     * closeAndDrain returns, no thread may be inside or enter again: the destroyed flag must never be seen by a thread
     * that entered. Breaking the order in enter (reading open before the increment) lets a thread slip in after the
     * drain's scan, which this test catches as a use after destroy.
     */
    @RepeatedTest(20)
    void noCallIsInsideOnceDrainReturns() throws Exception
    {
        final OperationGate gate = new OperationGate();
        final AtomicBoolean destroyed = new AtomicBoolean();
        final AtomicInteger useAfterDestroy = new AtomicInteger();
        final AtomicInteger entered = new AtomicInteger();
        final int threads = 3;
        final CountDownLatch running = new CountDownLatch(threads);
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() ->
            {
                running.countDown();
                while (true)
                {
                    final int stripe = gate.enter();
                    if (stripe < 0)
                    {
                        return;
                    }
                    entered.incrementAndGet();
                    if (destroyed.get())
                    {
                        useAfterDestroy.incrementAndGet();
                    }
                    gate.exit(stripe);
                }
            });
            workers[t].start();
        }
        running.await();
        while (entered.get() < 1000)
        {
            Thread.onSpinWait();
        }
        gate.closeAndDrain();
        destroyed.set(true);
        for (final Thread worker : workers)
        {
            worker.join();
        }
        assertEquals(0, useAfterDestroy.get(), "a call was inside after closeAndDrain returned");
    }
}
