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

import dev.iommu.api.NtStatus;
import dev.iommu.bench.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
