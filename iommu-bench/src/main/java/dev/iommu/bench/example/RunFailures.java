/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The first check that failed during a run, shared by the driver and device threads: once set, every thread stops
 * at its next loop and the run reports that message.
 */
final class RunFailures
{
    private final AtomicReference<String> first = new AtomicReference<>();

    /**
     * Records a failed check; later failures (often consequences of the first) are dropped.
     *
     * @param message what failed, precisely.
     */
    void fail(final String message)
    {
        first.compareAndSet(null, message);
    }

    /**
     * Whether a check failed (acquire: the threads stop soon after another thread's fail).
     *
     * @return true after a failure.
     */
    boolean isFailed()
    {
        return null != first.getAcquire();
    }

    /**
     * The first failure.
     *
     * @return the message, or null.
     */
    String firstFailure()
    {
        return first.get();
    }
}
