/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_NOT_IMPLEMENTED;
import static dev.iommu.api.NtStatus.STATUS_NOT_SUPPORTED;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifier on the device members: the {@link VerifierRule#ATTACH_MOVES_DEVICE} hazard (in both profiles: it
 * fires on an attach to another domain, and is silent on attach, detach, attach), and the
 * {@link VerifierRule#PROFILE_DEPENDENT_RESULT} reports of the device members, each carrying both answers (the same
 * report whichever profile runs). With the verifier off nothing is reported.
 */
class ObservedDeviceVerifierTest
{
    /** A rig with the verifier on, its reports collected. */
    private static final class Watched implements AutoCloseable
    {
        final List<VerifierReport> reports = new ArrayList<>();
        final V2Rig r;

        Watched(final BehaviourProfile profile)
        {
            r = new V2Rig(new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
                .profile(profile).verifier(true).verifierListener(reports::add));
        }

        List<VerifierReport> of(final VerifierRule rule)
        {
            return reports.stream().filter((final VerifierReport report) -> report.rule() == rule)
                .collect(Collectors.toList());
        }

        /** The single divergence a member reported (fails when there is not exactly one). */
        VerifierReport divergence(final String member)
        {
            final List<VerifierReport> found = of(VerifierRule.PROFILE_DEPENDENT_RESULT).stream()
                .filter((final VerifierReport report) -> report.member().equals(member)).collect(Collectors.toList());
            assertEquals(1, found.size(), member + ": " + reports);
            return found.get(0);
        }

        @Override
        public void close()
        {
            r.close();
        }
    }

    private static void ignore(final Object value)
    {
        // A fault handler that does nothing.
    }

    private static void assertBoth(final VerifierReport report, final int documented, final int observed)
    {
        assertEquals(NtStatus.name(documented), NtStatus.name(report.documentedStatus()), "documented: " + report);
        assertEquals(NtStatus.name(observed), NtStatus.name(report.observedStatus()), "observed: " + report);
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void attachMovesDeviceFiresOnTheHazard(final BehaviourProfile profile)
    {
        try (Watched w = new Watched(profile))
        {
            final IommuDmaDomain d1 = w.r.explicitDomain();
            final IommuDmaDomain d2 = w.r.explicitDomain();
            final IommuDmaDevice nic = w.r.attached("nic", d1);
            assertEquals(List.of(), w.of(VerifierRule.ATTACH_MOVES_DEVICE));
            final int status = w.r.iommu.attachDeviceEx(d2, nic);
            final List<VerifierReport> moves = w.of(VerifierRule.ATTACH_MOVES_DEVICE);
            assertEquals(1, moves.size(), w.reports.toString());
            assertEquals("AttachDeviceEx", moves.get(0).member());
            final String objects = moves.get(0).objects();
            assertTrue(objects.contains("domain#" + ((Domain)d2).id()) &&
                objects.contains("device#" + ((DmaDevice)nic).id()) &&
                objects.contains("domain#" + ((Domain)d1).id()), objects);
            assertEquals(1, w.r.emulator.verifierReports(VerifierRule.ATTACH_MOVES_DEVICE));
            assertBoth(w.divergence("AttachDeviceEx"), STATUS_INVALID_PARAMETER, STATUS_SUCCESS);
            assertEquals(profile == BehaviourProfile.DOCUMENTED ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS, status);
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void attachMovesDeviceFiresOnAV1Move(final BehaviourProfile profile)
    {
        try (Watched w = new Watched(profile))
        {
            final IommuDmaDomain d1 = w.r.explicitDomain();
            final IommuDmaDomain d2 = w.r.explicitDomain();
            w.r.expect("V1 attach", STATUS_SUCCESS, () -> w.r.v1.attachDevice(d1, w.r.platform.device("nic"), 0, 1));
            assertEquals(List.of(), w.reports);
            final int status = w.r.v1.attachDevice(d2, w.r.platform.device("nic"), 0, 1);
            assertEquals(profile == BehaviourProfile.DOCUMENTED ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS, status);
            assertEquals(1, w.of(VerifierRule.ATTACH_MOVES_DEVICE).size(), w.reports.toString());
            assertEquals("AttachDevice", w.of(VerifierRule.ATTACH_MOVES_DEVICE).get(0).member());
            assertBoth(w.divergence("AttachDevice"), STATUS_INVALID_PARAMETER, STATUS_SUCCESS);
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void attachMovesDeviceSilentOnTheCorrectSequence(final BehaviourProfile profile)
    {
        try (Watched w = new Watched(profile))
        {
            final IommuDmaDomain d1 = w.r.explicitDomain();
            final IommuDmaDomain d2 = w.r.explicitDomain();
            final IommuDmaDevice nic = w.r.attached("nic", d1);
            w.r.expect("detach", STATUS_SUCCESS, () -> w.r.iommu.detachDeviceEx(nic));
            w.r.expect("attach", STATUS_SUCCESS, () -> w.r.iommu.attachDeviceEx(d2, nic));
            w.r.expect("detach", STATUS_SUCCESS, () -> w.r.iommu.detachDeviceEx(nic));
            w.r.expect("delete", STATUS_SUCCESS, () -> w.r.iommu.deleteDevice(nic));
            assertEquals(List.of(), w.reports, "a correct sequence: no report at all");
            assertEquals(0, w.r.emulator.verifierReports(VerifierRule.ATTACH_MOVES_DEVICE));
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void everyDeviceDivergenceCarriesBothAnswers(final BehaviourProfile profile)
    {
        try (Watched w = new Watched(profile))
        {
            final V2Rig r = w.r;
            r.iommu.createDevice(null, null, new Ref<>());
            assertBoth(w.divergence("CreateDevice"), STATUS_INVALID_PARAMETER, STATUS_NOT_SUPPORTED);
            w.reports.clear();

            final IommuDmaDevice nic = r.device("nic");
            assertEquals(List.of(), w.reports, "the first CreateDevice agrees");
            r.iommu.createDevice(r.platform.device("nic"), null, new Ref<>());
            assertBoth(w.divergence("CreateDevice"), STATUS_INVALID_PARAMETER, STATUS_SUCCESS);
            w.reports.clear();

            final IommuDmaDomain d = r.explicitDomain();
            r.expect("attach", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
            r.iommu.attachDeviceEx(d, nic);
            assertBoth(w.divergence("AttachDeviceEx"), STATUS_INVALID_PARAMETER, STATUS_SUCCESS);
            w.reports.clear();

            r.iommu.queryInputMappings(r.platform.device("nic"), null, 0, null);
            assertBoth(w.divergence("QueryInputMappings"), STATUS_UNSUCCESSFUL, STATUS_NOT_SUPPORTED);
            w.reports.clear();

            r.iommu.setDeviceFaultReportingEx(nic, 0, false, null);
            assertBoth(w.divergence("SetDeviceFaultReportingEx"), STATUS_NOT_IMPLEMENTED, STATUS_SUCCESS);
            w.reports.clear();

            r.v1.setDeviceFaultReporting(r.platform.device("nic"), 0, true, new DeviceFaultConfiguration()
                .faultHandler((context, info) -> ignore(info)));
            assertBoth(w.divergence("SetDeviceFaultReporting"), STATUS_SUCCESS, STATUS_NOT_SUPPORTED);
            w.reports.clear();

            final IommuDmaDomain d2 = r.explicitDomain();
            r.expect("V1 attach", STATUS_SUCCESS, () -> r.v1.attachDevice(d2, r.platform.device("disk"), 0, 1));
            assertEquals(List.of(), w.reports, "the first V1 attach agrees");
            r.v1.attachDevice(d2, r.platform.device("disk"), 0, 1);
            assertBoth(w.divergence("AttachDevice"), STATUS_INVALID_PARAMETER, STATUS_SUCCESS);
            w.reports.clear();

            final IntRef types = new IntRef();
            r.iommu.queryAvailableDomainTypes(nic, types);
            final VerifierReport query = w.divergence("QueryAvailableDomainTypes");
            assertEquals("available domain types: documented 0xb, observed 0x3", query.detail());
            assertTrue(query.objects().contains("device#" + ((DmaDevice)nic).id()), query.objects());
        }
    }

    @Test
    void silentWithTheVerifierOff()
    {
        try (V2Rig r = V2Rig.observedX64())
        {
            final IommuDmaDomain d1 = r.explicitDomain();
            final IommuDmaDomain d2 = r.domain(IommuDmaDomainType.TRANSLATE);
            final IommuDmaDevice nic = r.attached("nic", d1);
            r.expect("move", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d2, nic));
            for (final VerifierRule rule : VerifierRule.values())
            {
                assertEquals(0, r.emulator.verifierReports(rule), rule.name());
            }
        }
    }
}
