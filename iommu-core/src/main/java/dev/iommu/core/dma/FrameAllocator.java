/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.dma;

import java.util.BitSet;

/**
 * Hands out the frames of a {@link GuestMemory} to an emulated guest driver (the memory behind its DMA
 * buffers and descriptor rings): the lowest free run of the size asked for. Not on any hot path; synchronised.
 */
public final class FrameAllocator
{
    private final GuestMemory memory;
    private final BitSet used;

    /**
     * An allocator over all frames of a memory.
     *
     * @param memory the guest memory.
     */
    public FrameAllocator(final GuestMemory memory)
    {
        this.memory = memory;
        this.used = new BitSet(memory.frames());
    }

    /**
     * Takes a run of contiguous frames.
     *
     * @param count the number of frames, at least 1.
     * @return the guest physical address of the first frame, or -1 when no run of that size is free.
     * @throws IllegalArgumentException when {@code count < 1}.
     */
    public synchronized long allocate(final int count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("count must be at least 1: " + count);
        }
        int start = used.nextClearBit(0);
        while (start + count <= memory.frames())
        {
            final int nextUsed = used.nextSetBit(start);
            if (nextUsed < 0 || nextUsed >= start + count)
            {
                used.set(start, start + count);
                return memory.base() + (long)start * GuestMemory.FRAME_SIZE;
            }
            start = used.nextClearBit(nextUsed);
        }
        return -1;
    }

    /**
     * Gives a run back.
     *
     * @param address the address {@link #allocate} returned.
     * @param count   the count it was given.
     * @throws IllegalArgumentException when the run is not wholly allocated (a double free or a wrong size);
     *                                  nothing changes then.
     */
    public synchronized void free(final long address, final int count)
    {
        if (count < 1 || !memory.contains(address, (long)count * GuestMemory.FRAME_SIZE) ||
            (address & (GuestMemory.FRAME_SIZE - 1)) != 0)
        {
            throw new IllegalArgumentException("not a run of guest frames: 0x" + Long.toHexString(address) + " +" +
                count);
        }
        final int first = (int)((address - memory.base()) / GuestMemory.FRAME_SIZE);
        if (used.nextClearBit(first) < first + count)
        {
            throw new IllegalArgumentException("frames at 0x" + Long.toHexString(address) + " +" + count +
                " are not all allocated");
        }
        used.clear(first, first + count);
    }

    /**
     * How many frames are allocated.
     *
     * @return the count.
     */
    public synchronized int usedFrames()
    {
        return used.cardinality();
    }
}
