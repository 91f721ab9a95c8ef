/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.iommu.core.iova.IovaAllocator.NO_MAX;
import static dev.iommu.core.iova.IovaAllocator.NO_MIN;
import static dev.iommu.core.iova.IovaAllocator.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IovaAllocatorTest
{
    private static IovaAllocator allocator(final int width, final boolean explicit, final int magazine)
    {
        return new IovaAllocator(new IovaAllocatorConfig().addressWidth(width).explicitAllowed(explicit)
            .magazineCapacity(magazine));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void firstBlockIsPageOneNeverZeroAndBlocksAreAlignedToTheirRoundedSize(final int magazine)
    {
        final IovaAllocator a = allocator(32, false, magazine);
        assertEquals(PAGE_SIZE, a.allocate(1, NO_MIN, NO_MAX));
        final long three = a.allocate(3, NO_MIN, NO_MAX);
        // Without magazines the lowest fit; with them, the order-0 refill took pages 1 to 4 first.
        assertEquals(magazine == 0 ? 4 * PAGE_SIZE : 8 * PAGE_SIZE, three);
        final long five = a.allocate(5, NO_MIN, NO_MAX);
        assertEquals(0, five % (8 * PAGE_SIZE));
        final long big = a.allocate(1000, NO_MIN, NO_MAX);
        assertEquals(0, big % (1024 * PAGE_SIZE));
        assertTrue(big > 0);
    }

    /**
     * freeDecided (the caller's own bookkeeping decided the free): the same results as free for a block it allocated
     * (cached sizes without the arbitrating CAS, larger ones and uncached allocators through free's path), and a block
     * that is not live is still refused.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void aDecidedFreeGivesTheBlockBackAsFreeDoes(final int magazine)
    {
        final IovaAllocator a = allocator(32, false, magazine);
        final IovaThreadCache handle = a.threadCache();
        final long total = a.freeBytes();
        final long one = handle.allocate(1, NO_MIN, NO_MAX);
        final long three = handle.allocate(3, NO_MIN, NO_MAX);
        final long big = handle.allocate(1000, NO_MIN, NO_MAX);
        assertEquals(total - (1 + 4 + 1024) * PAGE_SIZE, a.freeBytes());
        assertEquals(IovaResult.SUCCESS, handle.freeDecided(one, 1));
        assertEquals(IovaResult.SUCCESS, handle.freeDecided(three, 4), "a size rounding to the block's order");
        assertEquals(IovaResult.SUCCESS, handle.freeDecided(big, 1000));
        assertEquals(total, a.freeBytes());
        assertEquals(IovaResult.NOT_ALLOCATED, handle.freeDecided(one, 1), "no longer live: free's answer");
        assertEquals(one, handle.allocate(1, NO_MIN, NO_MAX), "the block comes back");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void aRefusingHookFailsARequestAsNoSpaceAndChangesNothing(final int magazine)
    {
        final boolean[] allow = {true};
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig().addressWidth(32).explicitAllowed(true)
            .magazineCapacity(magazine).mayAllocate(() -> allow[0]));
        final long first = a.allocate(1, NO_MIN, NO_MAX);
        assertEquals(PAGE_SIZE, first);
        assertEquals(IovaResult.SUCCESS, a.free(first, 1));
        final long free = a.freeBytes();
        allow[0] = false;
        assertEquals(IovaResult.NO_SPACE, a.allocate(1, NO_MIN, NO_MAX), "refused, magazine hit or not");
        assertEquals(IovaResult.ADDRESS_IN_USE, a.allocateAt(16 * PAGE_SIZE, 2), "an explicit request too");
        assertEquals(IovaResult.INVALID_SIZE, a.allocate(0, NO_MIN, NO_MAX), "argument checks come first");
        assertEquals(free, a.freeBytes());
        allow[0] = true;
        assertEquals(first, a.allocate(1, NO_MIN, NO_MAX), "nothing was taken: the same block comes back");
    }

    @Test
    void badArgumentsHaveDistinctCodesAndChangeNothing()
    {
        final IovaAllocator a = allocator(32, true, 0);
        final long free = a.freeBytes();
        assertEquals(IovaResult.INVALID_SIZE, a.allocate(0, NO_MIN, NO_MAX));
        assertEquals(IovaResult.INVALID_SIZE, a.allocate(-5, NO_MIN, NO_MAX));
        assertEquals(IovaResult.OVERFLOW, a.allocate(Long.MAX_VALUE, NO_MIN, NO_MAX));
        assertEquals(IovaResult.BEYOND_WIDTH, a.allocate((1L << 19) + 1, NO_MIN, NO_MAX));
        assertEquals(IovaResult.INVALID_SIZE, a.allocateAt(PAGE_SIZE, 0));
        assertEquals(IovaResult.UNALIGNED_ADDRESS, a.allocateAt(PAGE_SIZE + 1, 1));
        assertEquals(IovaResult.BEYOND_WIDTH, a.allocateAt(-PAGE_SIZE, 1));
        assertEquals(IovaResult.BEYOND_WIDTH, a.allocateAt(1L << 32, 1));
        assertEquals(IovaResult.BEYOND_WIDTH, a.allocateAt((1L << 32) - PAGE_SIZE, 2));
        assertEquals(IovaResult.OVERFLOW, a.allocateAt(PAGE_SIZE, (Long.MAX_VALUE >>> 12) + 1));
        assertEquals(IovaResult.OVERFLOW, a.allocateAt(2 * PAGE_SIZE, Long.MAX_VALUE >>> 12));
        assertEquals(IovaResult.OVERFLOW, a.allocateAt(Long.MAX_VALUE - PAGE_SIZE + 1, 2));
        assertEquals(IovaResult.ADDRESS_IN_USE, a.allocateAt(0, 1));
        assertEquals(IovaResult.UNALIGNED_ADDRESS, a.free(PAGE_SIZE + 8, 1));
        assertEquals(IovaResult.INVALID_SIZE, a.free(PAGE_SIZE, 0));
        assertEquals(IovaResult.NOT_ALLOCATED, a.free(PAGE_SIZE, 1));
        assertEquals(IovaResult.NOT_ALLOCATED, a.free(0, 1));
        assertEquals(IovaResult.BEYOND_WIDTH, a.free(1L << 40, 1));
        assertEquals(free, a.freeBytes());
        assertEquals(1, a.fragmentation() < 0.5 ? 1 : 0);
    }

    @Test
    void boundsAreInclusiveOnEveryByte()
    {
        final IovaAllocator a = allocator(32, false, 0);
        // Exactly one 4-page aligned block fits in [0x10000, 0x13FFF].
        assertEquals(0x10000, a.allocate(4, 0x10000, 0x13FFF));
        assertEquals(IovaResult.NO_SPACE, a.allocate(4, 0x10000, 0x13FFF));
        // One byte less at the top: unsatisfiable even in an empty allocator.
        assertEquals(IovaResult.UNSATISFIABLE_BOUNDS, a.allocate(4, 0x10000, 0x13FFE));
        // Unaligned min rounds up to the next aligned slot.
        assertEquals(0x14000, a.allocate(4, 0x10001, 0x17FFF));
        assertEquals(IovaResult.UNSATISFIABLE_BOUNDS, a.allocate(4, 0x10001, 0x17FFE));
        assertEquals(IovaResult.UNSATISFIABLE_BOUNDS, a.allocate(1, 0x5000, 0x4000));
        assertEquals(IovaResult.UNSATISFIABLE_BOUNDS, a.allocate(1, 0, 0xFFF));
        assertEquals(IovaResult.UNSATISFIABLE_BOUNDS, a.allocate(1, 1L << 32, NO_MAX));
        assertEquals(IovaResult.UNSATISFIABLE_BOUNDS, a.allocate(1, -1, NO_MAX));
        final long high = a.allocate(1, 0xFFFF0000L, NO_MAX);
        assertEquals(0xFFFF0000L, high);
        final long top = a.allocate(2, 0xFFFF0000L, 0xFFFFFFFFL);
        assertTrue(top >= 0xFFFF0000L && top + 2 * PAGE_SIZE - 1 <= 0xFFFFFFFFL && top % (2 * PAGE_SIZE) == 0);
    }

    @Test
    void constrainedRequestsFindSpaceBelowABoundWithoutScanning()
    {
        final IovaAllocator a = allocator(48, false, 8);
        for (int i = 0; i < 1000; i++)
        {
            final long addr = a.allocate(1 + (i % 64), 0, 0xFFFFFFFFL);
            assertTrue(addr > 0 && addr < 0x1_0000_0000L, IovaResult.name(addr));
        }
        final long above = a.allocate(1, 1L << 40, NO_MAX);
        assertEquals(1L << 40, above);
    }

    @Test
    void explicitRequestsAreExactAndRefusedWhenOverlapping()
    {
        final IovaAllocator a = allocator(32, true, 4);
        assertEquals(0x5000, a.allocateAt(0x5000, 3));
        assertEquals(IovaResult.ADDRESS_IN_USE, a.allocateAt(0x7000, 1));
        assertEquals(IovaResult.ADDRESS_IN_USE, a.allocateAt(0x4000, 2));
        assertEquals(0x8000, a.allocateAt(0x8000, 1));
        final long block = a.allocate(1, NO_MIN, NO_MAX);
        assertEquals(IovaResult.ADDRESS_IN_USE, a.allocateAt(block, 1));
        assertEquals(IovaResult.WRONG_SIZE, a.free(0x5000, 4));
        assertEquals(IovaResult.WRONG_SIZE, a.free(0x5000, 2));
        assertEquals(IovaResult.SUCCESS, a.free(0x5000, 3));
        assertEquals(IovaResult.NOT_ALLOCATED, a.free(0x5000, 3));
        assertEquals(0x5000, a.allocateAt(0x5000, 3));
    }

    @Test
    void explicitForbiddenByDefault()
    {
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig());
        final long free = a.freeBytes();
        assertEquals(IovaResult.EXPLICIT_NOT_ALLOWED, a.allocateAt(0x10000, 1));
        assertEquals(free, a.freeBytes());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void doubleFreeAndWrongSizeAreRefusedWithoutCorruption(final int magazine)
    {
        final IovaAllocator a = allocator(32, false, magazine);
        final long small = a.allocate(3, NO_MIN, NO_MAX);
        final long large = a.allocate(100, NO_MIN, NO_MAX);
        assertEquals(IovaResult.WRONG_SIZE, a.free(small, 1));
        assertEquals(IovaResult.WRONG_SIZE, a.free(small, 5));
        assertEquals(IovaResult.WRONG_SIZE, a.free(small, 64));
        assertEquals(IovaResult.WRONG_SIZE, a.free(large, 64));
        assertEquals(IovaResult.WRONG_SIZE, a.free(large, 129));
        assertEquals(IovaResult.NOT_ALLOCATED, a.free(small + PAGE_SIZE, 1));
        assertEquals(IovaResult.SUCCESS, a.free(small, 4));
        assertEquals(IovaResult.NOT_ALLOCATED, a.free(small, 3));
        assertEquals(IovaResult.SUCCESS, a.free(large, 128));
        assertEquals(IovaResult.NOT_ALLOCATED, a.free(large, 100));
        a.releaseThreadCache();
        a.trim();
        assertEquals(0, a.cachedBytes());
        assertEquals((1L << 32) - PAGE_SIZE, a.freeBytes());
        // Whole again: [1, 2^20) is one block per order.
        assertEquals(20, a.freeBlockCount());
    }

    @Test
    void reservedRegionsAreCarvedOutAndNeverHandedOut()
    {
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig().addressWidth(24).explicitAllowed(true)
            .magazineCapacity(0).reserve(0, 4).reserve(0x10000, 16).reserve(0x800000, 0x400));
        assertEquals(4 + 16 + 0x400, a.reservedPages());
        assertEquals(IovaResult.ADDRESS_IN_USE, a.allocateAt(0x1F000, 2));
        assertEquals(IovaResult.ADDRESS_IN_USE, a.allocateAt(0x3000, 1));
        assertEquals(0x4000, a.allocate(1, NO_MIN, NO_MAX));
        assertEquals(IovaResult.NOT_ALLOCATED, a.free(0x10000, 16));
        long count = 0;
        while (true)
        {
            final long addr = a.allocate(1, NO_MIN, NO_MAX);
            if (addr < 0)
            {
                assertEquals(IovaResult.NO_SPACE, addr);
                break;
            }
            assertTrue(addr >= 0x4000, "page 0..3 reserved");
            assertTrue(addr < 0x10000 || addr >= 0x20000, "reserved region handed out");
            assertTrue(addr < 0x800000 || addr >= 0xC00000, "reserved region handed out");
            count++;
        }
        assertEquals((1L << 12) - 4 - 16 - 0x400 - 1, count);
    }

    @Test
    void badConfigurationsAreRefused()
    {
        assertEquals(IovaResult.INVALID_WIDTH, new IovaAllocatorConfig().addressWidth(12).validate());
        assertEquals(IovaResult.INVALID_WIDTH, new IovaAllocatorConfig().addressWidth(64).validate());
        assertEquals(IovaResult.SUCCESS, new IovaAllocatorConfig().addressWidth(63).validate());
        assertEquals(IovaResult.UNALIGNED_ADDRESS, new IovaAllocatorConfig().reserve(5, 1).validate());
        assertEquals(IovaResult.INVALID_SIZE, new IovaAllocatorConfig().reserve(0x1000, 0).validate());
        assertEquals(IovaResult.BEYOND_WIDTH, new IovaAllocatorConfig().addressWidth(20).reserve(0xFF000, 2)
            .validate());
        assertEquals(IovaResult.RESERVED_OVERLAP, new IovaAllocatorConfig().reserve(0x1000, 4).reserve(0x4000, 1)
            .validate());
        assertThrows(IllegalArgumentException.class,
            () -> new IovaAllocator(new IovaAllocatorConfig().addressWidth(0)));
        assertEquals(IovaResult.INVALID_SIZE, new IovaAllocatorConfig().maxCachedPages(0).validate());
        assertEquals(IovaResult.INVALID_SIZE, new IovaAllocatorConfig().maxCachedPages(48).validate());
        assertEquals(IovaResult.INVALID_SIZE, new IovaAllocatorConfig().maxCachedPages(1 << 21).validate());
        assertEquals(IovaResult.SUCCESS, new IovaAllocatorConfig().maxCachedPages(1 << 20).validate());
        assertEquals(IovaResult.SUCCESS, new IovaAllocatorConfig().maxCachedPages(1).validate());
    }

    @Test
    void largerCachedSizesGoThroughMagazinesAndStayExact()
    {
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig().addressWidth(36).magazineCapacity(4)
            .maxCachedPages(1024));
        final IovaThreadCache handle = a.threadCache();
        final long big = handle.allocate(1000, NO_MIN, NO_MAX);
        assertTrue(big > 0 && (big & (1024 * PAGE_SIZE - 1)) == 0, "aligned to 1024 pages");
        final long huge = handle.allocate(1025, NO_MIN, NO_MAX);
        assertTrue(huge > 0, "above the cached sizes: the locked path");
        assertEquals(IovaResult.WRONG_SIZE, handle.free(big, 512));
        assertEquals(IovaResult.WRONG_SIZE, a.free(big, 1025));
        assertEquals(IovaResult.SUCCESS, handle.free(big, 1024));
        assertTrue(a.cachedBytes() >= 1024 * PAGE_SIZE, "the freed 1024-page block sits in a magazine");
        assertEquals(IovaResult.NOT_ALLOCATED, a.free(big, 1000), "double free");
        assertEquals(big, a.allocate(513, NO_MIN, NO_MAX), "served from the magazine");
        final long bounded = a.allocate(600, 0x4000_0000L, 0x7FFF_FFFFL);
        assertTrue(bounded >= 0x4000_0000L && bounded + 1024 * PAGE_SIZE - 1 <= 0x7FFF_FFFFL, "bounds exact");
        assertEquals(IovaResult.SUCCESS, a.free(big, 1024));
        assertEquals(IovaResult.SUCCESS, a.free(bounded, 600));
        assertEquals(IovaResult.SUCCESS, a.free(huge, 1025));
        a.releaseThreadCache();
        a.trim();
        assertEquals(0, a.cachedBytes());
        assertEquals((1L << 36) - PAGE_SIZE, a.freeBytes());
        assertEquals(36 - 12, a.freeBlockCount(), "whole again");
    }

    @Test
    void widestAndNarrowestWidthsWork()
    {
        final IovaAllocator wide = allocator(63, true, 4);
        final long top = wide.allocate(1, 1L << 62, NO_MAX);
        assertEquals(1L << 62, top);
        assertEquals((1L << 63) - PAGE_SIZE, wide.allocateAt((1L << 63) - PAGE_SIZE, 1));
        assertEquals(IovaResult.SUCCESS, wide.free((1L << 63) - PAGE_SIZE, 1));
        assertEquals(IovaResult.OVERFLOW, wide.allocate(1L << 51, NO_MIN, NO_MAX));
        assertEquals(IovaResult.BEYOND_WIDTH, wide.allocate((1L << 50) + 1, NO_MIN, NO_MAX));
        // The only 2^50-page block is the upper half, and it is partly taken.
        assertEquals(IovaResult.NO_SPACE, wide.allocate(1L << 50, NO_MIN, NO_MAX));
        assertEquals(1L << 61, wide.allocate(1L << 49, NO_MIN, NO_MAX));
        final IovaAllocator narrow = allocator(13, false, 4);
        assertEquals(PAGE_SIZE, narrow.allocate(1, NO_MIN, NO_MAX));
        assertEquals(IovaResult.NO_SPACE, narrow.allocate(1, NO_MIN, NO_MAX));
        assertEquals(IovaResult.BEYOND_WIDTH, narrow.allocate(2, NO_MIN, NO_MAX));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void threadCacheHandleBehavesAsTheAllocatorAndRefusesBadFrees(final int magazine)
    {
        final IovaAllocator a = allocator(32, false, magazine);
        final IovaThreadCache handle = a.threadCache();
        assertSame(a, handle.allocator());
        if (magazine > 0)
        {
            assertSame(handle, a.threadCache(), "one cache per thread");
        }
        final long small = handle.allocate(3, NO_MIN, NO_MAX);
        final long large = handle.allocate(100, NO_MIN, NO_MAX);
        final long bounded = handle.allocate(2, 0x100000, 0x1FFFFF);
        assertTrue(small > 0 && (small & (4 * PAGE_SIZE - 1)) == 0, "aligned to its rounded size");
        assertTrue(bounded >= 0x100000 && bounded + 2 * PAGE_SIZE - 1 <= 0x1FFFFF, "within bounds");
        assertEquals(IovaResult.UNSATISFIABLE_BOUNDS, handle.allocate(4, 0x1000, 0x4FFF));
        assertEquals(IovaResult.INVALID_SIZE, handle.allocate(0, NO_MIN, NO_MAX));
        assertEquals(IovaResult.WRONG_SIZE, handle.free(small, 1));
        assertEquals(IovaResult.WRONG_SIZE, handle.free(large, 64));
        assertEquals(IovaResult.UNALIGNED_ADDRESS, handle.free(small + 1, 4));
        assertEquals(IovaResult.SUCCESS, handle.free(small, 4));
        assertEquals(IovaResult.NOT_ALLOCATED, handle.free(small, 4), "double free through the handle");
        assertEquals(IovaResult.NOT_ALLOCATED, a.free(small, 4), "double free through the allocator");
        assertEquals(IovaResult.SUCCESS, a.free(large, 100));
        assertEquals(IovaResult.SUCCESS, handle.free(bounded, 2));
        a.releaseThreadCache();
        a.trim();
        assertEquals(0, a.cachedBytes());
        assertEquals((1L << 32) - PAGE_SIZE, a.freeBytes());
        assertEquals(20, a.freeBlockCount(), "whole again");
    }

    @Test
    void threadCacheHandleUsedByAnotherThreadLeavesTheOwnersMagazinesAlone() throws Exception
    {
        final IovaAllocator a = allocator(24, false, 4);
        final IovaThreadCache mine = a.threadCache();
        final long kept = mine.allocate(1, NO_MIN, NO_MAX);
        assertEquals(IovaResult.SUCCESS, mine.free(kept, 1));
        final long cachedByMe = a.cachedBytes();
        assertTrue(cachedByMe > 0, "the owner's magazine holds blocks");
        final long[] got = new long[3];
        final Thread other = new Thread(() ->
        {
            // The leaked handle must not pop from or push to the owner's (unsynchronised) magazines.
            got[0] = mine.allocate(1, NO_MIN, NO_MAX);
            got[1] = mine.free(got[0], 1);
            got[2] = mine == a.threadCache() ? 1 : 0;
        });
        other.start();
        other.join();
        assertTrue(got[0] > 0);
        assertEquals(IovaResult.SUCCESS, got[1]);
        assertEquals(0, got[2], "the other thread has its own cache");
        assertEquals(kept, mine.allocate(1, NO_MIN, NO_MAX), "the owner's magazine is as it left it");
        assertEquals(IovaResult.SUCCESS, mine.free(kept, 1));
        a.releaseThreadCache();
        a.trim();
        assertEquals((1L << 24) - PAGE_SIZE, a.freeBytes());
        assertEquals(24 - 12, a.freeBlockCount(), "whole again");
    }

    @Test
    void cachesOfTerminatedThreadsAreTakenBack() throws Exception
    {
        final IovaAllocator a = allocator(24, false, 4);
        final Thread worker = new Thread(() ->
        {
            for (int i = 0; i < 6; i++)
            {
                a.free(a.allocate(1 + i % 3, NO_MIN, NO_MAX), 1 + i % 3);
            }
        });
        worker.start();
        worker.join();
        assertTrue(a.cachedBytes() > 0, "the worker's magazines hold its freed blocks");
        final Thread next = new Thread(() ->
        {
            a.free(a.allocate(1, NO_MIN, NO_MAX), 1);
            a.releaseThreadCache();
        });
        next.start();
        next.join();
        assertEquals(0, a.cachedBytes(), "a new thread's registration took them back");
        assertEquals((1L << 24) - PAGE_SIZE, a.freeBytes());
        assertEquals(24 - 12, a.freeBlockCount(), "whole again");
    }

    @Test
    void cachedSpaceStaysWithinTheConfiguredBound()
    {
        final int magazine = 8;
        final int depot = 3;
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig().addressWidth(32).magazineCapacity(magazine)
            .depotMagazines(depot));
        final long[] blocks = new long[20_000];
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < blocks.length; i++)
            {
                blocks[i] = a.allocate(1 + i % 32, NO_MIN, NO_MAX);
                assertTrue(blocks[i] > 0);
            }
            for (int i = 0; i < blocks.length; i++)
            {
                assertEquals(IovaResult.SUCCESS, a.free(blocks[i], 1 + i % 32));
                // The depot's queues hold a power of two of magazines: 3 rounds up to 4.
                final long boundPages = (2L + 4) * magazine * 63;
                assertTrue(a.cachedBytes() <= boundPages * PAGE_SIZE, "cached " + a.cachedBytes());
            }
        }
        assertEquals((1L << 32) - PAGE_SIZE, a.freeBytes());
        a.releaseThreadCache();
        a.trim();
        assertEquals(0, a.cachedBytes());
        assertEquals(32 - 12, a.freeBlockCount(), "whole again");
    }

    @Test
    void introspection()
    {
        final IovaAllocator a = allocator(24, false, 4);
        assertEquals((1L << 24) - PAGE_SIZE, a.freeBytes());
        assertEquals(1L << 23, a.largestFreeBlockBytes());
        final long x = a.allocate(1, NO_MIN, NO_MAX);
        assertEquals(IovaResult.SUCCESS, a.free(x, 1));
        assertTrue(a.cachedBytes() > 0, "freed block cached");
        assertEquals((1L << 24) - PAGE_SIZE, a.freeBytes());
        a.releaseThreadCache();
        assertEquals(0, a.cachedBytes());
        assertEquals(0.5, a.fragmentation(), 0.01);
    }

    @Test
    void anAllocatorAThreadUsedIsNotKeptReachableByThatThread()
    {
        final java.lang.ref.WeakReference<IovaAllocator> ref = usedThenDropped();
        for (int i = 0; i < 100 && null != ref.get(); i++)
        {
            System.gc();
            Thread.onSpinWait();
        }
        org.junit.jupiter.api.Assertions.assertNull(ref.get(), "the thread's cache kept a dropped allocator alive");
    }

    private static java.lang.ref.WeakReference<IovaAllocator> usedThenDropped()
    {
        final IovaAllocator allocator = new IovaAllocator(new IovaAllocatorConfig().addressWidth(39));
        final long address = allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        allocator.free(address, 1);
        return new java.lang.ref.WeakReference<>(allocator);
    }
}
