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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
     * The first thread to enter counts itself on the owner's slot (also when it enters again inside a call); any
     * other thread on a shared stripe. The drain waits for both kinds of slot, and a closed gate refuses both.
     */
    @Test
    void theDrainWaitsForTheOwnersSlotAndTheSharedStripes() throws Exception
    {
        final OperationGate gate = new OperationGate();
        final int mine = gate.enter();
        assertEquals(OperationGate.OWNER_SLOT, mine);
        final int nested = gate.enter();
        assertEquals(OperationGate.OWNER_SLOT, nested);
        final int[] other = new int[2];
        final Thread second = new Thread(() -> other[0] = gate.enter());
        second.start();
        second.join();
        assertTrue(other[0] >= 0);
        assertNotEquals(OperationGate.OWNER_SLOT, other[0]);
        gate.exit(nested);
        final Thread closer = new Thread(gate::closeAndDrain);
        closer.start();
        while (gate.isOpen())
        {
            Thread.onSpinWait();
        }
        gate.exit(other[0]);
        // The owner is still inside: the drain cannot have returned.
        assertTrue(closer.isAlive());
        gate.exit(mine);
        closer.join();
        assertEquals(-1, gate.enter());
        final Thread late = new Thread(() -> other[1] = gate.enter());
        late.start();
        late.join();
        assertEquals(-1, other[1]);
    }

    /**
     * A gate without owner's slot counts every thread on the shared stripes.
     */
    @Test
    void aGateWithoutOwnersSlotUsesTheStripes()
    {
        final OperationGate gate = new OperationGate(false);
        final int stripe = gate.enter();
        assertTrue(stripe >= 0);
        assertNotEquals(OperationGate.OWNER_SLOT, stripe);
        gate.exit(stripe);
        gate.closeAndDrain();
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
