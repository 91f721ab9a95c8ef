/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.FaultInformationArch;
import dev.iommu.api.FaultInformationArm64;
import dev.iommu.api.FaultInformationType;
import dev.iommu.api.FaultInformationX64;
import dev.iommu.api.IommuDeviceFaultHandler;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuPermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultReportingTest
{
    private final IommuDmaDomain domain = new IommuDmaDomain()
    {
    };
    private final DeviceObject pdo = new DeviceObject()
    {
    };
    private final HandleResolver resolver = new HandleResolver()
    {
        public IommuDmaDomain domain(final long domainId)
        {
            return 77 == domainId ? domain : null;
        }

        public DeviceObject physicalDeviceObject(final long deviceId)
        {
            return 5 == deviceId ? pdo : null;
        }
    };
    private final Notifications notifications = Notifications.launch(
        new Notifications.Context().useAgentThread(false).handleResolver(resolver));
    private final List<String> seen = new ArrayList<>();

    @AfterEach
    void close()
    {
        notifications.close();
    }

    private long count(final int typeId)
    {
        return notifications.counters().get(typeId);
    }

    @Test
    void badArgumentsThrowAndEnableNothing()
    {
        final IommuDeviceFaultHandler handler = (context, info) -> seen.add("x");
        final DeviceFaultConfiguration config = new DeviceFaultConfiguration().faultHandler(handler);
        assertThrows(IllegalArgumentException.class, () -> notifications.setDeviceFaultReporting(-1, true, config));
        assertThrows(IllegalArgumentException.class, () -> notifications.setDeviceFaultReporting(-1, false, null));
        assertThrows(IllegalArgumentException.class, () -> notifications.setDeviceFaultReporting(1, true, null));
        assertThrows(IllegalArgumentException.class,
            () -> notifications.setDeviceFaultReporting(1, true, new DeviceFaultConfiguration()));
        // Nothing was enabled.
        notifications.publisher().publishFault(1, 2, 0x1000, IommuPermissions.READ, 6, false, 2, 1, 0, 0, 0);
        notifications.doWork();
        assertTrue(seen.isEmpty());
        assertEquals(1, count(NotificationCounters.UNHANDLED_TYPE_ID));
    }

    @Test
    void invalidPublishArgumentsAreRefusedAndNotCounted()
    {
        final NotificationPublisher p = notifications.publisher();
        assertEquals(PublishResult.INVALID_ARGUMENT, p.publishFault(-1, 0, 0, 1, 6, false, 2, 0, 0, 0, 0));
        assertEquals(PublishResult.INVALID_ARGUMENT, p.publishFault(1, 0, 0, 4, 6, false, 2, 0, 0, 0, 0));
        assertEquals(PublishResult.INVALID_ARGUMENT, p.publishFault(1, 0, 0, 1, 7, false, 2, 0, 0, 0, 0));
        assertEquals(PublishResult.INVALID_ARGUMENT, p.publishFault(1, 0, 0, 1, -1, false, 2, 0, 0, 0, 0));
        assertEquals(PublishResult.INVALID_ARGUMENT, p.publishFault(1, 0, 0, 1, 6, false, 3, 0, 0, 0, 0));
        assertEquals(PublishResult.INVALID_ARGUMENT, p.publishStateChange(-1, 1, 0));
        assertEquals(0, notifications.doWork());
        assertEquals(0, notifications.producedCount());
    }

    @Test
    void anX64FaultIsDecodedIntoFaultInformation()
    {
        final Object context = new Object();
        final IommuDeviceFaultHandler handler = (ctx, info) ->
        {
            assertSame(context, ctx);
            assertEquals(FaultInformationArch.X64, info.type());
            assertTrue(info.isStage1());
            final FaultInformationX64 x64 = info.x64();
            assertSame(domain, x64.domainHandle());
            assertEquals(0xABC_D123L, x64.faultAddress());
            assertEquals(FaultInformationX64.FAULT_ADDRESS_VALID, x64.flags());
            assertEquals(FaultInformationType.PERMISSION_FAULT, x64.type());
            assertEquals(0xFED9_0000L, x64.iommuBaseAddress());
            assertEquals(3, x64.pciSegment());
            final FaultDetails details = notifications.currentFault();
            assertEquals(5, details.deviceId());
            assertEquals(77, details.domainId());
            assertEquals(IommuPermissions.WRITE, details.access());
            assertEquals(FaultInformationType.PERMISSION_FAULT.value(), details.reason());
            assertEquals(1, details.count());
            assertFalse(details.overflow());
            seen.add("x64");
        };
        assertTrue(notifications.setDeviceFaultReporting(
            5, true, new DeviceFaultConfiguration().faultHandler(handler).faultContext(context)));
        assertEquals(PublishResult.PUBLISHED, notifications.publisher().publishFault(
            5, 77, 0xABC_D123L, IommuPermissions.WRITE, FaultInformationType.PERMISSION_FAULT.value(), true,
            FaultInformationArch.X64.value(), FaultInformationX64.FAULT_ADDRESS_VALID, 99, 3, 0xFED9_0000L));
        assertEquals(1, notifications.doWork());
        assertEquals(List.of("x64"), seen);
        assertEquals(1, count(NotificationCounters.DELIVERED_TYPE_ID));
    }

    @Test
    void anArm64FaultIsDecodedIntoFaultInformation()
    {
        final IommuDeviceFaultHandler handler = (ctx, info) ->
        {
            assertEquals(FaultInformationArch.ARM64, info.type());
            assertFalse(info.isStage1());
            final FaultInformationArm64 arm64 = info.arm64();
            assertSame(domain, arm64.domainHandle());
            assertSame(pdo, arm64.physicalDeviceObject());
            assertEquals(0x2000L, arm64.faultAddress());
            assertEquals(0x44, arm64.inputMappingId());
            assertEquals(FaultInformationArm64.WRITE_NOT_READ | FaultInformationArm64.FAULT_ADDRESS_VALID,
                arm64.flags());
            assertEquals(FaultInformationType.TRANSLATION_FAULT, arm64.type());
            assertEquals(0x9000_0000L, arm64.iommuBaseAddress());
            seen.add("arm64");
        };
        notifications.setDeviceFaultReporting(5, true, new DeviceFaultConfiguration().faultHandler(handler));
        notifications.publisher().publishFault(
            5, 77, 0x2000L, IommuPermissions.WRITE, FaultInformationType.TRANSLATION_FAULT.value(), false,
            FaultInformationArch.ARM64.value(),
            FaultInformationArm64.WRITE_NOT_READ | FaultInformationArm64.FAULT_ADDRESS_VALID, 0x44, 0, 0x9000_0000L);
        notifications.doWork();
        assertEquals(List.of("arm64"), seen);
    }

    @Test
    void disableStopsDeliveryEnableTwiceReplacesDisableTwiceSucceeds()
    {
        final DeviceFaultConfiguration config =
            new DeviceFaultConfiguration().faultHandler((ctx, info) -> seen.add("first"));
        assertTrue(notifications.setDeviceFaultReporting(1, false, null));
        assertTrue(notifications.setDeviceFaultReporting(1, true, config));
        // The configuration is copied: reusing the object does not change the registration.
        config.faultHandler((ctx, info) -> seen.add("second"));
        publish(1);
        notifications.doWork();
        assertTrue(notifications.setDeviceFaultReporting(1, true, config));
        publish(1);
        notifications.doWork();
        assertTrue(notifications.setDeviceFaultReporting(1, false, null));
        assertTrue(notifications.setDeviceFaultReporting(1, false, config));
        publish(1);
        notifications.doWork();
        assertEquals(List.of("first", "second"), seen);
        assertEquals(2, count(NotificationCounters.DELIVERED_TYPE_ID));
        assertEquals(1, count(NotificationCounters.UNHANDLED_TYPE_ID));
    }

    @Test
    void aThrowingHandlerIsCountedAndDispatchGoesOn()
    {
        notifications.setDeviceFaultReporting(1, true, new DeviceFaultConfiguration().faultHandler((ctx, info) ->
        {
            seen.add("throw");
            throw new IllegalStateException("handler failure");
        }));
        publish(1);
        publish(1);
        assertEquals(2, notifications.doWork());
        assertEquals(2, seen.size());
        assertEquals(2, count(NotificationCounters.CALLBACK_ERRORS_TYPE_ID));
    }

    private void publish(final long device)
    {
        assertEquals(PublishResult.PUBLISHED, notifications.publisher().publishFault(
            device, 0, 0x1000, IommuPermissions.READ, 6, false, 2, 0, 0, 0, 0));
    }

}
