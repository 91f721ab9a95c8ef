/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps a domain's page tables alive while a map or unmap call is inside them: DeleteDomain closes the gate and
 * waits until no call is in flight before it frees the tables, so a driver that deletes a domain while another of
 * its threads still maps into it gets STATUS_INVALID_PARAMETER on that call instead of writing into table pages that
 * another domain may already be using.
 * <p>
 * In-flight calls are counted in stripes (one per 128 bytes, picked by thread id) so that threads sharing a domain
 * do not all fight over one cache line.
 * <p>
 * Ordering (a Dekker pattern): {@link #enter()} increments a stripe with getAndAdd (a full fence) and then reads
 * {@code open} (volatile); {@link #closeAndDrain()} writes {@code open = false} (volatile) and then reads every
 * stripe (volatile). In the single total order of these accesses either the entering call's increment comes first,
 * and the drain sees it and waits for its exit, or the close comes first, and the entering call sees it closed and
 * backs out without touching the tables.
 * <p>
 * Not final only so that a jcstress test can override the entering side's named step ({@link #getAndIncrement})
 * in a broken variant; production code never subclasses it.
 */
class OperationGate
{
    /** The element handle of {@link #counts} (package-private for that broken variant). */
    static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STRIPES = 8;
    private static final int PAD = 16;

    /** In-flight calls per stripe, at indexes PAD, 2 * PAD, ... (package-private for that broken variant). */
    final long[] counts = new long[STRIPES * PAD + PAD];
    private volatile boolean open = true;

    /**
     * Enters a call.
     *
     * @return the stripe to pass to {@link #exit(int)}, or -1 when the gate is closed (nothing to exit).
     */
    int enter()
    {
        final int stripe = PAD + (((int)Thread.currentThread().getId() & (STRIPES - 1)) * PAD);
        getAndIncrement(stripe);
        if (!open)
        {
            COUNT.getAndAdd(counts, stripe, -1L);
            return -1;
        }
        return stripe;
    }

    /**
     * Counts a call in on its stripe with getAndAdd, a full fence: the increment is ordered before the read of
     * {@code open} that follows it in {@link #enter()} (the entering side of the Dekker pattern above).
     *
     * @param stripe the caller's stripe.
     */
    void getAndIncrement(final int stripe)
    {
        COUNT.getAndAdd(counts, stripe, 1L);
    }

    /**
     * Leaves a call.
     *
     * @param stripe what {@link #enter()} returned.
     */
    void exit(final int stripe)
    {
        COUNT.getAndAdd(counts, stripe, -1L);
    }

    /**
     * Closes the gate and returns once no call is inside. Must not be called from inside a call.
     */
    void closeAndDrain()
    {
        open = false;
        boolean busy = true;
        while (busy)
        {
            busy = false;
            for (int i = 0; i < STRIPES; i++)
            {
                if ((long)COUNT.getVolatile(counts, PAD + i * PAD) != 0)
                {
                    busy = true;
                    Thread.onSpinWait();
                }
            }
        }
    }

    boolean isOpen()
    {
        return open;
    }
}
