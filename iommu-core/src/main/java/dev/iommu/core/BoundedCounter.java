/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count of live objects that never exceeds a limit: the resource limits of the platform model (devices,
 * domains, ASIDs, PASID devices). Lock-free: {@link #tryAcquire()} increments with a CAS only while below the
 * limit, so concurrent creators can never overshoot it. Each {@link #tryAcquire()} is an allocation point of the
 * emulator's {@link FailureInjection}: an injected failure answers as the limit does.
 */
final class BoundedCounter
{
    private final int limit;
    private final AtomicInteger count = new AtomicInteger();
    private final FailureInjection injection;
    private final FailureInjection.AllocationKind kind;

    BoundedCounter(final int limit, final FailureInjection injection, final FailureInjection.AllocationKind kind)
    {
        this.limit = limit;
        this.injection = injection;
        this.kind = kind;
    }

    /**
     * Takes one unit when below the limit.
     *
     * @return true when taken; false when the limit is reached.
     */
    boolean tryAcquire()
    {
        if (!injection.allows(kind))
        {
            return false;
        }
        while (true)
        {
            final int current = count.get();
            if (current >= limit)
            {
                return false;
            }
            if (count.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    /**
     * Gives one unit back.
     */
    void release()
    {
        if (count.decrementAndGet() < 0)
        {
            count.incrementAndGet();
            throw new IllegalStateException("released more than acquired");
        }
    }

    int get()
    {
        return count.get();
    }

    int limit()
    {
        return limit;
    }
}
