/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import dev.iommu.api.NtStatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The {@code fail_nth} loop over one member call: for n = 1, 2, ... a fresh emulator is set up, the n-th allocation
 * point the call passes is failed, and the call must return the member's status for running out, change nothing
 * (every object, table page, IOVA byte, protected range, token, registration and watched translation as before),
 * and then succeed when repeated with nothing failing, leaving exactly the state (and output) of a call that never
 * failed, so the failed attempt leaked nothing. The loop ends at the first n the call passes without the failure
 * firing; the failure points covered are n - 1.
 */
final class FailNthSweep
{
    /** More failure points than any member call has: a loop that reaches it never ends. */
    static final int MAX_POINTS = 64;

    /**
     * A member call on a prepared rig.
     */
    interface Call
    {
        /**
         * Runs the call.
         *
         * @return its status.
         */
        int run();

        /**
         * What the call handed back (an address, a PASID) or a probe of what is left (it may change the rig: it
         * runs after the state checks), compared with a call that never failed.
         *
         * @return a description, empty when nothing.
         */
        default String output()
        {
            return "";
        }
    }

    /**
     * One row of the sweep.
     *
     * @param member       the member and setup, as named in the report.
     * @param rig          a fresh rig with the given injection.
     * @param prepare      sets the rig up (nothing failing) and returns the call.
     * @param succeeds     the status of the call when nothing fails.
     * @param outOfMemory  the status the member returns when an allocation of a kind fails.
     * @param minimumPoints the fewest failure points the call must have (0: a member that must not allocate).
     */
    record Case(
        String member,
        Function<FailureInjection, V2Rig> rig,
        Function<V2Rig, Call> prepare,
        int succeeds,
        ToIntFunction<FailureInjection.AllocationKind> outOfMemory,
        int minimumPoints)
    {
        @Override
        public String toString()
        {
            return member;
        }
    }

    private FailNthSweep()
    {
    }

    /**
     * Sweeps one case.
     *
     * @param c the case.
     * @return the failure points covered.
     */
    static int sweep(final Case c)
    {
        final String reference;
        final String referenceOutput;
        try (V2Rig rig = c.rig().apply(new FailureInjection()))
        {
            final Call call = c.prepare().apply(rig);
            assertEquals(NtStatus.name(c.succeeds()), NtStatus.name(call.run()), c.member() + ": reference call");
            reference = state(rig);
            referenceOutput = call.output();
        }
        for (int n = 1; n <= MAX_POINTS; n++)
        {
            final FailureInjection injection = new FailureInjection();
            try (V2Rig rig = c.rig().apply(injection))
            {
                final Call call = c.prepare().apply(rig);
                final String before = Arrays.toString(rig.snapshot()) + state(rig);
                injection.failNth(n);
                final int status = call.run();
                final FailureInjection.AllocationKind failed = injection.failed();
                final int passed = injection.allocations();
                injection.disarm();
                final String what = c.member() + " n=" + n + " (" + failed + ")";
                if (null == failed)
                {
                    assertEquals(NtStatus.name(c.succeeds()), NtStatus.name(status), what + ": nothing failed");
                    assertEquals(n - 1, passed, what + ": the call passes the same points every time");
                    assertEquals(reference, state(rig), what + ": state after the call");
                    assertEquals(referenceOutput, call.output(), what + ": output");
                    assertTrue(n - 1 >= c.minimumPoints(), c.member() + ": " + (n - 1) + " failure points, expected " +
                        "at least " + c.minimumPoints());
                    if (c.minimumPoints() == 0)
                    {
                        assertEquals(0, n - 1, c.member() + " must not allocate");
                    }
                    return n - 1;
                }
                assertEquals(NtStatus.name(c.outOfMemory().applyAsInt(failed)), NtStatus.name(status), what);
                assertEquals(before, Arrays.toString(rig.snapshot()) + state(rig),
                    what + ": a call failed for an allocation changed nothing");
                assertEquals(NtStatus.name(c.succeeds()), NtStatus.name(call.run()), what + ": repeated");
                assertEquals(reference, state(rig), what + ": the failed attempt left nothing behind");
                assertEquals(referenceOutput, call.output(), what + ": output of the repeated call");
            }
        }
        return fail(c.member() + ": more than " + MAX_POINTS + " failure points");
    }

    /**
     * The observable state without object ids (a failed creation may have used an id): counts, and per domain and
     * device everything {@link EmulatorSnapshot} has, plus each device's fault-reporting switch.
     */
    static String state(final V2Rig rig)
    {
        final EmulatorSnapshot s = rig.emulator.snapshot();
        final StringBuilder b = new StringBuilder()
            .append("pages=").append(s.tablePagesInUse())
            .append(" domains=").append(s.liveDomains())
            .append(" devices=").append(s.liveDevices())
            .append(" pasidDevices=").append(s.livePasidDevices());
        for (final EmulatorSnapshot.DomainState d : s.domains())
        {
            b.append(" [attached=").append(d.attachedDevices()).append(" tokens=").append(d.outstandingTokens())
                .append(" ranges=").append(d.protectedRanges()).append(" iovaFree=").append(d.iovaFreeBytes())
                .append(" mapped=").append(d.mappedPages()).append(" tables=").append(d.tablePages()).append(']');
        }
        for (final EmulatorSnapshot.DeviceState d : s.devices())
        {
            b.append(" {attached=").append(d.domainId() != 0).append(" pasidDevices=").append(d.pasidDevices())
                .append(" registered=").append(d.stateChangeRegistered()).append('}');
        }
        rig.emulator.handles().devices().forEachLive((final DmaDevice device) ->
            b.append(" faultReporting=").append(device.faultReporting()));
        return b.toString();
    }

    /** Every kind runs out as STATUS_INSUFFICIENT_RESOURCES. */
    static int insufficient(final FailureInjection.AllocationKind kind)
    {
        return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
    }
}
