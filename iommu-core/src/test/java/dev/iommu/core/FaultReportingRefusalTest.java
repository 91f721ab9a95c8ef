/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.api.IommuDmaDomain;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A V1 SetDeviceFaultReporting whose handler registration is refused (found by the {@code fail_nth} sweep) leaves the
 * device's fault reporting as it was: it used to switch it on and return STATUS_UNSUCCESSFUL.
 */
final class FaultReportingRefusalTest
{
    @Test
    void refusedRegistrationLeavesFaultReportingOff()
    {
        final FailureInjection injection = new FailureInjection();
        try (V2Rig r = FailNthCases.x64(injection))
        {
            final Ref<IommuDmaDomain> d = new Ref<>();
            assertEquals(NtStatus.STATUS_SUCCESS, r.v1.createDomain(true, d));
            assertEquals(NtStatus.STATUS_SUCCESS, r.v1.attachDevice(d.get(), r.platform.device("nic"), 0, 1));
            final DmaDevice nic = r.emulator.handles().devices().deviceOf(
                (dev.iommu.core.platform.PhysicalDeviceObject)r.platform.device("nic"));
            injection.failNth(1, FailureInjection.AllocationKind.FAULT_REGISTRATION);
            assertEquals(NtStatus.name(NtStatus.STATUS_UNSUCCESSFUL), NtStatus.name(r.v1.setDeviceFaultReporting(
                r.platform.device("nic"), 0, true, FailNthCases.faultConfig())));
            assertTrue(injection.fired());
            assertFalse(nic.faultReporting(), "a refused enable leaves fault reporting off");
            injection.disarm();
            assertEquals(NtStatus.STATUS_SUCCESS, r.v1.setDeviceFaultReporting(
                r.platform.device("nic"), 0, true, FailNthCases.faultConfig()));
            assertTrue(nic.faultReporting());
        }
    }
}
