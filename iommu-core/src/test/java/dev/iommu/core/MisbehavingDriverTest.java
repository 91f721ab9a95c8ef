/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

import static dev.iommu.core.V2Rig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A deliberately misbehaving driver, run on the observed-Windows profile (which lets every hazard through, as Windows
 * does) with the verifier on: one bug of each kind, and each {@link VerifierRule} must fire exactly once (the
 * profile-dependent results at least once: most of these bugs are also calls whose answer depends on the profile).
 */
final class MisbehavingDriverTest
{
    private final List<VerifierReport> reports = new ArrayList<>();

    @Test
    void tripsEveryRuleOnce()
    {
        final EmulatorContext context = new EmulatorContext()
            .platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .profile(BehaviourProfile.OBSERVED_WINDOWS)
            .iotlbInvalidation(IotlbInvalidation.DEFERRED).deferredFlush(1 << 20, Long.MAX_VALUE / 2)
            .verifier(true).verifierListener(reports::add);
        try (V2Rig r = new V2Rig(context))
        {
            final IommuDmaDomain first = r.explicitDomain();
            final IommuDmaDevice nic = r.attached("nic", first);

            // A reservation, then a map and an unmap inside it, then a second reservation overlapping it.
            r.reserveAt(first, 0x40_0000, 2);
            expect(NtStatus.STATUS_SUCCESS, r.iommu.mapLogicalRangeEx(first, IommuPermissions.READ_WRITE,
                V2Rig.contiguous(0x80 * PAGE, 1), new LongRef(0x40_0000), null, null, new LongRef()));
            expect(NtStatus.STATUS_SUCCESS, r.iommu.unmapLogicalRange(first, 0x40_0000, 1));
            r.reserveAt(first, 0x40_1000, 1);

            // DMA through an unmap whose invalidation is still queued, then DMA to a page never mapped.
            r.mapAt(first, 0x10_0000, 0x90, 1);
            assertEquals(0x90 * PAGE, r.seen(nic, 0x10_0000));
            expect(NtStatus.STATUS_SUCCESS, r.iommu.unmapLogicalRange(first, 0x10_0000, 1));
            assertEquals(0x90 * PAGE, r.seen(nic, 0x10_0000), "the stale IOTLB entry");
            assertEquals(-1, r.seen(nic, 0x20_0000));

            // Attach to a second domain (a silent move), delete that domain under the device, then the first one
            // with its two tokens outstanding.
            final IommuDmaDomain second = r.explicitDomain();
            expect(NtStatus.STATUS_SUCCESS, r.iommu.attachDeviceEx(second, nic));
            expect(NtStatus.STATUS_SUCCESS, r.iommu.deleteDomain(second));
            expect(NtStatus.STATUS_SUCCESS, r.iommu.deleteDomain(first));
            expect(NtStatus.STATUS_SUCCESS, r.iommu.detachDeviceEx(nic));
            expect(NtStatus.STATUS_SUCCESS, r.iommu.deleteDevice(nic));

            // A callback that unregisters itself from inside a later call (run on the policy-changing thread).
            final IommuDmaDevice disk = r.device("disk");
            final IommuInterfaceStateChangeCallback[] self = new IommuInterfaceStateChangeCallback[1];
            final IntRef calls = new IntRef();
            final IntRef unregistered = new IntRef();
            self[0] = (final IommuInterfaceStateChange change, final Object ctx) ->
            {
                calls.set(calls.get() + 1);
                if (calls.get() == 2)
                {
                    unregistered.set(r.iommu.unregisterInterfaceStateChangeCallback(self[0], disk));
                }
            };
            expect(NtStatus.STATUS_SUCCESS, r.iommu.registerInterfaceStateChangeCallback(self[0], null, disk,
                new IommuInterfaceStateChangeFields().availableDomainTypes(true)));
            r.platform.policy().restrict(r.platform.device("disk"), IommuDmaDomainType.PASS_THROUGH.mask());
            assertEquals(2, calls.get(), "the first call and the policy change");
            expect(NtStatus.STATUS_SUCCESS, unregistered.get());
            expect(NtStatus.STATUS_SUCCESS, r.iommu.deleteDevice(disk));

            // Left live at close: a domain with a mapping and a token; a PASID device with a registration and a
            // sub-device.
            final IommuDmaDomain leaked = r.explicitDomain();
            r.mapAt(leaked, 0x30_0000, 0xA0, 2);
            r.reserveAt(leaked, 0x60_0000, 1);
            final Ref<IommuDmaDevice> gpu = new Ref<>();
            expect(NtStatus.STATUS_SUCCESS, r.iommu.createDevice(r.platform.device("gpu"),
                new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false),
                gpu));
            expect(NtStatus.STATUS_SUCCESS, r.iommu.registerInterfaceStateChangeCallback(
                MisbehavingDriverTest::ignore, null, gpu.get(),
                new IommuInterfaceStateChangeFields().availableDomainTypes(true)));
            expect(NtStatus.STATUS_SUCCESS, r.v3.createPasidDevice(gpu.get(), new Ref<IommuDmaPasidDevice>(),
                new IntRef()));
        }
        final Map<VerifierRule, Integer> counts = new EnumMap<>(VerifierRule.class);
        for (final VerifierReport report : reports)
        {
            counts.merge(report.rule(), 1, Integer::sum);
        }
        for (final VerifierRule rule : VerifierRule.values())
        {
            final int count = counts.getOrDefault(rule, 0);
            if (rule == VerifierRule.PROFILE_DEPENDENT_RESULT)
            {
                assertTrue(count >= 1, rule + ": " + reports);
            }
            else
            {
                assertEquals(1, count, rule + " fires once: " + reports);
            }
        }
    }

    private static void expect(final int expected, final int status)
    {
        assertEquals(NtStatus.name(expected), NtStatus.name(status));
    }

    private static void ignore(final IommuInterfaceStateChange change, final Object context)
    {
        // The leaked registration: never looked at.
    }
}
