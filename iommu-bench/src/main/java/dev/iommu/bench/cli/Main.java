/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import dev.iommu.bench.crash.CrashTestCommand;
import dev.iommu.bench.fuzz.FuzzCommand;
import dev.iommu.bench.stat.StatCommand;
import dev.iommu.bench.stress.StressCommand;

/**
 * The command-line tool: {@code iommu <command> [options]}. Bad options print a one-line error and the usage and
 * exit with 2.
 */
public final class Main
{
    /** Exit code for bad usage. */
    public static final int USAGE_EXIT = 2;

    private static final String USAGE = String.join("\n",
        "usage: iommu <command> [options]",
        "commands:",
        "  bench    the workload suite on this library and the baselines: one table, JSON, CSV, charts",
        "  stress   random mix of every interface call from N threads, invariants checked",
        "  stat     print the counters of a running emulator (another process), refreshing",
        "  fuzz     every member of every table fuzzed with hostile arguments under Jazzer, oracle checked",
        "  crash-test  an emulator on a persistent directory killed (SIGKILL) again and again, reopened, checked",
        "",
        BenchCommand.USAGE,
        StressCommand.USAGE,
        StatCommand.USAGE,
        FuzzCommand.USAGE,
        CrashTestCommand.USAGE);

    private Main()
    {
    }

    /**
     * Runs a command and exits with its code.
     *
     * @param args the command and its options.
     */
    public static void main(final String[] args)
    {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /**
     * Runs a command.
     *
     * @param args the command and its options.
     * @param out  standard output.
     * @param err  standard error.
     * @return the exit code.
     */
    public static int run(final List<String> args, final PrintStream out, final PrintStream err)
    {
        if (args.isEmpty())
        {
            err.println("iommu: no command given");
            err.println(USAGE);
            return USAGE_EXIT;
        }
        final String command = args.get(0);
        final List<String> rest = args.subList(1, args.size());
        if (rest.contains("--help") || rest.contains("-h"))
        {
            out.println(usageOf(command));
            return 0;
        }
        try
        {
            switch (command)
            {
                case "bench":
                    return BenchCommand.run(rest, out);
                case "stress":
                    return StressCommand.run(rest, out);
                case "stat":
                    return StatCommand.run(rest, out, err);
                case "fuzz":
                    return FuzzCommand.run(rest, out);
                case "crash-test":
                    return CrashTestCommand.run(rest, out);
                case "help":
                case "--help":
                case "-h":
                    out.println(USAGE);
                    return 0;
                default:
                    throw new UsageException("iommu: unknown command '" + command + "'");
            }
        }
        catch (final UsageException ex)
        {
            err.println(ex.getMessage());
            err.println(USAGE);
            return USAGE_EXIT;
        }
    }

    /**
     * The usage a command prints for {@code --help}: its own for a known command, else the general one.
     *
     * @param command the command name.
     * @return the text.
     */
    static String usageOf(final String command)
    {
        switch (command)
        {
            case "bench":
                return "usage: " + BenchCommand.USAGE;
            case "stress":
                return "usage: " + StressCommand.USAGE;
            case "stat":
                return "usage: " + StatCommand.USAGE;
            case "fuzz":
                return "usage: " + FuzzCommand.USAGE;
            case "crash-test":
                return "usage: " + CrashTestCommand.USAGE;
            default:
                return USAGE;
        }
    }
}
