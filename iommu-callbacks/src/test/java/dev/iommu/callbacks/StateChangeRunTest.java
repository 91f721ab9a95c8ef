/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import java.util.ArrayList;
import java.util.List;

import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import org.junit.jupiter.api.Test;

import static dev.iommu.api.IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatcher delivers consecutive ring records of one registration as a run, its gate entered once for the run:
 * a callback that unregisters itself is not called again for the rest of the run, the gate is held only while the
 * run lasts (never across another registration's callback, never past the duty cycle), and a held gate reports the
 * dispatching thread as the callback's runner.
 */
final class StateChangeRunTest
{
    private final List<String> seen = new ArrayList<>();

    private static Notifications launch()
    {
        return Notifications.launch(new Notifications.Context().useAgentThread(false));
    }

    /** Records each call as "device:value" and runs an action on the call that shows a given value. */
    private final class Recorder implements IommuInterfaceStateChangeCallback
    {
        private final int device;
        private final int actOn;
        private final Runnable action;

        Recorder(final int device, final int actOn, final Runnable action)
        {
            this.device = device;
            this.actOn = actOn;
            this.action = action;
        }

        @Override
        public void onStateChange(final IommuInterfaceStateChange stateChange, final Object context)
        {
            seen.add(device + ":" + stateChange.availableDomainTypes());
            if (stateChange.availableDomainTypes() == actOn)
            {
                action.run();
            }
        }
    }

    private static void publish(final Notifications n, final long device, final int value)
    {
        assertEquals(PublishResult.PUBLISHED, n.publisher().publishStateChange(device, AVAILABLE_DOMAIN_TYPES, value));
    }

    private static void nothing()
    {
        // A callback action that does nothing.
    }

    private static void drain(final Notifications n)
    {
        while (n.doWork() > 0)
        {
            assertTrue(true);
        }
    }

    @Test
    void aCallbackUnregisteringItselfInARunIsNotCalledAgain()
    {
        try (Notifications n = launch())
        {
            final boolean[] unregistered = new boolean[1];
            final Recorder[] self = new Recorder[1];
            self[0] = new Recorder(1, 3, () -> unregistered[0] = n.unregisterStateChangeCallback(self[0], 1));
            n.registerStateChangeCallback(self[0], null, 1, AVAILABLE_DOMAIN_TYPES, () -> 0);
            for (int value = 1; value <= 5; value++)
            {
                publish(n, 1, value);
            }
            final long unhandledBefore = n.counters().get(NotificationCounters.UNHANDLED_TYPE_ID);
            drain(n);
            assertTrue(unregistered[0], "the unregister from inside the run succeeded");
            assertEquals(List.of("1:0", "1:1", "1:2", "1:3"), seen, "no call after the unregister");
            assertEquals(unhandledBefore + 2, n.counters().get(NotificationCounters.UNHANDLED_TYPE_ID),
                "the run's last two records reached nobody");
            assertNull(n.stateChangeCallbackRunner(self[0], 1), "not registered, not running");
            final Recorder again = new Recorder(1, -1, StateChangeRunTest::nothing);
            assertTrue(n.registerStateChangeCallback(again, null, 1, AVAILABLE_DOMAIN_TYPES, () -> 9));
            publish(n, 1, 6);
            drain(n);
            assertEquals(List.of("1:0", "1:1", "1:2", "1:3", "1:9", "1:6"), seen, "a new registration is called");
        }
    }

    @Test
    void theGateIsHeldForTheRunOnlyAndReportsTheDispatchingThread()
    {
        try (Notifications n = launch())
        {
            final List<Thread> runners = new ArrayList<>();
            final IommuInterfaceStateChangeCallback[] self = new IommuInterfaceStateChangeCallback[1];
            self[0] = (stateChange, context) ->
            {
                seen.add("1:" + stateChange.availableDomainTypes());
                runners.add(n.stateChangeCallbackRunner(self[0], 1));
            };
            n.registerStateChangeCallback(self[0], null, 1, AVAILABLE_DOMAIN_TYPES, () -> 0);
            publish(n, 1, 1);
            publish(n, 1, 2);
            drain(n);
            assertEquals(List.of("1:0", "1:1", "1:2"), seen);
            assertEquals(List.of(Thread.currentThread(), Thread.currentThread(), Thread.currentThread()), runners,
                "inside each call, the callback runs on this thread");
            assertNull(n.stateChangeCallbackRunner(self[0], 1), "the run ended with the duty cycle");
        }
    }

    @Test
    void noGateIsHeldWhileAnotherRegistrationsCallbackRuns()
    {
        try (Notifications n = launch())
        {
            final Recorder one = new Recorder(1, -1, StateChangeRunTest::nothing);
            final List<Object> inTwo = new ArrayList<>();
            final Recorder two = new Recorder(2, 20, () ->
            {
                // Device 1's run ended before this call: its callback is not running, so unregistering it from here
                // completes at once, and its later records reach nobody.
                inTwo.add(n.stateChangeCallbackRunner(one, 1));
                inTwo.add(n.unregisterStateChangeCallback(one, 1));
            });
            n.registerStateChangeCallback(one, null, 1, AVAILABLE_DOMAIN_TYPES, () -> 0);
            n.registerStateChangeCallback(two, null, 2, AVAILABLE_DOMAIN_TYPES, () -> 0);
            publish(n, 1, 10);
            publish(n, 1, 11);
            publish(n, 2, 20);
            publish(n, 1, 12);
            drain(n);
            assertEquals(List.of("1:0", "2:0", "1:10", "1:11", "2:20"), seen);
            assertEquals(2, inTwo.size());
            assertNull(inTwo.get(0), "device 1's gate was not held during device 2's call");
            assertSame(Boolean.TRUE, inTwo.get(1), "unregistered from inside another callback");
        }
    }
}
