/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads claim and release blocks of every order in two small chunks (one at a time, or a magazine's worth word by
 * word) while another thread retires and reactivates them, as the allocator's lock holder does. An owner array (one
 * CAS per page from 0 to the claiming thread, before the thread uses the block; cleared before it releases) proves
 * that no page is ever held by two threads; a successful retirement is checked to find every page unowned (no block
 * can be out of a retired chunk). At the end every chunk retires: nothing leaked. The same run with a word update
 * that is not atomic (read, then write), or with an activation that frees the words before it marks the chunk
 * active, must break the invariant: that is what shows the test can fail.
 */
class PageChunksConcurrencyTest
{
    private static final int ORDER = 10;
    private static final int CHUNKS = 2;
    private static final int WORKERS = 3;
    private static final long OPS = 200_000;

    @Test
    void noPageIsEverClaimedTwiceAndRetirementFindsEveryPageFree() throws Exception
    {
        final Outcome outcome = run(new PageChunks(20, ORDER, false), OPS);
        assertNull(outcome.failure.get(), () -> outcome.failure.get());
        assertTrue(outcome.claimed.get() > OPS, "blocks claimed: " + outcome.claimed.get());
        assertTrue(outcome.retired.get() > 0, "retirements that succeeded while workers ran: " + outcome.retired.get());
    }

    @Test
    void aWordUpdateThatIsNotAtomicIsCaught() throws Exception
    {
        // Up to 20 runs: each usually fails within its first thousands of operations.
        Outcome outcome = null;
        for (int i = 0; i < 20 && (null == outcome || null == outcome.failure.get()); i++)
        {
            outcome = run(new NonAtomicPageChunks(20, ORDER), OPS);
        }
        assertNotNull(outcome.failure.get(), "the broken variant was not caught");
    }

    @Test
    void anActivationThatFreesTheWordsBeforeMarkingTheChunkActiveIsCaught() throws Exception
    {
        // About one run in two catches it on 2 cores (the activation must be preempted between the two steps).
        Outcome outcome = null;
        for (int i = 0; i < 30 && (null == outcome || null == outcome.failure.get()); i++)
        {
            outcome = run(new WordsBeforeHeaderPageChunks(20, ORDER), OPS);
        }
        assertNotNull(outcome.failure.get(), "the broken variant was not caught");
    }

    private static Outcome run(final PageChunks chunks, final long ops) throws InterruptedException
    {
        final Outcome outcome = new Outcome();
        final AtomicIntegerArray owner = new AtomicIntegerArray(CHUNKS << ORDER);
        final Object lock = new Object();
        for (int c = 0; c < CHUNKS; c++)
        {
            chunks.activate(c);
        }
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread[] workers = new Thread[WORKERS];
        for (int t = 0; t < WORKERS; t++)
        {
            final int id = t + 1;
            workers[t] = new Thread(() -> work(chunks, owner, id, ops, outcome), "chunk-worker-" + id);
        }
        final Thread retirer = new Thread(() ->
        {
            final Random random = new Random(7);
            while (!stop.get() && null == outcome.failure.get())
            {
                final int c = random.nextInt(CHUNKS);
                synchronized (lock)
                {
                    if (chunks.retire(c))
                    {
                        outcome.retired.incrementAndGet();
                        for (int p = c << ORDER; p < (c + 1) << ORDER; p++)
                        {
                            if (owner.get(p) != 0)
                            {
                                outcome.failure.compareAndSet(null, "chunk " + c + " retired while page " + p +
                                    " is held by worker " + owner.get(p));
                            }
                        }
                        chunks.activate(c);
                    }
                }
                Thread.yield();
            }
        }, "chunk-retirer");
        retirer.start();
        for (final Thread w : workers)
        {
            w.start();
        }
        for (final Thread w : workers)
        {
            w.join();
        }
        stop.set(true);
        retirer.join();
        if (null == outcome.failure.get())
        {
            for (int c = 0; c < CHUNKS; c++)
            {
                final long free = chunks.freePages(c);
                if (!chunks.retire(c))
                {
                    outcome.failure.compareAndSet(null, "chunk " + c + " does not retire at the end: " + free +
                        " pages free");
                }
            }
        }
        return outcome;
    }

    private static void work(final PageChunks chunks, final AtomicIntegerArray owner, final int id, final long ops,
        final Outcome outcome)
    {
        final Random random = new Random(id * 31L);
        final long[] held = new long[64];
        final int[] heldOrder = new int[64];
        final long[] out = new long[8];
        final long[] scratch = new long[64];
        int count = 0;
        try
        {
            for (long op = 0; op < ops && null == outcome.failure.get(); op++)
            {
                if (count > 0 && (count == held.length || random.nextInt(3) == 0) && random.nextBoolean())
                {
                    // Release everything held, one order at a time as a trimmed magazine is (word by word).
                    for (int k = 0; k <= 8; k++)
                    {
                        int n = 0;
                        for (int i = 0; i < count; i++)
                        {
                            if (heldOrder[i] == k)
                            {
                                for (long p = held[i]; p < held[i] + (1L << k); p++)
                                {
                                    owner.set((int)p, 0);
                                }
                                scratch[n++] = held[i];
                            }
                        }
                        if (n > 0 && chunks.releaseBlocks(scratch, n, k) != 0)
                        {
                            outcome.failure.compareAndSet(null, "a block of an active chunk was not released");
                        }
                    }
                    count = 0;
                    continue;
                }
                if (count > 0 && (count == held.length || random.nextInt(3) == 0))
                {
                    // Release everything held (so that retirements can succeed), or one block.
                    final int release = random.nextBoolean() ? count : 1;
                    for (int i = 0; i < release; i++)
                    {
                        count--;
                        final long page = held[count];
                        final int k = heldOrder[count];
                        for (long p = page; p < page + (1L << k); p++)
                        {
                            owner.set((int)p, 0);
                        }
                        chunks.release(page, 1L << k);
                    }
                    continue;
                }
                final int k = random.nextInt(4) == 0 ? 7 + random.nextInt(2) : random.nextInt(6);
                final int n = chunks.claim(random.nextInt(CHUNKS), k, out, Math.min(out.length,
                    held.length - count));
                for (int i = 0; i < n; i++)
                {
                    for (long p = out[i]; p < out[i] + (1L << k); p++)
                    {
                        if (!owner.compareAndSet((int)p, 0, id))
                        {
                            outcome.failure.compareAndSet(null, "worker " + id + " claimed page " + p +
                                " held by worker " + owner.get((int)p));
                            return;
                        }
                    }
                    held[count] = out[i];
                    heldOrder[count] = k;
                    count++;
                }
                outcome.claimed.addAndGet(n);
            }
            while (count > 0)
            {
                count--;
                for (long p = held[count]; p < held[count] + (1L << heldOrder[count]); p++)
                {
                    owner.set((int)p, 0);
                }
                chunks.release(held[count], 1L << heldOrder[count]);
            }
        }
        catch (final IllegalStateException e)
        {
            outcome.failure.compareAndSet(null, "worker " + id + ": " + e.getMessage());
        }
    }

    private static final class Outcome
    {
        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicLong claimed = new AtomicLong();
        final AtomicLong retired = new AtomicLong();
    }

    /**
     * The broken variant of the activation: the words freed before the header says active, so a thread that claims
     * a page meanwhile may read the chunk inactive when it gives the page back.
     */
    private static final class WordsBeforeHeaderPageChunks extends PageChunks
    {
        WordsBeforeHeaderPageChunks(final int pageBits, final int chunkOrder)
        {
            super(pageBits, chunkOrder, false);
        }

        @Override
        void publishActive(final long[] leaf, final int header, final long chunk)
        {
            svWordsFree(leaf, header, chunk);
            Thread.yield();
            svHeader(leaf, header, PageChunkDescriptor.ACTIVE);
        }
    }

    /**
     * The broken variant: a word update as a read then a write, so that two threads that read the same word both
     * "succeed" and one's bits are lost.
     */
    private static final class NonAtomicPageChunks extends PageChunks
    {
        private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

        NonAtomicPageChunks(final int pageBits, final int chunkOrder)
        {
            super(pageBits, chunkOrder, false);
        }

        @Override
        boolean casWord(final long[] leaf, final int index, final long expected, final long update)
        {
            if ((long)WORD.getVolatile(leaf, index) != expected)
            {
                return false;
            }
            Thread.onSpinWait();
            WORD.setVolatile(leaf, index, update);
            return true;
        }
    }
}
