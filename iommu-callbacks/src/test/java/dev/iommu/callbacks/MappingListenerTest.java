/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.IommuPermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MappingListenerTest
{
    private final Notifications notifications =
        Notifications.launch(new Notifications.Context().useAgentThread(false));

    @AfterEach
    void close()
    {
        notifications.close();
    }

    static final class Log implements MappingListener
    {
        final List<String> events = new ArrayList<>();

        public void onMap(
            final long domainId, final long address, final long length, final long physicalAddress,
            final int permissions)
        {
            events.add("map " + domainId + " " + address + " " + length + " " + physicalAddress + " " + permissions);
        }

        public void onUnmap(final long domainId, final long address, final long length)
        {
            events.add("unmap " + domainId + " " + address + " " + length);
        }
    }

    @Test
    void mapAndUnmapAreDeliveredInOrderToEveryListener()
    {
        final Log a = new Log();
        final Log b = new Log();
        assertTrue(notifications.addMappingListener(a));
        assertTrue(notifications.addMappingListener(b));
        final NotificationPublisher p = notifications.publisher();
        assertEquals(PublishResult.PUBLISHED, p.publishMap(3, 0x1000, 0x2000, 0x8000, IommuPermissions.READ_WRITE));
        assertEquals(PublishResult.PUBLISHED, p.publishUnmap(3, 0x1000, 0x1000));
        assertEquals(2, notifications.doWork());
        assertEquals(List.of("map 3 4096 8192 32768 3", "unmap 3 4096 4096"), a.events);
        assertEquals(a.events, b.events);
        assertEquals(2, notifications.counters().get(NotificationCounters.DELIVERED_TYPE_ID));
    }

    @Test
    void registrationRules()
    {
        final Log a = new Log();
        final NullPointerException nullAdd =
            assertThrows(NullPointerException.class, () -> notifications.addMappingListener(null));
        assertTrue(nullAdd.getMessage().contains("listener"), nullAdd.getMessage());
        final NullPointerException nullRemove =
            assertThrows(NullPointerException.class, () -> notifications.removeMappingListener(null));
        assertTrue(nullRemove.getMessage().contains("listener"), nullRemove.getMessage());
        assertFalse(notifications.removeMappingListener(a));
        assertTrue(notifications.addMappingListener(a));
        assertFalse(notifications.addMappingListener(a));
        assertTrue(notifications.removeMappingListener(a));
        assertFalse(notifications.removeMappingListener(a));
        notifications.publisher().publishUnmap(1, 0, 4096);
        notifications.doWork();
        assertEquals(0, a.events.size());
        assertEquals(1, notifications.counters().get(NotificationCounters.UNHANDLED_TYPE_ID));
    }

    @Test
    void invalidArgumentsAreRefused()
    {
        final NotificationPublisher p = notifications.publisher();
        assertEquals(PublishResult.INVALID_ARGUMENT, p.publishMap(1, 0, 0, 0, 1));
        assertEquals(PublishResult.INVALID_ARGUMENT, p.publishMap(1, 0, 4096, 0, 4));
        assertEquals(PublishResult.INVALID_ARGUMENT, p.publishUnmap(1, 0, -1));
        assertEquals(0, notifications.producedCount());
    }
}
