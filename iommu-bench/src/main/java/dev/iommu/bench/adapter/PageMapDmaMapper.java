/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

import java.util.concurrent.ConcurrentHashMap;

import dev.iommu.bench.baseline.RangeAllocator;

/**
 * The baseline domain: a {@code ConcurrentHashMap<Long, Long>} from page number to entry (frame and permissions),
 * a second one from each mapping's first page to its page count (so that unmap can check what it is given, as any
 * careful implementation must), and a {@link RangeAllocator} for the addresses. Thread-safe without scratch state;
 * boxes keys and values and allocates map nodes on every call, as those collections do.
 * <pre>
 *   entry:  63             52 51                                   12 11          2  1   0
 *          +-----------------+---------------------------------------+-------------+-------+
 *          |        0        |        page frame number (40 bits)    |      0      | perm  |
 *          +-----------------+---------------------------------------+-------------+-------+
 * </pre>
 * Orderings: a map puts its page entries, then its length record; an unmap claims the length record with
 * {@code remove(key, value)} (exactly one unmap of a mapping wins), removes the page entries, then frees the
 * address range. The range can only be handed out again after its entries are gone, so a later map's entries are
 * never removed by an earlier unmap. The maps' own happens-before edges carry the entries to translating threads.
 */
final class PageMapDmaMapper implements DmaMapper
{
    private static final int PAGE_SHIFT = 12;
    private static final long PAGE_MASK = (1L << PAGE_SHIFT) - 1;
    private static final long FRAME_LIMIT = 1L << 40;

    private final RangeAllocator allocator;
    private final ConcurrentHashMap<Long, Long> pageMap;
    private final ConcurrentHashMap<Long, Long> lengths;
    private final long limit;
    private final boolean owning;

    PageMapDmaMapper(final RangeAllocator allocator, final int addressWidth)
    {
        this(allocator, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), 1L << addressWidth, true);
    }

    private PageMapDmaMapper(
        final RangeAllocator allocator,
        final ConcurrentHashMap<Long, Long> pageMap,
        final ConcurrentHashMap<Long, Long> lengths,
        final long limit,
        final boolean owning)
    {
        this.allocator = allocator;
        this.pageMap = pageMap;
        this.lengths = lengths;
        this.limit = limit;
        this.owning = owning;
    }

    /** {@inheritDoc} */
    @Override
    public long map(final long[] frames, final int count, final int permissions, final long maxAddress)
    {
        if (null == frames || count <= 0 || count > frames.length || (permissions & ~READ_WRITE) != 0)
        {
            return MapperResult.INVALID_ARGUMENT;
        }
        for (int i = 0; i < count; i++)
        {
            if (frames[i] < 0 || frames[i] >= FRAME_LIMIT)
            {
                return MapperResult.INVALID_ARGUMENT;
            }
        }
        final long iova = allocator.allocate(count, 0, maxAddress);
        if (iova < 0)
        {
            return MapperResult.NO_SPACE;
        }
        final long first = iova >>> PAGE_SHIFT;
        for (int i = 0; i < count; i++)
        {
            pageMap.put(first + i, (frames[i] << PAGE_SHIFT) | permissions);
        }
        lengths.put(first, (long)count);
        return iova;
    }

    /** {@inheritDoc} */
    @Override
    public long mapContiguous(final long physical, final long bytes, final int permissions, final long maxAddress)
    {
        if (physical < 0 || bytes <= 0 || ((physical | bytes) & PAGE_MASK) != 0 ||
            (physical >>> PAGE_SHIFT) + (bytes >>> PAGE_SHIFT) > FRAME_LIMIT || (permissions & ~READ_WRITE) != 0)
        {
            return MapperResult.INVALID_ARGUMENT;
        }
        final long pages = bytes >>> PAGE_SHIFT;
        final long iova = allocator.allocate(pages, 0, maxAddress);
        if (iova < 0)
        {
            return MapperResult.NO_SPACE;
        }
        final long first = iova >>> PAGE_SHIFT;
        final long frame = physical >>> PAGE_SHIFT;
        for (long i = 0; i < pages; i++)
        {
            pageMap.put(first + i, ((frame + i) << PAGE_SHIFT) | permissions);
        }
        lengths.put(first, pages);
        return iova;
    }

    /** {@inheritDoc} */
    @Override
    public int unmap(final long iova, final long pages)
    {
        if (iova < 0 || (iova & PAGE_MASK) != 0 || pages <= 0 || pages > (limit - iova) >>> PAGE_SHIFT)
        {
            return MapperResult.INVALID_ARGUMENT;
        }
        final long first = iova >>> PAGE_SHIFT;
        final Long length = lengths.get(first);
        if (null == length)
        {
            return MapperResult.NOT_MAPPED;
        }
        if (length != pages)
        {
            return MapperResult.INVALID_ARGUMENT;
        }
        if (!lengths.remove(first, length))
        {
            return MapperResult.NOT_MAPPED;
        }
        for (long i = 0; i < pages; i++)
        {
            pageMap.remove(first + i);
        }
        allocator.free(iova, pages);
        return MapperResult.SUCCESS;
    }

    /** {@inheritDoc} */
    @Override
    public long translate(final long iova, final int access)
    {
        if (access <= 0 || access > READ_WRITE)
        {
            return MapperResult.INVALID_ARGUMENT;
        }
        if (iova < 0)
        {
            return MapperResult.FAULT_NOT_PRESENT;
        }
        final Long entry = pageMap.get(iova >>> PAGE_SHIFT);
        if (null == entry)
        {
            return MapperResult.FAULT_NOT_PRESENT;
        }
        final long e = entry;
        if ((e & access) != access)
        {
            return MapperResult.FAULT_PERMISSION;
        }
        return (e & ~PAGE_MASK) | (iova & PAGE_MASK);
    }

    /** {@inheritDoc} */
    @Override
    public DmaMapper share()
    {
        return new PageMapDmaMapper(allocator, pageMap, lengths, limit, false);
    }

    /** {@inheritDoc} */
    @Override
    public void close()
    {
        if (owning)
        {
            pageMap.clear();
            lengths.clear();
        }
    }
}
