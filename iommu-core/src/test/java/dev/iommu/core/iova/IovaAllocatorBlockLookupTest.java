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
 * The observed profile's allocator queries: {@link IovaAllocator#liveBlockContaining(long)} and the reserved-region
 * marks ({@link IovaAllocator#reservedRegionAt(long)}, {@link IovaAllocator#markReservedInUse(int)}).
 */
class IovaAllocatorBlockLookupTest
{
    private static final long PAGE = IovaAllocator.PAGE_SIZE;

    @Test
    void theLiveBlockContainingAnAddressSmallOrLarge()
    {
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig().addressWidth(32));
        final long small = a.allocate(3, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        final long large = a.allocate(1024, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        assertEquals(((small >>> 12) << 6) | 2, a.liveBlockContaining(small + 3 * PAGE + 5), "4-page block, last page");
        assertEquals(((large >>> 12) << 6) | 10, a.liveBlockContaining(large + 1000 * PAGE));
        assertEquals(IovaResult.NOT_ALLOCATED, a.liveBlockContaining(large + 1024 * PAGE));
        assertEquals(IovaResult.SUCCESS, a.free(small, 4));
        assertEquals(IovaResult.NOT_ALLOCATED, a.liveBlockContaining(small), "a freed (cached) block is not live");
        assertEquals(IovaResult.NOT_ALLOCATED, a.liveBlockContaining(-1));
        assertEquals(IovaResult.NOT_ALLOCATED, a.liveBlockContaining(1L << 32));
    }

    @Test
    void aBlockOfTheWholeSpaceIsFound()
    {
        // With page 0 usable the largest block is the whole space: order = address width - 12.
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig().addressWidth(24).pageZeroUsable(true));
        assertEquals(0, a.allocate(4096, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX));
        assertEquals(12, a.liveBlockContaining(0x5000) & 63, "the whole-space block, order 12");
        assertEquals(0, a.liveBlockContaining(0xFF_F000) >>> 6, "from its first page");
    }

    @Test
    void reservedRegionsAreFoundAndMarked()
    {
        final IovaAllocator a = new IovaAllocator(new IovaAllocatorConfig().addressWidth(32)
            .reserve(0x10_0000L, 4).reserve(0x80_0000L, 1));
        assertEquals(0, a.reservedRegionAt(0x10_0000L + 3 * PAGE + 7));
        assertEquals(-1, a.reservedRegionAt(0x10_0000L + 4 * PAGE));
        assertEquals(1, a.reservedRegionAt(0x80_0000L));
        assertFalse(a.reservedInUse(1));
        a.markReservedInUse(1);
        a.markReservedInUse(1);
        assertTrue(a.reservedInUse(1));
        assertFalse(a.reservedInUse(0));
    }
}
