/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_DMA_LOGICAL_ALLOCATOR_CONFIG} (spec section 3.5). Configuration of the logical (IOVA) allocator a
 * translate domain is created with. With an allocator the domain picks logical addresses itself and prevents
 * collisions; the buddy allocator hands out power-of-two blocks of at least 4 KiB, prefers low addresses, and does
 * not support explicit addresses. Its x64 size is 0x8 bytes.
 */
public final class IommuDmaLogicalAllocatorConfig
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x8;

    private IommuDmaLogicalAllocatorType logicalAllocatorType;
    private int addressWidth;

    /**
     * {@code LogicalAllocatorType}: the allocator kind.
     *
     * @return the value.
     */
    public IommuDmaLogicalAllocatorType logicalAllocatorType()
    {
        return logicalAllocatorType;
    }

    /**
     * Sets {@code LogicalAllocatorType}.
     *
     * @param logicalAllocatorType the new value.
     * @return this.
     */
    public IommuDmaLogicalAllocatorConfig logicalAllocatorType(final IommuDmaLogicalAllocatorType logicalAllocatorType)
    {
        this.logicalAllocatorType = logicalAllocatorType;
        return this;
    }

    /**
     * {@code BuddyAllocatorConfig.AddressWidth}: the width in bits of the allocator's address space (at most
     * 63 on 64-bit Windows).
     *
     * @return the value.
     */
    public int addressWidth()
    {
        return addressWidth;
    }

    /**
     * Sets {@code BuddyAllocatorConfig.AddressWidth}.
     *
     * @param addressWidth the new value.
     * @return this.
     */
    public IommuDmaLogicalAllocatorConfig addressWidth(final int addressWidth)
    {
        this.addressWidth = addressWidth;
        return this;
    }

    /**
     * Sets this configuration to a buddy allocator of the given width.
     *
     * @param addressWidth the width in bits of the allocator's address space.
     * @return this.
     */
    public IommuDmaLogicalAllocatorConfig buddy(final int addressWidth)
    {
        this.logicalAllocatorType = IommuDmaLogicalAllocatorType.BUDDY;
        this.addressWidth = addressWidth;
        return this;
    }
}
