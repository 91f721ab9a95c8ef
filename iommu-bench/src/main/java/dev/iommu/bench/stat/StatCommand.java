/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stat;

import java.io.File;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import dev.iommu.bench.cli.Options;
import dev.iommu.callbacks.CountersFileDescriptor;
import dev.iommu.callbacks.NotificationCounters;
import org.agrona.concurrent.status.CountersReader;

/**
 * {@code iommu stat}: attaches to the counters file of a running emulator (another process) and prints every
 * counter, refreshing, like Aeron's AeronStat. The emulator publishes the file when its context has a counters
 * directory ({@code iommu stress} and {@code iommu example} use {@link #DEFAULT_DIRECTORY} unless told otherwise).
 */
public final class StatCommand
{
    /** Where the tools publish counters by default. */
    public static final File DEFAULT_DIRECTORY =
        new File(System.getProperty("java.io.tmpdir"), "iommu-" + System.getProperty("user.name") + "/counters");

    /** The usage text. */
    public static final String USAGE =
        "iommu stat [--dir DIR] [--interval 1s] [--count N]\n" +
        "  prints the counters of a running emulator (default DIR " + DEFAULT_DIRECTORY + "),\n" +
        "  every interval, N times (default: until interrupted)";

    private StatCommand()
    {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code stat}.
     * @param out  where the counters go.
     * @param err  where errors go.
     * @return 0, or 1 when no counters file is there.
     */
    public static int run(final List<String> args, final PrintStream out, final PrintStream err)
    {
        final Options options = Options.parse("stat", args, Set.of(), Set.of("dir", "interval", "count"));
        final File directory = new File(options.text("dir", DEFAULT_DIRECTORY.getPath()));
        final long intervalNs = options.duration("interval", 1_000_000_000L, 10_000_000L, 3_600_000_000_000L);
        final long count = options.number("count", Long.MAX_VALUE, 1, Long.MAX_VALUE);
        final File file = new File(directory, CountersFileDescriptor.FILE_NAME);
        if (!file.isFile())
        {
            err.println("stat: no counters file " + file + " (is an emulator running with that counters directory?)");
            return 1;
        }
        final CountersReader reader;
        try
        {
            reader = NotificationCounters.mapReader(directory);
        }
        catch (final IllegalStateException ex)
        {
            err.println("stat: " + ex.getMessage());
            return 1;
        }
        for (long i = 0; i < count; i++)
        {
            if (i > 0)
            {
                LockSupport.parkNanos(intervalNs);
            }
            print(reader, out);
        }
        return 0;
    }

    static void print(final CountersReader reader, final PrintStream out)
    {
        out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " - iommu counters");
        out.println("================================================");
        reader.forEach((final long value, final int counterId, final String label) ->
            out.printf("%3d: %,20d - %s%n", counterId, value, label));
    }
}
