/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static dev.iommu.core.iova.IovaAllocator.NO_MAX;
import static dev.iommu.core.iova.IovaAllocator.NO_MIN;
import static dev.iommu.core.iova.IovaAllocator.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IovaAllocator#restoreBlock}: an allocator rebuilt from the live blocks of another (what a restarted owner
 * reads back from its page tables) has the same free space, frees each block as the original would, and refuses
 * what no allocation could have returned, changing nothing.
 */
class IovaAllocatorRestoreTest
{
    private static final int WIDTH = 32;

    private static IovaAllocator allocator()
    {
        return new IovaAllocator(new IovaAllocatorConfig().addressWidth(WIDTH));
    }

    @Test
    void aRebuiltAllocatorHasTheSameFreeSpaceAndFreesEachBlockAsTheOriginal()
    {
        final SplittableRandom random = new SplittableRandom(20261130);
        final IovaAllocator original = allocator();
        final List<long[]> live = new ArrayList<>();
        for (int i = 0; i < 5_000; i++)
        {
            if (!live.isEmpty() && random.nextInt(3) == 0)
            {
                final long[] block = live.remove(random.nextInt(live.size()));
                assertEquals(IovaResult.SUCCESS, original.free(block[0], block[1]));
                continue;
            }
            final long pages = 1 + (random.nextBoolean() ? random.nextInt(32) : random.nextInt(1024));
            final long address = original.allocate(pages, NO_MIN, NO_MAX);
            assertTrue(address > 0);
            live.add(new long[] {address, pages});
        }
        final IovaAllocator rebuilt = allocator();
        for (final long[] block : live)
        {
            final long rounded = 1L << IovaAllocator.orderOf(block[1]);
            assertEquals(block[0], rebuilt.restoreBlock(block[0], rounded));
        }
        assertEquals(original.freeBytes(), rebuilt.freeBytes(), "free space is the complement of the live blocks");
        for (final long[] block : live)
        {
            assertEquals(IovaResult.SUCCESS, rebuilt.free(block[0], block[1]), "block at " + block[0]);
            assertEquals(IovaResult.NOT_ALLOCATED, rebuilt.free(block[0], block[1]), "freed once");
        }
        rebuilt.releaseThreadCache();
        rebuilt.trim();
        assertEquals((1L << WIDTH) - PAGE_SIZE, rebuilt.freeBytes());
        assertEquals(WIDTH - 12, rebuilt.freeBlockCount(), "whole again");
    }

    @Test
    void restoringManyBlocksAtOnceEqualsRestoringEachInTurn()
    {
        final SplittableRandom random = new SplittableRandom(20260611);
        for (int round = 0; round < 20; round++)
        {
            // Random aligned blocks, ascending: some touching (runs), some with gaps, some around reserved regions.
            final IovaAllocatorConfig config = new IovaAllocatorConfig().addressWidth(WIDTH)
                .reserve(0x10_0000L, 3).reserve(0x40_0000L + 5 * PAGE_SIZE, 40);
            final IovaAllocator one = new IovaAllocator(config);
            final IovaAllocator many = new IovaAllocator(config);
            final long[] blocks = new long[2_000];
            int count = 0;
            long page = 1;
            while (count < blocks.length)
            {
                final int order = random.nextInt(8) == 0 ? 6 + random.nextInt(6) : random.nextInt(5);
                page = (page + (1L << order) - 1) & -(1L << order);
                if (random.nextInt(3) == 0)
                {
                    page += (long)random.nextInt(5) << order;
                }
                if (one.restoreBlock(page << 12, 1L << order) == page << 12)
                {
                    blocks[count++] = (page << 6) | order;
                }
                page += 1L << order;
            }
            assertEquals(-1, many.restoreBlocks(blocks, count));
            assertEquals(one.freeBytes(), many.freeBytes());
            assertArrayEquals(IovaFreeSpace.freeBlocks(one), IovaFreeSpace.freeBlocks(many), "round " + round);
            for (int i = 0; i < count; i++)
            {
                assertEquals(blocks[i], many.liveBlockContaining((blocks[i] >>> 6) << 12));
                assertEquals(IovaResult.SUCCESS, many.free((blocks[i] >>> 6) << 12, 1L << (blocks[i] & 63)));
            }
            many.releaseThreadCache();
            many.trim();
            assertArrayEquals(IovaFreeSpace.freeBlocks(new IovaAllocator(config)), IovaFreeSpace.freeBlocks(many));
        }
    }

    @Test
    void manyBlocksAtOnceAreAllOrNothing()
    {
        final IovaAllocatorConfig config = new IovaAllocatorConfig().addressWidth(WIDTH).reserve(64 * PAGE_SIZE, 4);
        final IovaAllocator a = new IovaAllocator(config);
        final long[] fresh = IovaFreeSpace.freeBlocks(a);
        final long free = a.freeBytes();
        assertEquals(2, a.restoreBlocks(new long[] {(16L << 6) | 4, (32L << 6) | 5, (64L << 6) | 2}, 3),
            "a reserved block");
        assertEquals(0, a.restoreBlocks(new long[] {(0L << 6), (1L << 6)}, 2), "page 0");
        assertEquals(1, a.restoreBlocks(new long[] {(8L << 6) | 3, (12L << 6) | 2}, 2), "overlapping");
        assertEquals(1, a.restoreBlocks(new long[] {(8L << 6) | 3, (4L << 6) | 2}, 2), "descending");
        assertEquals(1, a.restoreBlocks(new long[] {(8L << 6) | 3, (20L << 6) | 3}, 2), "unaligned");
        assertEquals(0, a.restoreBlocks(new long[] {(1L << 6) | 30}, 1), "larger than any block");
        assertEquals(1, a.restoreBlocks(new long[] {(8L << 6) | 3, (1L << (WIDTH - 12)) << 6}, 2), "beyond");
        assertEquals(128 * PAGE_SIZE, a.restoreBlock(128 * PAGE_SIZE, 128));
        assertEquals(1, a.restoreBlocks(new long[] {(96L << 6) | 5, (160L << 6) | 5}, 2), "restored before");
        assertEquals(free - 128 * PAGE_SIZE, a.freeBytes(), "nothing changed");
        assertEquals(IovaResult.SUCCESS, a.free(128 * PAGE_SIZE, 128));
        assertArrayEquals(fresh, IovaFreeSpace.freeBlocks(a));
        assertEquals(-1, a.restoreBlocks(new long[0], 0), "nothing to restore");
    }

    @Test
    void whatNoAllocationCouldHaveReturnedIsRefusedAndChangesNothing()
    {
        final IovaAllocator a = allocator();
        assertEquals(16 * PAGE_SIZE, a.restoreBlock(16 * PAGE_SIZE, 16));
        assertEquals(1 << 22, a.restoreBlock(1 << 22, 1024), "a block beyond the cached sizes");
        assertEquals(IovaResult.UNALIGNED_ADDRESS, a.restoreBlock(1 << 20, 1024));
        final long free = a.freeBytes();
        assertEquals(IovaResult.INVALID_SIZE, a.restoreBlock(64 * PAGE_SIZE, 3));
        assertEquals(IovaResult.INVALID_SIZE, a.restoreBlock(64 * PAGE_SIZE, 0));
        assertEquals(IovaResult.INVALID_SIZE, a.restoreBlock(0, 1L << (WIDTH - 12)), "larger than any block");
        assertEquals(IovaResult.UNALIGNED_ADDRESS, a.restoreBlock(68 * PAGE_SIZE, 8));
        assertEquals(IovaResult.UNALIGNED_ADDRESS, a.restoreBlock(64 * PAGE_SIZE + 1, 1));
        assertEquals(IovaResult.ADDRESS_IN_USE, a.restoreBlock(16 * PAGE_SIZE, 16), "restored twice");
        assertEquals(IovaResult.ADDRESS_IN_USE, a.restoreBlock(0, 32), "overlaps a live block");
        assertEquals(IovaResult.ADDRESS_IN_USE, a.restoreBlock(0, 1), "page 0 is never handed out");
        assertEquals(IovaResult.BEYOND_WIDTH, a.restoreBlock(1L << WIDTH, 1));
        assertEquals(free, a.freeBytes(), "nothing changed");
        assertEquals(IovaResult.WRONG_SIZE, a.free(16 * PAGE_SIZE, 1));
        assertEquals(IovaResult.SUCCESS, a.free(16 * PAGE_SIZE, 9), "a size rounding to the block's");
        assertEquals(IovaResult.SUCCESS, a.free(1 << 22, 1024));
        assertEquals(IovaResult.NOT_ALLOCATED, a.free(1 << 22, 1024));
    }
}
