/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import com.code_intelligence.jazzer.Jazzer;

import dev.iommu.bench.cli.Options;
import dev.iommu.bench.cli.UsageException;

/**
 * {@code iommu fuzz}: runs one fuzz target (or all, the input choosing the member of each call) under Jazzer's own
 * driver (libFuzzer, coverage-guided) for a while, in this process. Prints the calls made, the calls per second and
 * the findings when it ends; on a finding Jazzer writes the input ({@code crash-<sha1>}) and a Java reproducer
 * ({@code Crash_<sha1>.java}) to the output directory and the process exits non-zero.
 */
public final class FuzzCommand
{
    /** The usage text. */
    public static final String USAGE =
        "iommu fuzz [--duration 10m] [--target all|<table>.<member>] [--out DIR] [--corpus DIR] [--seed N] " +
        "[--list]\n" +
        "  fuzzes the members of the V1, V2 and V3 tables with hostile raw arguments under Jazzer (libFuzzer):\n" +
        "  forged, foreign and deleted handles, overflowing and unaligned addresses and sizes, PFN arrays and MDLs\n" +
        "  that disagree with their counts, enumeration values including null, missing out-parameters; each call\n" +
        "  must return a status its member documents, throw nothing, change nothing when refused (snapshot and\n" +
        "  watched translations) and keep the emulator's invariants;\n" +
        "  --target: V1.<member>, V2.<member>, V3.<member> (--list prints them) or all (the default);\n" +
        "  --out: where a finding's input and reproducer go (default target/fuzz); --corpus: the corpus directory\n" +
        "  (default <out>/corpus-<target>); exit 0 with no finding, non-zero on a finding";

    /** The packages whose coverage guides the fuzzer. */
    static final String INSTRUMENTED = "dev.iommu.api.**:dev.iommu.callbacks.**:dev.iommu.core.**";
    /** The longest input: room for {@link FuzzRunner#CALLS_PER_INPUT} calls with their arguments. */
    static final int MAX_LEN = 1024;
    /** Seed inputs written to an empty corpus. */
    static final int SEEDS = 16;

    private FuzzCommand()
    {
    }

    /**
     * Runs the command. Jazzer's driver ends the process when the run ends (with its exit code: 0 without a
     * finding); this method returns only for {@code --list}.
     *
     * @param args the arguments after {@code fuzz}.
     * @param out  where the summary goes.
     * @return the exit code of {@code --list}.
     * @throws UsageException for bad options.
     */
    public static int run(final List<String> args, final PrintStream out)
    {
        final Options options = Options.parse("fuzz", args, Set.of("list"),
            Set.of("duration", "target", "out", "corpus", "seed"));
        if (options.has("list"))
        {
            FuzzTargets.names().forEach(out::println);
            return 0;
        }
        final long durationNs = options.duration("duration", 60_000_000_000L, 1_000_000_000L, 604_800_000_000_000L);
        final String target = options.text("target", FuzzTargets.ALL);
        if (!FuzzTargets.exists(target))
        {
            throw new UsageException("fuzz: no target " + target + " (iommu fuzz --list)");
        }
        final File outDir = new File(options.text("out", "target/fuzz"));
        final File corpus = new File(options.text("corpus", new File(outDir, "corpus-" + target).getPath()));
        if (!corpus.isDirectory() && !corpus.mkdirs())
        {
            throw new UsageException("fuzz: cannot create " + corpus);
        }
        seed(corpus);
        final long seconds = Math.max(1, durationNs / 1_000_000_000L);
        final List<String> jazzer = new ArrayList<>();
        jazzer.add("--target_class=" + MemberFuzzer.class.getName());
        jazzer.add("--target_args=" + target);
        // Coverage of the library, not of the harness (which would only slow the calls down).
        jazzer.add("--instrumentation_includes=" + INSTRUMENTED);
        jazzer.add("--reproducer_path=" + outDir.getPath());
        jazzer.add("-artifact_prefix=" + outDir.getPath() + File.separator);
        jazzer.add("-max_total_time=" + seconds);
        jazzer.add("-print_final_stats=1");
        jazzer.add("-rss_limit_mb=0");
        jazzer.add("-timeout=60");
        jazzer.add("-max_len=" + MAX_LEN);
        jazzer.add("-len_control=0");
        if (options.has("seed"))
        {
            jazzer.add("-seed=" + options.number("seed", 1, 1, 0xFFFF_FFFFL));
        }
        jazzer.add(corpus.getPath());
        out.printf("fuzz: target %s for %d s under Jazzer; corpus %s, findings to %s%n", target, seconds,
            corpus.getPath(), outDir.getPath());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> summary(out, target), "fuzz-summary"));
        try
        {
            Jazzer.main(jazzer.toArray(new String[0]));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
        return 0;
    }

    /**
     * Starts an empty corpus with a few long random inputs (fixed seeds), so that inputs make up to
     * {@link FuzzRunner#CALLS_PER_INPUT} calls from the start instead of growing from one byte.
     */
    private static void seed(final File corpus)
    {
        final String[] present = corpus.list();
        if (null != present && present.length > 0)
        {
            return;
        }
        for (int i = 0; i < SEEDS; i++)
        {
            final byte[] bytes = new byte[MAX_LEN];
            final SplittableRandom random = new SplittableRandom(i);
            for (int b = 0; b < bytes.length; b++)
            {
                bytes[b] = (byte)random.nextInt(256);
            }
            try
            {
                Files.write(new File(corpus, "seed-" + i).toPath(), bytes);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    private static void summary(final PrintStream out, final String target)
    {
        final FuzzRunner runner = MemberFuzzer.runner();
        if (null == runner)
        {
            out.println("fuzz: the target never ran");
            return;
        }
        final double seconds = runner.fuzzingNanos() / 1e9;
        out.printf("fuzz %s: %,d calls in %,d inputs, %.1f s (from the first input), %,.0f calls/s, %d finding%s%n",
            target, runner.calls(), runner.inputs(), seconds, runner.calls() / seconds, runner.findings(),
            runner.findings() == 1 ? "" : "s");
        out.flush();
    }
}
