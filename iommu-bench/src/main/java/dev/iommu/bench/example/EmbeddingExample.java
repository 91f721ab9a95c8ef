/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import java.io.PrintStream;
import java.util.Locale;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.bench.cli.UsageException;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.VerifierReport;
import dev.iommu.core.VerifierRule;
import dev.iommu.core.dma.FrameAllocator;
import dev.iommu.core.dma.GuestMemory;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;

/**
 * The embedding example ({@code ./iommu example}): an emulated multi-queue NIC behind an emulated IOMMU on an x64
 * platform. The {@link NicDriver} maps its descriptor rings once and every packet buffer per packet with
 * MapLogicalRangeEx; the {@link EmulatedNic}'s device threads translate every descriptor and buffer access with
 * {@link IommuEmulator#translate} and loop the packets back; checksums are checked end to end. Once, the driver
 * unmaps a buffer too early: the device's DMA faults and the fault handler reports it. At the end everything is
 * unmapped, detached and deleted, and nothing may be left behind.
 * <p>
 * Prints a summary; exits 0 when every check passed, 1 with the failed check otherwise, 2 for a bad command line.
 */
public final class EmbeddingExample
{
    /** Where guest memory starts in guest physical address space (above a 4 GiB hole, as on a real machine). */
    static final long GUEST_MEMORY_BASE = 1L << 32;
    /** The PCI function of the NIC: segment 0, bus 3, device 0, function 0. */
    static final String NIC_NAME = "nic0";

    private EmbeddingExample()
    {
    }

    /**
     * Runs the example with command-line options and exits with its status.
     *
     * @param args {@code [--threads N] [--packets N] [--duration D] [--ring N]}.
     */
    public static void main(final String[] args)
    {
        System.exit(execute(args, System.out, System.err));
    }

    /**
     * Runs the example with command-line options.
     *
     * @param args the options.
     * @param out  where the summary goes.
     * @param err  where errors go.
     * @return 0 when every check passed, 1 when one failed, 2 for a bad command line.
     */
    static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        final ExampleConfig config;
        try
        {
            config = ExampleConfig.parse(args);
        }
        catch (final UsageException e)
        {
            err.println("iommu " + e.getMessage());
            err.println(ExampleConfig.USAGE);
            return 2;
        }
        if (null == config)
        {
            out.println(ExampleConfig.HELP);
            return 0;
        }
        final ExampleResult result = run(config, out);
        printSummary(result, out);
        if (result.passed())
        {
            out.println("OK: every check passed");
            return 0;
        }
        err.println("FAILED: " + result.failure);
        return 1;
    }

    /**
     * One run: platform, emulator, guest memory, NIC and driver; traffic; teardown; checks.
     *
     * @param config what to run.
     * @param out    where the header and the fault handler's report go.
     * @return what was measured and the first failed check, if any.
     */
    static ExampleResult run(final ExampleConfig config, final PrintStream out)
    {
        final ExampleResult result = new ExampleResult();
        result.queues = config.queues();
        result.ringSize = config.ringSize();
        final RunFailures failures = new RunFailures();
        final Platform platform = Platform.builder()
            .architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
            .pci(NIC_NAME, 0, 3, 0, 0, "vtd0", false)
            .build();
        final GuestMemory memory = GuestMemory.allocate(
            GUEST_MEMORY_BASE, NicDriver.framesNeeded(config.queues(), config.ringSize()) + 16);
        out.printf(Locale.ROOT, "iommu example: an emulated NIC (PCI 0000:03:00.0 behind IOMMU vtd0, x64) driven " +
            "through DMA_IOMMU_INTERFACE_V2%n  %d queue pairs (%d device threads, %d driver threads), rings of %d " +
            "descriptors, %s%n", config.queues(), config.queues(), config.queues(), config.ringSize(),
            config.packets() == Long.MAX_VALUE ? String.format(Locale.ROOT, "for %.1f s", config.durationNs() / 1e9) :
            String.format(Locale.ROOT, "%,d packets (at most %.1f s)", config.packets(), config.durationNs() / 1e9));

        out.printf(Locale.ROOT, "  profile %s, verifier %s%n", config.profile().name().toLowerCase(Locale.ROOT),
            config.verifier() ? "on" : "off");
        final EmulatorContext context = new EmulatorContext().platform(platform).profile(config.profile());
        if (config.verifier())
        {
            context.verifier(true).verifierListener(result.verifierReports::add);
        }
        try (IommuEmulator emulator = IommuEmulator.launch(context))
        {
            result.tablePagesStart = emulator.tablePagesInUse();
            final FrameAllocator frames = new FrameAllocator(memory);
            final EmulatedNic nic = new EmulatedNic(config.queues(), emulator, memory, failures);
            final NicDriver driver = new NicDriver(
                emulator, platform.device(NIC_NAME), memory, frames, nic, config, failures, out);
            if (driver.open())
            {
                result.tablePagesRunning = emulator.tablePagesInUse();
                traffic(config, nic, driver, failures, result);
            }
            driver.close();
            driver.collect(result);
            result.tablePagesEnd = emulator.tablePagesInUse();
            result.liveDomainsEnd = emulator.liveDomains();
            result.liveDevicesEnd = emulator.liveDevices();
            result.framesInUseEnd = frames.usedFrames();
        }
        check(result, failures, config.verifier());
        return result;
    }

    private static void traffic(
        final ExampleConfig config,
        final EmulatedNic nic,
        final NicDriver driver,
        final RunFailures failures,
        final ExampleResult result)
    {
        try
        {
            final long start = System.nanoTime();
            nic.start();
            driver.start();
            driver.awaitDone(config.durationNs() / 1_000_000L + 60_000L);
            result.elapsedNs = System.nanoTime() - start;
            if (!nic.stop(10_000L))
            {
                failures.fail("a device thread did not stop within 10 s");
            }
            nic.collect(result);
            if (!failures.isFailed())
            {
                driver.awaitFaultReports(1, 5_000L);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            failures.fail("interrupted");
        }
    }

    private static void check(final ExampleResult result, final RunFailures failures, final boolean verifier)
    {
        if (verifier)
        {
            // The planted bug (a buffer unmapped before the device is done) is the one report a correct run makes.
            for (final VerifierReport report : result.verifierReports)
            {
                if (report.rule() != VerifierRule.DMA_TO_UNMAPPED || report.address() !=
                    (result.expectedFaultAddress & ~0xFFFL) || result.verifierReports.size() != 1)
                {
                    result.fail("the verifier reported " + report + " (" + result.verifierReports.size() +
                        " report(s); expected only DMA_TO_UNMAPPED at the planted fault)");
                }
            }
            if (result.verifierReports.isEmpty())
            {
                result.fail("the verifier did not report the planted DMA to an unmapped buffer");
            }
        }
        if (null != failures.firstFailure())
        {
            result.fail(failures.firstFailure());
        }
        if (result.packetsDelivered != result.packetsSent || result.devicePackets != result.packetsDelivered)
        {
            result.fail("packets: " + result.packetsSent + " sent, " + result.devicePackets + " looped back by the " +
                "device, " + result.packetsDelivered + " delivered to the driver");
        }
        if (result.deviceChecksumErrors != 0)
        {
            result.fail("the device found " + result.deviceChecksumErrors + " payloads not matching their checksum");
        }
        if (result.deviceDmaFaults != 1 || result.driverDmaErrors != 1)
        {
            result.fail("DMA faults: the device saw " + result.deviceDmaFaults + " and the driver " +
                result.driverDmaErrors + ", expected exactly 1 (the buffer unmapped early)");
        }
        if (result.faultsReported != 1)
        {
            result.fail("the fault handler was called " + result.faultsReported + " times, expected once");
        }
        else if (result.reportedFaultAddress != result.expectedFaultAddress ||
            !"TranslationFault".equals(result.reportedFaultType))
        {
            result.fail(String.format(Locale.ROOT, "the fault handler reported %s at 0x%x, expected TranslationFault " +
                "at 0x%x", result.reportedFaultType, result.reportedFaultAddress, result.expectedFaultAddress));
        }
        if (result.stateChangeCalls < 1 || (result.availableDomainTypes & IommuDmaDomainType.TRANSLATE.mask()) == 0)
        {
            result.fail("the state-change callback was called " + result.stateChangeCalls + " times with available " +
                "domain types 0x" + Integer.toHexString(result.availableDomainTypes) + ": expected at least one " +
                "call including Translate");
        }
        if (result.maps != result.unmaps)
        {
            result.fail("packet buffers: " + result.maps + " mapped, " + result.unmaps + " unmapped");
        }
        if (result.tablePagesEnd != result.tablePagesStart)
        {
            result.fail("page-table pages leaked: " + result.tablePagesStart + " in use at start, " +
                result.tablePagesEnd + " after teardown");
        }
        if (result.liveDomainsEnd != 0 || result.liveDevicesEnd != 0 || result.framesInUseEnd != 0)
        {
            result.fail("left behind after teardown: " + result.liveDomainsEnd + " domains, " +
                result.liveDevicesEnd + " DMA devices, " + result.framesInUseEnd + " guest frames");
        }
    }

    private static void printSummary(final ExampleResult result, final PrintStream out)
    {
        final double seconds = result.elapsedNs / 1e9;
        out.printf(Locale.ROOT, "  packets       %,d sent, %,d delivered in order, CRC32C checked end to end " +
            "(%d resent after the fault)%n", result.packetsSent, result.packetsDelivered, result.packetsResent);
        out.printf(Locale.ROOT, "  bytes         %,d delivered, %.1f MB/s (payloads of 60 to 8192 bytes)%n",
            result.bytesDelivered, seconds > 0 ? result.bytesDelivered / seconds / 1e6 : 0.0);
        out.printf(Locale.ROOT, "  translations  %,d in %.2f s, %.2f M/s (every descriptor and buffer-page access)%n",
            result.translations, seconds, seconds > 0 ? result.translations / seconds / 1e6 : 0.0);
        out.printf(Locale.ROOT, "  mappings      %,d MapLogicalRangeEx, %,d UnmapLogicalRange of packet buffers " +
            "(+%d rings mapped once)%n", result.maps, result.unmaps, 2 * result.queues);
        out.printf(Locale.ROOT, "  allocation    %,d bytes in all on the driver and device threads (%.3f a packet)%n",
            result.allocatedBytes, result.packetsSent > 0 ? (double)result.allocatedBytes / result.packetsSent : 0.0);
        out.printf(Locale.ROOT, "  faults        %d at the device, %d reported: %s at 0x%x (buffer unmapped early)%n",
            result.deviceDmaFaults, result.faultsReported, result.reportedFaultType, result.reportedFaultAddress);
        out.printf(Locale.ROOT, "  state change  callback called %d time(s), available domain types: %s%n",
            result.stateChangeCalls, domainTypes(result.availableDomainTypes));
        out.printf(Locale.ROOT, "  table pages   %d before, %d with the rings mapped, %d after teardown%n",
            result.tablePagesStart, result.tablePagesRunning, result.tablePagesEnd);
        out.printf(Locale.ROOT, "  teardown      %d live domains, %d live DMA devices, %d guest frames in use%n",
            result.liveDomainsEnd, result.liveDevicesEnd, result.framesInUseEnd);
        out.printf(Locale.ROOT, "  verifier      %s%n", result.verifierReports.isEmpty() ? "off or silent" :
            result.verifierReports.size() + " report(s), the first: " + result.verifierReports.get(0));
    }

    private static String domainTypes(final int mask)
    {
        final StringBuilder names = new StringBuilder();
        for (final IommuDmaDomainType type : IommuDmaDomainType.values())
        {
            if ((mask & type.mask()) != 0)
            {
                names.append(names.length() > 0 ? ", " : "").append(type.specName().replace("DomainType", ""));
            }
        }
        return names.length() > 0 ? names.toString() : "none";
    }
}
