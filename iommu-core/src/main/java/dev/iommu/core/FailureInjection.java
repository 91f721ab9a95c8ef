/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * A test hook that makes the emulator run out on purpose: the {@code fail_nth} method of Linux iommufd's selftest.
 * Armed with {@link #failNth(int)}, the n-th allocation point the emulator passes from then on fails exactly as the
 * real shortage does (a table page the arena cannot hand out, an IOVA block the allocator cannot find, a domain or
 * device over the platform's limit, no free PASID, a registration or ring slot refused), and every later one
 * succeeds again. A test loops {@code n = 1, 2, ...}: each run fails one more step of the call, until the call
 * succeeds without the failure firing; every failure path of the call is exercised once.
 * <p>
 * Set once on {@link EmulatorContext#failureInjection(FailureInjection)}; without one the emulator's hot paths
 * carry no hook at all (the page-table, allocator and notification hooks are null fields). Thread-safe: the count is
 * one atomic counter, and arming replaces the whole arming at once; arm and read while no call is in flight when the
 * count must be exact.
 */
public final class FailureInjection
{
    /**
     * The kinds of allocation points.
     */
    public enum AllocationKind
    {
        /** A page-table page from the shared arena (the root of a new domain, an intermediate table). */
        TABLE_PAGE,
        /** An IOVA block from a domain's buddy allocator (magazine path included). */
        IOVA_BLOCK,
        /** A logical address token (ReserveLogicalAddressRange). */
        TOKEN,
        /** A domain slot under the platform's domain limit. */
        DOMAIN_SLOT,
        /** A DMA device slot under the platform's device limit (CreateDevice, V1 AttachDevice). */
        DEVICE_SLOT,
        /** A PASID sub-device slot under the platform's sub-device limit. */
        PASID_DEVICE_SLOT,
        /** A PASID from the emulator-wide address-space ids (CreatePasidDevice). */
        PASID,
        /** An unmanaged address-space id (caller-owned domains). */
        UNMANAGED_ASID,
        /** A state-change callback registration. */
        STATE_CHANGE_REGISTRATION,
        /** A fault-handler registration (enabling fault reporting). */
        FAULT_REGISTRATION,
        /** A slot in the notification ring (a state change or a fault being published). */
        RING_SLOT
    }

    /** One arming: immutable target, its own counter and outcome, replaced whole by each arm or disarm. */
    private static final class Arming
    {
        final int nth;
        final AllocationKind kind;
        final AtomicInteger passed = new AtomicInteger();
        final AtomicReference<AllocationKind> fired = new AtomicReference<>();

        Arming(final int nth, final AllocationKind kind)
        {
            this.nth = nth;
            this.kind = kind;
        }
    }

    private static final Arming DISARMED = new Arming(0, null);

    private volatile Arming arming = DISARMED;

    /**
     * An injection that is disarmed until {@link #failNth(int)}.
     */
    public FailureInjection()
    {
    }

    /**
     * Fails the n-th allocation of any kind counted from now, then stops failing.
     *
     * @param n the allocation to fail, from 1.
     * @return this.
     * @throws IllegalArgumentException when n is below 1.
     */
    public FailureInjection failNth(final int n)
    {
        return arm(n, null);
    }

    /**
     * Fails the n-th allocation of one kind counted from now (other kinds are neither counted nor failed), then
     * stops failing.
     *
     * @param n    the allocation of that kind to fail, from 1.
     * @param kind the kind.
     * @return this.
     * @throws IllegalArgumentException when n is below 1 or kind is null.
     */
    public FailureInjection failNth(final int n, final AllocationKind kind)
    {
        if (null == kind)
        {
            throw new IllegalArgumentException("kind is required");
        }
        return arm(n, kind);
    }

    private FailureInjection arm(final int n, final AllocationKind kind)
    {
        if (n < 1)
        {
            throw new IllegalArgumentException("n counts from 1: " + n);
        }
        // A volatile store of a fully built arming: a thread that reads it sees its target and fresh counter.
        arming = new Arming(n, kind);
        return this;
    }

    /**
     * Stops counting and failing; {@link #allocations()} and {@link #failed()} read as never armed.
     *
     * @return this.
     */
    public FailureInjection disarm()
    {
        arming = DISARMED;
        return this;
    }

    /**
     * Whether an arming is in place (it stays armed after its failure fired, counting, until {@link #disarm()}).
     *
     * @return true while armed.
     */
    public boolean armed()
    {
        return arming != DISARMED;
    }

    /**
     * How many allocation points (of the armed kind, or of any kind) were passed since arming, the failed one
     * included.
     *
     * @return the count; 0 when disarmed.
     */
    public int allocations()
    {
        return arming.passed.get();
    }

    /**
     * Whether the armed failure fired.
     *
     * @return true once the n-th allocation failed.
     */
    public boolean fired()
    {
        return null != arming.fired.get();
    }

    /**
     * Which allocation the armed failure hit.
     *
     * @return the kind of the failed allocation, or null when it has not fired.
     */
    public AllocationKind failed()
    {
        return arming.fired.get();
    }

    /**
     * An allocation point: counts it and says whether it may proceed.
     *
     * @param kind the kind of allocation.
     * @return false for the armed n-th allocation (the caller takes its out-of-resources path), else true.
     */
    boolean allows(final AllocationKind kind)
    {
        final Arming current = arming;
        if (current == DISARMED || (null != current.kind && current.kind != kind))
        {
            return true;
        }
        if (current.passed.incrementAndGet() != current.nth)
        {
            return true;
        }
        current.fired.set(kind);
        return false;
    }

    /**
     * The hook a module outside core calls at its allocation points of one kind ("may this allocation proceed").
     *
     * @param kind the kind those points allocate.
     * @return a supplier that counts each call as an allocation of that kind.
     */
    BooleanSupplier gate(final AllocationKind kind)
    {
        return () -> allows(kind);
    }

    @Override
    public String toString()
    {
        final Arming current = arming;
        return current == DISARMED ? "FailureInjection{disarmed}" : "FailureInjection{nth=" + current.nth +
            ", kind=" + current.kind + ", allocations=" + current.passed.get() + ", failed=" + current.fired.get() +
            "}";
    }
}
