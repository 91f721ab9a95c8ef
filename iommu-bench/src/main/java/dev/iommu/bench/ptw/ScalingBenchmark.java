/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.ptw;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.iommu.ptw.PageSizes;
import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Map + unmap of one 4 KiB page by one and by two threads on disjoint 2 MiB regions of one shared table
 * (sharing every upper-level table). Throughput: the two-thread score should be close to twice the one-thread one.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class ScalingBenchmark
{
    /**
     * The shared table.
     */
    @State(Scope.Benchmark)
    public static class Shared
    {
        TableArena arena;
        RadixPageTable table;
        final AtomicInteger threads = new AtomicInteger();

        /**
         * Build it.
         */
        @Setup(Level.Trial)
        public void setup()
        {
            arena = TableArena.allocateDirect(1024);
            table = RadixPageTable.create(arena, new PageTableConfig());
        }

        /**
         * Release it.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            arena.close();
        }
    }

    /**
     * Each thread's own region.
     */
    @State(Scope.Thread)
    public static class Own
    {
        long iova;

        /**
         * Pick a region and install its tables.
         *
         * @param shared the table.
         */
        @Setup(Level.Trial)
        public void setup(final Shared shared)
        {
            iova = 0x4000_0000L + shared.threads.getAndIncrement() * PageSizes.SIZE_2M + 0x5000;
            shared.table.reserve(iova, PageSizes.SIZE_4K);
        }
    }

    /**
     * One thread.
     *
     * @param shared the table.
     * @param own    this thread's address.
     * @return the unmapped count.
     */
    @Benchmark
    @Threads(1)
    public long oneThread(final Shared shared, final Own own)
    {
        shared.table.map(own.iova, 0x8_0000_0000L, PageSizes.SIZE_4K, PtwPermissions.READ_WRITE);
        return shared.table.unmap(own.iova, PageSizes.SIZE_4K);
    }

    /**
     * Two threads.
     *
     * @param shared the table.
     * @param own    this thread's address.
     * @return the unmapped count.
     */
    @Benchmark
    @Threads(2)
    public long twoThreads(final Shared shared, final Own own)
    {
        shared.table.map(own.iova, 0x8_0000_0000L, PageSizes.SIZE_4K, PtwPermissions.READ_WRITE);
        return shared.table.unmap(own.iova, PageSizes.SIZE_4K);
    }
}
