/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.crash;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import dev.iommu.bench.cli.Options;

/**
 * {@code iommu crash-test}: the persistence crash test from the command line ({@link CrashTestRun}).
 */
public final class CrashTestCommand
{
    /** The usage text. */
    public static final String USAGE =
        "iommu crash-test [--kills N] [--threads N] [--seed N] [--max-calls N] [--dir DIR]\n" +
        "  an emulator on a persistent directory in a child JVM makes random calls of every kind from N\n" +
        "  threads (default 2): maps through the allocator and at explicit addresses, unmaps, reservations,\n" +
        "  token segment maps and unmaps, token frees, device attaches and detaches, domain deletions and\n" +
        "  creations, each recorded in a log before it starts and after it returns; the child is killed with\n" +
        "  SIGKILL after a random number of calls (below --max-calls, default 4000; every other kill while a\n" +
        "  thread is inside a map or unmap), an emulator is launched on the directory and checked against the\n" +
        "  log: every acknowledged mapping translates, every acknowledged unmap is gone, each call in flight is\n" +
        "  whole or absent, every object is found by its stable id; then everything is torn down through the\n" +
        "  interface and each allocator must be whole, no table page in use; --kills times (default 100) on the\n" +
        "  same directory (default: a new temporary one); exit 0 when every check held, 1 at the first that did not";

    private CrashTestCommand()
    {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code crash-test}.
     * @param out  where progress and the summary go.
     * @return the exit code.
     */
    public static int run(final List<String> args, final PrintStream out)
    {
        final Options options = Options.parse("crash-test", args, Set.of(),
            Set.of("kills", "threads", "seed", "max-calls", "dir"));
        final int kills = (int)options.number("kills", 100, 1, 1_000_000);
        final int threads = (int)options.number("threads", 2, 1, 16);
        final long seed = options.number("seed", System.nanoTime() & 0xFFFF_FFFFL, 0, Long.MAX_VALUE);
        final int maxCalls = (int)options.number("max-calls", 4000, 1, 50_000);
        final Path directory;
        try
        {
            directory = options.has("dir") ? Path.of(options.text("dir", "")) :
                Files.createTempDirectory("iommu-crash-test");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        out.printf("crash-test: %d kills, %d threads, seed %d, up to %d calls per child, directory %s%n", kills,
            threads, seed, maxCalls, directory);
        final long start = System.nanoTime();
        try
        {
            final String summary = new CrashTestRun(directory, kills, threads, seed, maxCalls).run(out);
            out.printf("crash-test passed in %.1f s: %d kills, %s%n", (System.nanoTime() - start) / 1e9, kills,
                summary);
            return 0;
        }
        catch (final IllegalStateException ex)
        {
            out.println("crash-test FAILED (seed " + seed + "): " + ex.getMessage());
            return 1;
        }
    }
}
