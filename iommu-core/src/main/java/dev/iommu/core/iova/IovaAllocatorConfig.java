/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

import dev.iommu.api.IommuDmaReservedRegion;

/**
 * What an {@link IovaAllocator} is created with: the address width, whether explicit-address requests are allowed,
 * the reserved regions to carve out, and the sizes of the per-thread cache. Mutable builder; the allocator copies
 * it, so one configuration may create many allocators.
 * <p>
 * Cached space bound: each thread holds at most two magazines of {@link #magazineCapacity()} blocks per cached
 * order (orders 0 to K, 1 to {@link #maxCachedPages()} = 2^K pages; by default K = 5, 32 pages), and the depot at
 * most {@link #depotMagazines()} full magazines per order (rounded up to a power of two, at least 2, when not 0:
 * the depot's lock-free queues have such capacities; D below); beyond that a full magazine goes straight back to
 * the buddy space. So cached pages are at most {@code (2 * threads + D) * magazineCapacity * (2^(K+1) - 1)}:
 * with the defaults (32, 4, 32 pages) that is 4,032 pages (15.75 MiB of address space) per thread plus 8,064 pages
 * (31.5 MiB) in the depot; with {@code maxCachedPages(1024)}, 131,008 pages (512 MiB) per thread plus 262,016
 * pages (1 GiB) in the depot, which suits wide (48-bit) spaces, not 32-bit ones.
 */
public final class IovaAllocatorConfig
{
    /** The default address width: 48 bits. */
    public static final int DEFAULT_ADDRESS_WIDTH = 48;
    /** The default number of blocks per magazine. */
    public static final int DEFAULT_MAGAZINE_CAPACITY = 32;
    /** The default number of full magazines the depot keeps per order. */
    public static final int DEFAULT_DEPOT_MAGAZINES = 4;
    /** The default largest cached size: 32 pages (128 KiB), as Linux iova.c. */
    public static final int DEFAULT_MAX_CACHED_PAGES = 32;
    /** The largest value {@link #maxCachedPages(int)} accepts: 2^20 pages (4 GiB). */
    public static final int MAX_MAX_CACHED_PAGES = 1 << 20;

    private int addressWidth = DEFAULT_ADDRESS_WIDTH;
    private boolean explicitAllowed;
    private boolean pageZeroUsable;
    private int magazineCapacity = DEFAULT_MAGAZINE_CAPACITY;
    private int depotMagazines = DEFAULT_DEPOT_MAGAZINES;
    private int maxCachedPages = DEFAULT_MAX_CACHED_PAGES;
    private boolean nonBlockingChunks = true;
    private int initialFreeBlocks = 1024;
    private long[] reserved = new long[8];
    private int reservedCount;
    private BooleanSupplier mayAllocate;

    /**
     * @return the address width in bits: the allocator covers [PAGE_SIZE, 2^width).
     */
    public int addressWidth()
    {
        return addressWidth;
    }

    /**
     * Sets the address width (valid: 13 to 63, or 12 to 63 with {@link #pageZeroUsable(boolean)}; checked by
     * {@link #validate()}).
     *
     * @param addressWidth the width in bits.
     * @return this.
     */
    public IovaAllocatorConfig addressWidth(final int addressWidth)
    {
        this.addressWidth = addressWidth;
        return this;
    }

    /**
     * @return whether explicit-address requests are allowed (false by default, like the Windows buddy allocator).
     */
    public boolean explicitAllowed()
    {
        return explicitAllowed;
    }

    /**
     * Sets whether explicit-address requests are allowed.
     *
     * @param explicitAllowed true to allow {@link IovaAllocator#allocateAt(long, long)}.
     * @return this.
     */
    public IovaAllocatorConfig explicitAllowed(final boolean explicitAllowed)
    {
        this.explicitAllowed = explicitAllowed;
        return this;
    }

    /**
     * @return whether page 0 is part of the space (false by default: the allocator covers [PAGE_SIZE, 2^width) and
     *     never hands out address 0).
     */
    public boolean pageZeroUsable()
    {
        return pageZeroUsable;
    }

    /**
     * Sets whether page 0 is part of the space. When true the allocator covers [0, 2^width), the first block it
     * hands out starts at logical address 0 (as the buddy allocator of the observed Windows kernel does: nothing
     * reserves page 0, low addresses are preferred), a block may span the whole space, and the narrowest width is
     * 12 bits (one page, address 0).
     *
     * @param pageZeroUsable true to hand out page 0.
     * @return this.
     */
    public IovaAllocatorConfig pageZeroUsable(final boolean pageZeroUsable)
    {
        this.pageZeroUsable = pageZeroUsable;
        return this;
    }

    /**
     * @return the hook asked before each block allocation, or null (the default).
     */
    public BooleanSupplier mayAllocate()
    {
        return mayAllocate;
    }

    /**
     * Sets a hook asked before each block allocation (failure injection in tests): when it says no, the request fails
     * as when no block fits ({@link IovaResult#NO_SPACE}; {@link IovaResult#ADDRESS_IN_USE} for an explicit request)
     * and changes nothing. Asked once per request that passed its argument checks, magazine hits included.
     *
     * @param mayAllocate the hook, or null for none.
     * @return this.
     */
    public IovaAllocatorConfig mayAllocate(final BooleanSupplier mayAllocate)
    {
        this.mayAllocate = mayAllocate;
        return this;
    }

    /**
     * @return blocks per magazine; 0 disables per-thread caching (every call takes the allocator's lock).
     */
    public int magazineCapacity()
    {
        return magazineCapacity;
    }

    /**
     * Sets the blocks per magazine (0 disables per-thread caching).
     *
     * @param magazineCapacity at least 0.
     * @return this.
     */
    public IovaAllocatorConfig magazineCapacity(final int magazineCapacity)
    {
        this.magazineCapacity = magazineCapacity;
        return this;
    }

    /**
     * @return full magazines kept in the depot per order before trimming returns them to the buddy space (the
     *     depot rounds it up to a power of two, at least 2, unless it is 0).
     */
    public int depotMagazines()
    {
        return depotMagazines;
    }

    /**
     * Sets the depot's capacity in full magazines per order.
     *
     * @param depotMagazines at least 0.
     * @return this.
     */
    public IovaAllocatorConfig depotMagazines(final int depotMagazines)
    {
        this.depotMagazines = depotMagazines;
        return this;
    }

    /**
     * @return the largest size in pages served from the per-thread magazines (a power of two).
     */
    public int maxCachedPages()
    {
        return maxCachedPages;
    }

    /**
     * Sets the largest size served from the per-thread magazines; larger sizes always take the allocator's lock.
     * Raising it makes more requests lock-free at the price of more cached space (see the bound above).
     *
     * @param maxCachedPages a power of two from 1 to {@link #MAX_MAX_CACHED_PAGES}.
     * @return this.
     */
    public IovaAllocatorConfig maxCachedPages(final int maxCachedPages)
    {
        this.maxCachedPages = maxCachedPages;
        return this;
    }

    /**
     * @return whether magazine refills and trims go through lock-free page chunks (the default).
     */
    public boolean nonBlockingChunks()
    {
        return nonBlockingChunks;
    }

    /**
     * Sets whether magazine refills and trims go through lock-free page chunks: aligned runs of
     * max(1,024, 32 * maxCachedPages) pages that the buddy space hands over whole, whose blocks threads claim and
     * release with a CAS per bitmap word instead of the allocator's lock (see {@link IovaAllocator}). Off, every
     * refill and trim takes the lock. Chunks need magazines ({@code magazineCapacity > 0}), at most 65,536 pages
     * per chunk ({@code maxCachedPages <= 2048}) and room for two chunks in the space; otherwise this is ignored.
     *
     * @param nonBlockingChunks true for chunks.
     * @return this.
     */
    public IovaAllocatorConfig nonBlockingChunks(final boolean nonBlockingChunks)
    {
        this.nonBlockingChunks = nonBlockingChunks;
        return this;
    }

    /**
     * @return the initial capacity of the free-block tree (it grows by doubling).
     */
    public int initialFreeBlocks()
    {
        return initialFreeBlocks;
    }

    /**
     * Sets the initial capacity of the free-block tree.
     *
     * @param initialFreeBlocks a hint.
     * @return this.
     */
    public IovaAllocatorConfig initialFreeBlocks(final int initialFreeBlocks)
    {
        this.initialFreeBlocks = initialFreeBlocks;
        return this;
    }

    /**
     * Adds a region to carve out at creation (never handed out, never freed). Page 0 is always reserved unless
     * {@link #pageZeroUsable(boolean)}.
     *
     * @param baseAddress page-aligned first address.
     * @param pages       length in pages.
     * @return this.
     */
    public IovaAllocatorConfig reserve(final long baseAddress, final long pages)
    {
        if (reservedCount * 2 == reserved.length)
        {
            reserved = Arrays.copyOf(reserved, reserved.length * 2);
        }
        reserved[reservedCount * 2] = baseAddress;
        reserved[reservedCount * 2 + 1] = pages;
        reservedCount++;
        return this;
    }

    /**
     * Adds every region of a reserved-region list (spec 3.6) with {@link #reserve(long, long)}.
     *
     * @param first the first region, or null.
     * @return this.
     */
    public IovaAllocatorConfig reserve(final IommuDmaReservedRegion first)
    {
        for (IommuDmaReservedRegion r = first; r != null; r = r.regionNext())
        {
            reserve(r.base(), r.numberOfPages());
        }
        return this;
    }

    /**
     * @return the number of reserved regions added.
     */
    public int reservedCount()
    {
        return reservedCount;
    }

    /**
     * @param index 0 to {@link #reservedCount()} - 1.
     * @return the region's base address.
     */
    public long reservedBase(final int index)
    {
        return reserved[index * 2];
    }

    /**
     * @param index 0 to {@link #reservedCount()} - 1.
     * @return the region's length in pages.
     */
    public long reservedPages(final int index)
    {
        return reserved[index * 2 + 1];
    }

    /**
     * Checks the configuration.
     *
     * @return {@link IovaResult#SUCCESS}, {@link IovaResult#INVALID_WIDTH}, or for the first bad reserved region
     *     {@link IovaResult#UNALIGNED_ADDRESS}, {@link IovaResult#INVALID_SIZE}, {@link IovaResult#OVERFLOW},
     *     {@link IovaResult#BEYOND_WIDTH} or {@link IovaResult#RESERVED_OVERLAP}; negative magazine or depot
     *     sizes, or a maxCachedPages that is not a power of two from 1 to {@link #MAX_MAX_CACHED_PAGES}, give
     *     {@link IovaResult#INVALID_SIZE}.
     */
    public int validate()
    {
        final int minWidth = pageZeroUsable ? IovaAllocator.PAGE_SHIFT : IovaAllocator.MIN_ADDRESS_WIDTH;
        if (addressWidth < minWidth || addressWidth > IovaAllocator.MAX_ADDRESS_WIDTH)
        {
            return IovaResult.INVALID_WIDTH;
        }
        if (magazineCapacity < 0 || depotMagazines < 0 || maxCachedPages <= 0 ||
            maxCachedPages > MAX_MAX_CACHED_PAGES || Integer.bitCount(maxCachedPages) != 1)
        {
            return IovaResult.INVALID_SIZE;
        }
        final long totalPages = 1L << (addressWidth - IovaAllocator.PAGE_SHIFT);
        for (int i = 0; i < reservedCount; i++)
        {
            final long base = reservedBase(i);
            final long pages = reservedPages(i);
            if ((base & (IovaAllocator.PAGE_SIZE - 1)) != 0)
            {
                return IovaResult.UNALIGNED_ADDRESS;
            }
            if (pages <= 0)
            {
                return IovaResult.INVALID_SIZE;
            }
            if (base < 0)
            {
                return IovaResult.BEYOND_WIDTH;
            }
            final long page = base >>> IovaAllocator.PAGE_SHIFT;
            if (pages - 1 > (Long.MAX_VALUE >>> IovaAllocator.PAGE_SHIFT) - page)
            {
                return IovaResult.OVERFLOW;
            }
            if (page >= totalPages || pages > totalPages - page)
            {
                return IovaResult.BEYOND_WIDTH;
            }
            for (int j = 0; j < i; j++)
            {
                final long otherPage = reservedBase(j) >>> IovaAllocator.PAGE_SHIFT;
                if (page < otherPage + reservedPages(j) && otherPage < page + pages)
                {
                    return IovaResult.RESERVED_OVERLAP;
                }
            }
        }
        return IovaResult.SUCCESS;
    }
}
