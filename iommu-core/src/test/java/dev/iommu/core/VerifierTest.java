/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.status.CountersReader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.callbacks.NotificationCounters;

import static dev.iommu.core.V2Rig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifier's own machinery and the rules it checks outside the members: device DMA (to an unmapped address,
 * through an unflushed unmap) and everything left live at close. Each rule fires on the hazard and stays silent on the
 * correct sequence, in both profiles; reports carry rule, member, objects, address and thread; they are counted;
 * a fatal verifier throws; a verifier that is off reports and counts nothing.
 */
final class VerifierTest
{
    private final List<VerifierReport> reports = new ArrayList<>();

    private V2Rig rig(final BehaviourProfile profile, final IotlbInvalidation invalidation)
    {
        return new V2Rig(new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .profile(profile).iotlbInvalidation(invalidation).deferredFlush(1 << 20, Long.MAX_VALUE / 2)
            .verifier(true).verifierListener(reports::add));
    }

    private List<VerifierReport> of(final VerifierRule rule)
    {
        final List<VerifierReport> found = new ArrayList<>();
        for (final VerifierReport report : reports)
        {
            if (report.rule() == rule)
            {
                found.add(report);
            }
        }
        return found;
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void dmaToAnUnmappedAddressIsReportedWithDeviceDomainAndPage(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile, IotlbInvalidation.STRICT))
        {
            final IommuDmaDomain domain = r.explicitDomain();
            final IommuDmaDevice device = r.attached("nic", domain);
            r.mapAt(domain, 0x10_0000, 0x40, 1);
            assertEquals(0x40 * PAGE, r.seen(device, 0x10_0000));
            assertTrue(of(VerifierRule.DMA_TO_UNMAPPED).isEmpty(), "silent on a mapped address: " + reports);

            assertEquals(-1, r.seen(device, 0x20_0123));
            final List<VerifierReport> found = of(VerifierRule.DMA_TO_UNMAPPED);
            assertEquals(1, found.size(), reports.toString());
            final VerifierReport report = found.get(0);
            assertEquals("DeviceDma", report.member());
            assertEquals(0x20_0000, report.address());
            assertEquals(PAGE, report.length());
            assertEquals("device#" + ((DmaDevice)device).id() + " domain#" + ((Domain)domain).id(),
                report.objects());
            assertEquals(Thread.currentThread().getName(), report.threadName());
            assertEquals(Thread.currentThread().getId(), report.threadId());
            assertEquals(1, r.emulator.verifierReports(VerifierRule.DMA_TO_UNMAPPED));
            unmapAndDelete(r, domain, device, 0x10_0000);
        }
        assertTrue(of(VerifierRule.LEAKED_DOMAIN).isEmpty(), reports.toString());
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void dmaThroughAnUnmapNotYetFlushedIsReportedUnderDeferredInvalidation(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile, IotlbInvalidation.DEFERRED))
        {
            final IommuDmaDomain domain = r.explicitDomain();
            final IommuDmaDevice device = r.attached("nic", domain);
            r.mapAt(domain, 0x10_0000, 0x40, 1);
            assertEquals(0x40 * PAGE, r.seen(device, 0x10_0000), "fills the IOTLB");
            assertEquals(0x40 * PAGE, r.seen(device, 0x10_0000), "an IOTLB hit while mapped");
            assertTrue(of(VerifierRule.DMA_TO_UNFLUSHED_UNMAP).isEmpty(), "silent while mapped: " + reports);

            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.unmapLogicalRange(domain, 0x10_0000, 1));
            final long stale = r.seen(device, 0x10_0000);
            assertEquals(0x40 * PAGE, stale, "deferred invalidation: the IOTLB still translates");
            final List<VerifierReport> found = of(VerifierRule.DMA_TO_UNFLUSHED_UNMAP);
            assertEquals(1, found.size(), reports.toString());
            assertEquals(0x10_0000, found.get(0).address());
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.detachDeviceEx(device));
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.deleteDevice(device));
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.deleteDomain(domain));
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void strictInvalidationNeverShowsAnUnflushedUnmap(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile, IotlbInvalidation.STRICT))
        {
            final IommuDmaDomain domain = r.explicitDomain();
            final IommuDmaDevice device = r.attached("nic", domain);
            r.mapAt(domain, 0x10_0000, 0x40, 1);
            assertEquals(0x40 * PAGE, r.seen(device, 0x10_0000));
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.unmapLogicalRange(domain, 0x10_0000, 1));
            assertEquals(-1, r.seen(device, 0x10_0000));
            assertTrue(of(VerifierRule.DMA_TO_UNFLUSHED_UNMAP).isEmpty(), reports.toString());
            assertEquals(1, of(VerifierRule.DMA_TO_UNMAPPED).size(), "the DMA after the unmap: " + reports);
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.detachDeviceEx(device));
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.deleteDevice(device));
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.deleteDomain(domain));
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void everythingLeftLiveAtCloseIsReportedOnceEach(final BehaviourProfile profile)
    {
        final long domainId;
        final long deviceId;
        try (V2Rig r = rig(profile, IotlbInvalidation.STRICT))
        {
            final IommuDmaDomain domain = r.explicitDomain();
            domainId = ((Domain)domain).id();
            final IommuDmaDevice device = r.attached("nic", domain);
            deviceId = ((DmaDevice)device).id();
            r.mapAt(domain, 0x10_0000, 0x40, 3);
            r.reserveAt(domain, 0x40_0000, 2);
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.registerInterfaceStateChangeCallback(
                VerifierTest::ignoreStateChange, null, device,
                new IommuInterfaceStateChangeFields().availableDomainTypes(true)));
            assertTrue(reports.isEmpty(), "nothing before close: " + reports);
        }
        assertEquals(1, of(VerifierRule.LEAKED_DOMAIN).size(), reports.toString());
        assertEquals("domain#" + domainId, of(VerifierRule.LEAKED_DOMAIN).get(0).objects());
        assertEquals("Close", of(VerifierRule.LEAKED_DOMAIN).get(0).member());
        assertEquals(1, of(VerifierRule.LEAKED_TOKEN).size(), reports.toString());
        final List<VerifierReport> mapped = of(VerifierRule.LEAKED_MAPPING);
        assertEquals(1, mapped.size(), reports.toString());
        assertEquals(0x10_0000, mapped.get(0).address());
        assertEquals(3 * PAGE, mapped.get(0).length());
        assertEquals(1, of(VerifierRule.LEAKED_DEVICE).size(), reports.toString());
        assertTrue(of(VerifierRule.LEAKED_DEVICE).get(0).objects().startsWith("device#" + deviceId));
        assertEquals(1, of(VerifierRule.LEAKED_REGISTRATION).size(), reports.toString());
        assertTrue(of(VerifierRule.LEAKED_PASID_DEVICE).isEmpty());
    }

    @Test
    void aLeakedPasidSubDeviceIsReportedAtClose()
    {
        try (V2Rig r = rig(BehaviourProfile.DOCUMENTED, IotlbInvalidation.STRICT))
        {
            final Ref<IommuDmaDevice> parent = new Ref<>();
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.createDevice(r.platform.device("gpu"),
                new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false),
                parent));
            assertEquals(NtStatus.STATUS_SUCCESS,
                r.v3.createPasidDevice(parent.get(), new Ref<IommuDmaPasidDevice>(), new IntRef()));
        }
        assertEquals(1, of(VerifierRule.LEAKED_PASID_DEVICE).size(), reports.toString());
        assertTrue(of(VerifierRule.LEAKED_PASID_DEVICE).get(0).objects().endsWith("pasid#1"), reports.toString());
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void aCleanSequenceReportsNothing(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile, IotlbInvalidation.STRICT))
        {
            final IommuDmaDomain domain = r.allocatorDomain();
            final IommuDmaDevice device = r.attached("nic", domain);
            final long iova = r.mapAllocated(domain, 0x41, 0x42);
            assertEquals(0x42 * PAGE, r.seen(device, iova + PAGE));
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.unmapLogicalRange(domain, iova, 2));
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.detachDeviceEx(device));
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.deleteDevice(device));
            assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.deleteDomain(domain));
        }
        assertTrue(reports.isEmpty(), reports.toString());
    }

    @Test
    void aFatalVerifierThrowsTheReportFromTheCallThatBrokeTheRuleAfterItsEffects()
    {
        final EmulatorContext context = new EmulatorContext()
            .platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .verifier(true).verifierFatal(true).verifierListener(reports::add);
        final V2Rig r = new V2Rig(context);
        final IommuDmaDomain domain = r.explicitDomain();
        final IommuDmaDevice device = r.attached("nic", domain);
        final VerifierException thrown = assertThrows(VerifierException.class, () -> r.seen(device, 0x30_0000));
        assertEquals(VerifierRule.DMA_TO_UNMAPPED, thrown.report().rule());
        assertSame(reports.get(0), thrown.report(), "the listener saw it first");
        final VerifierException atClose = assertThrows(VerifierException.class, r::close);
        assertEquals(VerifierRule.LEAKED_DOMAIN, atClose.report().rule());
    }

    @Test
    void reportsAreCountedPerRuleInTheCountersFileThatIommuStatReads(@TempDir final Path directory)
    {
        final EmulatorContext context = new EmulatorContext()
            .platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .countersDirectory(directory.toFile()).verifier(true);
        try (V2Rig r = new V2Rig(context))
        {
            final IommuDmaDomain domain = r.explicitDomain();
            final IommuDmaDevice device = r.attached("nic", domain);
            assertEquals(-1, r.seen(device, 0x30_0000));
            assertEquals(-1, r.seen(device, 0x31_0000));
            final CountersReader reader = NotificationCounters.mapReader(directory.toFile());
            final Map<String, Long> byLabel = new HashMap<>();
            final Map<String, Integer> typeByLabel = new HashMap<>();
            reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                byLabel.put(label, reader.getCounterValue(counterId));
                typeByLabel.put(label, typeId);
            });
            assertEquals(2L, byLabel.get("verifier dma to unmapped"), byLabel.toString());
            assertEquals(Verifier.FIRST_RULE_TYPE_ID + VerifierRule.DMA_TO_UNMAPPED.ordinal(),
                typeByLabel.get("verifier dma to unmapped"));
            assertEquals(0L, byLabel.get("verifier attach moves device"), byLabel.toString());
            assertEquals(VerifierRule.values().length, byLabel.keySet().stream()
                .filter((label) -> label.startsWith("verifier ")).count(), "one counter per rule");
            unmapAndDeleteNothingMapped(r, domain, device);
        }
    }

    @Test
    void aVerifierThatIsOffReportsAndCountsNothing()
    {
        try (V2Rig r = V2Rig.x64())
        {
            final IommuDmaDomain domain = r.explicitDomain();
            final IommuDmaDevice device = r.attached("nic", domain);
            assertEquals(-1, r.seen(device, 0x30_0000));
            for (final VerifierRule rule : VerifierRule.values())
            {
                assertEquals(0, r.emulator.verifierReports(rule), rule.name());
            }
        }
    }

    @Test
    void aListenerOrAFatalVerifierWithoutTheVerifierIsAConfigurationError()
    {
        final IllegalArgumentException listener = assertThrows(IllegalArgumentException.class,
            () -> new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(64)))
                .verifierListener(reports::add).conclude());
        assertTrue(listener.getMessage().contains("verifier(true)"), listener.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(64))).verifierFatal(true).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(64))).profile(null).conclude());
    }

    @Test
    void theReportReadsAsOneLine()
    {
        final VerifierReport report = new VerifierReport(VerifierRule.PROFILE_DEPENDENT_RESULT, "UnmapLogicalRange",
            "domain#4", 0x2000, 0x1000, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_SUCCESS, "");
        final String text = report.toString();
        assertTrue(text.startsWith("PROFILE_DEPENDENT_RESULT in UnmapLogicalRange [domain#4] at 0x2000 +0x1000: " +
            "documented STATUS_INVALID_PARAMETER, observed Windows STATUS_SUCCESS (thread "), text);
        assertFalse(text.contains("\n"));
    }

    private static void ignoreStateChange(final IommuInterfaceStateChange stateChange, final Object context)
    {
        // A registration the test leaves behind: what it is called with does not matter.
    }

    private static void unmapAndDeleteNothingMapped(final V2Rig r, final IommuDmaDomain domain,
        final IommuDmaDevice device)
    {
        assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.detachDeviceEx(device));
        assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.deleteDevice(device));
        assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.deleteDomain(domain));
    }

    private static void unmapAndDelete(final V2Rig r, final IommuDmaDomain domain, final IommuDmaDevice device,
        final long iova)
    {
        assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.unmapLogicalRange(domain, iova, 1));
        assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.detachDeviceEx(device));
        assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.deleteDevice(device));
        assertEquals(NtStatus.STATUS_SUCCESS, r.iommu.deleteDomain(domain));
    }
}
