/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_MAP_PHYSICAL_ADDRESS} (spec section 3.7). The physical memory a map call should map: an MDL, a
 * contiguous range, or an array of page frame numbers. Whatever the form, the memory must start on a 4 KiB
 * boundary and be a whole number of 4 KiB pages. Reusable: set one form and pass it; the setters for each form
 * also set the type. Its x64 size is 0x18 bytes.
 */
public final class IommuMapPhysicalAddress
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x18;

    private IommuMapPhysicalAddressType mapType;
    private Mdl mdl;
    private long contiguousBase;
    private long contiguousSize;
    private long[] pageFrames;
    private long numberOfPages;

    /**
     * {@code MapType}: which member of the union is valid.
     *
     * @return the value.
     */
    public IommuMapPhysicalAddressType mapType()
    {
        return mapType;
    }

    /**
     * Sets {@code MapType}.
     *
     * @param mapType the new value.
     * @return this.
     */
    public IommuMapPhysicalAddress mapType(final IommuMapPhysicalAddressType mapType)
    {
        this.mapType = mapType;
        return this;
    }

    /**
     * {@code Mdl.Mdl}: the MDL, when the type is MDL.
     *
     * @return the value.
     */
    public Mdl mdl()
    {
        return mdl;
    }

    /**
     * Sets {@code Mdl.Mdl}.
     *
     * @param mdl the new value.
     * @return this.
     */
    public IommuMapPhysicalAddress mdl(final Mdl mdl)
    {
        this.mdl = mdl;
        return this;
    }

    /**
     * {@code ContiguousRange.Base}: the physical base address, when the type is CONTIGUOUS_RANGE.
     *
     * @return the value.
     */
    public long contiguousBase()
    {
        return contiguousBase;
    }

    /**
     * Sets {@code ContiguousRange.Base}.
     *
     * @param contiguousBase the new value.
     * @return this.
     */
    public IommuMapPhysicalAddress contiguousBase(final long contiguousBase)
    {
        this.contiguousBase = contiguousBase;
        return this;
    }

    /**
     * {@code ContiguousRange.Size}: the size in bytes, when the type is CONTIGUOUS_RANGE.
     *
     * @return the value.
     */
    public long contiguousSize()
    {
        return contiguousSize;
    }

    /**
     * Sets {@code ContiguousRange.Size}.
     *
     * @param contiguousSize the new value.
     * @return this.
     */
    public IommuMapPhysicalAddress contiguousSize(final long contiguousSize)
    {
        this.contiguousSize = contiguousSize;
        return this;
    }

    /**
     * {@code PfnArray.PageFrame}: the page frame numbers, when the type is PFN.
     *
     * @return the value.
     */
    public long[] pageFrames()
    {
        return pageFrames;
    }

    /**
     * Sets {@code PfnArray.PageFrame}.
     *
     * @param pageFrames the new value.
     * @return this.
     */
    public IommuMapPhysicalAddress pageFrames(final long[] pageFrames)
    {
        this.pageFrames = pageFrames;
        return this;
    }

    /**
     * {@code PfnArray.NumberOfPages}: how many entries of the PFN array to map, when the type is PFN.
     *
     * @return the value.
     */
    public long numberOfPages()
    {
        return numberOfPages;
    }

    /**
     * Sets {@code PfnArray.NumberOfPages}.
     *
     * @param numberOfPages the new value.
     * @return this.
     */
    public IommuMapPhysicalAddress numberOfPages(final long numberOfPages)
    {
        this.numberOfPages = numberOfPages;
        return this;
    }

    /**
     * Describes memory with an MDL.
     *
     * @param mdl the MDL.
     * @return this.
     */
    public IommuMapPhysicalAddress useMdl(final Mdl mdl)
    {
        this.mapType = IommuMapPhysicalAddressType.MDL;
        this.mdl = mdl;
        return this;
    }

    /**
     * Describes physically contiguous memory.
     *
     * @param base the physical base address.
     * @param size the size in bytes.
     * @return this.
     */
    public IommuMapPhysicalAddress useContiguousRange(final long base, final long size)
    {
        this.mapType = IommuMapPhysicalAddressType.CONTIGUOUS_RANGE;
        this.contiguousBase = base;
        this.contiguousSize = size;
        return this;
    }

    /**
     * Describes memory with an array of page frame numbers.
     *
     * @param pageFrames    the page frame numbers; the array is used, not copied.
     * @param numberOfPages how many entries of the array to map.
     * @return this.
     */
    public IommuMapPhysicalAddress usePfnArray(final long[] pageFrames, final long numberOfPages)
    {
        this.mapType = IommuMapPhysicalAddressType.PFN;
        this.pageFrames = pageFrames;
        this.numberOfPages = numberOfPages;
        return this;
    }
}
