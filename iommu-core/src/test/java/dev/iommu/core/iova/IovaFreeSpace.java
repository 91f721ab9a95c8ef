/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.ArrayList;
import java.util.List;

/**
 * Test access to an allocator's buddy space from other packages: its free blocks, and its free pages as ranges.
 */
public final class IovaFreeSpace
{
    private IovaFreeSpace()
    {
    }

    /**
     * The free blocks of the buddy space in address order (blocks cached in magazines are not in it).
     *
     * @param allocator the allocator (quiescent).
     * @return each block as {@code (firstPage << 6) | order}.
     */
    public static long[] freeBlocks(final IovaAllocator allocator)
    {
        final List<Long> blocks = new ArrayList<>();
        allocator.forEachFreeBlock((page, order) -> blocks.add((page << 6) | order));
        final long[] out = new long[blocks.size()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = blocks.get(i);
        }
        return out;
    }

    /**
     * The free pages of the buddy space as maximal ranges of byte addresses, in address order.
     *
     * @param allocator the allocator (quiescent).
     * @return {@code [start, end)} pairs, none touching the next.
     */
    public static List<long[]> freeRanges(final IovaAllocator allocator)
    {
        final List<long[]> ranges = new ArrayList<>();
        allocator.forEachFreeBlock((page, order) ->
        {
            final long start = page << IovaAllocator.PAGE_SHIFT;
            final long end = (page + (1L << order)) << IovaAllocator.PAGE_SHIFT;
            final long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (null != last && last[1] == start)
            {
                last[1] = end;
            }
            else
            {
                ranges.add(new long[] {start, end});
            }
        });
        return ranges;
    }
}
