/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.iommu.bench.adapter.DmaMapper;
import dev.iommu.bench.adapter.DmaMapperFactories;
import dev.iommu.bench.adapter.DmaMapperFactory;
import dev.iommu.bench.adapter.LibraryDmaMapperFactory;
import dev.iommu.bench.workload.BenchCase;
import dev.iommu.bench.workload.Workloads;
import dev.iommu.core.EmulatorContext;

/**
 * {@code iommu bench}: the workload suite on this library and on the baselines in the same run, one table of
 * throughput, latency percentiles, bytes allocated per operation and ratios to each baseline; the same results as
 * JSON and CSV, and PNG charts, in the output folder.
 */
public final class BenchCommand
{
    /** The usage text. */
    public static final String USAGE =
        "iommu bench [--quick] [--workloads a,b,...] [--impls library,skiplist,tree] [--threads 1,2,4]\n" +
        "            [--duration 600ms] [--out DIR]\n" +
        "  workloads: " + String.join(", ", Workloads.NAMES) + "\n" +
        "  defaults finish in about two minutes, --quick in about twenty seconds; --duration is the timed\n" +
        "  throughput phase of each case (warm-up and latency phases are half of it each); results in DIR\n" +
        "  (default iommu-results): results.json, results.csv and PNG charts";

    private static final List<String> IMPLEMENTATIONS =
        List.of(DmaMapperFactories.LIBRARY, DmaMapperFactories.SKIPLIST, DmaMapperFactories.TREE);
    private static final int TABLE_PAGES = 1 << 14;

    private BenchCommand()
    {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code bench}.
     * @param out  where the progress and the table go.
     * @return 0.
     * @throws UsageException for bad options.
     */
    public static int run(final List<String> args, final PrintStream out)
    {
        final Options options = Options.parse("bench", args, Set.of("quick"),
            Set.of("workloads", "impls", "threads", "duration", "out"));
        final boolean quick = options.has("quick");
        final List<String> workloads = options.choices("workloads", Workloads.NAMES);
        final List<String> impls = options.choices("impls", IMPLEMENTATIONS);
        final List<Integer> threads = threadCounts(options.text("threads", "1,2,4"));
        final long throughputNs = options.duration(
            "duration", quick ? 100_000_000L : 600_000_000L, 10_000_000L, 600_000_000_000L);
        final Path folder = Path.of(options.text("out", "iommu-results"));
        final Harness harness = new Harness(throughputNs / 2, throughputNs, throughputNs / 2);
        final List<BenchCase> cases = Workloads.cases(workloads, threads, quick);

        out.printf("iommu bench: %d cases x %d implementations, JDK %s, %d cores%n",
            cases.size(), impls.size(), Runtime.version(), Runtime.getRuntime().availableProcessors());
        final ProgressBar progress =
            new ProgressBar(out, null != System.console(), harness.plannedNs() * cases.size() * impls.size());
        // Warm-up: every implementation runs request-response untimed first, so the JIT has compiled the common
        // map, translate and unmap paths before the first measured case (otherwise that case pays for it).
        final Harness warmUp = new Harness(throughputNs, 1_000_000L, 1_000_000L);
        final BenchCase warmUpCase = Workloads.cases(List.of("request-response"), threads, quick).get(0);
        for (final String impl : impls)
        {
            progress.start("warm-up " + impl);
            measure(warmUp, warmUpCase, impl);
        }
        final List<WorkloadResult> results = new ArrayList<>();
        for (final BenchCase benchCase : cases)
        {
            for (final String impl : impls)
            {
                progress.start(benchCase.workload() + " " + benchCase.variant() + " x" + benchCase.threads() +
                    " " + impl);
                results.add(measure(harness, benchCase, impl));
                progress.advance(harness.plannedNs());
            }
        }
        progress.finish();
        final ResultsReport report = new ResultsReport(DmaMapperFactories.LIBRARY, results);
        out.println(report.table());
        try
        {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("results.json"), report.json(), StandardCharsets.UTF_8);
            Files.writeString(folder.resolve("results.csv"), report.csv(), StandardCharsets.UTF_8);
            final List<Path> charts = ResultsCharts.write(report, folder);
            out.printf("results: %s (results.json, results.csv, %d charts)%n", folder.toAbsolutePath(),
                charts.size());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write results to " + folder, ex);
        }
        return 0;
    }

    private static WorkloadResult measure(final Harness harness, final BenchCase benchCase, final String impl)
    {
        try (DmaMapperFactory factory = factory(impl, benchCase))
        {
            final List<DmaMapper> mappers = new CopyOnWriteArrayList<>();
            final DmaMapper shared = benchCase.sharedDomain() ? factory.create() : null;
            try
            {
                return harness.measure(benchCase.workload(), benchCase.variant(), impl, benchCase.threads(),
                    (final int thread) ->
                    {
                        final DmaMapper mapper = null != shared ? shared.share() : factory.create();
                        mappers.add(mapper);
                        return benchCase.operations().create(mapper, thread);
                    });
            }
            finally
            {
                for (final DmaMapper mapper : mappers)
                {
                    mapper.close();
                }
                if (null != shared)
                {
                    shared.close();
                }
            }
        }
    }

    private static DmaMapperFactory factory(final String impl, final BenchCase benchCase)
    {
        if (impl.equals(DmaMapperFactories.LIBRARY))
        {
            return new LibraryDmaMapperFactory(benchCase.addressWidth(), benchCase.iotlbMode(),
                EmulatorContext.DEFAULT_IOTLB_ENTRIES, TABLE_PAGES);
        }
        return DmaMapperFactories.create(impl, benchCase.addressWidth());
    }

    private static List<Integer> threadCounts(final String text)
    {
        final List<Integer> counts = new ArrayList<>();
        for (final String part : text.split(","))
        {
            try
            {
                final int n = Integer.parseInt(part.trim());
                if (n < 1 || n > 64)
                {
                    throw new UsageException("bench: --threads values must be 1 to 64: " + part);
                }
                counts.add(n);
            }
            catch (final NumberFormatException ex)
            {
                throw new UsageException("bench: --threads takes a list of numbers like 1,2,4: '" + text + "'");
            }
        }
        return counts;
    }
}
