/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.dma;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestMemoryTest
{
    private static final long BASE = 0x1_0000_0000L;

    private final GuestMemory memory = GuestMemory.allocate(BASE, 4);

    @Test
    void readsBackWhatWasWrittenByPhysicalAddress()
    {
        memory.putLong(BASE + 0x1008, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, memory.getLong(BASE + 0x1008));
        memory.putLongRelease(BASE + 0x3FF8, 42);
        assertEquals(42, memory.getLongVolatile(BASE + 0x3FF8));

        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[16]);
        bytes.putStringWithoutLengthAscii(0, "dma payload");
        memory.putBytes(BASE + 0x2000, bytes, 0, 11);
        final UnsafeBuffer back = new UnsafeBuffer(new byte[16]);
        memory.getBytes(BASE + 0x2000, back, 0, 11);
        assertEquals("dma payload", back.getStringWithoutLengthAscii(0, 11));
        assertEquals(BASE / 4096, memory.firstFrame());
    }

    @Test
    void refusesAccessOutsideGuestMemory()
    {
        assertTrue(memory.contains(BASE, 4 * 4096));
        assertFalse(memory.contains(BASE - 1, 1));
        assertFalse(memory.contains(BASE + 4 * 4096 - 4, 8));
        assertFalse(memory.contains(BASE, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> memory.getLong(BASE + 4 * 4096 - 4));
        assertThrows(IndexOutOfBoundsException.class, () -> memory.putLong(BASE - 8, 1));
        assertThrows(IllegalArgumentException.class, () -> memory.getLongVolatile(BASE + 4));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(BASE + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(BASE, 0));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate((1L << 52) - 4096, 2));
    }

    @Test
    void frameAllocatorHandsOutLowestFreeRunsAndChecksFrees()
    {
        final FrameAllocator frames = new FrameAllocator(memory);
        assertEquals(BASE, frames.allocate(1));
        assertEquals(BASE + 0x1000, frames.allocate(2));
        assertEquals(-1, frames.allocate(2));
        frames.free(BASE, 1);
        assertEquals(BASE, frames.allocate(1), "the lowest free run");
        assertEquals(BASE + 0x3000, frames.allocate(1));
        assertEquals(4, frames.usedFrames());
        frames.free(BASE + 0x1000, 2);
        assertThrows(IllegalArgumentException.class, () -> frames.free(BASE, 3), "a run with free frames");
        assertThrows(IllegalArgumentException.class, () -> frames.free(BASE + 0x1000, 1), "double free");
        assertThrows(IllegalArgumentException.class, () -> frames.allocate(0));
        assertEquals(2, frames.usedFrames());
    }
}
