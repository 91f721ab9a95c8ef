/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iova;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaThreadCache;

/**
 * {@link IovaPairBenchmark}'s allocate + free of one page through the per-thread handle
 * ({@link IovaAllocator#threadCache()}), which the caller keeps, so the hot path skips the thread lookup. Only the
 * buddy allocator has such a handle; compare with {@link IovaPairBenchmark} (buddy, tree, skiplist) in the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
public class IovaHandlePairBenchmark
{
    /** The allocator shared by the benchmark threads, with its live ranges. */
    @State(Scope.Benchmark)
    public static class Shared
    {
        /** How many one-page ranges are live around the measured pair. */
        @Param({"10000"})
        public int live;

        IovaAllocator allocator;

        /**
         * Creates the allocator and the live ranges.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            allocator = ((BuddyRangeAllocator)RangeAllocators.create("buddy", 48)).allocator();
            for (int i = 0; i < live; i++)
            {
                if (allocator.allocate(1, 0, -1) < 0)
                {
                    throw new IllegalStateException("setup allocation failed");
                }
            }
        }
    }

    /** One benchmark thread's handle. */
    @State(Scope.Thread)
    public static class Handle
    {
        IovaThreadCache cache;

        /**
         * Takes the calling (benchmark) thread's handle.
         *
         * @param shared the allocator.
         */
        @Setup(Level.Trial)
        public void setUp(final Shared shared)
        {
            cache = shared.allocator.threadCache();
        }
    }

    /**
     * @param handle this thread's handle.
     * @return the address used (consumed by JMH).
     */
    @Benchmark
    @Threads(1)
    public long allocateFree1Page(final Handle handle)
    {
        final IovaThreadCache cache = handle.cache;
        final long address = cache.allocate(1, 0, -1);
        cache.free(address, 1);
        return address;
    }

    /**
     * @param handle this thread's handle.
     * @return the address used (consumed by JMH).
     */
    @Benchmark
    @Threads(2)
    public long allocateFree1PageTwoThreads(final Handle handle)
    {
        final IovaThreadCache cache = handle.cache;
        final long address = cache.allocate(1, 0, -1);
        cache.free(address, 1);
        return address;
    }
}
