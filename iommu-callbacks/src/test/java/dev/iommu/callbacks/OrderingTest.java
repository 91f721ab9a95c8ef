/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.IommuPermissions;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static dev.iommu.api.IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two producers, each owning half the devices, publish numbered state changes and faults (alternating); the
 * agent-thread dispatcher must deliver each device's events in production order, each exactly once. Producers
 * pace themselves so that the ring never fills (nothing dropped or held), which is checked.
 */
class OrderingTest
{
    private static final int DEVICES = 8;
    private static final int EVENTS_PER_DEVICE = 50_000;
    private static final int RING_CAPACITY = 1024 * 1024;
    private static final long MAX_IN_FLIGHT = RING_CAPACITY / RecordDescriptor.RECORD_LENGTH / 4;

    private final int[] lastSeen = new int[DEVICES];
    private long errors;
    private String firstError;

    @Test
    void perDeviceOrderWithTwoProducers() throws Exception
    {
        Arrays.fill(lastSeen, -1);
        final Notifications notifications = Notifications.launch(
            new Notifications.Context().ringCapacity(RING_CAPACITY));
        final NotificationCounters counters = notifications.counters();
        for (int d = 0; d < DEVICES; d++)
        {
            final int device = d;
            notifications.registerStateChangeCallback((stateChange, context) ->
            {
                if (stateChange.availableDomainTypes() >= 0)
                {
                    check(device, stateChange.availableDomainTypes());
                }
            }, null, device, AVAILABLE_DOMAIN_TYPES, () -> -1);
            notifications.setDeviceFaultReporting(device, true, new DeviceFaultConfiguration().faultHandler(
                (context, info) -> check(device, (int)(notifications.currentFault().faultAddress() >>> 12))));
        }
        final Thread[] producers = new Thread[2];
        for (int p = 0; p < producers.length; p++)
        {
            final int first = p;
            producers[p] = new Thread(() ->
            {
                final NotificationPublisher publisher = notifications.publisher();
                for (int seq = 0; seq < EVENTS_PER_DEVICE; seq++)
                {
                    while (notifications.producedCount() -
                        counters.get(NotificationCounters.DELIVERED_TYPE_ID) > MAX_IN_FLIGHT)
                    {
                        Thread.yield();
                    }
                    for (int device = first; device < DEVICES; device += 2)
                    {
                        final int result = 0 == (seq & 1) ?
                            publisher.publishStateChange(device, 1, seq) :
                            publisher.publishFault(
                                device, 0, (long)seq << 12, IommuPermissions.READ, 6, false, 2, 0, 0, 0, 0);
                        if (PublishResult.PUBLISHED != result)
                        {
                            error("publish returned " + PublishResult.name(result));
                        }
                    }
                }
            });
            producers[p].start();
        }
        for (final Thread producer : producers)
        {
            producer.join(60_000);
        }
        final long expected = (long)DEVICES * EVENTS_PER_DEVICE;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counters.get(NotificationCounters.DELIVERED_TYPE_ID) < expected && System.nanoTime() < deadline)
        {
            Thread.yield();
        }
        notifications.close();
        synchronized (this)
        {
            assertEquals(0, errors, firstError);
            for (int d = 0; d < DEVICES; d++)
            {
                assertEquals(EVENTS_PER_DEVICE - 1, lastSeen[d], "device " + d);
            }
        }
        assertEquals(expected, notifications.producedCount());
        assertEquals(expected, counters.get(NotificationCounters.DELIVERED_TYPE_ID));
        assertEquals(0, counters.get(NotificationCounters.DROPPED_TYPE_ID));
        assertEquals(0, counters.get(NotificationCounters.HELD_TYPE_ID));
    }

    private synchronized void check(final int device, final int seq)
    {
        final int expected = lastSeen[device] + 1;
        final int actual = seq;
        if (actual != expected)
        {
            error("device " + device + " got " + actual + " after " + lastSeen[device]);
        }
        lastSeen[device] = actual;
    }

    private synchronized void error(final String message)
    {
        errors++;
        if (null == firstError)
        {
            firstError = message;
        }
    }
}
