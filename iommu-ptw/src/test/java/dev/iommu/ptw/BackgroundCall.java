/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A test's call on a thread of its own (a walk or translate that a {@link WalkObserver} stops half-way), whose result
 * and whose failure reach the test thread: an assertion that fails inside the observer, or any exception, is
 * captured and rethrown by {@link #join()} instead of dying with the background thread.
 */
final class BackgroundCall
{
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long result;

    /**
     * @param call what the thread runs; its result is {@link #join()}'s.
     */
    BackgroundCall(final LongSupplier call)
    {
        thread = new Thread(() ->
        {
            try
            {
                result = call.getAsLong();
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "background-call");
    }

    /**
     * The thread the call runs on (for an observer that stops only that thread).
     */
    Thread thread()
    {
        return thread;
    }

    void start()
    {
        thread.start();
    }

    /**
     * Waits (at most 10 s) for a latch, from inside an observer (which may not throw InterruptedException).
     *
     * @param latch the latch.
     * @return whether it opened in time (false when interrupted).
     */
    static boolean await(final CountDownLatch latch)
    {
        try
        {
            return latch.await(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits (at most 10 s) for the call to end and rethrows what it threw.
     *
     * @return the call's result.
     * @throws Exception what the call threw, or an AssertionError when it did not end.
     */
    long join() throws Exception
    {
        thread.join(10_000);
        assertFalse(thread.isAlive(), "the background call did not end");
        final Throwable thrown = failure.get();
        if (thrown instanceof Exception)
        {
            throw (Exception)thrown;
        }
        if (null != thrown)
        {
            throw (Error)thrown;
        }
        return result;
    }
}
