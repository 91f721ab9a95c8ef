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
 * In-flight calls are counted in slots of their own cache line (128 bytes). The first thread that enters becomes the
 * gate's owner (usually the one thread that maps into the domain) and has a slot no other thread writes; every other
 * thread counts itself in one of the shared stripes, picked by thread id, so that threads sharing a domain do not all
 * fight over one line.
 * <p>
 * Ordering (a Dekker pattern): {@link #enter()} makes its count visible with a full fence and then reads
 * {@code open} (volatile); {@link #closeAndDrain()} writes {@code open = false} (volatile) and then reads every slot
 * (volatile). In the single total order of these accesses either the entering call's count comes first, and the drain
 * sees it and waits for its exit, or the close comes first, and the entering call sees it closed and backs out without
 * touching the tables. The owner counts itself in with a volatile store ({@link #svOwnerCount}, one fence) and out
 * with a release store (no fence: only the owner writes its slot, and the release orders the call's table accesses
 * before the count the drain reads); a shared stripe needs getAndAdd both ways ({@link #getAndIncrement}), since two
 * threads may share it.
 * <p>
 * Not final only so that a jcstress test can override the entering side's named steps ({@link #getAndIncrement},
 * {@link #svOwnerCount}) in a broken variant; production code never subclasses it.
 */
class OperationGate
{
    /** The element handle of {@link #counts} (package-private for that broken variant). */
    static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle OWNER;
    private static final int STRIPES = 8;
    private static final int PAD = 16;
    /** The owner's slot in {@link #counts}, after the shared stripes (package-private for the broken variant). */
    static final int OWNER_SLOT = PAD + STRIPES * PAD;

    static
    {
        try
        {
            OWNER = MethodHandles.lookup().findVarHandle(OperationGate.class, "owner", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /**
     * In-flight calls: shared stripes at indexes PAD, 2 * PAD, ..., the owner's at {@link #OWNER_SLOT}
     * (package-private for that broken variant).
     */
    final long[] counts = new long[OWNER_SLOT + 2 * PAD];
    private volatile boolean open = true;
    private final boolean ownerSlot;
    /** The thread whose calls use {@link #OWNER_SLOT}: set once, by CAS, by the first thread that enters. */
    @SuppressWarnings("unused")
    private Thread owner;

    /**
     * A gate whose first entering thread gets the owner's slot.
     */
    OperationGate()
    {
        this(true);
    }

    /**
     * @param ownerSlot false: every call uses the shared stripes (package-private for the jcstress test of that path).
     */
    OperationGate(final boolean ownerSlot)
    {
        this.ownerSlot = ownerSlot;
    }

    /**
     * Enters a call.
     *
     * @return the slot to pass to {@link #exit(int)}, or -1 when the gate is closed (nothing to exit).
     */
    int enter()
    {
        final Thread current = Thread.currentThread();
        // A plain read: only the owner acts on finding itself, and it wrote the field itself (program order); any
        // other thread, seeing null or another thread, takes a shared stripe.
        final Object first = OWNER.get(this);
        if (first == current || (null == first && ownerSlot && OWNER.compareAndSet(this, null, current)))
        {
            final long inside = (long)COUNT.get(counts, OWNER_SLOT);
            svOwnerCount(inside + 1);
            if (!open)
            {
                COUNT.setRelease(counts, OWNER_SLOT, inside);
                return -1;
            }
            return OWNER_SLOT;
        }
        final int stripe = PAD + (((int)current.getId() & (STRIPES - 1)) * PAD);
        getAndIncrement(stripe);
        if (!open)
        {
            COUNT.getAndAdd(counts, stripe, -1L);
            return -1;
        }
        return stripe;
    }

    /**
     * Counts the owner in with a volatile store, a full fence: the count is ordered before the read of {@code open}
     * that follows it in {@link #enter()} (the entering side of the Dekker pattern above). Only the owner writes its
     * slot, so the read-modify-write needs no atomic instruction, only the fence.
     *
     * @param inside the owner's calls in flight, this one included.
     */
    void svOwnerCount(final long inside)
    {
        COUNT.setVolatile(counts, OWNER_SLOT, inside);
    }

    /**
     * Counts a call in on a shared stripe with getAndAdd, a full fence: the increment is ordered before the read of
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
     * @param slot what {@link #enter()} returned.
     */
    void exit(final int slot)
    {
        if (slot == OWNER_SLOT)
        {
            // Release: the call's table accesses happen before the drain reads the lower count (volatile load).
            COUNT.setRelease(counts, OWNER_SLOT, (long)COUNT.get(counts, OWNER_SLOT) - 1L);
        }
        else
        {
            COUNT.getAndAdd(counts, slot, -1L);
        }
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
            busy = (long)COUNT.getVolatile(counts, OWNER_SLOT) != 0;
            for (int i = 0; i < STRIPES; i++)
            {
                if ((long)COUNT.getVolatile(counts, PAD + i * PAD) != 0)
                {
                    busy = true;
                }
            }
            if (busy)
            {
                Thread.onSpinWait();
            }
        }
    }

    boolean isOpen()
    {
        return open;
    }
}
