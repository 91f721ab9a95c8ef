/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iova;

import java.util.concurrent.TimeUnit;

import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaAllocatorConfig;
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

/**
 * The IOVA allocator when a thread's magazines do not cover its working set: each thread allocates a batch of
 * blocks (one page each, or 1 to 32 pages), then frees them all, on one allocator shared by the threads (default
 * magazines of 32 blocks, a depot of 4 per order). A batch of 96 one-page blocks overflows the thread's two
 * magazines into the depot and refills from it (the magazine exchange path); a batch of 2,048 also overflows the
 * depot, so most blocks are refilled from and trimmed to the space behind the depot (the slow path): the lock-free
 * chunks, or with {@code chunks=false} the buddy space under the allocator's lock. Time per batch, per thread (divide
 * by the batch for a block's allocation and free).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class IovaBatchBenchmark
{
    private static final int MAX_BATCH = 2048;

    /**
     * The allocator the threads share.
     */
    @State(Scope.Benchmark)
    public static class Shared
    {
        /**
         * Whether refills and trims past the depot go through the lock-free chunks (the default) or take the
         * allocator's lock (the buddy space directly): the baseline in the same run.
         */
        @Param({"true", "false"})
        public boolean chunks;

        IovaAllocator allocator;

        /**
         * A 48-bit allocator with the default caches.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            allocator = new IovaAllocator(new IovaAllocatorConfig().addressWidth(48).nonBlockingChunks(chunks));
        }
    }

    /**
     * One thread's batch.
     */
    @State(Scope.Thread)
    public static class Batch
    {
        /** Blocks a thread holds at once. */
        @Param({"96", "2048"})
        public int blocks;

        /** The size of each block: one page, or 1 to 32 pages (the i-th block of a batch 1 + i % 32). */
        @Param({"1", "1-32"})
        public String pages;

        final long[] addresses = new long[MAX_BATCH];
    }

    /**
     * @return a checksum of the addresses (consumed by JMH).
     */
    @Benchmark
    @Threads(1)
    public long batch(final Shared shared, final Batch batch)
    {
        return run(shared.allocator, batch);
    }

    /**
     * @return a checksum of the addresses (consumed by JMH).
     */
    @Benchmark
    @Threads(2)
    public long batch2T(final Shared shared, final Batch batch)
    {
        return run(shared.allocator, batch);
    }

    private static long run(final IovaAllocator allocator, final Batch batch)
    {
        final long[] addresses = batch.addresses;
        final int n = batch.blocks;
        final int sizes = batch.pages.equals("1") ? 1 : 32;
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            final long address = allocator.allocate(1 + i % sizes, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
            if (address < 0)
            {
                throw new IllegalStateException("allocation failed: " + address);
            }
            addresses[i] = address;
            sum += address;
        }
        for (int i = 0; i < n; i++)
        {
            allocator.free(addresses[i], 1 + i % sizes);
        }
        return sum;
    }
}
