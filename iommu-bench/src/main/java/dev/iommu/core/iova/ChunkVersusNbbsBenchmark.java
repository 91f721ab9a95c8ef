/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.concurrent.TimeUnit;

import dev.iommu.bench.baseline.NbbsBuddyTree;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The IOVA allocator's slow path on its own: one magazine refill and trim against one region of 1,024 pages (pages
 * [1024, 2048)), by the lock-free page chunks ({@link PageChunks}, the allocator's slow path now), by the non-blocking
 * buddy system of Marotta et al. ({@link NbbsBuddyTree}, which {@link PageChunks} says it is "at word granularity"),
 * and by the buddy space under one lock ({@link BuddySpace}, the slow path before the chunks). Each invocation, a
 * thread takes 32 blocks and gives them all back: {@code variant=single} 32 one-page blocks; {@code variant=mixed}
 * blocks of orders 0 to 5 (6, 6, 5, 5, 5, 5 of them: 318 pages). Time per invocation (refill + trim), per thread;
 * {@code 2T} methods run two threads on the same region, each with its own blocks.
 * <ul>
 * <li>{@code chunk}: a {@link PageChunks} (pageBits 11, chunk order 10) with chunk 1 active; a refill is one
 * {@link PageChunks#claim} of 32 blocks (mixed: one per order), a trim one {@link PageChunks#releaseBlocks} (one per
 * order), exactly as {@code ChunkPool.refill} and the trim call them, thread i scanning from word 8i as the allocator
 * starts its i-th registered thread. {@code chunk-word0}: every claim from word 0 (the first version of the chunks),
 * so two threads in the one chunk meet in its first words. {@code chunk-own}: two chunks active (pageBits 12),
 * thread i claiming from chunk 1 + i, as {@code ChunkPool} gives each thread a current chunk: the bitmap as its design
 * intends it, threads sharing no word (not one 1,024-page region: two).</li>
 * <li>{@code nbbs}: {@link NbbsBuddyTree} as the paper's pseudo-code (a CAS at every ancestor of every allocation),
 * status bytes packed; {@code nbbs-elide}: no CAS where an ancestor's bits are already as wanted, as the authors' C
 * code; {@code -line}: each node's byte in a cache line of its own, as the authors' C code lays nodes out
 * ({@code nbbs-elide-line} is the authors' configuration: github.com/HPDCS/NBBS, {@code allocators/1lvl-nb}). One
 * {@code allocate} per block; thread i of P scans each level from i / P of it (NBBS's per-thread offset) and, within a
 * refill, from just after its last block (so a refill does not rescan its own blocks); one {@code free} per block.</li>
 * <li>{@code locked-buddy}: a {@link BuddySpace} of 2^11 pages with [1, 1024) taken out by {@code takeRange}, so the
 * free space is exactly [1024, 2048); one {@code synchronized} monitor, held for a whole refill (32
 * {@code takeBlock}) and for a whole trim (32 {@code giveBlock}), as the allocator's locked refill and trim held it
 * before the chunks.</li>
 * </ul>
 * A request that cannot be served throws (none is expected: two threads hold at most 636 of the 1,024 pages); the
 * trial's teardown checks that the region is whole again. Run with {@code -prof gc}: 0 B/op. (In iommu-core's package,
 * because {@link PageChunks} and {@link BuddySpace} are package-private, as {@code InFlightLogBenchmark} is.)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ChunkVersusNbbsBenchmark
{
    /** Blocks per refill (the allocator's default magazine capacity). */
    static final int BLOCKS = 32;
    /** The region's first page and its order: pages [1024, 2048), chunk 1 of 1,024-page chunks. */
    static final long FIRST_PAGE = 1024;
    static final int REGION_ORDER = 10;
    /** The mixed variant's blocks per order 0 to 5. */
    static final int[] MIXED_COUNTS = {6, 6, 5, 5, 5, 5};

    private static final int CHUNK = 1;
    private static final int PAGE_BITS = 11;

    /**
     * The region the threads share, under one of the implementations.
     */
    @State(Scope.Benchmark)
    public static class Region
    {
        /** The implementation of the region. */
        @Param({"chunk", "chunk-word0", "chunk-own", "nbbs", "nbbs-elide", "nbbs-line", "nbbs-elide-line",
            "locked-buddy"})
        public String impl;

        PageChunks chunks;
        /** The chunks in use: 1; with chunk-own, 2 (thread i in chunk 1 + i). */
        int chunkCount;
        NbbsBuddyTree tree;
        BuddySpace space;
        final Object lock = new Object();

        /**
         * Builds the region, wholly free.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            switch (impl)
            {
                case "chunk":
                case "chunk-word0":
                    chunks = new PageChunks(PAGE_BITS, REGION_ORDER, false);
                    chunks.activate(CHUNK);
                    chunkCount = 1;
                    break;
                case "chunk-own":
                    chunks = new PageChunks(PAGE_BITS + 1, REGION_ORDER, false);
                    chunks.activate(CHUNK);
                    chunks.activate(CHUNK + 1);
                    chunkCount = 2;
                    break;
                case "nbbs":
                case "nbbs-elide":
                case "nbbs-line":
                case "nbbs-elide-line":
                    tree = new NbbsBuddyTree(REGION_ORDER, FIRST_PAGE, impl.startsWith("nbbs-elide"),
                        impl.endsWith("-line") ? 6 : 0);
                    break;
                case "locked-buddy":
                    space = new BuddySpace(PAGE_BITS, 64);
                    space.takeRange(1, FIRST_PAGE - 1);
                    break;
                default:
                    throw new IllegalArgumentException(impl);
            }
            checkWhole();
        }

        /**
         * Checks that every page of the region is free again (nothing leaked, nothing held).
         */
        @TearDown(Level.Trial)
        public void checkWhole()
        {
            final boolean whole;
            if (null != chunks)
            {
                boolean all = true;
                for (int c = CHUNK; c < CHUNK + chunkCount; c++)
                {
                    final boolean free = chunks.freePages(c) == 1L << REGION_ORDER && chunks.retire(c);
                    if (free)
                    {
                        chunks.activate(c);
                    }
                    all &= free;
                }
                whole = all;
            }
            else if (null != tree)
            {
                whole = tree.isWhollyFree() && tree.allocate(REGION_ORDER, 0) == FIRST_PAGE;
                if (whole)
                {
                    tree.free(FIRST_PAGE, REGION_ORDER);
                }
            }
            else
            {
                whole = space.freePages() == 1L << REGION_ORDER && space.largestFreeOrder() == REGION_ORDER &&
                    space.freeBlockCount() == 1;
            }
            if (!whole)
            {
                throw new IllegalStateException(impl + ": the region is not wholly free");
            }
        }
    }

    /**
     * One thread's magazine: the blocks it holds between refill and trim.
     */
    @State(Scope.Thread)
    public static class Magazine
    {
        /** single: 32 one-page blocks; mixed: 32 blocks of orders 0 to 5. */
        @Param({"single", "mixed"})
        public String variant;

        /** Per order, the blocks held and how many to take. */
        final long[][] blocks = new long[MIXED_COUNTS.length][BLOCKS];
        final int[] counts = new int[MIXED_COUNTS.length];
        int orders;
        /** Per order, where this thread's NBBS scan of that level starts. */
        final long[] scanStart = new long[MIXED_COUNTS.length];
        /** The thread's index (0 or 1). */
        int thread;

        /**
         * @param params the thread's index and the number of threads.
         */
        @Setup(Level.Trial)
        public void setUp(final ThreadParams params)
        {
            if (variant.equals("single"))
            {
                orders = 1;
                counts[0] = BLOCKS;
            }
            else
            {
                orders = MIXED_COUNTS.length;
                System.arraycopy(MIXED_COUNTS, 0, counts, 0, orders);
            }
            thread = params.getThreadIndex();
            for (int k = 0; k < orders; k++)
            {
                final long levelNodes = 1L << (REGION_ORDER - k);
                scanStart[k] = params.getThreadIndex() * levelNodes / params.getThreadCount();
            }
        }
    }

    /**
     * @return a checksum of the blocks (consumed by JMH).
     */
    @Benchmark
    @Threads(1)
    public long refillTrim(final Region region, final Magazine magazine)
    {
        return run(region, magazine);
    }

    /**
     * @return a checksum of the blocks (consumed by JMH).
     */
    @Benchmark
    @Threads(2)
    public long refillTrim2T(final Region region, final Magazine magazine)
    {
        return run(region, magazine);
    }

    private static long run(final Region region, final Magazine magazine)
    {
        if (null != region.chunks)
        {
            return chunk(region.chunks, CHUNK + magazine.thread % region.chunkCount,
                "chunk-word0".equals(region.impl) ? 0 : magazine.thread * 8, magazine);
        }
        if (null != region.tree)
        {
            return nbbs(region.tree, magazine);
        }
        return lockedBuddy(region, magazine);
    }

    private static long chunk(final PageChunks chunks, final int chunk, final int startWord, final Magazine magazine)
    {
        long sum = 0;
        for (int k = 0; k < magazine.orders; k++)
        {
            final long[] blocks = magazine.blocks[k];
            final int n = chunks.claim(chunk, k, blocks, magazine.counts[k], startWord);
            if (n != magazine.counts[k])
            {
                throw new IllegalStateException("chunk: " + n + " blocks of order " + k);
            }
            for (int i = 0; i < n; i++)
            {
                sum += blocks[i];
            }
        }
        for (int k = 0; k < magazine.orders; k++)
        {
            if (chunks.releaseBlocks(magazine.blocks[k], magazine.counts[k], k) != 0)
            {
                throw new IllegalStateException("chunk: a block outside the active chunk");
            }
        }
        return sum;
    }

    private static long nbbs(final NbbsBuddyTree tree, final Magazine magazine)
    {
        long sum = 0;
        for (int k = 0; k < magazine.orders; k++)
        {
            final long[] blocks = magazine.blocks[k];
            long start = magazine.scanStart[k];
            for (int i = 0; i < magazine.counts[k]; i++)
            {
                final long page = tree.allocate(k, start);
                if (page < 0)
                {
                    throw new IllegalStateException("nbbs: no block of order " + k);
                }
                blocks[i] = page;
                sum += page;
                start = ((page - FIRST_PAGE) >>> k) + 1;
            }
        }
        for (int k = 0; k < magazine.orders; k++)
        {
            final long[] blocks = magazine.blocks[k];
            for (int i = 0; i < magazine.counts[k]; i++)
            {
                tree.free(blocks[i], k);
            }
        }
        return sum;
    }

    private static long lockedBuddy(final Region region, final Magazine magazine)
    {
        final BuddySpace space = region.space;
        final long end = FIRST_PAGE + (1L << REGION_ORDER);
        long sum = 0;
        synchronized (region.lock)
        {
            for (int k = 0; k < magazine.orders; k++)
            {
                final long[] blocks = magazine.blocks[k];
                for (int i = 0; i < magazine.counts[k]; i++)
                {
                    final long page = space.takeBlock(k, FIRST_PAGE, end);
                    if (page < 0)
                    {
                        throw new IllegalStateException("locked-buddy: no block of order " + k);
                    }
                    blocks[i] = page;
                    sum += page;
                }
            }
        }
        synchronized (region.lock)
        {
            for (int k = 0; k < magazine.orders; k++)
            {
                final long[] blocks = magazine.blocks[k];
                for (int i = 0; i < magazine.counts[k]; i++)
                {
                    space.giveBlock(blocks[i], k);
                }
            }
        }
        return sum;
    }
}
