/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.UnsafeApi;

/**
 * The paging-structure cache of one {@link RadixPageTable}: a direct-mapped cache, indexed by the 2 MiB region of an
 * address, of the region's level-0 (leaf) table, so that a map, an unmap or a translate miss goes straight to the
 * leaf table instead of walking from the root. {@link #SLOTS} slots: 512 MiB of consecutive addresses (a 64 Ki-page
 * working set is 128 regions) without two regions sharing a slot.
 * <pre>
 *  slot (8 bytes, opaque loads and stores): (region &lt;&lt; 20) | arena page index of its leaf table   (0: empty)
 *  owner tag of a page (TableArena, acquire/release): (tableId &lt;&lt; 37) | (region + 1)              (0: none)
 * </pre>
 * A slot is only a hint: anyone may overwrite it, and it may name a page that was freed or reused since. It is
 * trusted only when the arena's owner tag of the page says "leaf table of this region of this table": a writer
 * sets that tag with a release store after the CAS that linked the table ({@link #tag}), and an unmap clears it
 * before the getAndSet that unlinks the table ({@link #untag}; the arena clears it again when the page is freed).
 * So a freed page, or a page reused for anything else, never matches; a page reused as the same region's leaf table
 * of the same table matches, rightly. Writers need nothing more (no writer may be using a range inside a table an
 * unmap frees). A translate, which may race the free, also checks the table's free generation around its reads:
 * see {@link TranslateWalker}.
 * <p>
 * Not final only so that a jcstress test can override one named step ({@link #laOwnerTagMatches}) in a broken
 * variant; the constructor is package-private, and production code never subclasses it.
 */
class PagingStructureCache
{
    /** Slots per table (a power of two). */
    static final int SLOTS = 256;
    private static final AtomicInteger TABLE_IDS = new AtomicInteger();
    private static final int PAGE_BITS = 20;
    private static final long PAGE_MASK = (1L << PAGE_BITS) - 1;
    private static final int REGION_SHIFT = 21;
    private static final int TABLE_ID_SHIFT = 37;
    private static final long LONG_ARRAY_BASE = UnsafeApi.arrayBaseOffset(long[].class);

    private final long[] slots = new long[SLOTS];
    private final TableArena arena;
    private final long arenaBase;
    private final long tableId;

    PagingStructureCache(final TableArena arena)
    {
        this.arena = arena;
        this.arenaBase = arena.baseAddress();
        this.tableId = TABLE_IDS.incrementAndGet() & 0x3FF_FFFFL;
    }

    /**
     * The leaf table of {@code pos}'s region, if the cache holds it and its owner tag confirms it.
     *
     * @param pos an address of the table's range.
     * @return the table's address, or 0.
     */
    final long leafTable(final long pos)
    {
        final long region = pos >>> REGION_SHIFT;
        final long cached = UnsafeApi.getLongOpaque(slots, slotOffset(region));
        if ((cached >>> PAGE_BITS) != region || cached == 0)
        {
            return 0;
        }
        final int page = (int)(cached & PAGE_MASK);
        return laOwnerTagMatches(page, pos) ? arenaBase + ((long)page << PteDescriptor.PAGE_SHIFT) : 0;
    }

    /**
     * Whether {@code page} is, by its owner tag, the leaf table of {@code pos}'s region in this table. Acquire load:
     * pairs with the release in {@link #tag}, so a reader that sees the tag sees the table linked (and everything
     * written before the link); a freed or reused page has another tag (or none).
     */
    boolean laOwnerTagMatches(final int page, final long pos)
    {
        return arena.ownerTagAcquire(page) == ownerTag(pos);
    }

    /**
     * Tag a leaf table that was just linked, and remember it.
     *
     * @param page the table's page, linked by the CAS before this call.
     * @param pos  an address of its region.
     */
    final void tag(final int page, final long pos)
    {
        // Release: the tag is set only after the table was linked by the CAS before this call.
        arena.ownerTagRelease(page, ownerTag(pos));
        remember(page, pos);
    }

    /**
     * Clear a leaf table's tag before it is unlinked, so the cache can never match it again.
     *
     * @param page the table's page, still linked.
     */
    final void untag(final int page)
    {
        // Release store, and the unlink after it is a getAndSet (a full fence): any reader that sees the unlink,
        // or a generation bumped after it, sees the tag cleared.
        arena.ownerTagRelease(page, 0);
    }

    /**
     * Remember {@code page} as the leaf table of {@code pos}'s region (a hint: checked by the tag when used).
     */
    final void remember(final int page, final long pos)
    {
        final long region = pos >>> REGION_SHIFT;
        UnsafeApi.putLongOpaque(slots, slotOffset(region), (region << PAGE_BITS) | page);
    }

    private long ownerTag(final long pos)
    {
        return (tableId << TABLE_ID_SHIFT) | ((pos >>> REGION_SHIFT) + 1);
    }

    private static long slotOffset(final long region)
    {
        return LONG_ARRAY_BASE + (((int)region & (SLOTS - 1)) << 3);
    }
}
