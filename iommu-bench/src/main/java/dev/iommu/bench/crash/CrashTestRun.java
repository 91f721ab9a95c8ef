/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.RecoveryReport;

/**
 * The crash test: starts a {@link CrashChild} on a persistent directory, kills it with SIGKILL once it has made a
 * random number of calls, launches an emulator on the directory, checks it against the child's log
 * ({@link CrashVerifier}), tears everything down and closes it; again, {@code kills} times, on the same directory.
 * What recovery repaired is summed over the run.
 */
public final class CrashTestRun
{
    /** Records per worker thread in the child's log (the child stops before it runs out). */
    static final int RECORDS_PER_THREAD = 1 << 16;

    private final Path directory;
    private final int kills;
    private final int threads;
    private final long seed;
    private final int maxCalls;

    private long calls;
    private long inFlight;
    private long mapsUndone;
    private long unmapsCompleted;
    private long tablePagesReclaimed;
    private long tokensDropped;
    private long segmentsDropped;
    private long devicesDetached;
    private long iovaBlocks;

    /**
     * @param directory the persistent directory (made when missing; its log file too).
     * @param kills     how many times to kill the child.
     * @param threads   the child's worker threads.
     * @param seed      the seed of the kill points and the child's calls.
     * @param maxCalls  the most calls a child makes before it is killed (the kill lands at a random count below).
     */
    public CrashTestRun(final Path directory, final int kills, final int threads, final long seed, final int maxCalls)
    {
        if (kills < 1 || threads < 1 || maxCalls < 1)
        {
            throw new IllegalArgumentException("kills, threads and maxCalls must be at least 1");
        }
        this.directory = directory;
        this.kills = kills;
        this.threads = threads;
        this.seed = seed;
        this.maxCalls = maxCalls;
    }

    /**
     * Runs the test.
     *
     * @param progress receives one line per kill (may be null).
     * @return the summary line.
     * @throws IllegalStateException at the first check that fails, naming the kill and the check.
     */
    public String run(final java.io.PrintStream progress)
    {
        final Path state = directory.resolve("state");
        final Path logFile = directory.resolve("calls.log");
        try
        {
            Files.createDirectories(state);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final long whole;
        try (IommuEmulator fresh = IommuEmulator.launch(new EmulatorContext().platform(CrashPlatform.build(threads))
            .dispatcherThread(false)))
        {
            whole = CrashVerifier.wholeAllocatorBytes(fresh);
        }
        final SplittableRandom random = new SplittableRandom(seed);
        for (int kill = 0; kill < kills; kill++)
        {
            final int target = 1 + random.nextInt(maxCalls);
            final CrashModel model;
            try (CrashLog log = CrashLog.map(logFile, threads, RECORDS_PER_THREAD, true))
            {
                killAfter(state, logFile, random.nextLong(), log, target, kill, random.nextBoolean());
                model = CrashModel.replay(log, threads);
            }
            try (IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext()
                .platform(CrashPlatform.build(threads)).persistentDirectory(state).dispatcherThread(false)))
            {
                new CrashVerifier(emulator, model, whole).verify();
                add(emulator.recoveryReport(), model);
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalStateException("kill " + (kill + 1) + " (after " + model.calls + " calls): " +
                    ex.getMessage(), ex);
            }
            if (null != progress)
            {
                progress.println("kill " + (kill + 1) + "/" + kills + ": " + model.calls + " calls, " +
                    model.pending.size() + " in flight; " + summary());
            }
        }
        return summary();
    }

    private void killAfter(final Path state, final Path logFile, final long childSeed, final CrashLog log,
        final int target, final int kill, final boolean insideAMap)
    {
        final Process child = startChild(state, logFile, childSeed);
        try
        {
            // A poll of the child's own log (shared memory), not a sleep standing in for synchronisation: the kill
            // lands once the child has made the target number of calls, wherever its threads are then.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (total(log) < target)
            {
                if (!child.isAlive())
                {
                    throw new IllegalStateException("kill " + (kill + 1) + ": the child exited with " +
                        child.exitValue() + " after " + total(log) + " calls (its output is above)");
                }
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("kill " + (kill + 1) + ": the child made " + total(log) +
                        " calls in 120 s");
                }
                Thread.onSpinWait();
                Thread.yield();
            }
            if (insideAMap)
            {
                // Every other kill waits (a bounded number of looks) until a thread's last record is the intent of a
                // map or unmap: a moment inside the call, where its table writes are, so that recovery has a half
                // applied call to make whole or absent, not only calls that had not started or had finished.
                for (int look = 0; look < 1_000_000 && !insideAMap(log); look++)
                {
                    Thread.onSpinWait();
                }
            }
        }
        finally
        {
            child.destroyForcibly();
            try
            {
                child.waitFor();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the child was killed", ex);
            }
        }
    }

    private boolean insideAMap(final CrashLog log)
    {
        for (int t = 0; t < threads; t++)
        {
            final int last = log.count(t) - 1;
            if (last >= 0 && log.phase(t, last) == CrashLog.INTENT)
            {
                final int op = log.op(t, last);
                if (op == CrashChild.MAP_ALLOCATED || op == CrashChild.MAP_EXPLICIT || op == CrashChild.MAP_SEGMENT ||
                    op == CrashChild.UNMAP_ALLOCATED || op == CrashChild.UNMAP_EXPLICIT ||
                    op == CrashChild.UNMAP_SEGMENT)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private long total(final CrashLog log)
    {
        long sum = 0;
        for (int t = 0; t < threads; t++)
        {
            sum += log.count(t);
        }
        return sum;
    }

    private Process startChild(final Path state, final Path logFile, final long childSeed)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("-D") || argument.startsWith("--sun-misc") ||
                argument.startsWith("--enable-native-access"))
            {
                command.add(argument);
            }
        }
        command.add("-Xmx256m");
        // The child runs for a second or two: C1 only and the serial collector start it ~1 s sooner (Chronicle Map's
        // first map compiles classes at launch).
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashChild.class.getName());
        command.add(state.toString());
        command.add(logFile.toString());
        command.add(Long.toString(childSeed));
        command.add(Integer.toString(threads));
        try
        {
            return new ProcessBuilder(command).inheritIO().start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start the crash test's child JVM", ex);
        }
    }

    private void add(final RecoveryReport report, final CrashModel model)
    {
        calls += model.calls;
        inFlight += model.pending.size();
        mapsUndone += report.mapsUndone();
        unmapsCompleted += report.unmapsCompleted();
        tablePagesReclaimed += report.tablePagesReclaimed();
        tokensDropped += report.tokensDropped();
        segmentsDropped += report.segmentsDropped();
        devicesDetached += report.devicesDetached();
        iovaBlocks += report.iovaBlocks();
    }

    /**
     * The totals so far.
     *
     * @return one line.
     */
    public String summary()
    {
        return calls + " calls, " + inFlight + " in flight at the kills; recovery: " + mapsUndone + " maps undone, " +
            unmapsCompleted + " unmaps completed, " + tablePagesReclaimed + " table pages reclaimed, " +
            tokensDropped + " tokens and " + segmentsDropped + " segments dropped, " + devicesDetached +
            " devices detached, " + iovaBlocks + " IOVA blocks rebuilt; 0 lost, 0 leaked";
    }

    /**
     * @return maps undone plus unmaps completed over the run (a run whose kills never caught a call in flight did
     *     not test recovery).
     */
    public long callsRepaired()
    {
        return mapsUndone + unmapsCompleted;
    }
}
