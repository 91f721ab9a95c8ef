/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuMapPhysicalAddressType;
import dev.iommu.api.Mdl;

/**
 * Reads the pages an {@link IommuMapPhysicalAddress} describes (spec 3.7), without allocating: stateless static
 * methods, safe from any thread. A description is valid when its type is MDL, contiguous range or PFN array,
 * it starts on a 4 KiB boundary, covers a whole, non-zero number of 4 KiB pages (spec 5.4 item 27: zero length
 * is invalid), and every frame lies below 2^{@value #PHYSICAL_ADDRESS_WIDTH} (the widest x64 physical address).
 * The caller turns "invalid" into the status its member documents (INVALID_PARAMETER_3 for the map calls, _2
 * for UnmapIdentityRangeEx, _4 for MapReservedLogicalRange).
 */
final class PhysicalPages
{
    /** Physical addresses are below 2^52. */
    static final int PHYSICAL_ADDRESS_WIDTH = 52;
    private static final int SHIFT = 12;
    private static final long PAGE_SIZE = 1L << SHIFT;

    /** The exclusive upper bound of a page frame number. */
    static final long FRAME_LIMIT = 1L << (PHYSICAL_ADDRESS_WIDTH - SHIFT);

    private PhysicalPages()
    {
    }

    /**
     * The number of 4 KiB pages a description covers, or -1 when it is not a valid description.
     *
     * @param address the description, or null.
     * @return the page count, or -1.
     */
    static long pageCount(final IommuMapPhysicalAddress address)
    {
        if (null == address)
        {
            return -1;
        }
        final IommuMapPhysicalAddressType type = address.mapType();
        if (type == IommuMapPhysicalAddressType.CONTIGUOUS_RANGE)
        {
            final long base = address.contiguousBase();
            final long size = address.contiguousSize();
            if (base < 0 || size <= 0 || ((base | size) & (PAGE_SIZE - 1)) != 0 ||
                (base >>> SHIFT) + (size >>> SHIFT) > FRAME_LIMIT)
            {
                return -1;
            }
            return size >>> SHIFT;
        }
        if (type == IommuMapPhysicalAddressType.PFN)
        {
            return framesValid(address.pageFrames(), address.numberOfPages());
        }
        if (type == IommuMapPhysicalAddressType.MDL)
        {
            return pageCount(address.mdl());
        }
        return -1;
    }

    /**
     * The number of 4 KiB pages an MDL describes, or -1 when it is not valid: no byte offset, a non-zero whole
     * number of pages, a frame per page below {@link #FRAME_LIMIT}.
     *
     * @param mdl the MDL, or null.
     * @return the page count, or -1.
     */
    static long pageCount(final Mdl mdl)
    {
        if (null == mdl || mdl.byteOffset() != 0 || mdl.byteCount() <= 0 || (mdl.byteCount() & (PAGE_SIZE - 1)) != 0)
        {
            return -1;
        }
        return framesValid(mdl.pageFrames(), mdl.byteCount() >>> SHIFT);
    }

    /**
     * The page count of a description already found valid, without scanning its frames again.
     *
     * @param address a description for which {@link #pageCount(IommuMapPhysicalAddress)} was not -1.
     * @return the page count.
     */
    static long checkedPageCount(final IommuMapPhysicalAddress address)
    {
        switch (address.mapType())
        {
            case CONTIGUOUS_RANGE:
                return address.contiguousSize() >>> SHIFT;
            case PFN:
                return address.numberOfPages();
            default:
                return address.mdl().byteCount() >>> SHIFT;
        }
    }

    /**
     * The physical base of a contiguous description (0 for frame lists, whose frames say where each page is).
     *
     * @param address a valid description.
     * @return the base address.
     */
    static long base(final IommuMapPhysicalAddress address)
    {
        return address.mapType() == IommuMapPhysicalAddressType.CONTIGUOUS_RANGE ? address.contiguousBase() : 0;
    }

    /**
     * The frame of page {@code index} of a physical range given as a base (when {@code frames} is null) or a frame
     * list.
     *
     * @param base   the contiguous base address, used when {@code frames} is null.
     * @param frames the frames, or null.
     * @param index  the page, from 0.
     * @return the page frame number.
     */
    static long frame(final long base, final long[] frames, final long index)
    {
        return null == frames ? (base >>> SHIFT) + index : frames[(int)index];
    }

    /**
     * How many runs of consecutive frames the description has (1 for a contiguous range).
     */
    static int runCount(final long[] frames, final long pages)
    {
        int runs = 0;
        for (long done = 0; done < pages; runs++)
        {
            done += consecutiveRun(frames, done, pages);
        }
        return runs;
    }

    /**
     * The number of pages from {@code from} whose frames are consecutive (all the rest for a contiguous range): one
     * run of an identity map.
     *
     * @param frames the frames, or null for a contiguous range.
     * @param from   the first page of the run.
     * @param pages  the number of pages described.
     * @return the length of the run, at least 1.
     */
    static long consecutiveRun(final long[] frames, final long from, final long pages)
    {
        if (null == frames)
        {
            return pages - from;
        }
        long run = 1;
        long frame = frames[(int)from];
        while (from + run < pages && frames[(int)(from + run)] == frame + 1)
        {
            frame++;
            run++;
        }
        return run;
    }

    /**
     * The frames array of a valid PFN or MDL description, or null for a contiguous range.
     *
     * @param address a valid description.
     * @return the array whose first {@link #pageCount} entries are the frames, or null.
     */
    static long[] frames(final IommuMapPhysicalAddress address)
    {
        switch (address.mapType())
        {
            case CONTIGUOUS_RANGE:
                return null;
            case PFN:
                return address.pageFrames();
            default:
                return address.mdl().pageFrames();
        }
    }

    private static long framesValid(final long[] frames, final long count)
    {
        if (null == frames || count <= 0 || count > frames.length)
        {
            return -1;
        }
        for (int i = 0; i < (int)count; i++)
        {
            if (frames[i] < 0 || frames[i] >= FRAME_LIMIT)
            {
                return -1;
            }
        }
        return count;
    }
}
