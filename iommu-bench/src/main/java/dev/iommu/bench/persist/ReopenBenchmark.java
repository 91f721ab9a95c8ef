/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.persist;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.iommu.bench.adapter.LibraryDmaMapperFactory;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.RecoveryReport;

/**
 * Launching an emulator on a persistent directory that holds {@value ReopenFixture#ALLOCATOR_PAGES} live 4 KiB
 * mappings in an allocator domain plus an explicit domain with maps and tokens ({@link ReopenFixture}, built once per
 * trial in a JVM of its own). The measured operation is {@link IommuEmulator#launch} alone: opening the arena, the
 * Chronicle Map context table and the in-flight log, attaching the tables, restoring the domains, tokens and devices,
 * rebuilding the allocator from the tables; the emulator is closed after the measurement (not timed).
 * {@code state}: "clean" (the fixture's owner closed the directory; every invocation reopens it) or "crashed" (a copy
 * of the files taken while the owner had them open, copied afresh before each invocation: the arena's free list is
 * rebuilt and Chronicle Map recovers its files). {@code prewarm}: "none" (the first iteration of a fork is the first
 * launch of a persistent emulator in a fresh JVM, Chronicle Map's class loading and first use included) or
 * "chronicle" (the trial's setup first launches, closes and reopens an empty persistent emulator in a scratch
 * directory: the first iteration is then the restore's own first run). Single-shot: run it with several iterations
 * and forks, iteration 1 of each fork is the cold launch, the later ones the steady state.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 5)
@Fork(value = 3, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ReopenBenchmark
{
    /**
     * The fixture's directories, built once per trial, and the emulator of the current invocation.
     */
    @State(Scope.Benchmark)
    public static class Fixture
    {
        /** "clean" or "crashed". */
        @Param({"clean", "crashed"})
        public String state;

        /** "none" or "chronicle". */
        @Param({"none", "chronicle"})
        public String prewarm;

        Path base;
        Path clean;
        Path crashedTemplate;
        Path directory;
        IommuEmulator emulator;

        /**
         * Builds the fixture in a child JVM; with {@code prewarm=chronicle}, launches and reopens an empty
         * persistent emulator.
         *
         * @throws IOException          when the directories cannot be made.
         * @throws InterruptedException when interrupted waiting for the child.
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException, InterruptedException
        {
            base = Files.createTempDirectory("iommu-bench-reopen-");
            clean = base.resolve("clean");
            crashedTemplate = base.resolve("crashed-template");
            buildFixture(clean, crashedTemplate);
            if ("chronicle".equals(prewarm))
            {
                final Path scratch = base.resolve("scratch");
                IommuEmulator.launch(ReopenFixture.context(scratch)).close();
                IommuEmulator.launch(ReopenFixture.context(scratch)).close();
            }
            else if (!"none".equals(prewarm))
            {
                throw new IllegalArgumentException("prewarm: none or chronicle, not " + prewarm);
            }
            if (!"clean".equals(state) && !"crashed".equals(state))
            {
                throw new IllegalArgumentException("state: clean or crashed, not " + state);
            }
        }

        /**
         * Chooses the directory of the next launch: the clean one, or a fresh copy of the crashed one.
         */
        @Setup(Level.Invocation)
        public void prepare()
        {
            if ("clean".equals(state))
            {
                directory = clean;
                return;
            }
            directory = base.resolve("crashed");
            if (Files.exists(directory))
            {
                LibraryDmaMapperFactory.deleteTree(directory);
            }
            ReopenFixture.copyFiles(crashedTemplate, directory);
            LibraryDmaMapperFactory.flushToDisk(directory);
        }

        /**
         * Checks what the launch restored, then closes the emulator (not timed).
         */
        @TearDown(Level.Invocation)
        public void closeEmulator()
        {
            final IommuEmulator launched = emulator;
            emulator = null;
            if (null == launched)
            {
                return;
            }
            try
            {
                final RecoveryReport report = launched.recoveryReport();
                final boolean crashed = "crashed".equals(state);
                if (!report.reopened() || report.domains() != 2 || report.devices() != 2 ||
                    report.tokens() != ReopenFixture.TOKENS || report.cleanShutdown() == crashed)
                {
                    throw new IllegalStateException("unexpected restore: " + report);
                }
            }
            finally
            {
                launched.close();
            }
        }

        /**
         * Deletes the fixture.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            if (null != emulator)
            {
                emulator.close();
                emulator = null;
            }
            LibraryDmaMapperFactory.deleteTree(base);
        }
    }

    /**
     * Launches an emulator on the fixture's directory.
     *
     * @param fixture the directories.
     * @return what the launch restored.
     */
    @Benchmark
    public RecoveryReport reopen(final Fixture fixture)
    {
        final IommuEmulator emulator = IommuEmulator.launch(ReopenFixture.context(fixture.directory));
        fixture.emulator = emulator;
        return emulator.recoveryReport();
    }

    /**
     * Runs {@link ReopenFixture} in a child JVM with this JVM's module flags and class path.
     */
    static void buildFixture(final Path clean, final Path crashed) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("-Dchronicle") || argument.startsWith("-Xm"))
            {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ReopenFixture.class.getName());
        command.add(clean.toString());
        command.add(crashed.toString());
        final Process process = new ProcessBuilder(command).inheritIO().start();
        final int status = process.waitFor();
        if (status != 0)
        {
            throw new UncheckedIOException(new IOException("ReopenFixture exited with " + status + ": " + command));
        }
    }
}
