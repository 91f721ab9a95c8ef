/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import org.junit.jupiter.api.Test;

import static dev.iommu.core.iova.IovaAllocator.NO_MAX;
import static dev.iommu.core.iova.IovaAllocator.NO_MIN;
import static dev.iommu.core.iova.IovaAllocator.PAGE_SHIFT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allocator with its lock-free chunks (a 24-bit space: 4,096 pages, four chunks of 1,024): pages a chunk holds
 * free stay available to explicit, constrained and larger requests, a refused explicit request leaves chunks and
 * buddy space as they were, and free chunks go back to the buddy space when a request needs them.
 */
class IovaAllocatorChunksTest
{
    private static final long PAGES = 1L << 12;

    private static IovaAllocator allocator(final boolean chunks)
    {
        return new IovaAllocator(new IovaAllocatorConfig().addressWidth(24).explicitAllowed(true).magazineCapacity(4)
            .depotMagazines(1).nonBlockingChunks(chunks));
    }

    private static long page(final long address)
    {
        return address >>> PAGE_SHIFT;
    }

    @Test
    void smallBlocksComeFromChunkZeroAsTheyCameFromTheBuddySpace()
    {
        final IovaAllocator on = allocator(true);
        final IovaAllocator off = allocator(false);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(off.allocate(1 + i % 3, NO_MIN, NO_MAX), on.allocate(1 + i % 3, NO_MIN, NO_MAX), "block " + i);
        }
        assertEquals(off.freeBytes(), on.freeBytes());
        assertEquals(2, on.freeBlockCount(), "chunk 0 left the buddy space whole: [1024, 2048) and [2048, 4096)");
        assertTrue(off.freeBlockCount() > 2, "without chunks the buddy space was split page by page");
    }

    @Test
    void anExplicitRangeInsideAnActiveChunkIsTakenFromItAndGivenBack()
    {
        final IovaAllocator a = allocator(true);
        assertEquals(1, page(a.allocate(1, NO_MIN, NO_MAX)), "chunk 0 active; pages 2 to 4 in the magazine");
        final long before = a.freeBytes();
        assertEquals(256L << PAGE_SHIFT, a.allocateAt(256L << PAGE_SHIFT, 8));
        assertEquals(before - (8L << PAGE_SHIFT), a.freeBytes());
        assertEquals(2L << PAGE_SHIFT, a.allocateAt(2L << PAGE_SHIFT, 1),
            "page 2 sat in the caller's magazine: drained for the explicit request");
        assertEquals(IovaResult.SUCCESS, a.free(256L << PAGE_SHIFT, 8));
        assertEquals(IovaResult.SUCCESS, a.free(2L << PAGE_SHIFT, 1));
        assertEquals(before, a.freeBytes());
        assertEquals(256L << PAGE_SHIFT, a.allocateAt(256L << PAGE_SHIFT, 8), "the chunk has the pages back");
    }

    @Test
    void aRefusedExplicitRangeAcrossTwoChunksChangesNothing()
    {
        final IovaAllocator a = allocator(true);
        final long[] blocks = new long[1024];
        for (int i = 0; i < blocks.length; i++)
        {
            blocks[i] = a.allocate(1, NO_MIN, NO_MAX);
        }
        assertEquals(1024, page(blocks[1023]), "chunk 0 used up: the 1,024th block is chunk 1's first page");
        for (int i = 1; i < 1023; i++)
        {
            assertEquals(IovaResult.SUCCESS, a.free(blocks[i], 1), "page 1 stays live: chunk 0 is not retired");
        }
        final long free = a.freeBytes();
        final int freeBlocks = a.freeBlockCount();
        assertEquals(IovaResult.ADDRESS_IN_USE, a.allocateAt(1000L << PAGE_SHIFT, 30),
            "[1000, 1024) is free in chunk 0, page 1024 is live in chunk 1");
        assertEquals(free, a.freeBytes());
        assertEquals(freeBlocks, a.freeBlockCount());
        assertEquals(1000L << PAGE_SHIFT, a.allocateAt(1000L << PAGE_SHIFT, 24), "chunk 0's part was given back");
        assertEquals(IovaResult.SUCCESS, a.free(1000L << PAGE_SHIFT, 24));
        assertEquals(IovaResult.SUCCESS, a.free(blocks[0], 1));
        assertEquals(IovaResult.SUCCESS, a.free(blocks[1023], 1));
        a.releaseThreadCache();
        assertEquals((PAGES - 1) << PAGE_SHIFT, a.freeBytes());
        assertEquals(12, a.freeBlockCount(), "both chunks retired: the buddy space is whole, one block per order");
    }

    @Test
    void aRefusedExplicitRangeFromTheBuddySpaceIntoAChunkChangesNothing()
    {
        final IovaAllocator a = allocator(true);
        assertEquals(1, page(a.allocate(1, NO_MIN, NO_MAX)));
        // 64 pages: larger than the cached sizes, from the buddy space: the lowest fit is chunk 1's first pages.
        assertEquals(1024, page(a.allocate(64, NO_MIN, NO_MAX)));
        final long free = a.freeBytes();
        assertEquals(IovaResult.ADDRESS_IN_USE, a.allocateAt(1000L << PAGE_SHIFT, 30));
        assertEquals(free, a.freeBytes());
        assertEquals(1000L << PAGE_SHIFT, a.allocateAt(1000L << PAGE_SHIFT, 24));
        assertEquals(free - (24L << PAGE_SHIFT), a.freeBytes());
    }

    @Test
    void aConstrainedRequestFindsAFreeBlockInsideAChunk()
    {
        final IovaAllocator a = allocator(true);
        a.allocate(1, NO_MIN, NO_MAX);
        final long address = a.allocate(4, 500L << PAGE_SHIFT, (600L << PAGE_SHIFT) - 1);
        assertEquals(500, page(address), "the buddy space holds nothing in [500, 600): chunk 0 does");
        final long free = a.freeBytes();
        assertEquals(IovaResult.SUCCESS, a.free(address, 4));
        assertEquals(free + (4L << PAGE_SHIFT), a.freeBytes());
    }

    @Test
    void aLargerBlockUsesChunkSpaceWhenTheBuddySpaceHasNone()
    {
        final IovaAllocator a = allocator(true);
        a.allocate(1, NO_MIN, NO_MAX);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(1024L * (i + 1), page(a.allocate(1024, NO_MIN, NO_MAX)),
                "the buddy space's chunk-sized blocks");
        }
        final long address = a.allocate(64, NO_MIN, NO_MAX);
        assertEquals(64, page(address), "from chunk 0, above the pages the first refill took");
        assertEquals(IovaResult.NO_SPACE, a.allocate(1024, NO_MIN, NO_MAX));
        final long free = a.freeBytes();
        assertEquals(IovaResult.SUCCESS, a.free(address, 64));
        assertEquals(free + (64L << PAGE_SHIFT), a.freeBytes());
    }

    @Test
    void freeChunksGoBackToTheBuddySpaceForARequestThatNeedsThem()
    {
        final IovaAllocator a = allocator(true);
        final long[] blocks = new long[2000];
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < blocks.length; i++)
            {
                blocks[i] = a.allocate(1 + i % 2, NO_MIN, NO_MAX);
                assertTrue(blocks[i] > 0, "block " + i);
            }
            for (int i = 0; i < blocks.length; i++)
            {
                assertEquals(IovaResult.SUCCESS, a.free(blocks[i], 1 + i % 2));
            }
        }
        assertEquals(2048, page(a.allocate(2048, NO_MIN, NO_MAX)), "half the space: every chunk retired first");
        assertEquals((PAGES - 1 - 2048) << PAGE_SHIFT, a.freeBytes());
    }
}
