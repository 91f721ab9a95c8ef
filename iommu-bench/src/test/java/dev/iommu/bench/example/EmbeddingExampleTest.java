/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.iommu.core.BehaviourProfile;
import dev.iommu.core.VerifierReport;
import dev.iommu.core.VerifierRule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the embedding example in-process with small sizes and checks what it reports: every packet delivered, the
 * one deliberate fault seen by the device and reported to the handler, nothing left behind; a damaged payload
 * fails the run with a precise message; bad command lines exit with 2.
 */
class EmbeddingExampleTest
{
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);

    private String output()
    {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private void assertNothingLeftBehind(final ExampleResult result)
    {
        assertEquals(result.tablePagesStart, result.tablePagesEnd, "page-table pages back to the start");
        assertEquals(0, result.liveDomainsEnd, "live domains");
        assertEquals(0, result.liveDevicesEnd, "live DMA devices");
        assertEquals(0, result.framesInUseEnd, "guest frames in use");
        assertEquals(result.maps, result.unmaps, "every packet-buffer mapping undone");
    }

    @Test
    void threeQueuesDeliverEveryPacketWithOneReportedFaultAndLeaveNothingBehind()
    {
        final ExampleConfig config = new ExampleConfig().queues(3).ringSize(32).packets(30_000)
            .durationNs(60_000_000_000L);
        final ExampleResult result = EmbeddingExample.run(config, out);

        assertNull(result.failure, output());
        assertTrue(result.passed());
        assertEquals(30_000, result.packetsSent);
        assertEquals(30_000, result.packetsDelivered, "delivered == sent");
        assertEquals(30_000, result.devicePackets, "looped back by the device");
        assertEquals(0, result.deviceChecksumErrors, "checksums ok");
        assertEquals(1, result.packetsResent, "the packet whose buffer was unmapped early is sent again");
        assertEquals(1, result.deviceDmaFaults, "one DMA fault at the device");
        assertEquals(1, result.driverDmaErrors, "one DMA error completion at the driver");
        assertEquals(1, result.faultsReported, "one call of the fault handler");
        assertEquals(result.expectedFaultAddress, result.reportedFaultAddress, "the early-unmapped device address");
        assertEquals("TranslationFault", result.reportedFaultType);
        assertTrue(result.translations >= 6 * result.packetsDelivered,
            "at least 6 translations a packet (2 descriptors read and written back, a buffer page each way): " +
            result.translations);
        assertTrue(result.tablePagesRunning > result.tablePagesStart, "the rings take table pages");
        assertTrue(result.stateChangeCalls >= 1, "the state-change callback is called at registration");
        assertNothingLeftBehind(result);
        assertTrue(output().contains("fault handler: TranslationFault at device address 0x" +
            Long.toHexString(result.expectedFaultAddress)), output());
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void underTheVerifierTheOnlyReportIsThePlantedFaultInEitherProfile(final BehaviourProfile profile)
    {
        final ExampleConfig config = new ExampleConfig().queues(2).ringSize(32).packets(6_000)
            .durationNs(60_000_000_000L).profile(profile).verifier(true);
        final ExampleResult result = EmbeddingExample.run(config, out);

        assertNull(result.failure, output());
        assertEquals(1, result.verifierReports.size(), output());
        final VerifierReport report = result.verifierReports.get(0);
        assertEquals(VerifierRule.DMA_TO_UNMAPPED, report.rule());
        assertEquals(result.expectedFaultAddress & ~0xFFFL, report.address());
        assertEquals("DeviceDma", report.member());
        assertTrue(output().contains("profile " + profile.name().toLowerCase(java.util.Locale.ROOT)), output());
    }

    @Test
    void theCommandLineChoosesTheProfileAndTheVerifier()
    {
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        assertEquals(0, EmbeddingExample.execute(new String[]{"--profile", "observed", "--verifier", "--packets",
            "2000", "--threads", "1", "--ring", "16"}, out, err), output() + errBytes);
        assertTrue(output().contains("profile observed_windows, verifier on"), output());
        assertEquals(2, EmbeddingExample.execute(new String[]{"--profile", "windows"}, out, err));
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("--profile must be documented or observed"));
    }

    @Test
    void oneQueueWithTheSmallestRingWrapsManyTimes()
    {
        final ExampleConfig config = new ExampleConfig().queues(1).ringSize(16).packets(500)
            .durationNs(60_000_000_000L);
        final ExampleResult result = EmbeddingExample.run(config, out);

        assertNull(result.failure, output());
        assertEquals(500, result.packetsDelivered);
        assertEquals(1, result.faultsReported);
        assertNothingLeftBehind(result);
    }

    @Test
    void aDamagedPayloadFailsTheRunWithThePacketNamedAndStillTearsDown()
    {
        final ExampleConfig config = new ExampleConfig().queues(2).ringSize(16).packets(400)
            .durationNs(60_000_000_000L).corruptAt(7);
        final ExampleResult result = EmbeddingExample.run(config, out);

        assertFalse(result.passed());
        assertNotNull(result.failure);
        assertTrue(result.failure.contains("packet 7") && result.failure.contains("checksum mismatch"),
            result.failure);
        assertEquals(1, result.deviceChecksumErrors);
        assertNothingLeftBehind(result);
    }

    @Test
    void badCommandLinesExitWithTwoAndOneLineOfReason()
    {
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        assertEquals(2, EmbeddingExample.execute(new String[]{"--threads", "0"}, out, err));
        assertEquals(2, EmbeddingExample.execute(new String[]{"--ring", "100"}, out, err));
        assertEquals(2, EmbeddingExample.execute(new String[]{"--duration", "5"}, out, err));
        assertEquals(2, EmbeddingExample.execute(new String[]{"--packets", "1", "--threads", "2"}, out, err));
        assertEquals(2, EmbeddingExample.execute(new String[]{"--bogus"}, out, err));
        final String[] lines = errBytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(10, lines.length, "a reason and the usage per error");
        assertEquals("iommu example: --threads must be from 1 to 8, not 0", lines[0]);
        assertTrue(lines[1].startsWith("usage: ./iommu example"), lines[1]);
        assertEquals("iommu example: --ring must be a power of two, not 100", lines[2]);
        assertEquals("iommu example: unknown option '--bogus'", lines[8]);
        assertEquals(0, EmbeddingExample.execute(new String[]{"--help"}, out, err));
        assertTrue(output().startsWith("usage: ./iommu example"));
    }

    @Test
    void packetsAreSharedOutOverTheQueuesAndTheFaultFallsInsideQueueZero()
    {
        final ExampleConfig config = new ExampleConfig().queues(3).packets(10);
        assertEquals(4, config.packetsOf(0));
        assertEquals(3, config.packetsOf(1));
        assertEquals(3, config.packetsOf(2));
        assertEquals(1, config.faultSequence(), "the middle of queue 0's 4 packets");
        assertEquals(1000, new ExampleConfig().faultSequence(), "packet 1000 when the run is not bounded by count");
        assertEquals(0, new ExampleConfig().queues(1).packets(1).faultSequence());
    }
}
