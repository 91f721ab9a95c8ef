/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_DMA_RESERVED_REGION} (spec section 3.6). One address range to reserve when a domain is created, in
 * a singly linked list. If the domain has an allocator the range is also reserved there; ShouldMap identity-maps
 * it. Its x64 size is 0x20 bytes.
 */
public final class IommuDmaReservedRegion
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x20;

    private IommuDmaReservedRegion regionNext;
    private long base;
    private long numberOfPages;
    private boolean shouldMap;

    /**
     * {@code RegionNext}: the next region, or null at the end of the list.
     *
     * @return the value.
     */
    public IommuDmaReservedRegion regionNext()
    {
        return regionNext;
    }

    /**
     * Sets {@code RegionNext}.
     *
     * @param regionNext the new value.
     * @return this.
     */
    public IommuDmaReservedRegion regionNext(final IommuDmaReservedRegion regionNext)
    {
        this.regionNext = regionNext;
        return this;
    }

    /**
     * {@code Base}: the page-aligned logical base address.
     *
     * @return the value.
     */
    public long base()
    {
        return base;
    }

    /**
     * Sets {@code Base}.
     *
     * @param base the new value.
     * @return this.
     */
    public IommuDmaReservedRegion base(final long base)
    {
        this.base = base;
        return this;
    }

    /**
     * {@code NumberOfPages}: the length in 4 KiB pages.
     *
     * @return the value.
     */
    public long numberOfPages()
    {
        return numberOfPages;
    }

    /**
     * Sets {@code NumberOfPages}.
     *
     * @param numberOfPages the new value.
     * @return this.
     */
    public IommuDmaReservedRegion numberOfPages(final long numberOfPages)
    {
        this.numberOfPages = numberOfPages;
        return this;
    }

    /**
     * {@code ShouldMap}: true: identity-map the range; false: keep it out of the page table.
     *
     * @return the value.
     */
    public boolean shouldMap()
    {
        return shouldMap;
    }

    /**
     * Sets {@code ShouldMap}.
     *
     * @param shouldMap the new value.
     * @return this.
     */
    public IommuDmaReservedRegion shouldMap(final boolean shouldMap)
    {
        this.shouldMap = shouldMap;
        return this;
    }
}
