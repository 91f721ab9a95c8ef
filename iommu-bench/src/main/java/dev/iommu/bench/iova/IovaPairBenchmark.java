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

import dev.iommu.bench.baseline.RangeAllocator;

/**
 * Allocate + free of one page, with {@code live} other one-page ranges allocated, on one thread and on two threads
 * sharing the allocator. Time per pair (per thread with two threads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
public class IovaPairBenchmark
{
    /** Which allocator. */
    @Param({"buddy", "tree", "skiplist"})
    public String impl;

    /** How many one-page ranges are live around the measured pair. */
    @Param({"10000"})
    public int live;

    private RangeAllocator allocator;

    /**
     * Creates the allocator and the live ranges.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        allocator = RangeAllocators.create(impl, 48);
        for (int i = 0; i < live; i++)
        {
            if (allocator.allocate(1, 0, -1) < 0)
            {
                throw new IllegalStateException("setup allocation failed");
            }
        }
    }

    /**
     * @return the address used (consumed by JMH).
     */
    @Benchmark
    @Threads(1)
    public long allocateFree1Page()
    {
        final long address = allocator.allocate(1, 0, -1);
        allocator.free(address, 1);
        return address;
    }

    /**
     * @return the address used (consumed by JMH).
     */
    @Benchmark
    @Threads(2)
    public long allocateFree1PageTwoThreads()
    {
        final long address = allocator.allocate(1, 0, -1);
        allocator.free(address, 1);
        return address;
    }
}
