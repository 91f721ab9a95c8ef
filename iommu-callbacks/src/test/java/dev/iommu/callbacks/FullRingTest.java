/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.IommuPermissions;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.iommu.api.IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A full ring: drops and coalescing counted exactly, against hand-worked figures and against a reference model.
 */
class FullRingTest
{
    private static final int RING_CAPACITY = 4096;
    private static final int RECORDS = RING_CAPACITY / RecordDescriptor.RECORD_LENGTH;

    private final List<String> log = new ArrayList<>();

    private Notifications launch(final int slots, final int dispatchLimit, final int devices)
    {
        final Notifications n = Notifications.launch(new Notifications.Context()
            .useAgentThread(false)
            .ringCapacity(RING_CAPACITY)
            .faultRecorderSlots(slots)
            .dispatchLimit(dispatchLimit));
        for (int d = 0; d < devices; d++)
        {
            final int device = d;
            n.registerStateChangeCallback(
                (stateChange, context) -> log.add("S" + device + ":" + stateChange.availableDomainTypes()),
                null, device, AVAILABLE_DOMAIN_TYPES, () -> -1);
            n.setDeviceFaultReporting(device, true, new DeviceFaultConfiguration().faultHandler((context, info) ->
            {
                final FaultDetails details = n.currentFault();
                log.add("F" + details.deviceId() + ":" + Long.toHexString(details.faultAddress()) + "x" +
                    details.count() + (details.overflow() ? "!" : ""));
            }));
        }
        log.clear();
        return n;
    }

    private static int fault(final Notifications n, final long device, final long address)
    {
        return n.publisher().publishFault(device, 0, address, IommuPermissions.READ, 6, false, 2, 1, 0, 0, 0);
    }

    @Test
    void dropsAndCoalescingAreCountedExactly()
    {
        final Notifications n = launch(4, 256, 4);
        for (int i = 0; i < RECORDS; i++)
        {
            assertEquals(PublishResult.PUBLISHED, n.publisher().publishStateChange(1, 1, i));
        }
        assertEquals(PublishResult.DROPPED, n.publisher().publishStateChange(1, 1, 999));
        for (int i = 0; i < 10; i++)
        {
            assertEquals(PublishResult.COALESCED, fault(n, 2, 0x1000 + i * 8));
        }
        final int slotOfTwo = FaultRecorder.slotIndex(2, 0x1000, 3);
        long collidingPage = 0;
        long freePage = 0;
        for (long page = 1; collidingPage == 0 || freePage == 0; page++)
        {
            final int slot = FaultRecorder.slotIndex(3, page << 12, 3);
            if (slot == slotOfTwo && collidingPage == 0)
            {
                collidingPage = page << 12;
            }
            else if (slot != slotOfTwo && freePage == 0)
            {
                freePage = page << 12;
            }
        }
        assertEquals(PublishResult.DROPPED, fault(n, 3, collidingPage));
        assertEquals(PublishResult.COALESCED, fault(n, 3, freePage));
        assertEquals(77, n.producedCount());

        // The records, the two held fault slots, and the dropped state change healed: its device's latest state.
        assertEquals(RECORDS + 3, n.doWork());
        final NotificationCounters c = n.counters();
        assertEquals(77, c.get(NotificationCounters.PRODUCED_TYPE_ID));
        assertEquals(2, c.get(NotificationCounters.DROPPED_TYPE_ID));
        assertEquals(9, c.get(NotificationCounters.COALESCED_TYPE_ID));
        assertEquals(2, c.get(NotificationCounters.HELD_TYPE_ID));
        assertEquals(RECORDS + 10 + 1, c.get(NotificationCounters.DELIVERED_TYPE_ID));
        assertEquals(1, c.get(NotificationCounters.HEALED_TYPE_ID));
        assertEquals(0, c.get(NotificationCounters.UNHANDLED_TYPE_ID));
        assertEquals(0, c.get(NotificationCounters.RING_OCCUPANCY_TYPE_ID));
        assertEquals(RECORDS + 3, log.size());
        assertEquals("S1:999", log.get(RECORDS + 2), "a state change lost to the full ring is not lost for good");
        for (int i = 0; i < RECORDS; i++)
        {
            assertEquals("S1:" + i, log.get(i));
        }
        final String first = slotOfTwo < FaultRecorder.slotIndex(3, freePage, 3) ? "F2:1000x10!" :
            "F3:" + Long.toHexString(freePage) + "x1!";
        assertEquals(first, log.get(RECORDS));
        // The ring has room again: faults go through it as single records.
        assertEquals(PublishResult.PUBLISHED, fault(n, 2, 0x1000));
        n.close();
    }

    @Test
    void randomisedAgainstAReferenceModel()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final int slots = 1 << random.nextInt(4);
        final int limit = 1 + random.nextInt(16);
        final int devices = 4;
        final Notifications n = launch(slots, limit, devices);

        final ArrayDeque<String> ring = new ArrayDeque<>();
        final long[] slotDevice = new long[slots];
        final long[] slotAddress = new long[slots];
        final int[] slotCount = new int[slots];
        final List<String> expected = new ArrayList<>();
        boolean overflow = false;
        long produced = 0;
        long dropped = 0;
        long coalesced = 0;
        long held = 0;
        long delivered = 0;
        long healed = 0;
        int head = 0;
        // State changes: each device's latest state and what its callback last saw; a drop marks a scan that runs
        // once the records published before the drop are consumed.
        final long[] latest = new long[devices];
        final int[] latestSequence = new int[devices];
        final int[] shownSequence = new int[devices];
        long unhandled = 0;
        final int[] lost = new int[devices];

        for (int op = 0; op < 20_000; op++)
        {
            final int kind = random.nextInt(10);
            final long device = random.nextInt(devices);
            if (kind < 3)
            {
                final int value = random.nextInt(1000);
                final int result = n.publisher().publishStateChange(device, 1, value);
                produced++;
                latest[(int)device] = value;
                final int sequence = ++latestSequence[(int)device];
                if (ring.size() < RECORDS)
                {
                    ring.add("S" + device + ":" + value + "#" + sequence);
                    assertEquals(PublishResult.PUBLISHED, result, "seed " + seed);
                }
                else
                {
                    dropped++;
                    lost[(int)device] = sequence;
                    assertEquals(PublishResult.DROPPED, result, "seed " + seed);
                }
            }
            else if (kind < 8)
            {
                final long address = (random.nextInt(4) << 12) + random.nextInt(4096);
                final int result = fault(n, device, address);
                produced++;
                if (ring.size() < RECORDS)
                {
                    ring.add("F" + device + ":" + Long.toHexString(address) + "x1");
                    assertEquals(PublishResult.PUBLISHED, result, "seed " + seed);
                }
                else
                {
                    overflow = true;
                    final int slot = FaultRecorder.slotIndex(device, address, slots - 1);
                    if (0 == slotCount[slot])
                    {
                        slotDevice[slot] = device;
                        slotAddress[slot] = address;
                        slotCount[slot] = 1;
                        held++;
                        assertEquals(PublishResult.COALESCED, result, "seed " + seed);
                    }
                    else if (slotDevice[slot] == device && slotAddress[slot] >>> 12 == address >>> 12)
                    {
                        slotCount[slot]++;
                        coalesced++;
                        assertEquals(PublishResult.COALESCED, result, "seed " + seed);
                    }
                    else
                    {
                        dropped++;
                        assertEquals(PublishResult.DROPPED, result, "seed " + seed);
                    }
                }
            }
            else
            {
                n.doWork();
                // Agrona reads one contiguous block per call: never past the end of the buffer.
                final int block = Math.min(limit, RECORDS - head);
                for (int i = 0; i < block && !ring.isEmpty(); i++)
                {
                    head = (head + 1) % RECORDS;
                    String event = ring.poll();
                    if (event.startsWith("S"))
                    {
                        final int d = event.charAt(1) - '0';
                        final int sequence = Integer.parseInt(event.substring(event.indexOf('#') + 1));
                        event = event.substring(0, event.indexOf('#'));
                        if (sequence <= shownSequence[d])
                        {
                            unhandled++;
                            continue;
                        }
                        shownSequence[d] = sequence;
                    }
                    if (event.startsWith("F") && overflow)
                    {
                        event += "!";
                        overflow = false;
                    }
                    expected.add(event);
                    delivered++;
                }
                for (int slot = 0; slot < slots; slot++)
                {
                    if (0 != slotCount[slot])
                    {
                        String event = "F" + slotDevice[slot] + ":" + Long.toHexString(slotAddress[slot]) + "x" +
                            slotCount[slot];
                        if (overflow)
                        {
                            event += "!";
                            overflow = false;
                        }
                        expected.add(event);
                        delivered += slotCount[slot];
                        slotCount[slot] = 0;
                    }
                }
                // The healing scan: a device whose lost change is still its latest gets it shown (a newer change is
                // in the ring otherwise), in the registry's order: compare as a set.
                final List<String> scan = new ArrayList<>();
                for (int d = 0; d < devices; d++)
                {
                    if (lost[d] != 0 && lost[d] == latestSequence[d] && lost[d] > shownSequence[d])
                    {
                        scan.add("S" + d + ":" + latest[d]);
                        shownSequence[d] = latestSequence[d];
                    }
                    lost[d] = 0;
                }
                healed += scan.size();
                expected.addAll(scan);
                if (log.size() >= scan.size())
                {
                    java.util.Collections.sort(log.subList(log.size() - scan.size(), log.size()));
                }
                java.util.Collections.sort(expected.subList(expected.size() - scan.size(), expected.size()));
                assertEquals(expected, log, "seed " + seed);
            }
        }
        final NotificationCounters c = n.counters();
        assertEquals(produced, n.producedCount(), "seed " + seed);
        assertEquals(dropped, c.get(NotificationCounters.DROPPED_TYPE_ID), "seed " + seed);
        assertEquals(coalesced, c.get(NotificationCounters.COALESCED_TYPE_ID), "seed " + seed);
        assertEquals(held, c.get(NotificationCounters.HELD_TYPE_ID), "seed " + seed);
        assertEquals(delivered, c.get(NotificationCounters.DELIVERED_TYPE_ID), "seed " + seed);
        n.close();
        assertEquals(healed, c.get(NotificationCounters.HEALED_TYPE_ID), "seed " + seed);
        assertEquals(unhandled, c.get(NotificationCounters.UNHANDLED_TYPE_ID), "seed " + seed);
        assertEquals(produced, c.get(NotificationCounters.DELIVERED_TYPE_ID) + unhandled + dropped, "seed " + seed);
    }
}
