/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.io.File;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.iommu.bench.cli.Options;
import dev.iommu.bench.cli.UsageException;
import dev.iommu.bench.stat.StatCommand;
import dev.iommu.core.BehaviourProfile;

/**
 * {@code iommu stress}: a random mix of every member of the three interface tables from N threads, invariants checked
 * as it goes.
 */
public final class StressCommand
{
    /** The usage text. */
    public static final String USAGE =
        "iommu stress [--threads N] [--duration 10s] [--operations N] [--seed N] [--counters-dir DIR]\n" +
        "             [--profile documented|observed] [--verifier]\n" +
        "  a random mix of every member of the V1, V2 and V3 tables (IoGetIommuInterfaceEx 1, 2 and 3, and the\n" +
        "  legacy IoGetIommuInterface) from N threads (default 4), on one x64 IOMMU with PASIDs:\n" +
        "    V2/V3: maps (allocator, explicit, shared domain), unmaps, tokens and segments, identity maps,\n" +
        "      bad input, lifecycle races on shared devices and domains, callbacks, DMA Guard policy changes;\n" +
        "    V1: CreateDomain, AttachDevice/DetachDevice by device object, MapLogicalRange, identity maps,\n" +
        "      SetDeviceFaultReporting, the x64 refusals, V1 against V2 tokens (racing too);\n" +
        "    V3: PASID sub-devices created, attached (Translate, TranslateS1), detached, deleted, QueryDeviceInfo;\n" +
        "    all threads: contiguous 2 MiB maps (2 MiB leaves) and identity maps racing for the same addresses (at\n" +
        "      most one succeeds), maps and unmaps racing a thread that detaches the device and deletes the domain;\n" +
        "  per-thread models predict every status and device-side translation (tagged with PASIDs too); checks that\n" +
        "  no two live blocks share a page, no two live sub-devices an ASID, and every status is one the member may\n" +
        "  return; exit 0 when all held and nothing leaked, 1 on the first violation (its seed reproduces the mix);\n" +
        "  counters published in DIR (default " + StatCommand.DEFAULT_DIRECTORY + ") for iommu stat;\n" +
        "  --profile: the emulator's behaviour profile, documented (the default) or observed (Windows as observed);\n" +
        "    the models predict that profile's own statuses and effects, and check its own allowed statuses;\n" +
        "  --verifier: runs the DMA verifier; its reports are counted per rule (summary and iommu stat), and only a\n" +
        "    rule this run never triggers (leaks after clean-up, an unflushed unmap) fails the run";

    private StressCommand()
    {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code stress}.
     * @param out  where progress and the summary go.
     * @return the exit code: 0 when every invariant held, 1 on a violation.
     * @throws UsageException for bad options.
     */
    public static int run(final List<String> args, final PrintStream out)
    {
        final Options options = Options.parse(
            "stress", args, Set.of("verifier"),
            Set.of("threads", "duration", "operations", "seed", "counters-dir", "profile"));
        final int threads = (int)options.number("threads", 4, 1, 64);
        final long durationNs = options.duration("duration", 10_000_000_000L, 1_000_000L, 86_400_000_000_000L);
        final long operations = options.number("operations", Long.MAX_VALUE, 1, Long.MAX_VALUE);
        final long seed = options.number("seed", System.nanoTime() & 0xFFFF_FFFFL, 0, Long.MAX_VALUE);
        final BehaviourProfile profile = profile(options.text("profile", "documented"));
        final boolean verifier = options.has("verifier");
        out.printf("stress: %d threads, up to %.1f s, seed %d, profile %s, verifier %s%n", threads, durationNs / 1e9,
            seed, profile.name().toLowerCase(Locale.ROOT), verifier ? "on" : "off");
        final File counters = new File(options.text("counters-dir", StatCommand.DEFAULT_DIRECTORY.getPath()));
        final StressRun run = new StressRun(threads, durationNs, operations, seed, counters, out, profile, verifier);
        try
        {
            run.execute().print(out);
            return 0;
        }
        catch (final StressFailure failure)
        {
            out.println(failure.getMessage());
            return 1;
        }
        finally
        {
            run.close();
        }
    }

    /**
     * The profile named on the command line.
     *
     * @param name documented or observed.
     * @return the profile.
     * @throws UsageException for another name.
     */
    static BehaviourProfile profile(final String name)
    {
        switch (name)
        {
            case "documented":
                return BehaviourProfile.DOCUMENTED;
            case "observed":
                return BehaviourProfile.OBSERVED_WINDOWS;
            default:
                throw new UsageException("stress: --profile must be documented or observed, not " + name);
        }
    }
}
