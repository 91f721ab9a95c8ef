/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads on one shared domain and on separate domains: every live mapping of a thread keeps translating to that
 * thread's frames while the other thread maps and unmaps (so no address is ever handed out twice, and no unmap
 * removes another's pages); and the library's calls allocate nothing.
 */
class DmaMapperConcurrencyTest
{
    private static final long PAGE = 4096;
    private static final int THREADS = 2;
    private static final int ROUNDS = 20_000;
    private static final int OUTSTANDING = 8;

    @ParameterizedTest
    @ValueSource(strings = {"library", "skiplist", "tree"})
    void sharedDomainThreadsNeverSeeEachOthersPages(final String name) throws Exception
    {
        try (DmaMapperFactory factory = DmaMapperFactories.create(name, 48))
        {
            final DmaMapper owner = factory.create();
            run(name, new DmaMapper[]{owner.share(), owner.share()});
            assertEquals(MapperResult.FAULT_NOT_PRESENT, owner.translate(PAGE, DmaMapper.READ));
            owner.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "skiplist", "tree"})
    void separateDomainThreadsRunIndependently(final String name) throws Exception
    {
        try (DmaMapperFactory factory = DmaMapperFactories.create(name, 48))
        {
            final DmaMapper[] mappers = {factory.create(), factory.create()};
            run(name, mappers);
            mappers[0].close();
            mappers[1].close();
        }
    }

    private static void run(final String name, final DmaMapper[] mappers) throws Exception
    {
        final long seed = System.nanoTime();
        final CyclicBarrier start = new CyclicBarrier(THREADS);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++)
        {
            final int id = t;
            threads[t] = new Thread(() ->
            {
                try
                {
                    start.await();
                    work(mappers[id], id, seed + id);
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        final Throwable t = failure.get();
        assertNull(t, () -> name + " seed " + seed + ": " + t);
    }

    private static void work(final DmaMapper mapper, final int id, final long seed)
    {
        final java.util.Random random = new java.util.Random(seed);
        final long[] iovas = new long[OUTSTANDING];
        final int[] counts = new int[OUTSTANDING];
        final long[][] frames = new long[OUTSTANDING][4];
        final long tag = (long)(id + 1) << 32;
        for (int round = 0; round < ROUNDS; round++)
        {
            final int slot = random.nextInt(OUTSTANDING);
            if (counts[slot] == 0)
            {
                final int count = 1 + random.nextInt(4);
                for (int i = 0; i < count; i++)
                {
                    frames[slot][i] = tag | (round * 4L + i);
                }
                final long iova = mapper.map(frames[slot], count, DmaMapper.READ_WRITE);
                if (iova <= 0)
                {
                    throw new AssertionError("map failed: " + MapperResult.name(iova));
                }
                iovas[slot] = iova;
                counts[slot] = count;
            }
            else
            {
                final int status = mapper.unmap(iovas[slot], counts[slot]);
                if (status != MapperResult.SUCCESS)
                {
                    throw new AssertionError("unmap failed: " + MapperResult.name(status));
                }
                final long after = mapper.translate(iovas[slot], DmaMapper.READ);
                if (after == frames[slot][0] * PAGE)
                {
                    throw new AssertionError("still translates after unmap at " + iovas[slot]);
                }
                counts[slot] = 0;
            }
            for (int s = 0; s < OUTSTANDING; s++)
            {
                for (int i = 0; i < counts[s]; i++)
                {
                    final long got = mapper.translate(iovas[s] + i * PAGE + 7, DmaMapper.WRITE);
                    if (got != frames[s][i] * PAGE + 7)
                    {
                        throw new AssertionError("thread " + id + " page " + (iovas[s] + i * PAGE) +
                            " translates to " + got + ", expected " + (frames[s][i] * PAGE + 7));
                    }
                }
            }
        }
        for (int s = 0; s < OUTSTANDING; s++)
        {
            if (counts[s] > 0 && mapper.unmap(iovas[s], counts[s]) != MapperResult.SUCCESS)
            {
                throw new AssertionError("final unmap failed");
            }
        }
    }

    @Test
    void libraryMapUnmapTranslateAllocateNothing()
    {
        final com.sun.management.ThreadMXBean bean =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (DmaMapperFactory factory = DmaMapperFactories.create("library", 48))
        {
            final DmaMapper mapper = factory.create();
            final long[] frames = {0x1000, 0x2000, 0x3000};
            final long warm = loop(mapper, frames, 20_000);
            final long id = Thread.currentThread().getId();
            final long before = bean.getThreadAllocatedBytes(id);
            final long sum = loop(mapper, frames, 100_000);
            final long allocated = bean.getThreadAllocatedBytes(id) - before;
            assertTrue(warm != 0 && sum != 0);
            assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 100,000 rounds");
            mapper.close();
        }
    }

    private static long loop(final DmaMapper mapper, final long[] frames, final int rounds)
    {
        long sum = 0;
        for (int i = 0; i < rounds; i++)
        {
            final long iova = mapper.map(frames, 1 + (i % 3), DmaMapper.READ_WRITE);
            sum += mapper.translate(iova, DmaMapper.READ);
            sum += mapper.unmap(iova, 1 + (i % 3));
        }
        return sum;
    }
}
