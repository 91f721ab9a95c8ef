/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.callbacks;

import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A state-change callback that counts the events it was shown (the sum of their available domain types, 1 per
 * benchmark event; the registration's first call shows 0), on a cache line of its own: the dispatcher writes it on
 * every event and a producer reads it now and then to pace itself, so it must not share a line with anything the
 * producers read on every publish.
 */
final class DeliveredCount extends DeliveredCountValue implements IommuInterfaceStateChangeCallback
{
    @SuppressWarnings("unused")
    private long p10;
    @SuppressWarnings("unused")
    private long p11;
    @SuppressWarnings("unused")
    private long p12;
    @SuppressWarnings("unused")
    private long p13;
    @SuppressWarnings("unused")
    private long p14;
    @SuppressWarnings("unused")
    private long p15;
    @SuppressWarnings("unused")
    private long p16;
    @SuppressWarnings("unused")
    private long p17;

    /** {@inheritDoc} */
    public void onStateChange(final IommuInterfaceStateChange stateChange, final Object context)
    {
        // Only the dispatching thread writes: a release store (a plain store on x86), read with acquire.
        COUNT_VH.setRelease(this, count + stateChange.availableDomainTypes());
    }

    /**
     * The events shown so far.
     *
     * @return the count (acquire).
     */
    long lvCount()
    {
        return (long)COUNT_VH.getAcquire(this);
    }
}

/** Padding before the count. */
abstract class DeliveredCountPad
{
    @SuppressWarnings("unused")
    private long p00;
    @SuppressWarnings("unused")
    private long p01;
    @SuppressWarnings("unused")
    private long p02;
    @SuppressWarnings("unused")
    private long p03;
    @SuppressWarnings("unused")
    private long p04;
    @SuppressWarnings("unused")
    private long p05;
    @SuppressWarnings("unused")
    private long p06;
    @SuppressWarnings("unused")
    private long p07;
}

/** The count, between two paddings. */
abstract class DeliveredCountValue extends DeliveredCountPad
{
    static final VarHandle COUNT_VH;

    static
    {
        try
        {
            COUNT_VH = MethodHandles.lookup().findVarHandle(DeliveredCountValue.class, "count", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    long count;
}
