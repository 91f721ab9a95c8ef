/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iova;

import java.util.SplittableRandom;
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

import dev.iommu.bench.baseline.RangeAllocator;

/**
 * Mixed sizes, 1 to 1024 pages (log-uniform), with {@code live} allocations live: each invocation frees a random
 * live allocation and allocates a new random size in its place (one free + one allocate). SampleTime gives the
 * latency distribution (p99, p999) of that pair. {@link #oneRequestMixed()} does the same work one request per
 * invocation (a free, then on the next invocation the allocate), so its percentiles are per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Xms6g"})
public class IovaMixedBenchmark
{
    private static final int SIZES = 1 << 20;

    /** Which allocator. */
    @Param({"buddy", "tree", "skiplist"})
    public String impl;

    /** How many allocations are live. */
    @Param({"1000000"})
    public int live;

    private RangeAllocator allocator;
    private long[] addresses;
    private long[] pages;
    private int[] sizes;
    private int[] victims;
    private int cursor;
    private int pendingVictim = -1;

    /**
     * Creates the allocator and fills it.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(42);
        allocator = RangeAllocators.create(impl, 48);
        sizes = new int[SIZES];
        victims = new int[SIZES];
        for (int i = 0; i < SIZES; i++)
        {
            sizes[i] = randomSize(random);
            victims[i] = random.nextInt(live);
        }
        addresses = new long[live];
        pages = new long[live];
        for (int i = 0; i < live; i++)
        {
            pages[i] = randomSize(random);
            addresses[i] = allocator.allocate(pages[i], 0, -1);
            if (addresses[i] < 0)
            {
                throw new IllegalStateException("setup allocation failed");
            }
        }
    }

    /**
     * @return the new address (consumed by JMH).
     */
    @Benchmark
    public long freeAndAllocateMixed()
    {
        final int c = cursor++ & (SIZES - 1);
        final int victim = victims[c];
        allocator.free(addresses[victim], pages[victim]);
        final long size = sizes[c];
        final long address = allocator.allocate(size, 0, -1);
        addresses[victim] = address;
        pages[victim] = size;
        return address;
    }

    /**
     * One request per invocation: frees a random live allocation, or (on the next invocation) allocates a new
     * random size in its place.
     *
     * @return the address freed or allocated (consumed by JMH).
     */
    @Benchmark
    public long oneRequestMixed()
    {
        final int victim = pendingVictim;
        if (victim < 0)
        {
            final int c = cursor & (SIZES - 1);
            final int v = victims[c];
            final long address = addresses[v];
            allocator.free(address, pages[v]);
            pendingVictim = v;
            return address;
        }
        final long size = sizes[cursor++ & (SIZES - 1)];
        final long address = allocator.allocate(size, 0, -1);
        addresses[victim] = address;
        pages[victim] = size;
        pendingVictim = -1;
        return address;
    }

    static int randomSize(final SplittableRandom random)
    {
        final int k = random.nextInt(11);
        return 1 + random.nextInt(1 << k);
    }
}
