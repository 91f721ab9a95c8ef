/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.baseline;

import dev.iommu.core.iova.IovaResult;

/**
 * The request arithmetic both baseline allocators share, so that they refuse exactly the same requests and differ
 * only in how they search: the size rounded to a power of two, the lowest and the end page that bounds allow, and
 * the checks that need no search.
 */
final class RangeRequest
{
    static final int PAGE_SHIFT = 12;

    private RangeRequest()
    {
    }

    /**
     * The checks that need no search.
     *
     * @return 0 when the request may be satisfiable, else an {@link IovaResult} code.
     */
    static long check(final long pages, final long minAddress, final long maxAddress, final long totalPages)
    {
        if (pages <= 0)
        {
            return IovaResult.INVALID_SIZE;
        }
        if (pages > totalPages >>> 1)
        {
            return IovaResult.BEYOND_WIDTH;
        }
        if (minAddress < 0)
        {
            return IovaResult.UNSATISFIABLE_BOUNDS;
        }
        final long size = roundUp(pages);
        if (((lowPage(minAddress) + size - 1) & -size) + size > limitPage(maxAddress, totalPages))
        {
            return IovaResult.UNSATISFIABLE_BOUNDS;
        }
        return 0;
    }

    /** The block size in pages: the next power of two. */
    static long roundUp(final long pages)
    {
        return pages == 1 ? 1 : Long.highestOneBit(pages - 1) << 1;
    }

    /** The lowest page the inclusive minimum allows (never page 0). */
    static long lowPage(final long minAddress)
    {
        return Math.max(1, (minAddress + (1L << PAGE_SHIFT) - 1) >>> PAGE_SHIFT);
    }

    /** The page after the last one the inclusive maximum allows. */
    static long limitPage(final long maxAddress, final long totalPages)
    {
        return maxAddress < 0 || (maxAddress >>> PAGE_SHIFT) >= totalPages ?
            totalPages : (maxAddress + 1) >>> PAGE_SHIFT;
    }
}
