/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.FaultInformation;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.NtStatus;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.ptw.Translation;
import org.junit.jupiter.api.Test;

import static dev.iommu.core.FailureInjection.AllocationKind.RING_SLOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring-slot allocation points: a notification whose ring slot cannot be claimed fails no call. A fault is held
 * by the fault recorder and delivered by the next duty cycle, with its address; a state change is held too, so the
 * driver's callback still learns the new available domain types.
 */
final class FailNthRingSlotTest
{
    private static final long UNMAPPED = 0x7_0000L;

    @Test
    void aFaultWithoutARingSlotIsHeldAndDelivered()
    {
        final FailureInjection injection = new FailureInjection();
        try (V2Rig r = FailNthCases.x64(injection))
        {
            final IommuDmaDevice nic = r.attached("nic", r.explicitDomain());
            final List<Long> faults = new ArrayList<>();
            final DeviceFaultConfiguration config = new DeviceFaultConfiguration().faultHandler(
                (final Object context, final FaultInformation info) -> faults.add(info.x64().faultAddress()));
            assertEquals(NtStatus.STATUS_SUCCESS, r.emulator.setDeviceFaultReporting(nic, true, config));
            injection.failNth(1, RING_SLOT);
            assertTrue(Translation.isFault(r.emulator.translate(nic, UNMAPPED, IommuPermissions.READ)));
            assertEquals(RING_SLOT, injection.failed(), "the fault's ring slot was refused");
            injection.disarm();
            deliverAll(r);
            assertEquals(List.of(UNMAPPED), faults, "the held fault is delivered once, with its address");
        }
    }

    @Test
    void aStateChangeWithoutARingSlotStillReachesTheCallback()
    {
        final FailureInjection injection = new FailureInjection();
        try (V2Rig r = FailNthCases.x64(injection))
        {
            final IommuDmaDevice nic = r.device("nic");
            final List<Integer> seen = new ArrayList<>();
            final IommuInterfaceStateChangeCallback callback =
                (final IommuInterfaceStateChange change, final Object context) ->
                    seen.add(change.availableDomainTypes());
            assertEquals(NtStatus.STATUS_SUCCESS,
                r.iommu.registerInterfaceStateChangeCallback(callback, null, nic, FailNthCases.fields()));
            final int translateOnly = 1 << IommuDmaDomainType.TRANSLATE.value();
            injection.failNth(1, RING_SLOT);
            r.platform.policy().restrict((PhysicalDeviceObject)r.platform.device("nic"), translateOnly);
            assertEquals(RING_SLOT, injection.failed(), "the state change's ring slot was refused");
            injection.disarm();
            deliverAll(r);
            assertEquals(translateOnly, seen.get(seen.size() - 1),
                "the driver's last view is the new available domain types: " + seen);
        }
    }

    private static void deliverAll(final V2Rig r)
    {
        // Two idle duty cycles in a row: the ring and the held records are drained (a held record is delivered
        // after the ring records of its cycle).
        int idle = 0;
        while (idle < 2)
        {
            idle = r.emulator.deliverNotifications() == 0 ? idle + 1 : 0;
        }
    }
}
