/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import dev.iommu.core.dma.GuestMemory;

/**
 * A ring of {@link NicDescriptor}s in physically contiguous guest frames: the driver addresses a slot by its guest
 * physical address, the device by its device address (the IOVA the ring was mapped at).
 */
final class DescriptorRing
{
    private final long physicalBase;
    private final int size;
    private final int mask;
    private long deviceBase = -1;

    /**
     * A ring over frames already allocated.
     *
     * @param physicalBase the guest physical address of the first frame.
     * @param size         the number of descriptors, a power of two.
     */
    DescriptorRing(final long physicalBase, final int size)
    {
        this.physicalBase = physicalBase;
        this.size = size;
        this.mask = size - 1;
    }

    /**
     * The frames a ring of {@code size} descriptors needs.
     *
     * @param size descriptors.
     * @return whole frames.
     */
    static int framesFor(final int size)
    {
        return (size * NicDescriptor.LENGTH + GuestMemory.FRAME_SIZE - 1) / GuestMemory.FRAME_SIZE;
    }

    /**
     * The guest physical address of the first frame.
     *
     * @return the address.
     */
    long physicalBase()
    {
        return physicalBase;
    }

    /**
     * Bytes the ring occupies, rounded up to whole frames (what is mapped).
     *
     * @return bytes.
     */
    long mappedBytes()
    {
        return (long)framesFor(size) * GuestMemory.FRAME_SIZE;
    }

    /**
     * The number of descriptors.
     *
     * @return the size.
     */
    int size()
    {
        return size;
    }

    /**
     * The device address the ring is mapped at, or -1 when not mapped.
     *
     * @return the IOVA.
     */
    long deviceBase()
    {
        return deviceBase;
    }

    /**
     * Records where the ring is mapped (-1 when unmapped).
     *
     * @param deviceBase the IOVA.
     */
    void deviceBase(final long deviceBase)
    {
        this.deviceBase = deviceBase;
    }

    /**
     * The guest physical address of the descriptor a running index falls on (the driver's view).
     *
     * @param index a running index (wraps).
     * @return the address.
     */
    long physicalAddress(final long index)
    {
        return physicalBase + (index & mask) * NicDescriptor.LENGTH;
    }

    /**
     * The device address of the descriptor a running index falls on (the device's view).
     *
     * @param index a running index (wraps).
     * @return the IOVA.
     */
    long deviceAddress(final long index)
    {
        return deviceBase + (index & mask) * NicDescriptor.LENGTH;
    }
}
