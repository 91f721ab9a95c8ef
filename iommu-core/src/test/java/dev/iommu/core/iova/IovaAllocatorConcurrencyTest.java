/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static dev.iommu.core.iova.IovaAllocator.NO_MAX;
import static dev.iommu.core.iova.IovaAllocator.NO_MIN;
import static dev.iommu.core.iova.IovaAllocator.PAGE_SHIFT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads allocate and free (also each other's blocks) for a bounded number of operations; a shared page bitmap,
 * set with atomic OR when a block is handed out and cleared before it is freed, proves no two live blocks ever
 * overlap. At the end nothing is leaked: after the threads end and a trim, the space is whole.
 */
class IovaAllocatorConcurrencyTest
{
    private static final int WIDTH = 26;
    private static final long TOTAL_PAGES = 1L << (WIDTH - PAGE_SHIFT);
    private static final int THREADS = 4;
    private static final int OPS = 150_000;
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] pageBits = new long[(int)(TOTAL_PAGES / 64)];
    private final AtomicReference<String> failure = new AtomicReference<>();

    @Test
    void liveBlocksNeverOverlapAndNothingLeaks() throws Exception
    {
        final long seed = System.nanoTime();
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig().addressWidth(WIDTH).explicitAllowed(true)
            .magazineCapacity(16).depotMagazines(2));
        final ConcurrentLinkedQueue<long[]> handoff = new ConcurrentLinkedQueue<>();
        final AtomicInteger successes = new AtomicInteger();
        final Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++)
        {
            final Random random = new Random(seed + t);
            threads[t] = new Thread(() -> run(a, random, handoff, successes), "iova-" + t);
        }
        for (final Thread t : threads)
        {
            t.start();
        }
        for (final Thread t : threads)
        {
            t.join();
        }
        assertNull(failure.get(), "seed " + seed);
        long[] b;
        while ((b = handoff.poll()) != null)
        {
            release(a, b[0], b[1], b[2] != 0);
        }
        assertNull(failure.get(), "seed " + seed);
        assertTrue(successes.get() > OPS, "seed " + seed + " successes " + successes.get());
        // The workers have ended: trim reclaims their magazines; this thread's own cache holds the handed-off frees.
        a.releaseThreadCache();
        a.trim();
        assertEquals(0, a.cachedBytes(), "seed " + seed);
        assertEquals((TOTAL_PAGES - 1) << PAGE_SHIFT, a.freeBytes(), "seed " + seed);
        assertEquals(WIDTH - PAGE_SHIFT, a.freeBlockCount(), "seed " + seed + ": whole again");
    }

    @Test
    void racingFreesOfOneBlockHaveExactlyOneWinner() throws Exception
    {
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig().addressWidth(30).magazineCapacity(8));
        final int rounds = 5_000;
        final long[] block = new long[1];
        final int[] wins = new int[2];
        final CyclicBarrier start = new CyclicBarrier(2, () -> block[0] = a.allocate(1, NO_MIN, NO_MAX));
        final CyclicBarrier end = new CyclicBarrier(2);
        final Thread[] threads = new Thread[2];
        final AtomicReference<String> bad = new AtomicReference<>();
        for (int t = 0; t < 2; t++)
        {
            final int me = t;
            threads[t] = new Thread(() ->
            {
                try
                {
                    for (int r = 0; r < rounds; r++)
                    {
                        start.await();
                        // One thread frees through its handle, the other through the allocator's lookup.
                        final int result = me == 0 ? a.threadCache().free(block[0], 1) : a.free(block[0], 1);
                        if (result == IovaResult.SUCCESS)
                        {
                            wins[me]++;
                        }
                        else if (result != IovaResult.NOT_ALLOCATED)
                        {
                            bad.set("unexpected " + IovaResult.name(result));
                        }
                        end.await();
                    }
                }
                catch (final Exception ex)
                {
                    bad.set(ex.toString());
                }
            });
        }
        for (final Thread t : threads)
        {
            t.start();
        }
        for (final Thread t : threads)
        {
            t.join();
        }
        assertNull(bad.get());
        assertEquals(rounds, wins[0] + wins[1], "each block freed exactly once");
        a.trim();
        assertEquals(0, a.cachedBytes());
        assertEquals(30 - PAGE_SHIFT, a.freeBlockCount(), "whole again: no block cached twice");
        assertEquals((1L << 30) - (1L << PAGE_SHIFT), a.freeBytes());
    }

    private void run(final IovaAllocator a, final Random random, final ConcurrentLinkedQueue<long[]> handoff,
        final AtomicInteger successes)
    {
        final long[] addr = new long[256];
        final long[] pages = new long[256];
        final boolean[] explicit = new boolean[256];
        int live = 0;
        final IovaThreadCache handle = a.threadCache();
        for (int op = 0; op < OPS && failure.get() == null; op++)
        {
            final int dice = random.nextInt(100);
            if (dice < 50 && live < addr.length)
            {
                final long n = random.nextInt(10) < 8 ? 1 + random.nextInt(8) : 1 + random.nextInt(256);
                final long result;
                boolean isExplicit = false;
                if (dice < 5)
                {
                    result = a.allocateAt((1 + random.nextInt((int)TOTAL_PAGES - 64)) << PAGE_SHIFT, n % 16 + 1);
                    isExplicit = true;
                }
                else if (dice < 15)
                {
                    result = a.allocate(n, 0, 0xFFFFFFL);
                }
                else
                {
                    result = (op & 1) == 0 ? handle.allocate(n, NO_MIN, NO_MAX) : a.allocate(n, NO_MIN, NO_MAX);
                }
                if (result > 0)
                {
                    final long span = isExplicit ? n % 16 + 1 : 1L << IovaAllocator.orderOf(n);
                    claim(result >>> PAGE_SHIFT, span);
                    addr[live] = result;
                    pages[live] = isExplicit ? n % 16 + 1 : n;
                    explicit[live] = isExplicit;
                    live++;
                    successes.incrementAndGet();
                }
                else if (result != IovaResult.NO_SPACE && result != IovaResult.ADDRESS_IN_USE)
                {
                    failure.compareAndSet(null, "unexpected " + IovaResult.name(result));
                }
            }
            else if (live > 0)
            {
                final int i = random.nextInt(live);
                if (random.nextInt(8) == 0)
                {
                    handoff.add(new long[] {addr[i], pages[i], explicit[i] ? 1 : 0});
                }
                else
                {
                    release(a, addr[i], pages[i], explicit[i]);
                }
                live--;
                addr[i] = addr[live];
                pages[i] = pages[live];
                explicit[i] = explicit[live];
            }
            else
            {
                final long[] b = handoff.poll();
                if (b != null)
                {
                    release(a, b[0], b[1], b[2] != 0);
                }
            }
        }
        for (int i = 0; i < live; i++)
        {
            release(a, addr[i], pages[i], explicit[i]);
        }
    }

    private void release(final IovaAllocator a, final long address, final long n, final boolean isExplicit)
    {
        final long span = isExplicit ? n : 1L << IovaAllocator.orderOf(n);
        unclaim(address >>> PAGE_SHIFT, span);
        // Half the frees go through the calling thread's handle (the handed-off ones from other threads' blocks).
        final int result = (address & IovaAllocator.PAGE_SIZE) != 0 ?
            a.threadCache().free(address, n) : a.free(address, n);
        if (result != IovaResult.SUCCESS)
        {
            failure.compareAndSet(null, "free " + address + " " + n + ": " + IovaResult.name(result));
        }
    }

    private void claim(final long page, final long span)
    {
        for (long p = page; p < page + span; p++)
        {
            final long bit = 1L << p;
            final long old = (long)WORDS.getAndBitwiseOr(pageBits, (int)(p >>> 6), bit);
            if ((old & bit) != 0)
            {
                failure.compareAndSet(null, "page " + p + " handed out twice");
            }
        }
    }

    private void unclaim(final long page, final long span)
    {
        for (long p = page; p < page + span; p++)
        {
            final long bit = 1L << p;
            final long old = (long)WORDS.getAndBitwiseAnd(pageBits, (int)(p >>> 6), ~bit);
            if ((old & bit) == 0)
            {
                failure.compareAndSet(null, "page " + p + " freed but not live");
            }
        }
    }
}
