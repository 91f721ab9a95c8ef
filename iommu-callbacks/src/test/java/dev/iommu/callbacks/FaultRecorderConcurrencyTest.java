/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.IommuPermissions;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Producers on two threads hammer a tiny ring with faults on a few pages each, so most faults go through the fault
 * recorder while the test thread dispatches concurrently. Checked per (device, page): the counts delivered equal
 * the faults the producers were told were published or coalesced (nothing counted twice, nothing lost, nothing
 * added to another key's count), and every delivered record is internally consistent (no torn read of a slot).
 */
class FaultRecorderConcurrencyTest
{
    private static final int PRODUCERS = 2;
    private static final int PAGES = 8;
    private static final int FAULTS_PER_PRODUCER = 400_000;

    @Test
    void heldFaultsAreCountedExactlyPerDeviceAndPage() throws Exception
    {
        final Notifications notifications = Notifications.launch(new Notifications.Context()
            .useAgentThread(false)
            .ringCapacity(4096)
            .faultRecorderSlots(8)
            .dispatchLimit(4));
        final long[][] delivered = new long[PRODUCERS][PAGES];
        final long[][] accepted = new long[PRODUCERS][PAGES];
        final long[] dropped = new long[PRODUCERS];
        final AtomicInteger torn = new AtomicInteger();
        for (int d = 0; d < PRODUCERS; d++)
        {
            notifications.setDeviceFaultReporting(d, true, new DeviceFaultConfiguration().faultHandler((c, info) ->
            {
                final FaultDetails details = notifications.currentFault();
                final int device = (int)details.deviceId();
                final int page = (int)(details.faultAddress() >>> 12);
                if (details.domainId() != device * 1000L + page ||
                    info.x64().iommuBaseAddress() != details.faultAddress() + device)
                {
                    torn.incrementAndGet();
                    return;
                }
                delivered[device][page] += details.count();
            }));
        }
        final AtomicBoolean failed = new AtomicBoolean();
        final Thread[] producers = new Thread[PRODUCERS];
        final AtomicInteger running = new AtomicInteger(PRODUCERS);
        for (int p = 0; p < PRODUCERS; p++)
        {
            final int device = p;
            producers[p] = new Thread(() ->
            {
                final NotificationPublisher publisher = notifications.publisher();
                for (int i = 0; i < FAULTS_PER_PRODUCER; i++)
                {
                    final int page = (i * 7 + (i >>> 5)) % PAGES;
                    final long address = ((long)page << 12) + (i & 0xFF8);
                    final int result = publisher.publishFault(
                        device, device * 1000L + page, address, IommuPermissions.READ, 6, false, 2, 0, 0, 0,
                        address + device);
                    if (PublishResult.PUBLISHED == result || PublishResult.COALESCED == result)
                    {
                        accepted[device][page]++;
                    }
                    else if (PublishResult.DROPPED == result)
                    {
                        dropped[device]++;
                    }
                    else
                    {
                        failed.set(true);
                    }
                }
                running.decrementAndGet();
            });
            producers[p].start();
        }
        while (running.get() > 0)
        {
            notifications.doWork();
        }
        for (final Thread producer : producers)
        {
            producer.join(30_000);
            assertFalse(producer.isAlive());
        }
        while (notifications.doWork() > 0)
        {
            Thread.onSpinWait();
        }
        assertFalse(failed.get());
        assertEquals(0, torn.get(), "torn slot reads");
        final NotificationCounters counters = notifications.counters();
        long totalDropped = 0;
        for (int d = 0; d < PRODUCERS; d++)
        {
            totalDropped += dropped[d];
            for (int page = 0; page < PAGES; page++)
            {
                assertEquals(accepted[d][page], delivered[d][page], "device " + d + " page " + page);
            }
        }
        assertEquals(totalDropped, counters.get(NotificationCounters.DROPPED_TYPE_ID));
        assertEquals((long)PRODUCERS * FAULTS_PER_PRODUCER, notifications.producedCount());
        assertTrue(counters.get(NotificationCounters.COALESCED_TYPE_ID) > 0, "the recorder was never exercised");
        System.out.println("held " + counters.get(NotificationCounters.HELD_TYPE_ID) + " coalesced " +
            counters.get(NotificationCounters.COALESCED_TYPE_ID) + " dropped " + totalDropped);
        notifications.close();
    }

    /**
     * The ABA case, stepped deterministically: a producer reads a READY slot of its key; before its CAS, the
     * dispatcher takes the slot and another key's fault refills it to the same count and phase. The stale CAS must
     * fail (the generation moved on), else the fault would be added to the other key's count.
     */
    @Test
    void aStaleAddToARefilledSlotFails()
    {
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
        final FaultRecorder recorder = new FaultRecorder(
            1, manager.newCounter("held"), manager.newCounter("coalesced"), manager.newCounter("dropped"));
        assertEquals(PublishResult.COALESCED, recorder.record(1, 0, 0x1000, 0, 0, 0, 0, 2, 6, 1, 0));
        final int offset = CoalescingSlotDescriptor.slotOffset(0);
        final long stale = recorder.stateWord(0);
        assertTrue(recorder.holds(offset, stale, 1, 0x1008));
        assertEquals(1, recorder.take(0));
        assertEquals(PublishResult.COALESCED, recorder.record(2, 0, 0x5000, 0, 0, 0, 0, 2, 6, 1, 0));
        assertEquals(CoalescingSlotDescriptor.count(stale), CoalescingSlotDescriptor.count(recorder.stateWord(0)));
        assertFalse(recorder.addOne(offset, stale), "a stale CAS succeeded on a refilled slot");
        assertEquals(1, recorder.take(0));
    }
}
