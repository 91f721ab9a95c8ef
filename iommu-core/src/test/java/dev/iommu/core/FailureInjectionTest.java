/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import static dev.iommu.core.FailureInjection.AllocationKind.IOVA_BLOCK;
import static dev.iommu.core.FailureInjection.AllocationKind.TABLE_PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FailureInjection} counts allocation points from arming, fails exactly the n-th (of any kind, or of the armed
 * kind only, other kinds neither counted nor failed), then lets every later one through; disarming forgets the count;
 * counting is exact under concurrent callers; and a context refuses an injection armed before launch.
 */
final class FailureInjectionTest
{
    @Test
    void disarmedAllowsEverythingAndCountsNothing()
    {
        final FailureInjection injection = new FailureInjection();
        for (int i = 0; i < 5; i++)
        {
            assertTrue(injection.allows(TABLE_PAGE));
        }
        assertFalse(injection.armed());
        assertEquals(0, injection.allocations());
        assertFalse(injection.fired());
        assertNull(injection.failed());
    }

    @Test
    void failsExactlyTheNthOfAnyKindThenStops()
    {
        final FailureInjection injection = new FailureInjection().failNth(3);
        assertTrue(injection.allows(TABLE_PAGE));
        assertTrue(injection.allows(IOVA_BLOCK));
        assertFalse(injection.fired());
        assertFalse(injection.allows(IOVA_BLOCK), "the third allocation fails");
        assertTrue(injection.fired());
        assertEquals(IOVA_BLOCK, injection.failed());
        assertTrue(injection.allows(TABLE_PAGE), "then every allocation succeeds");
        assertTrue(injection.allows(IOVA_BLOCK));
        assertEquals(5, injection.allocations());
        assertEquals(IOVA_BLOCK, injection.failed(), "the failed kind stays the first failure's");
    }

    @Test
    void aKindFilterCountsAndFailsOnlyThatKind()
    {
        final FailureInjection injection = new FailureInjection().failNth(2, TABLE_PAGE);
        assertTrue(injection.allows(IOVA_BLOCK));
        assertTrue(injection.allows(TABLE_PAGE));
        assertTrue(injection.allows(IOVA_BLOCK));
        assertEquals(1, injection.allocations(), "other kinds are not counted");
        assertFalse(injection.allows(TABLE_PAGE));
        assertEquals(TABLE_PAGE, injection.failed());
    }

    @Test
    void rearmingAndDisarmingStartAfresh()
    {
        final FailureInjection injection = new FailureInjection().failNth(1);
        assertFalse(injection.allows(TABLE_PAGE));
        injection.failNth(2);
        assertEquals(0, injection.allocations());
        assertFalse(injection.fired());
        assertTrue(injection.allows(TABLE_PAGE));
        injection.disarm();
        assertFalse(injection.armed());
        assertTrue(injection.allows(TABLE_PAGE), "disarmed: the second allocation is not failed");
        assertEquals(0, injection.allocations());
    }

    @Test
    void argumentsAreChecked()
    {
        final FailureInjection injection = new FailureInjection();
        assertThrows(IllegalArgumentException.class, () -> injection.failNth(0));
        assertThrows(IllegalArgumentException.class, () -> injection.failNth(1, null));
        assertFalse(injection.armed());
    }

    @Test
    void theGateOfAKindIsAnAllocationPointOfThatKind()
    {
        final FailureInjection injection = new FailureInjection().failNth(1, IOVA_BLOCK);
        final BooleanSupplier tables = injection.gate(TABLE_PAGE);
        final BooleanSupplier blocks = injection.gate(IOVA_BLOCK);
        assertTrue(tables.getAsBoolean());
        assertFalse(blocks.getAsBoolean());
        assertEquals(IOVA_BLOCK, injection.failed());
    }

    @Test
    void concurrentCallersFailExactlyOnce() throws InterruptedException
    {
        final int threads = 4;
        final int each = 10_000;
        final FailureInjection injection = new FailureInjection().failNth(threads * each / 2);
        final AtomicInteger refused = new AtomicInteger();
        final CountDownLatch start = new CountDownLatch(1);
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++)
                {
                    if (!injection.allows(TABLE_PAGE))
                    {
                        refused.incrementAndGet();
                    }
                }
            });
            workers[t].start();
        }
        start.countDown();
        for (final Thread worker : workers)
        {
            worker.join();
        }
        assertEquals(1, refused.get());
        assertEquals(threads * each, injection.allocations());
    }

    @Test
    void aContextRefusesAnInjectionArmedBeforeLaunch()
    {
        final EmulatorContext context = new EmulatorContext()
            .platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .failureInjection(new FailureInjection().failNth(1));
        assertThrows(IllegalArgumentException.class, context::conclude);
    }
}
