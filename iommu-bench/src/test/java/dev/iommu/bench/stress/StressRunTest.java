/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.bench.cli.Main;
import dev.iommu.core.BehaviourProfile;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.VerifierRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stress run: a bounded run of every member of the three tables from three threads holds every invariant and
 * leaks nothing (it fails, for example, when a 2 MiB leaf or a 4 KiB leaf can be claimed by two racing maps:
 * {@link StressSlotOps}), each profile passes its own rules, the status tables and profile rows are consistent, the
 * verifier's reports are counted, and the command's options and exit codes.
 */
class StressRunTest
{
    @Test
    void aBoundedRunHoldsEveryInvariantAndLeaksNothing()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final StressRun run = new StressRun(3, 20_000_000_000L, 20_000, 42, null, new PrintStream(bytes, true));
        try
        {
            final StressSummary summary = run.execute();
            assertEquals(60_000, summary.operations());
            assertTrue(summary.calls("MAP_ALLOCATED") > 1000);
            assertTrue(summary.calls("MAP_RESERVED") > 100);
            assertTrue(summary.calls("LIFECYCLE") > 100);
            assertTrue(summary.callbacks() > 0, "registrations called their callbacks");
            assertTrue(summary.calls("SLOT") > 1000, "slot races: " + summary.calls("SLOT"));
            assertTrue(summary.calls("DOOMED") > 1000, "doomed domain: " + summary.calls("DOOMED"));
            for (final StressWorker.Call call : StressWorker.Call.values())
            {
                if (call.name().startsWith("V1_") || call.name().startsWith("V3_"))
                {
                    assertTrue(summary.calls(call.name()) > 100, call + ": " + summary.calls(call.name()));
                }
            }
            assertEquals(List.of(), summary.uncalled(), "every member of the V1, V2 and V3 tables is called");
            assertTrue(summary.faults() > 0, "V1 fault reporting delivered faults");
        }
        finally
        {
            run.close();
        }
    }

    @Test
    void aShortRunInEachProfilePassesItsOwnRules()
    {
        for (final BehaviourProfile profile : BehaviourProfile.values())
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final StressRun run = new StressRun(2, 300_000_000L, 4_000, 11, null, new PrintStream(bytes, true),
                profile, false);
            try
            {
                final StressSummary summary = run.execute();
                assertEquals(profile, summary.profile());
                assertFalse(summary.verifier());
                assertTrue(summary.operations() > 0, profile.name());
                assertTrue(summary.calls("UNMAP") > 0 && summary.calls("MAP_RESERVED") > 0, profile.name());
                assertTrue(summary.calls("SLOT") > 0 && summary.calls("DOOMED") > 0, profile.name());
            }
            finally
            {
                run.close();
            }
        }
    }

    @Test
    void theObservedProfileIsCheckedAgainstItsOwnLayer()
    {
        final AllowedStatuses.Layer observed = AllowedStatuses.Layer.OBSERVED;
        final AllowedStatuses.Layer documented = AllowedStatuses.Layer.DOCUMENTED;
        assertEquals(List.of(), AllowedStatuses.racingSetsAreAllowed(observed));
        assertEquals(List.of(), AllowedStatuses.racingSetsAreAllowed(documented));
        // Observed 4: a clash is STATUS_INVALID_PARAMETER, never IN_USE; 4 KiB leaves, never CONFLICTING_ADDRESSES.
        assertFalse(AllowedStatuses.allowed(observed, "MapLogicalRangeEx", NtStatus.STATUS_IN_USE));
        assertTrue(AllowedStatuses.allowed(documented, "MapLogicalRangeEx", NtStatus.STATUS_IN_USE));
        assertFalse(AllowedStatuses.allowed(observed, "UnmapLogicalRange", NtStatus.STATUS_CONFLICTING_ADDRESSES));
        // Observed 3: the x64 stub and build A's SetDeviceFaultReportingEx.
        assertTrue(AllowedStatuses.allowed(observed, "QueryInputMappings", NtStatus.STATUS_NOT_SUPPORTED));
        assertFalse(AllowedStatuses.allowed(documented, "QueryInputMappings", NtStatus.STATUS_NOT_SUPPORTED));
        assertTrue(AllowedStatuses.allowed(observed, "SetDeviceFaultReportingEx", NtStatus.STATUS_ALREADY_REGISTERED));
        // Members that agree have one set.
        assertEquals(AllowedStatuses.mask(documented, "FreeReservedLogicalAddressRange"),
            AllowedStatuses.mask(observed, "FreeReservedLogicalAddressRange"));
        assertTrue(AllowedStatuses.observedDifferences().contains("CreateDevice"));
        assertFalse(AllowedStatuses.observedDifferences().contains("DeleteDomain"));
        // The racing CreateDevice of a device object V1 holds: NOT_SUPPORTED observed, INVALID_PARAMETER documented.
        assertTrue(AllowedStatuses.racing(observed, "CreateDevice", NtStatus.STATUS_NOT_SUPPORTED));
        assertFalse(AllowedStatuses.racing(observed, "CreateDevice", NtStatus.STATUS_INVALID_PARAMETER));
        final StressChecks checks = new StressChecks(5, 0, null, StressProfile.of(BehaviourProfile.OBSERVED_WINDOWS));
        final StressFailure failure = assertThrows(StressFailure.class, () -> checks.check(StressChecks.V2,
            "MapLogicalRangeEx", NtStatus.STATUS_IN_USE, NtStatus.STATUS_IN_USE, "explicit domain", 0x1000));
        assertTrue(failure.getMessage().contains("observed profile"), failure.getMessage());
    }

    @Test
    void eachProfileAnswersItsOwnRows()
    {
        final StressProfile documented = StressProfile.of(BehaviourProfile.DOCUMENTED);
        final StressProfile observed = StressProfile.of(BehaviourProfile.OBSERVED_WINDOWS);
        final int translate = IommuDmaDomainType.TRANSLATE.mask();
        final int stage1 = IommuDmaDomainType.TRANSLATE_S1.mask();
        final int passThrough = IommuDmaDomainType.PASS_THROUGH.mask();
        final int all = translate | stage1 | passThrough;
        // Observed 3 QueryAvailableDomainTypes: TranslateS1 instead of Translate in PASID mode.
        assertEquals(all, documented.availableTypes(all, true));
        assertEquals(stage1 | passThrough, observed.availableTypes(all, true));
        assertEquals(translate | passThrough, observed.availableTypes(all, false));
        // Observed 3 AttachDeviceEx rows 1-3 and 6: type first, this domain a no-op, another a move.
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, documented.attachDeviceEx(all, IommuDmaDomainType.TRANSLATE,
            false, true, false));
        assertEquals(NtStatus.STATUS_SUCCESS, observed.attachDeviceEx(translate, IommuDmaDomainType.TRANSLATE, false,
            true, false));
        assertEquals(NtStatus.STATUS_SUCCESS, observed.attachDeviceEx(translate, IommuDmaDomainType.TRANSLATE, false,
            false, true));
        assertEquals(NtStatus.STATUS_ACCESS_DENIED, observed.attachDeviceEx(stage1, IommuDmaDomainType.TRANSLATE,
            false, true, false));
        assertEquals(NtStatus.STATUS_UNSUCCESSFUL, observed.attachDeviceEx(stage1, IommuDmaDomainType.TRANSLATE_S1,
            true, false, true));
        assertEquals(NtStatus.STATUS_ACCESS_DENIED, documented.attachDeviceEx(all, IommuDmaDomainType.TRANSLATE_S1,
            true, false, false));
        // Observed 7 AttachPasidDevice rows 2, 4, 5, 6.
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_1, observed.attachPasidDevice(stage1 | passThrough,
            IommuDmaDomainType.PASS_THROUGH, false, false));
        assertEquals(NtStatus.STATUS_ACCESS_DENIED, observed.attachPasidDevice(stage1 | passThrough,
            IommuDmaDomainType.TRANSLATE, false, false));
        assertEquals(NtStatus.STATUS_SUCCESS, observed.attachPasidDevice(stage1, IommuDmaDomainType.TRANSLATE_S1,
            true, false));
        assertEquals(NtStatus.STATUS_UNSUCCESSFUL, documented.attachPasidDevice(all, IommuDmaDomainType.TRANSLATE,
            true, false));
        // Observed 3 SetDeviceFaultReportingEx rows 2-5 (build A); documented: the stub.
        assertEquals(NtStatus.STATUS_ALREADY_REGISTERED, observed.setDeviceFaultReportingEx(true, true, true));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_4, observed.setDeviceFaultReportingEx(false, true, true));
        assertEquals(NtStatus.STATUS_SUCCESS, observed.setDeviceFaultReportingEx(false, false, false));
        assertEquals(NtStatus.STATUS_NOT_IMPLEMENTED, documented.setDeviceFaultReportingEx(true, true, false));
        // Observed 4 and 5: leaves, unmaps, the token bound and segments.
        assertFalse(observed.writesLeaf(0));
        assertFalse(observed.writesLeaf(4));
        assertTrue(documented.writesLeaf(0));
        assertEquals(0, observed.lowestAllocatorAddress());
        assertEquals(StressChecks.PAGE, documented.lowestAllocatorAddress());
        assertEquals(0x5000 + 0x2000, observed.tokenMapBound(0x5000, 0x2000));
        assertEquals(0x2000, documented.tokenMapBound(0x5000, 0x2000));
        assertEquals(NtStatus.STATUS_SUCCESS, observed.unmapSegmentAgain(1));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, observed.unmapSegmentAgain(0));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, documented.unmapSegmentAgain(1));
        final PageModel model = new PageModel(64, observed);
        assertEquals(NtStatus.STATUS_SUCCESS, model.map(1, new long[]{7, 8}, 3, true), "tokens do not protect");
        assertEquals(NtStatus.STATUS_SUCCESS, model.map(1, new long[]{9}, 0, false), "permission 0: no leaf");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, model.map(2, new long[]{9}, 1, false), "a clash");
        assertEquals(NtStatus.STATUS_SUCCESS, model.unmapIdentity(new long[]{2}), "not identity: zeroed anyway");
        assertEquals(-1, model.entry(2));
        assertEquals(NtStatus.STATUS_SUCCESS, model.unmap(10, 4, false), "nothing mapped, tables there");
        final PageModel strict = new PageModel(64, documented);
        assertEquals(NtStatus.STATUS_IN_USE, strict.map(1, new long[]{7}, 3, true));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, strict.unmap(10, 4, false));
    }

    @Test
    void aVerifierRunCountsItsReportsPerRuleForTheSummaryAndIommuStat()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int code = Main.run(List.of("stress", "--threads", "2", "--operations", "2000", "--seed", "7",
            "--profile", "observed", "--verifier", "--counters-dir", tempDir.toString()),
            new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("profile observed_windows, verifier on"), text);
        assertTrue(text.contains("verifier: "), text);
        // Deliberate bad input and never-mapped accesses: profile-dependent answers and DMA to unmapped addresses.
        assertTrue(text.contains("profile_dependent_result"), text);
        assertTrue(text.contains("dma_to_unmapped"), text);
        assertFalse(text.contains("leaked_"), text);
        final ByteArrayOutputStream stat = new ByteArrayOutputStream();
        assertEquals(0, Main.run(List.of("stat", "--dir", tempDir.toString(), "--count", "1"),
            new PrintStream(stat, true, StandardCharsets.UTF_8), System.err));
        final String counters = stat.toString(StandardCharsets.UTF_8);
        assertTrue(counters.contains("verifier dma to unmapped"), counters);
    }

    @Test
    void aRuleAStressRunNeverTriggersFailsIt()
    {
        final StressVerifier verifier = new StressVerifier();
        final StressProfile observed = StressProfile.of(BehaviourProfile.OBSERVED_WINDOWS);
        final Ref<IommuDmaDomain> domain = new Ref<>();
        final IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext()
            .platform(StressTeardown.platform(1, 2)).verifier(true).verifierListener(verifier));
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        assertEquals(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(2, 0, ex));
        assertEquals(NtStatus.STATUS_SUCCESS, ex.v2().createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null,
            domain));
        assertEquals(null, verifier.firstForbidden(observed), "nothing reported yet");
        emulator.close();
        assertEquals(1, verifier.counts()[VerifierRule.LEAKED_DOMAIN.ordinal()]);
        assertEquals(VerifierRule.LEAKED_DOMAIN, verifier.firstForbidden(observed).rule());
        final StressFailure failure = assertThrows(StressFailure.class,
            () -> new StressTeardown(null, 3, observed).closeAndAudit(emulator, verifier));
        assertTrue(failure.getMessage().contains("never triggers") && failure.getMessage().contains("LEAKED_DOMAIN"),
            failure.getMessage());
        assertTrue(StressVerifier.neverTriggered(observed).contains(VerifierRule.DELETE_DOMAIN_WITH_DEVICES));
        assertFalse(StressVerifier.neverTriggered(StressProfile.of(BehaviourProfile.DOCUMENTED))
            .contains(VerifierRule.DELETE_DOMAIN_WITH_DEVICES), "the documented run deletes attached domains");
        assertFalse(StressVerifier.neverTriggered(observed).contains(VerifierRule.DMA_TO_UNMAPPED));
    }

    @Test
    void everyMemberOfEveryTableHasItsStatusesAndTheRacingOnesAreAmongThem()
    {
        assertEquals(13, AllowedStatuses.members(1).size());
        assertEquals(22, AllowedStatuses.members(2).size());
        assertEquals(27, AllowedStatuses.members(3).size());
        for (int version = 1; version <= 3; version++)
        {
            for (final String member : AllowedStatuses.members(version))
            {
                assertTrue(AllowedStatuses.documentedMask(member) != 0, member);
            }
        }
        assertEquals(List.of(), AllowedStatuses.racingSetsAreDocumented());
        assertTrue(AllowedStatuses.documented("AttachPasidDevice", NtStatus.STATUS_UNSUCCESSFUL));
        assertFalse(AllowedStatuses.documented("AttachDeviceEx", NtStatus.STATUS_UNSUCCESSFUL));
        assertFalse(AllowedStatuses.documented("SetDeviceFaultReportingEx", NtStatus.STATUS_SUCCESS));
    }

    @Test
    void aStatusTheMemberNeverReturnsIsAViolationEvenWhenPredicted()
    {
        final StressChecks checks = new StressChecks(5, 0, null);
        checks.check(StressChecks.V3, "DetachPasidDevice", NtStatus.STATUS_INVALID_PARAMETER_1,
            NtStatus.STATUS_INVALID_PARAMETER_1, "sub-device", -1);
        final StressFailure wrong = assertThrows(StressFailure.class, () -> checks.check(StressChecks.V3,
            "DetachPasidDevice", NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER_1, "sub-device", -1));
        assertTrue(wrong.getMessage().contains("expected STATUS_SUCCESS"), wrong.getMessage());
        final StressFailure undocumented = assertThrows(StressFailure.class, () -> checks.check(StressChecks.V1,
            "FlushDomain", NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_NOT_SUPPORTED, "domain", -1));
        assertTrue(undocumented.getMessage().contains("not a status this member may return"),
            undocumented.getMessage());
        assertThrows(StressFailure.class, () -> checks.allowed(StressChecks.V2, "CreateDevice",
            NtStatus.STATUS_INVALID_PARAMETER_2, "shared device"));
    }

    @Test
    void badOptionsExitWithTwoAndTheUsage()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(List.of("stress", "--threads", "0"), System.out, errStream));
        assertEquals(2, Main.run(List.of("stress", "--bogus"), System.out, errStream));
        assertEquals(2, Main.run(List.of("nonsense"), System.out, errStream));
        assertEquals(2, Main.run(List.of(), System.out, errStream));
        assertEquals(2, Main.run(List.of("stress", "--profile", "windows"), System.out, errStream));
        assertEquals(2, Main.run(List.of("stress", "--profile"), System.out, errStream));
        assertEquals(2, Main.run(List.of("stress", "--verifier=yes"), System.out, errStream));
        assertTrue(text(err).contains("stress: --profile must be documented or observed, not windows"), text(err));
        assertTrue(text(err).contains("--profile needs a value"), text(err));
        assertTrue(text(err).contains("--verifier takes no value"), text(err));
        final String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("unknown option '--bogus'"), text);
        assertTrue(text.contains("usage: iommu"), text);
    }

    @TempDir
    Path tempDir;

    @Test
    void theCommandRunsAndReportsSuccess()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int code = Main.run(List.of("stress", "--threads", "2", "--operations", "3000", "--seed", "7",
            "--counters-dir", tempDir.toString()),
            new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("invariants held"), text);
    }

    @Test
    void statReadsTheCountersOfARunningEmulator()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final StressRun run = new StressRun(1, 1_000_000_000L, 500, 3, tempDir.toFile(), new PrintStream(bytes, true));
        try
        {
            run.execute();
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final int code = Main.run(List.of("stat", "--dir", tempDir.toString(), "--count", "1"),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            final String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, text);
            assertTrue(text.contains("table page capacity"), text);
            assertTrue(text.contains("notifications produced"), text);
        }
        finally
        {
            run.close();
        }
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, Main.run(List.of("stat", "--dir", tempDir.resolve("nothing").toString(), "--count", "1"),
            System.out, new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no counters file"));
    }

    private static String text(final ByteArrayOutputStream bytes)
    {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
