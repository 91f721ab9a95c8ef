/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IovaAllocatorConfig#pageZeroUsable(boolean)}: the observed Windows buddy allocator hands out logical address
 * 0 first; the default keeps page 0 reserved.
 */
class IovaPageZeroTest
{
    private static final long PAGE = IovaAllocator.PAGE_SIZE;

    @Test
    void defaultStillNeverHandsOutAddressZero()
    {
        final IovaAllocatorConfig config = new IovaAllocatorConfig().addressWidth(20);
        assertFalse(config.pageZeroUsable());
        final IovaAllocator allocator = new IovaAllocator(config);
        assertEquals(PAGE, allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(IovaResult.INVALID_WIDTH, new IovaAllocatorConfig().addressWidth(12).validate());
        assertEquals(((1L << 20) - 2 * PAGE), allocator.freeBytes());
    }

    @Test
    void firstBlockStartsAtZeroAndLowAddressesArePreferred()
    {
        final IovaAllocator cached = new IovaAllocator(new IovaAllocatorConfig().addressWidth(20)
            .pageZeroUsable(true));
        assertEquals(1L << 20, cached.freeBytes());
        assertEquals(0, cached.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(PAGE, cached.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(IovaResult.SUCCESS, cached.free(0, 1));
        assertEquals(0, cached.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        final IovaAllocator allocator = new IovaAllocator(new IovaAllocatorConfig().addressWidth(20)
            .pageZeroUsable(true).magazineCapacity(0));
        assertEquals(0, allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(PAGE, allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(4 * PAGE, allocator.allocate(4, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(2 * PAGE, allocator.allocate(2, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(IovaResult.SUCCESS, allocator.free(0, 1));
        assertEquals(0, allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
    }

    @Test
    void uncachedLargeAndWholeSpaceBlocksIncludePageZero()
    {
        final IovaAllocator allocator = new IovaAllocator(new IovaAllocatorConfig().addressWidth(20)
            .pageZeroUsable(true).magazineCapacity(0));
        final long whole = 1L << (20 - 12);
        assertEquals(0, allocator.allocate(whole, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(0, allocator.freeBytes());
        assertEquals(IovaResult.NO_SPACE, allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(IovaResult.SUCCESS, allocator.free(0, whole));
        assertEquals(1L << 20, allocator.largestFreeBlockBytes());
        assertEquals(0, allocator.allocate(64, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(IovaResult.SUCCESS, allocator.free(0, 64));
        assertEquals(1L << 20, allocator.largestFreeBlockBytes());
    }

    @Test
    void minimumBoundStillExcludesPageZero()
    {
        final IovaAllocator allocator = new IovaAllocator(new IovaAllocatorConfig().addressWidth(20)
            .pageZeroUsable(true));
        assertEquals(PAGE, allocator.allocate(1, PAGE, IovaAllocator.NO_MAX));
        assertEquals(0, allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
    }

    @Test
    void addressWidthTwelveIsOnePageAtZero()
    {
        final IovaAllocatorConfig config = new IovaAllocatorConfig().addressWidth(12).pageZeroUsable(true);
        assertEquals(IovaResult.SUCCESS, config.validate());
        assertEquals(IovaResult.INVALID_WIDTH, new IovaAllocatorConfig().addressWidth(11).pageZeroUsable(true)
            .validate());
        final IovaAllocator allocator = new IovaAllocator(config);
        assertEquals(PAGE, allocator.freeBytes());
        assertEquals(0, allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(IovaResult.NO_SPACE, allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(IovaResult.BEYOND_WIDTH, allocator.allocate(2, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(IovaResult.SUCCESS, allocator.free(0, 1));
        assertEquals(0, allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
    }

    @Test
    void reservedRegionAtZeroIsCarvedOutWholeAndExplicitZeroIsAllowed()
    {
        final IovaAllocator allocator = new IovaAllocator(new IovaAllocatorConfig().addressWidth(20)
            .pageZeroUsable(true).reserve(0, 2));
        assertEquals(2, allocator.reservedPages());
        assertEquals(2 * PAGE, allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        final IovaAllocator explicit = new IovaAllocator(new IovaAllocatorConfig().addressWidth(20)
            .pageZeroUsable(true).explicitAllowed(true));
        assertEquals(0, explicit.allocateAt(0, 3));
        assertEquals(IovaResult.ADDRESS_IN_USE, explicit.allocateAt(PAGE, 1));
        assertEquals(IovaResult.SUCCESS, explicit.free(0, 3));
        assertTrue(explicit.freeBytes() == 1L << 20);
    }
}
