/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChunkPool} on its own, where timing matters: the chunk activated for a refill under the lock can be emptied
 * by another thread's lock-free refill before the refilling thread claims from it (one magazine of 32-page blocks
 * is a whole 1,024-page chunk). Found by {@code IovaBatchBenchmark} with two threads and sizes 1 to 32 pages
 * (an {@code ArrayIndexOutOfBoundsException} in the refill).
 */
class ChunkPoolTest
{
    private static final int ORDER = 10;

    @Test
    void aRefillWhoseNewChunkWasEmptiedMeanwhileReportsNothingAndTheCallerFallsBack()
    {
        final BuddySpace space = new BuddySpace(20, 64);
        final PageChunks chunks = new DrainedOnActivation(20);
        final ChunkPool pool = new ChunkPool(chunks, space, 1, 1L << 20, 32);
        final IovaThreadCache cache = new IovaThreadCache(null, Thread.currentThread(), 5, 32);
        final long free = space.freePages();
        assertEquals(-1, pool.refillActivatingLocked(cache, 5));
        assertEquals(0, cache.loadedCount[5], "nothing in the magazine");
        assertEquals(free - ((1L << ORDER) - 1), space.freePages(), "chunk 0 left the buddy space, active");
        assertEquals(0, pool.freePagesLocked(), "and the other thread holds all of it");
        assertEquals(1, pool.refillActivatingLocked(cache, 0) >>> ORDER,
            "the next refill activates chunk 1");
    }

    @Test
    void aRefillFromAFreshChunkHandsOutItsLowestBlockAndKeepsTheRestInTheMagazine()
    {
        final BuddySpace space = new BuddySpace(20, 64);
        final ChunkPool pool = new ChunkPool(new PageChunks(20, ORDER, false), space, 1, 1L << 20, 32);
        final IovaThreadCache cache = new IovaThreadCache(null, Thread.currentThread(), 5, 32);
        assertEquals(1, pool.refillActivatingLocked(cache, 0), "chunk 0, page 0 aside");
        assertEquals(31, cache.loadedCount[0]);
        assertEquals(2, cache.loaded[0][30], "the next pop is page 2");
        assertTrue(pool.release(1, 0));
        assertEquals((1L << ORDER) - 1 - 31, pool.freePagesLocked());
    }

    /**
     * Chunks whose every activation is followed at once by another thread's refill taking all its order-5 blocks
     * (played here by the activating thread itself, in the publish step).
     */
    private static final class DrainedOnActivation extends PageChunks
    {
        private boolean drained;

        DrainedOnActivation(final int pageBits)
        {
            super(pageBits, ORDER, false);
        }

        @Override
        void publishActive(final long[] leaf, final int header, final long chunk)
        {
            super.publishActive(leaf, header, chunk);
            if (!drained)
            {
                drained = true;
                final long[] out = new long[32];
                claim(chunk, 5, out, 32);
                claim(chunk, 0, out, 32);
                claim(chunk, 1, out, 32);
                claim(chunk, 2, out, 32);
                claim(chunk, 3, out, 32);
                claim(chunk, 4, out, 32);
            }
        }
    }
}
