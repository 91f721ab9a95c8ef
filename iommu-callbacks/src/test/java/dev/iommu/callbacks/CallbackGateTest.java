/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallbackGateTest
{
    @Test
    void closedGateIsNeverEntered()
    {
        final CallbackGate gate = new CallbackGate();
        assertTrue(gate.tryEnter());
        gate.exit();
        assertTrue(gate.close());
        assertTrue(gate.isClosed());
        assertFalse(gate.tryEnter());
        assertFalse(gate.close());
    }

    @Test
    void closeFromInsideReturnsAtOnceAndExitCompletesIt()
    {
        final CallbackGate gate = new CallbackGate();
        assertTrue(gate.tryEnter());
        assertTrue(gate.close());
        assertFalse(gate.isClosed());
        assertFalse(gate.close());
        gate.exit();
        assertTrue(gate.isClosed());
        assertFalse(gate.tryEnter());
    }

    @Test
    void aGateStartedRunningBelongsToItsCreator()
    {
        final CallbackGate gate = new CallbackGate(true);
        assertTrue(gate.close());
        gate.exit();
        assertTrue(gate.isClosed());
    }

    /**
     * Two threads race per gate: an invoker entering and running a body that writes two fields, and a closer.
     * Checked: when close returned, the body either never ran or its writes are visible and it is not running.
     */
    @Test
    void closeReturnsOnlyWhenTheBodyIsNotRunning() throws Exception
    {
        final int rounds = 20_000;
        final AtomicInteger round = new AtomicInteger(-1);
        final AtomicLong violations = new AtomicLong();
        final CallbackGate[] gates = new CallbackGate[rounds];
        final long[] bodyA = new long[rounds];
        final long[] bodyB = new long[rounds];
        final boolean[] closedFlag = new boolean[rounds];
        for (int i = 0; i < rounds; i++)
        {
            gates[i] = new CallbackGate();
        }
        final Thread invoker = new Thread(() ->
        {
            final long deadline = System.nanoTime() + 60_000_000_000L;
            for (int i = 0; i < rounds; i++)
            {
                while (round.get() < i)
                {
                    Thread.yield();
                    if (System.nanoTime() > deadline)
                    {
                        violations.addAndGet(1_000_000);
                        return;
                    }
                }
                final CallbackGate gate = gates[i];
                while (gate.tryEnter())
                {
                    bodyA[i]++;
                    for (int spin = i & 15; spin > 0; spin--)
                    {
                        Thread.onSpinWait();
                    }
                    bodyB[i]++;
                    gate.exit();
                }
            }
        });
        invoker.start();
        for (int i = 0; i < rounds; i++)
        {
            round.set(i);
            for (int spin = (i * 7) & 31; spin > 0; spin--)
            {
                Thread.onSpinWait();
            }
            gates[i].close();
            closedFlag[i] = true;
            // After close returned, the body is complete: both counters equal (acquire in close pairs with the
            // release in exit), and they never change again.
            final long a = bodyA[i];
            final long b = bodyB[i];
            if (a != b)
            {
                violations.incrementAndGet();
            }
        }
        invoker.join(30_000);
        assertFalse(invoker.isAlive());
        for (int i = 0; i < rounds; i++)
        {
            assertEquals(bodyA[i], bodyB[i], "round " + i);
        }
        assertEquals(0, violations.get());
    }
}
