/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.iommu.api.IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * State-change callback registration: the synchronous first call, argument checks, unregister (from inside the
 * callback, from inside the registration call, and from another thread while the callback runs: it returns only
 * after the callback did, proven while the unregistering thread is known to be inside unregister), and callback
 * errors.
 */
class RegistrationTest
{
    private final List<Throwable> errors = new ArrayList<>();
    private Notifications notifications = Notifications.launch(
        new Notifications.Context().useAgentThread(false).errorHandler(errors::add));

    @AfterEach
    void close()
    {
        notifications.close();
    }

    static final class Recorder implements IommuInterfaceStateChangeCallback
    {
        final List<int[]> calls = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        Object lastContext;

        public void onStateChange(final IommuInterfaceStateChange stateChange, final Object context)
        {
            calls.add(new int[]{ stateChange.presentFields(), stateChange.availableDomainTypes() });
            threads.add(Thread.currentThread());
            lastContext = context;
        }
    }

    private long count(final int typeId)
    {
        return notifications.counters().get(typeId);
    }

    @Test
    void registrationCallsTheCallbackOnceSynchronouslyWithAllWatchedBits()
    {
        final Recorder callback = new Recorder();
        final Object context = new Object();
        assertTrue(notifications.registerStateChangeCallback(callback, context, 7, AVAILABLE_DOMAIN_TYPES, () -> 0x5));
        assertEquals(1, callback.calls.size());
        assertEquals(AVAILABLE_DOMAIN_TYPES, callback.calls.get(0)[0]);
        assertEquals(0x5, callback.calls.get(0)[1]);
        assertSame(Thread.currentThread(), callback.threads.get(0));
        assertSame(context, callback.lastContext);
        assertEquals(0, notifications.doWork());
        assertEquals(1, callback.calls.size());
    }

    @Test
    void reservedBitsAreIgnoredWhenBitZeroIsSet()
    {
        final Recorder callback = new Recorder();
        assertTrue(notifications.registerStateChangeCallback(callback, null, 1, 0xFFFF_FFFF, () -> 0x1));
        assertEquals(AVAILABLE_DOMAIN_TYPES, callback.calls.get(0)[0]);
    }

    @Test
    void badArgumentsThrowAndChangeNothing()
    {
        final Recorder callback = new Recorder();
        final NullPointerException nullCallback = assertThrows(NullPointerException.class,
            () -> notifications.registerStateChangeCallback(null, null, 1, AVAILABLE_DOMAIN_TYPES, () -> 0));
        assertTrue(nullCallback.getMessage().contains("callback"), nullCallback.getMessage());
        final IllegalArgumentException negativeDevice = assertThrows(IllegalArgumentException.class,
            () -> notifications.registerStateChangeCallback(callback, null, -1, AVAILABLE_DOMAIN_TYPES, () -> 0));
        assertTrue(negativeDevice.getMessage().contains("deviceId"), negativeDevice.getMessage());
        final IllegalArgumentException noField = assertThrows(IllegalArgumentException.class,
            () -> notifications.registerStateChangeCallback(callback, null, 1, 0, () -> 0));
        assertTrue(noField.getMessage().contains("watchedFields"), noField.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> notifications.registerStateChangeCallback(
                callback, null, 1, IommuInterfaceStateChangeFields.RESERVED_MASK, () -> 0));
        assertTrue(callback.calls.isEmpty());
        // Nothing was installed: the device is still free and an unregister finds nothing.
        assertFalse(notifications.unregisterStateChangeCallback(callback, 1));
        assertTrue(notifications.registerStateChangeCallback(callback, null, 1, AVAILABLE_DOMAIN_TYPES, () -> 0));
        final NullPointerException nullUnregister =
            assertThrows(NullPointerException.class, () -> notifications.unregisterStateChangeCallback(null, 1));
        assertTrue(nullUnregister.getMessage().contains("callback"), nullUnregister.getMessage());
        assertThrows(IllegalArgumentException.class, () -> notifications.unregisterStateChangeCallback(callback, -3));
        // The refused unregisters removed nothing.
        assertTrue(notifications.unregisterStateChangeCallback(callback, 1));
    }

    @Test
    void aSecondCallbackForTheSameDeviceIsRefusedAndTheFirstStays()
    {
        final Recorder first = new Recorder();
        final Recorder second = new Recorder();
        assertTrue(notifications.registerStateChangeCallback(first, null, 3, AVAILABLE_DOMAIN_TYPES, () -> 0));
        assertFalse(notifications.registerStateChangeCallback(second, null, 3, AVAILABLE_DOMAIN_TYPES, () -> 0));
        assertFalse(notifications.registerStateChangeCallback(first, null, 3, AVAILABLE_DOMAIN_TYPES, () -> 0));
        assertTrue(second.calls.isEmpty());
        assertEquals(1, first.calls.size());
        assertTrue(notifications.registerStateChangeCallback(second, null, 4, AVAILABLE_DOMAIN_TYPES, () -> 0));

        assertEquals(PublishResult.PUBLISHED, notifications.publisher().publishStateChange(3, 1, 0x3));
        assertEquals(1, notifications.doWork());
        assertEquals(2, first.calls.size());
        assertEquals(1, first.calls.get(1)[0]);
        assertEquals(0x3, first.calls.get(1)[1]);
        assertEquals(1, second.calls.size());
    }

    @Test
    void unregisterOfACallbackNotRegisteredForThatDeviceIsUnsuccessful()
    {
        final Recorder callback = new Recorder();
        final Recorder other = new Recorder();
        assertTrue(notifications.registerStateChangeCallback(callback, null, 9, AVAILABLE_DOMAIN_TYPES, () -> 0));
        assertFalse(notifications.unregisterStateChangeCallback(other, 9));
        assertFalse(notifications.unregisterStateChangeCallback(callback, 10));
        assertTrue(notifications.unregisterStateChangeCallback(callback, 9));
        assertFalse(notifications.unregisterStateChangeCallback(callback, 9));

        assertEquals(PublishResult.PUBLISHED, notifications.publisher().publishStateChange(9, 1, 0));
        assertEquals(1, notifications.doWork());
        assertEquals(1, callback.calls.size());
        assertEquals(1, count(NotificationCounters.UNHANDLED_TYPE_ID));
        assertEquals(0, count(NotificationCounters.DELIVERED_TYPE_ID));
    }

    @Test
    void eventsWithoutAWatchedFieldAreNotDelivered()
    {
        final Recorder callback = new Recorder();
        notifications.registerStateChangeCallback(callback, null, 2, AVAILABLE_DOMAIN_TYPES, () -> 0);
        notifications.publisher().publishStateChange(2, 0x2, 0x1);
        notifications.doWork();
        assertEquals(1, callback.calls.size());
        assertEquals(1, count(NotificationCounters.UNHANDLED_TYPE_ID));
    }

    @Test
    void unregisterFromInsideTheCallbackReturnsAndStopsFurtherCalls()
    {
        final AtomicInteger calls = new AtomicInteger();
        final boolean[] removed = { false };
        final IommuInterfaceStateChangeCallback callback = new IommuInterfaceStateChangeCallback()
        {
            public void onStateChange(final IommuInterfaceStateChange stateChange, final Object context)
            {
                if (2 == calls.incrementAndGet())
                {
                    removed[0] = notifications.unregisterStateChangeCallback(this, 5);
                }
            }
        };
        notifications.registerStateChangeCallback(callback, null, 5, AVAILABLE_DOMAIN_TYPES, () -> 0);
        notifications.publisher().publishStateChange(5, 1, 0);
        notifications.publisher().publishStateChange(5, 1, 0);
        notifications.publisher().publishStateChange(5, 1, 0);
        assertEquals(3, notifications.doWork());
        assertTrue(removed[0]);
        assertEquals(2, calls.get());
        assertEquals(1, count(NotificationCounters.DELIVERED_TYPE_ID));
        assertEquals(2, count(NotificationCounters.UNHANDLED_TYPE_ID));
        // The device is free again.
        assertTrue(notifications.registerStateChangeCallback(new Recorder(), null, 5, AVAILABLE_DOMAIN_TYPES, () -> 0));
    }

    @Test
    void unregisterFromInsideTheRegistrationCallMeansNoDispatchLater()
    {
        final AtomicInteger calls = new AtomicInteger();
        final boolean[] removed = { false };
        final IommuInterfaceStateChangeCallback callback = new IommuInterfaceStateChangeCallback()
        {
            public void onStateChange(final IommuInterfaceStateChange stateChange, final Object context)
            {
                calls.incrementAndGet();
                removed[0] = notifications.unregisterStateChangeCallback(this, 6);
            }
        };
        assertTrue(notifications.registerStateChangeCallback(callback, null, 6, AVAILABLE_DOMAIN_TYPES, () -> 0));
        assertTrue(removed[0]);
        notifications.publisher().publishStateChange(6, 1, 0);
        notifications.doWork();
        assertEquals(1, calls.get());
    }

    @Test
    void aThrowingCallbackIsCountedReportedAndDispatchGoesOn()
    {
        final RuntimeException boom = new RuntimeException("boom");
        final AtomicInteger calls = new AtomicInteger();
        final Recorder other = new Recorder();
        notifications.registerStateChangeCallback(
            (stateChange, context) ->
            {
                calls.incrementAndGet();
                throw boom;
            },
            null, 1, AVAILABLE_DOMAIN_TYPES, () -> 0);
        notifications.registerStateChangeCallback(other, null, 2, AVAILABLE_DOMAIN_TYPES, () -> 0);
        assertEquals(1, count(NotificationCounters.CALLBACK_ERRORS_TYPE_ID));
        notifications.publisher().publishStateChange(1, 1, 0);
        notifications.publisher().publishStateChange(2, 1, 0);
        notifications.publisher().publishStateChange(1, 1, 0);
        assertEquals(3, notifications.doWork());
        assertEquals(3, calls.get());
        assertEquals(2, other.calls.size());
        assertEquals(3, count(NotificationCounters.CALLBACK_ERRORS_TYPE_ID));
        assertEquals(3, errors.size());
        assertSame(boom, errors.get(0));
        assertEquals(3, count(NotificationCounters.DELIVERED_TYPE_ID));
    }

    @Test
    void unregisterWaitsForTheRunningCallbackOnAnotherThread() throws Exception
    {
        notifications.close();
        notifications = Notifications.launch(new Notifications.Context().useAgentThread(true));
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean unregisterReturned = new AtomicBoolean();
        final AtomicBoolean violation = new AtomicBoolean();
        final AtomicInteger calls = new AtomicInteger();
        final Thread[] runner = new Thread[1];
        final IommuInterfaceStateChangeCallback callback = (stateChange, context) ->
        {
            if (calls.incrementAndGet() == 2)
            {
                runner[0] = Thread.currentThread();
                entered.countDown();
                try
                {
                    release.await(10, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                violation.compareAndSet(false, unregisterReturned.get());
            }
            else if (unregisterReturned.get())
            {
                violation.set(true);
            }
        };
        notifications.registerStateChangeCallback(callback, null, 1, AVAILABLE_DOMAIN_TYPES, () -> 0);
        notifications.publisher().publishStateChange(1, 1, 0);
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        final boolean[] removed = { false };
        final Thread unregisterer = new Thread(() ->
        {
            removed[0] = notifications.unregisterStateChangeCallback(callback, 1);
            unregisterReturned.set(true);
        });
        assertSame(runner[0], notifications.stateChangeCallbackRunner(callback, 1), "the callback is running");
        unregisterer.start();
        // Handshake: the registration is gone from the registry only once the unregistering thread is inside
        // unregister (past its removal, at the gate); from then on, with the callback still running, unregister must
        // not return. Every passing run checks that state, however late the unregistering thread starts.
        final long removedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (null != notifications.stateChangeCallbackRunner(callback, 1))
        {
            assertTrue(System.nanoTime() < removedBy, "the unregistering thread never removed the registration");
            Thread.onSpinWait();
        }
        assertFalse(unregisterReturned.get(), "unregister returned while its callback was running");
        unregisterer.join(100);
        assertTrue(unregisterer.isAlive(), "unregister returned while its callback was running");
        assertFalse(unregisterReturned.get(), "unregister returned while its callback was running");
        for (int i = 0; i < 100; i++)
        {
            notifications.publisher().publishStateChange(1, 1, 0);
        }
        release.countDown();
        unregisterer.join(10_000);
        assertFalse(unregisterer.isAlive());
        assertTrue(removed[0]);
        assertFalse(violation.get(), "callback ran after unregister returned");
        notifications.close();
        assertFalse(violation.get(), "callback ran after unregister returned");
    }

    @Test
    void doWorkFromInsideTheRegistrationCallDoesNotNestOrDeadlock()
    {
        final AtomicInteger calls = new AtomicInteger();
        final int[] work = { -1 };
        notifications.publisher().publishStateChange(8, 1, 0x1);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
        {
            assertTrue(notifications.registerStateChangeCallback(
                (stateChange, context) ->
                {
                    if (1 == calls.incrementAndGet())
                    {
                        work[0] = notifications.doWork();
                    }
                },
                null, 8, AVAILABLE_DOMAIN_TYPES, () -> 0));
        });
        assertEquals(1, work[0]);
        assertEquals(1, calls.get());
        assertEquals(1, count(NotificationCounters.UNHANDLED_TYPE_ID));
        notifications.publisher().publishStateChange(8, 1, 0x1);
        assertEquals(1, notifications.doWork());
        assertEquals(2, calls.get());
    }
}
