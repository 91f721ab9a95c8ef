/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One thread's view of {@link PageChunks}: claims, bounds, ranges, releases, retirement, each against what the
 * chunk's free pages must then be.
 */
class PageChunksTest
{
    private static final int ORDER = 10;
    private static final long CHUNK = 1L << ORDER;

    @Test
    void alignedFreeStartsMatchesABitByBitSearch()
    {
        final Random random = new Random(20261130);
        for (int i = 0; i < 20_000; i++)
        {
            // Sparse and dense words both: OR or AND of two random words.
            final long word = i % 2 == 0 ? random.nextLong() & random.nextLong() :
                random.nextLong() | random.nextLong();
            for (int k = 0; k <= 6; k++)
            {
                final int size = 1 << k;
                long expected = 0;
                for (int start = 0; start + size <= 64; start += size)
                {
                    final long mask = size == 64 ? -1L : ((1L << size) - 1) << start;
                    if ((word & mask) == 0)
                    {
                        expected |= 1L << start;
                    }
                }
                assertEquals(expected, PageChunks.alignedFreeStarts(word, k), "word " + Long.toHexString(word) +
                    " order " + k);
            }
        }
    }

    @Test
    void anInactiveChunkHasNothingToClaim()
    {
        final PageChunks chunks = new PageChunks(20, ORDER, false);
        assertFalse(chunks.isActive(3));
        assertEquals(0, chunks.claim(3, 0, new long[4], 4));
        assertEquals(-1, chunks.claimWithin(3, 0, 0, 1L << 20));
        assertEquals(1L << 20, chunks.endPage(), "2^20 pages make 1,024 chunks");
    }

    @Test
    void claimsLowestPagesFirstAndSeveralFromOneWordAtOnce()
    {
        final PageChunks chunks = new PageChunks(20, ORDER, false);
        chunks.activate(2);
        final long base = 2 * CHUNK;
        final long[] out = new long[8];
        assertEquals(5, chunks.claim(2, 0, out, 5));
        assertArrayEquals(new long[] {base, base + 1, base + 2, base + 3, base + 4, 0, 0, 0}, out);
        assertEquals(CHUNK - 5, chunks.freePages(2));
        assertEquals(3, chunks.claim(2, 2, out, 3), "order 2: aligned to 4, past the five pages taken");
        assertEquals(base + 8, out[0]);
        assertEquals(base + 12, out[1]);
        assertEquals(base + 16, out[2]);
        assertEquals(CHUNK - 17, chunks.freePages(2));
    }

    @Test
    void aScanStartsAtItsOwnWordAndWrapsRound()
    {
        final PageChunks chunks = new PageChunks(20, ORDER, false);
        chunks.activate(1);
        final long base = CHUNK;
        final long[] out = new long[4];
        assertEquals(2, chunks.claim(1, 0, out, 2, 8));
        assertEquals(base + 8 * 64, out[0], "word 8: the second cache line of the bitmap");
        assertEquals(base + 8 * 64 + 1, out[1]);
        assertEquals(1, chunks.claim(1, 8, out, 1, 8), "order 8: four words, from the group holding word 8");
        assertEquals(base + 768, out[0], "words 8 to 11 hold a taken page: the next group");
        assertEquals(2, chunks.claim(1, 8, out, 2, 12), "from word 12: words 12 to 15 are taken, then from word 0");
        assertEquals(base, out[0]);
        assertEquals(base + 256, out[1]);
        assertEquals(1, chunks.claim(1, 0, out, 1, 16 + 8), "the start word is taken modulo the words");
        assertEquals(base + 8 * 64 + 2, out[0]);
    }

    @Test
    void pageZeroStaysTakenInChunkZeroUnlessUsable()
    {
        final PageChunks chunks = new PageChunks(20, ORDER, false);
        chunks.activate(0);
        assertEquals(CHUNK - 1, chunks.freePages(0));
        final long[] out = new long[2];
        assertEquals(2, chunks.claim(0, 0, out, 2));
        assertArrayEquals(new long[] {1, 2}, out);
        final PageChunks usable = new PageChunks(20, ORDER, true);
        usable.activate(0);
        assertEquals(CHUNK, usable.freePages(0));
        assertEquals(1, usable.claim(0, 0, out, 1));
        assertEquals(0, out[0]);
    }

    @Test
    void blocksOfSeveralWordsAreClaimedWholeAndAConflictUndoesThePartTaken()
    {
        final PageChunks chunks = new PageChunks(20, ORDER, false);
        chunks.activate(1);
        final long base = CHUNK;
        // An order-7 block is 128 pages, two words; page 100 of the chunk is in word 1 of the first such block.
        assertTrue(chunks.claimRange(base + 100, 1));
        final long[] out = new long[1];
        assertEquals(1, chunks.claim(1, 7, out, 1));
        assertEquals(base + 128, out[0], "the first group holds a taken page: the next one");
        // Word 0 was claimed and then given back: its 64 pages are free again (1,024 - 1 - 128).
        assertEquals(CHUNK - 129, chunks.freePages(1));
        assertEquals(1, chunks.claim(1, 0, out, 1));
        assertEquals(base, out[0], "page 0 of the chunk is free again after the undo");
    }

    @Test
    void claimWithinKeepsToTheBounds()
    {
        final PageChunks chunks = new PageChunks(20, ORDER, false);
        chunks.activate(4);
        final long base = 4 * CHUNK;
        assertEquals(base + 72, chunks.claimWithin(4, 3, base + 65, base + 200));
        assertEquals(base + 80, chunks.claimWithin(4, 3, base + 65, base + 200));
        assertEquals(-1, chunks.claimWithin(4, 3, base + 65, base + 87), "[65, 87) holds no free aligned 8");
        assertEquals(base + 256, chunks.claimWithin(4, 7, base + 129, base + 512));
        assertEquals(-1, chunks.claimWithin(4, 7, base + 257, base + 511));
        assertEquals(-1, chunks.claimWithin(4, 0, 0, base), "below the chunk");
        assertEquals(CHUNK - 8 - 8 - 128, chunks.freePages(4));
    }

    @Test
    void aClaimedRangeIsAllOrNothing()
    {
        final PageChunks chunks = new PageChunks(20, ORDER, false);
        chunks.activate(1);
        final long base = CHUNK;
        assertTrue(chunks.claimRange(base + 300, 1));
        assertFalse(chunks.claimRange(base + 10, 291), "the range ends on a taken page, four words in");
        assertEquals(CHUNK - 1, chunks.freePages(1), "the words before were given back");
        assertTrue(chunks.claimRange(base + 10, 290));
        assertEquals(CHUNK - 291, chunks.freePages(1));
        chunks.release(base + 10, 290);
        assertEquals(CHUNK - 1, chunks.freePages(1));
    }

    @Test
    void releasingAFreePageIsRefusedAndChangesNothing()
    {
        final PageChunks chunks = new PageChunks(20, ORDER, false);
        chunks.activate(1);
        final long base = CHUNK;
        assertTrue(chunks.claimRange(base, 3));
        assertThrows(IllegalStateException.class, () -> chunks.release(base + 2, 2));
        assertEquals(CHUNK - 3, chunks.freePages(1));
        chunks.release(base, 3);
        assertEquals(CHUNK, chunks.freePages(1));
    }

    @Test
    void aMagazineIsReleasedWordByWordAndBlocksOutsideChunksAreGatheredForTheBuddySpace()
    {
        final PageChunks chunks = new PageChunks(20, ORDER, false);
        chunks.activate(1);
        chunks.activate(2);
        final long[] a = new long[40];
        final long[] b = new long[3];
        assertEquals(40, chunks.claim(1, 0, a, 40), "words 0 and 1 of chunk 1");
        assertEquals(3, chunks.claim(2, 0, b, 3));
        // A trimmed magazine: chunk 1's blocks in two runs, chunk 2's, and three pages of chunk 3 (inactive).
        final long[] magazine = new long[46];
        System.arraycopy(a, 0, magazine, 0, 20);
        magazine[20] = 3 * CHUNK + 7;
        System.arraycopy(b, 0, magazine, 21, 3);
        magazine[24] = 3 * CHUNK + 9;
        System.arraycopy(a, 20, magazine, 25, 20);
        magazine[45] = 3 * CHUNK + 11;
        assertEquals(3, chunks.releaseBlocks(magazine, 46, 0));
        assertArrayEquals(new long[] {3 * CHUNK + 7, 3 * CHUNK + 9, 3 * CHUNK + 11},
            java.util.Arrays.copyOf(magazine, 3));
        assertEquals(CHUNK, chunks.freePages(1));
        assertEquals(CHUNK, chunks.freePages(2));
        final long[] wide = new long[2];
        assertEquals(2, chunks.claim(1, 7, wide, 2));
        assertEquals(0, chunks.releaseBlocks(wide, 2, 7), "blocks of several words, one at a time");
        assertEquals(CHUNK, chunks.freePages(1));
        assertThrows(IllegalStateException.class, () -> chunks.releaseBlocks(new long[] {CHUNK + 5}, 1, 0),
            "a free page released");
        assertEquals(1, chunks.claim(1, 0, wide, 1));
        assertThrows(IllegalStateException.class, () -> chunks.releaseBlocks(new long[] {wide[0], wide[0]}, 2, 0),
            "one block twice in a magazine");
    }

    @Test
    void retiringNeedsEveryPageFreeAndLeavesNothingToClaim()
    {
        final PageChunks chunks = new PageChunks(20, ORDER, false);
        chunks.activate(5);
        final long base = 5 * CHUNK;
        assertTrue(chunks.claimRange(base + CHUNK - 1, 1));
        assertFalse(chunks.retire(5), "the last page is out");
        assertTrue(chunks.isActive(5));
        assertEquals(CHUNK - 1, chunks.freePages(5), "the refused retirement gave back the words it took");
        chunks.release(base + CHUNK - 1, 1);
        assertTrue(chunks.retire(5));
        assertFalse(chunks.isActive(5));
        assertFalse(chunks.inActiveChunk(base));
        assertEquals(0, chunks.claim(5, 0, new long[1], 1), "a retired chunk is all taken");
        chunks.activate(5);
        assertEquals(CHUNK, chunks.freePages(5));
        chunks.activate(0);
        assertTrue(chunks.retire(0), "chunk 0 retires with only page 0 taken");
    }

    @Test
    void chunksLiveOnlyInTheLowestPartOfALargeSpace()
    {
        final PageChunks chunks = new PageChunks(36, ORDER, false);
        assertEquals((long)PageChunks.MAX_CHUNKS << ORDER, chunks.endPage());
        assertThrows(IllegalArgumentException.class, () -> new PageChunks(10, ORDER, false));
        assertThrows(IllegalArgumentException.class, () -> new PageChunks(30, PageChunks.MAX_CHUNK_ORDER + 1, false));
    }
}
