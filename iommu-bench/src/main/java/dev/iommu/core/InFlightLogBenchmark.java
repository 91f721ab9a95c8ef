/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost {@link InFlightLog} adds to a map or unmap call, one thread: {@code beginEnd} is the pair every call
 * makes on a slot it holds, {@code beginCommitEnd} adds the commit, {@code slotBeginEnd} adds the
 * {@link ThreadLocal} lookup of the thread's slot. Run with {@code -prof gc}: 0 B/op. (In iommu-core's package,
 * because the log is package-private there, as the jcstress module's tests of package-private steps are.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class InFlightLogBenchmark
{
    private Path dir;
    private InFlightLog log;
    private InFlightLog.Slot slot;
    private long address = 0x1000_0000L;

    /**
     * A new log in a temporary directory, and this thread's slot.
     *
     * @throws IOException when the directory cannot be made.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        dir = Files.createTempDirectory("inflight-bench");
        log = InFlightLog.create(dir, InFlightLog.DEFAULT_SLOTS);
        slot = log.slot();
    }

    /**
     * Closes the log and deletes its file.
     *
     * @throws IOException when the file cannot be deleted.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        log.close();
        Files.deleteIfExists(log.file());
        Files.deleteIfExists(dir);
    }

    /**
     * begin and end on the slot the thread holds.
     *
     * @return the address recorded (consumed).
     */
    @Benchmark
    public long beginEnd()
    {
        final long recorded = address += 0x1000;
        slot.begin(InFlightLog.MAP, 7, recorded, 1);
        slot.end();
        return recorded;
    }

    /**
     * begin, commit and end on the slot the thread holds.
     *
     * @return the address recorded (consumed).
     */
    @Benchmark
    public long beginCommitEnd()
    {
        final long recorded = address += 0x1000;
        slot.begin(InFlightLog.UNMAP, 7, recorded, 1);
        slot.commit();
        slot.end();
        return recorded;
    }

    /**
     * The thread's slot looked up, then begin and end.
     *
     * @return the address recorded (consumed).
     */
    @Benchmark
    public long slotBeginEnd()
    {
        final long recorded = address += 0x1000;
        final InFlightLog.Slot mine = log.slot();
        mine.begin(InFlightLog.MAP, 7, recorded, 1);
        mine.end();
        return recorded;
    }
}
