/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iface;

import java.util.Random;
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
 * thread (also of 1 to 16 pages: {@code mapUnmapMixed}), on two threads with a domain each, and on two threads
 * sharing one domain; and the device-side translation of a mapped page, one page (an IOTLB hit), and working sets of
 * 1,024 and 65,536 one-page mappings ({@code pages}) visited in a fixed shuffled order, on one thread and on two (a
 * domain each). Average time per operation (per thread).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class InterfaceBenchmark
{
    private static final long PAGE = 4096;
    /** The largest map of {@link #mapUnmapMixed}, in pages. */
    private static final int MIXED_MAX_PAGES = 16;
    /** The length of {@link #mapUnmapMixed}'s fixed sequence of sizes (a power of two). */
    private static final int MIXED_SIZES = 1024;

    /**
     * The implementation's factory, one per trial (the library's: one emulator).
     */
    @State(Scope.Benchmark)
    public static class Implementation
    {
        /**
         * "library", "skiplist" (ConcurrentHashMap + ConcurrentSkipListMap) or "tree" (iova.c style); also
         * "library-verifier" (the DMA verifier on), "library-deferred" (deferred IOTLB invalidation: the
         * deferred pair is {@code mapUnmap4k -p impl=library,library-deferred}) and "library-persistent" (the same
         * emulator with a persistent directory, a fresh temporary one deleted at teardown: persistence off against
         * on is {@code -p impl=library,library-persistent}), chosen with {@code -p impl=...}.
         */
        @Param({"library", "skiplist", "tree"})
        public String impl;

        DmaMapperFactory factory;
        DmaMapper sharedDomain;

        /**
         * Rehearses the teardown, then creates the factory and the domain the shared-domain benchmark uses.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            // The trial teardown runs inside the last measured iteration: without this rehearsal its first-time
            // class loading (about 137 KB) showed up in -prof gc as 0.007 B/op in that iteration.
            DmaMapperFactories.rehearseTeardown(impl, 48);
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
        final long[] mixedFrames = new long[MIXED_MAX_PAGES];
        final int[] mixedSizes = new int[MIXED_SIZES];
        int nextSize;
        long hitIova;

        /**
         * Creates the domain and the page the IOTLB-hit benchmark reads.
         *
         * @param implementation the factory.
         */
        @Setup(Level.Trial)
        public void setUp(final Implementation implementation)
        {
            mapper = implementation.factory.create();
            hitIova = check(mapper.map(new long[] {0x40000}, 1, DmaMapper.READ_WRITE)) + 0x40;
            for (int i = 0; i < MIXED_MAX_PAGES; i++)
            {
                mixedFrames[i] = 0x50000 + i;
            }
            final Random random = new Random(20261130);
            for (int i = 0; i < MIXED_SIZES; i++)
            {
                mixedSizes[i] = 1 + random.nextInt(MIXED_MAX_PAGES);
            }
        }

        int nextMixedSize()
        {
            final int i = nextSize;
            nextSize = (i + 1) & (MIXED_SIZES - 1);
            return mixedSizes[i];
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
     * A domain of the thread's own with {@code pages} one-page mappings, and the order the translate benchmarks
     * visit them in: a fixed shuffle (the same for every implementation), so neither the hardware prefetcher nor a
     * direct-mapped index is handed a sequential stride.
     */
    @State(Scope.Thread)
    public static class WorkingSet
    {
        /** Mapped pages visited. */
        @Param({"1024", "65536"})
        public int pages;

        DmaMapper mapper;
        long[] addresses;
        int next;

        /**
         * Creates the domain, its mappings and the visiting order.
         *
         * @param implementation the factory.
         */
        @Setup(Level.Trial)
        public void setUp(final Implementation implementation)
        {
            mapper = implementation.factory.create();
            addresses = new long[pages];
            final long[] frame = new long[1];
            for (int i = 0; i < pages; i++)
            {
                frame[0] = 0x40000 + i * 3L;
                addresses[i] = check(mapper.map(frame, 1, DmaMapper.READ_WRITE)) + ((i * 64L) & (PAGE - 1));
            }
            final java.util.Random random = new Random(20261130);
            for (int i = pages - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final long swap = addresses[i];
                addresses[i] = addresses[j];
                addresses[j] = swap;
            }
        }

        /**
         * Releases the domain.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            mapper.close();
        }

        long nextAddress()
        {
            final int i = next;
            next = i + 1 == pages ? 0 : i + 1;
            return addresses[i];
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
     * MapLogicalRangeEx + UnmapLogicalRange of 1 to 16 pages (scattered frames described page by page), the size
     * taken from a fixed pseudo-random sequence (the same for every implementation; 8.5 pages on average), one
     * thread. Time per pair.
     *
     * @param domain the thread's domain.
     * @return the address.
     */
    @Benchmark
    @Threads(1)
    public long mapUnmapMixed(final OwnDomain domain)
    {
        final DmaMapper mapper = domain.mapper;
        final int pages = domain.nextMixedSize();
        final long iova = mapper.map(domain.mixedFrames, pages, DmaMapper.READ_WRITE);
        return iova + mapper.unmap(iova, pages);
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
     * Device-side translate over {@code pages} mapped pages, in the working set's shuffled order.
     *
     * @param set the thread's working set.
     * @return the physical address.
     */
    @Benchmark
    @Threads(1)
    public long translateWorkingSet(final WorkingSet set)
    {
        return set.mapper.translate(set.nextAddress(), DmaMapper.READ);
    }

    /**
     * The same on two threads, each over a working set in a domain of its own. Time per translation per thread.
     *
     * @param set the thread's working set.
     * @return the physical address.
     */
    @Benchmark
    @Threads(2)
    public long translateWorkingSet2T(final WorkingSet set)
    {
        return set.mapper.translate(set.nextAddress(), DmaMapper.READ);
    }
}
