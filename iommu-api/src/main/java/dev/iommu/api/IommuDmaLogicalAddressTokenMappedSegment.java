/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_DMA_LOGICAL_ADDRESS_TOKEN_MAPPED_SEGMENT} (spec section 3.8). One mapped piece of a logical address
 * token. Caller-owned storage: MapReservedLogicalRange fills it, and it is the handle UnmapReservedLogicalRange
 * takes; unmapping invalidates it (the library zeroes it, spec 5.5 item 38). Its x64 size is 0x18 bytes.
 */
public final class IommuDmaLogicalAddressTokenMappedSegment
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x18;

    private IommuDmaLogicalAddressToken owningToken;
    private long offset;
    private long size;

    /**
     * {@code OwningToken}: the token the segment lives in.
     *
     * @return the value.
     */
    public IommuDmaLogicalAddressToken owningToken()
    {
        return owningToken;
    }

    /**
     * Sets {@code OwningToken}.
     *
     * @param owningToken the new value.
     * @return this.
     */
    public IommuDmaLogicalAddressTokenMappedSegment owningToken(final IommuDmaLogicalAddressToken owningToken)
    {
        this.owningToken = owningToken;
        return this;
    }

    /**
     * {@code Offset}: bytes from the token's logical base.
     *
     * @return the value.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * Sets {@code Offset}.
     *
     * @param offset the new value.
     * @return this.
     */
    public IommuDmaLogicalAddressTokenMappedSegment offset(final long offset)
    {
        this.offset = offset;
        return this;
    }

    /**
     * {@code Size}: bytes mapped.
     *
     * @return the value.
     */
    public long size()
    {
        return size;
    }

    /**
     * Sets {@code Size}.
     *
     * @param size the new value.
     * @return this.
     */
    public IommuDmaLogicalAddressTokenMappedSegment size(final long size)
    {
        this.size = size;
        return this;
    }

    /**
     * Zeroes the segment: no owning token, offset and size 0.
     *
     * @return this.
     */
    public IommuDmaLogicalAddressTokenMappedSegment clear()
    {
        this.owningToken = null;
        this.offset = 0;
        this.size = 0;
        return this;
    }
}
