/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iface;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.iommu.bench.adapter.DmaMapper;
import dev.iommu.bench.adapter.DmaMapperFactories;
import dev.iommu.bench.adapter.DmaMapperFactory;

/**
 * The interface's hot paths, library and baselines in the same run ({@code impl}): MapLogicalRangeEx with the
 * allocator choosing the address plus UnmapLogicalRange of one 4 KiB page (strict IOTLB invalidation), on one
 * thread, on two threads with a domain each, and on two threads sharing one domain; and the device-side
 * translation of a mapped page, one page (an IOTLB hit) and a working set of {@value #WORKING_SET} one-page
 * mappings visited in turn (more than the 256-entry IOTLB: mostly walks). Average time per operation (per thread).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class InterfaceBenchmark
{
    /** One-page mappings the working-set translate visits. */
    public static final int WORKING_SET = 1024;
    private static final long PAGE = 4096;

    /**
     * The implementation's factory, one per trial (the library's: one emulator).
     */
    @State(Scope.Benchmark)
    public static class Implementation
    {
        /**
         * "library", "skiplist" (ConcurrentHashMap + ConcurrentSkipListMap) or "tree" (iova.c style); also
         * "library-verifier" (the DMA verifier on), chosen with {@code -p impl=...}.
         */
        @Param({"library", "skiplist", "tree"})
        public String impl;

        DmaMapperFactory factory;
        DmaMapper sharedDomain;

        /**
         * Creates the factory and the domain the shared-domain benchmark uses.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            factory = DmaMapperFactories.create(impl, 48);
            sharedDomain = factory.create();
        }

        /**
         * Releases everything.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            sharedDomain.close();
            factory.close();
        }
    }

    /**
     * A domain of the thread's own.
     */
    @State(Scope.Thread)
    public static class OwnDomain
    {
        DmaMapper mapper;
        final long[] frames = {0x12345};
        long hitIova;
        final long[] workingSet = new long[WORKING_SET];
        int next;

        /**
         * Creates the domain and the mappings the translate benchmarks read.
         *
         * @param implementation the factory.
         */
        @Setup(Level.Trial)
        public void setUp(final Implementation implementation)
        {
            mapper = implementation.factory.create();
            final long[] frame = new long[1];
            for (int i = 0; i < WORKING_SET; i++)
            {
                frame[0] = 0x40000 + i * 3L;
                workingSet[i] = check(mapper.map(frame, 1, DmaMapper.READ_WRITE));
            }
            hitIova = workingSet[WORKING_SET / 2] + 0x40;
        }

        /**
         * Releases the domain.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            mapper.close();
        }
    }

    /**
     * The thread's instance over the one shared domain.
     */
    @State(Scope.Thread)
    public static class SharedDomain
    {
        DmaMapper mapper;
        final long[] frames = {0x23456};

        /**
         * Takes an instance of the shared domain.
         *
         * @param implementation the factory and the shared domain.
         */
        @Setup(Level.Trial)
        public void setUp(final Implementation implementation)
        {
            mapper = implementation.sharedDomain.share();
        }

        /**
         * Releases the instance.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            mapper.close();
        }
    }

    private static long check(final long iova)
    {
        if (iova <= 0)
        {
            throw new IllegalStateException("map failed: " + iova);
        }
        return iova;
    }

    private static long mapUnmap(final DmaMapper mapper, final long[] frames)
    {
        final long iova = mapper.map(frames, 1, DmaMapper.READ_WRITE);
        return iova + mapper.unmap(iova, 1);
    }

    /**
     * MapLogicalRangeEx (allocator-chosen address) + UnmapLogicalRange of one 4 KiB page, one thread.
     *
     * @param domain the thread's domain.
     * @return the address (consumed by JMH).
     */
    @Benchmark
    @Threads(1)
    public long mapUnmap4k(final OwnDomain domain)
    {
        return mapUnmap(domain.mapper, domain.frames);
    }

    /**
     * The same pair on two threads, each on its own domain (one emulator). Time per pair per thread.
     *
     * @param domain the thread's domain.
     * @return the address.
     */
    @Benchmark
    @Threads(2)
    public long mapUnmap4kSeparateDomains2T(final OwnDomain domain)
    {
        return mapUnmap(domain.mapper, domain.frames);
    }

    /**
     * The same pair on two threads sharing one domain (its allocator and page table). Time per pair per thread.
     *
     * @param domain the thread's instance of the shared domain.
     * @return the address.
     */
    @Benchmark
    @Threads(2)
    public long mapUnmap4kSharedDomain2T(final SharedDomain domain)
    {
        return mapUnmap(domain.mapper, domain.frames);
    }

    /**
     * Device-side translate of one mapped page, again and again (an IOTLB hit for the library).
     *
     * @param domain the thread's domain.
     * @return the physical address.
     */
    @Benchmark
    @Threads(1)
    public long translateHit(final OwnDomain domain)
    {
        return domain.mapper.translate(domain.hitIova, DmaMapper.READ);
    }

    /**
     * Device-side translate over {@value #WORKING_SET} mapped pages, each in turn.
     *
     * @param domain the thread's domain.
     * @return the physical address.
     */
    @Benchmark
    @Threads(1)
    public long translateWorkingSet(final OwnDomain domain)
    {
        final int i = domain.next;
        domain.next = (i + 1) & (WORKING_SET - 1);
        return domain.mapper.translate(domain.workingSet[i] + (i & 0xFFF), DmaMapper.READ);
    }
}
