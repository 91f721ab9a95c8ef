/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HarnessTest
{
    private static final long PHASE_NS = 50_000_000L;

    private final Harness harness = new Harness(PHASE_NS, PHASE_NS, PHASE_NS);

    @Test
    void countsEveryThreadsOperationsAndRecordsOneLatencyEach()
    {
        final AtomicLongArray perThread = new AtomicLongArray(2);
        final WorkloadResult result = harness.measure("w", "v", "impl", 2, index -> new Operation()
        {
            @Override
            public void runOnce()
            {
                perThread.incrementAndGet(index);
            }

            @Override
            public long failures()
            {
                return 3;
            }
        });

        assertEquals(2, result.threads());
        assertTrue(result.operations() > 0);
        assertTrue(result.opsPerSecond() > 0);
        assertTrue(result.latencyNs().getTotalCount() > 0);
        assertTrue(perThread.get(0) + perThread.get(1) >= result.operations() + result.latencyNs().getTotalCount());
        assertEquals(6, result.failures(), "each thread's failures are summed");
        assertTrue(result.bytesPerOp() < 1.0, "a non-allocating operation: " + result.bytesPerOp());
    }

    @Test
    void seesWhatAnOperationAllocates()
    {
        final Object[] sink = new Object[1];
        final WorkloadResult result = harness.measure("w", "v", "impl", 1, index -> () -> sink[0] = new long[8]);
        assertTrue(result.bytesPerOp() >= 64, "a long[8] is at least 80 bytes: " + result.bytesPerOp());
    }

    @Test
    void aFailingThreadFailsTheMeasurement()
    {
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> harness.measure("w", "v", "impl", 2, index ->
            {
                if (index == 1)
                {
                    throw new ArithmeticException("setup broke");
                }
                return () ->
                {
                };
            }));
        assertInstanceOf(ArithmeticException.class, e.getCause());
    }
}
