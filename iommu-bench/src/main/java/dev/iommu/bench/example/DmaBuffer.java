/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.core.dma.GuestMemory;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A packet buffer of the driver: two guest frames that are not physically contiguous, described once by a PFN array
 * that each MapLogicalRangeEx reuses, so that the device sees them as one contiguous range of device addresses.
 * The driver maps it for each packet and unmaps it when the device is done (a streaming DMA mapping).
 */
final class DmaBuffer
{
    /** Bytes a buffer holds. */
    static final int CAPACITY = 2 * GuestMemory.FRAME_SIZE;

    private final long[] frames;
    private final IommuMapPhysicalAddress physical;
    private long deviceAddress = -1;
    private long mappedPages;

    /**
     * A buffer over two frames.
     *
     * @param firstFrame  the guest physical address of the frame holding bytes 0 to 4095.
     * @param secondFrame the guest physical address of the frame holding bytes 4096 to 8191.
     */
    DmaBuffer(final long firstFrame, final long secondFrame)
    {
        this.frames = new long[]{firstFrame, secondFrame};
        this.physical = new IommuMapPhysicalAddress().usePfnArray(
            new long[]{firstFrame / GuestMemory.FRAME_SIZE, secondFrame / GuestMemory.FRAME_SIZE}, 2);
    }

    /**
     * The pages a payload of {@code length} bytes covers.
     *
     * @param length bytes, 1 to {@link #CAPACITY}.
     * @return 1 or 2.
     */
    static long pagesFor(final int length)
    {
        return length <= GuestMemory.FRAME_SIZE ? 1 : 2;
    }

    /**
     * The physical description of the first {@code pages} pages, for MapLogicalRangeEx.
     *
     * @param pages 1 or 2.
     * @return the reused description.
     */
    IommuMapPhysicalAddress physical(final long pages)
    {
        return physical.numberOfPages(pages);
    }

    /**
     * The guest physical address of a frame.
     *
     * @param index 0 or 1.
     * @return the address.
     */
    long frame(final int index)
    {
        return frames[index];
    }

    /**
     * Records the mapping of this buffer (device address -1 and 0 pages when unmapped).
     *
     * @param deviceAddress the IOVA.
     * @param pages         the pages mapped.
     */
    void mapped(final long deviceAddress, final long pages)
    {
        this.deviceAddress = deviceAddress;
        this.mappedPages = pages;
    }

    /**
     * The device address the buffer is mapped at, or -1.
     *
     * @return the IOVA.
     */
    long deviceAddress()
    {
        return deviceAddress;
    }

    /**
     * The pages mapped.
     *
     * @return the count, 0 when unmapped.
     */
    long mappedPages()
    {
        return mappedPages;
    }

    /**
     * The CPU's (driver's) write of a payload into the buffer, by guest physical address.
     *
     * @param memory guest memory.
     * @param src    the payload.
     * @param length bytes.
     */
    void write(final GuestMemory memory, final DirectBuffer src, final int length)
    {
        final int first = Math.min(length, GuestMemory.FRAME_SIZE);
        memory.putBytes(frames[0], src, 0, first);
        if (length > first)
        {
            memory.putBytes(frames[1], src, first, length - first);
        }
    }

    /**
     * The CPU's (driver's) read of a payload out of the buffer, by guest physical address.
     *
     * @param memory guest memory.
     * @param dst    where to copy to.
     * @param length bytes.
     */
    void read(final GuestMemory memory, final MutableDirectBuffer dst, final int length)
    {
        final int first = Math.min(length, GuestMemory.FRAME_SIZE);
        memory.getBytes(frames[0], dst, 0, first);
        if (length > first)
        {
            memory.getBytes(frames[1], dst, first, length - first);
        }
    }
}
