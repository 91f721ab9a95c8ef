/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code MDL} (spec section 3.7). A memory descriptor list: a byte range described by the frames of the physical
 * pages it covers. The interface only accepts MDLs that start on a page boundary (byte offset 0) and cover a whole
 * number of pages.
 */
public final class Mdl
{

    private int byteOffset;
    private long byteCount;
    private long[] pageFrames;

    /**
     * {@code ByteOffset}: the offset of the first byte in the first page.
     *
     * @return the value.
     */
    public int byteOffset()
    {
        return byteOffset;
    }

    /**
     * Sets {@code ByteOffset}.
     *
     * @param byteOffset the new value.
     * @return this.
     */
    public Mdl byteOffset(final int byteOffset)
    {
        this.byteOffset = byteOffset;
        return this;
    }

    /**
     * {@code ByteCount}: the length of the described range in bytes.
     *
     * @return the value.
     */
    public long byteCount()
    {
        return byteCount;
    }

    /**
     * Sets {@code ByteCount}.
     *
     * @param byteCount the new value.
     * @return this.
     */
    public Mdl byteCount(final long byteCount)
    {
        this.byteCount = byteCount;
        return this;
    }

    /**
     * {@code the PFN array that follows the MDL header}: the page frame numbers, one per page the range
     * touches.
     *
     * @return the value.
     */
    public long[] pageFrames()
    {
        return pageFrames;
    }

    /**
     * Sets {@code the PFN array that follows the MDL header}.
     *
     * @param pageFrames the new value.
     * @return this.
     */
    public Mdl pageFrames(final long[] pageFrames)
    {
        this.pageFrames = pageFrames;
        return this;
    }

    /**
     * Describes {@code byteCount} bytes starting at offset 0 of the given frames.
     *
     * @param pageFrames the page frame numbers; the array is used, not copied.
     * @param byteCount  the length in bytes.
     * @return this.
     */
    public Mdl describe(final long[] pageFrames, final long byteCount)
    {
        this.pageFrames = pageFrames;
        this.byteOffset = 0;
        this.byteCount = byteCount;
        return this;
    }
}
