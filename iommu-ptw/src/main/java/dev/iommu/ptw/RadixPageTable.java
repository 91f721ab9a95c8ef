/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.UnsafeApi;

import static dev.iommu.ptw.PteDescriptor.ADDRESS_MASK;
import static dev.iommu.ptw.PteDescriptor.PAGE_SHIFT;
import static dev.iommu.ptw.PteDescriptor.TABLE;

/**
 * A lock-free radix page table in a {@link TableArena}: 512 entries per table, 3, 4 or 5 levels for 39, 48 or
 * 57-bit input addresses, 4 KiB, 2 MiB and 1 GiB leaves (entry format: {@link PteDescriptor}).
 *
 * <h2>Contract</h2>
 * Map, unmap, reserve and translate may run concurrently from any threads. Concurrent maps and unmaps must be on
 * disjoint ranges (the caller owns the range it maps or unmaps, as with an IOVA allocator); maps of overlapping
 * ranges are detected ({@link PtwResult#EXISTS}) and undone: at most one of them succeeds (two multi-page maps that
 * each claimed part of the other's range first both get EXISTS). A map and an unmap of overlapping ranges are the
 * caller's race: the unmap may count part of the map, and a 4 KiB unmap racing a 2 MiB map of its region may clear
 * the new large leaf. Translate may race anything; it may see a leaf of a map that is then rolled back.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Map and reserve are all-or-nothing, tables included: unless the whole range lies in one existing leaf
 *   table, a call first counts the tables it will install ({@link TableDemand}, deciding large leaves as the map
 *   does) and takes that many pages from the arena ({@link TablePageStash}); running out refuses the call before
 *   anything changed. A call that will install tables also looks for a mapped leaf in its range first and
 *   refuses a clash before installing any. Missing tables are then installed with one CAS each (the loser frees
 *   its page), leaves are claimed by CAS from empty; a clash found by a leaf CAS (a racing overlapping map) clears
 *   the leaves this call claimed and keeps every table (a reservation's tables must stay, and in the sequential
 *   case the call installed none). Only maps racing an overlapping map can leave an empty table behind.</li>
 *   <li>Large leaves are used when address, output and remaining length are aligned to 2 MiB / 1 GiB, the size is
 *   allowed, and the slot is empty: a large leaf never replaces an existing lower table, so reserved ranges stay
 *   4 KiB.</li>
 *   <li>Unmap clears leaves, returns the number of 4 KiB pages that were mapped, and frees every table whose whole
 *   span lies inside the range. <b>Partial unmap of a large leaf is refused</b>: if the range covers only part of
 *   a 2 MiB or 1 GiB leaf, unmap returns {@link PtwResult#PARTIAL_LARGE_PAGE} and changes nothing.</li>
 *   <li>Bad arguments return a distinct {@link PtwResult} code and change nothing.</li>
 * </ul>
 *
 * <h2>Safe reclamation</h2>
 * A table page is freed only after it was unlinked from its parent (getAndSet to 0). Every free bumps this
 * table's free generation ({@link AtomicLong#incrementAndGet()}, a full fence) after the unlink and before the
 * page is zeroed and returned to the arena, where anyone may reuse it. A translate walk reads the generation
 * before it starts (volatile load), reads entries with acquire loads, issues a load fence and reads the
 * generation again; it returns only if both are equal, otherwise it walks again. If the walk read any value
 * written after the page's reuse, that write happened after the increment (program order of the freeing thread,
 * then the arena's CAS hand-off), so the second read sees a new generation: a walk never returns content of a
 * reused page. A walk that reads zeros of a freed page reports "not present", which is a valid result because
 * the address was unmapped during the walk. Writers (map, unmap, reserve) never need the check: a table is freed
 * only when an unmap covers its whole span, and no other writer may be using a range inside that span.
 *
 * <h2>Paging-structure cache</h2>
 * A small direct-mapped cache per table (64 slots, indexed by the 2 MiB region) remembers the last level-0 table
 * of a region, as a hint: {@code (region << 20) | page}. It is used by writers only after checking the arena's
 * owner tag of that page ({@code tableId << 37 | region + 1}), which is set with a release store after the table
 * was linked and cleared before it is unlinked, so a freed or reused page never matches.
 */
public final class RadixPageTable
{
    private static final AtomicInteger TABLE_IDS = new AtomicInteger();
    private static final int PSC_SLOTS = 64;
    private static final int PSC_PAGE_BITS = 20;
    private static final long PAGE_MASK = PageSizes.SIZE_4K - 1;
    private static final int REGION_SHIFT = 21;
    private static final long LONG_ARRAY_BASE = UnsafeApi.arrayBaseOffset(long[].class);

    private final TableArena arena;
    private final int levels;
    private final int top;
    private final int addressWidth;
    private final long limit;
    private final int allowedSizes;
    private final int rootPage;
    private final long rootAddress;
    private final long tableId;
    private final AtomicLong tablePages = new AtomicLong();
    private final AtomicLong freeGeneration = new AtomicLong();
    private final long[] psc = new long[PSC_SLOTS];
    private final long arenaBase;
    private final int arenaCapacity;
    private final SoftwareIotlb iotlb;
    private final WalkObserver observer;
    private final TableDemand demand;

    /** Package-private so that a jcstress test can give a table a broken IOTLB variant; null: no IOTLB. */
    RadixPageTable(
        final TableArena arena, final PageTableConfig config, final int rootPage, final WalkObserver observer,
        final SoftwareIotlb iotlb)
    {
        this.observer = observer;
        this.arenaBase = arena.baseAddress();
        this.arenaCapacity = arena.capacity();
        this.arena = arena;
        this.addressWidth = config.addressWidth();
        this.levels = (addressWidth - PAGE_SHIFT) / PteDescriptor.BITS_PER_LEVEL;
        this.top = levels - 1;
        this.limit = 1L << addressWidth;
        this.allowedSizes = config.allowedPageSizes();
        this.rootPage = rootPage;
        this.rootAddress = arena.pageAddress(rootPage);
        this.tableId = TABLE_IDS.incrementAndGet() & 0x3FF_FFFFL;
        this.iotlb = iotlb;
        tablePages.set(1);
        this.demand = new TableDemand(this, arena);
    }

    /**
     * Create a table with its root page.
     *
     * @param arena  the memory of its tables.
     * @param config its settings (read once).
     * @return the table, or null when the arena has no page for the root.
     */
    public static RadixPageTable create(final TableArena arena, final PageTableConfig config)
    {
        return create(arena, config, null);
    }

    static RadixPageTable create(final TableArena arena, final PageTableConfig config, final WalkObserver observer)
    {
        final int root = arena.allocate();
        if (root == 0)
        {
            return null;
        }
        return new RadixPageTable(arena, config, root, observer,
            config.iotlbEntries() > 0 ? new SoftwareIotlb(config) : null);
    }

    long rootTableAddress()
    {
        return rootAddress;
    }

    /**
     * @return the address width in bits.
     */
    public int addressWidth()
    {
        return addressWidth;
    }

    /**
     * @return 3, 4 or 5.
     */
    public int levels()
    {
        return levels;
    }

    /**
     * @return the arena page index of the root table (for a walker in another process).
     */
    public int rootPage()
    {
        return rootPage;
    }

    /**
     * @return the arena.
     */
    public TableArena arena()
    {
        return arena;
    }

    /**
     * @return table pages this table holds, the root included.
     */
    public long tablePages()
    {
        return tablePages.get();
    }

    /**
     * @return the software IOTLB, or null when configured with 0 entries.
     */
    public SoftwareIotlb iotlb()
    {
        return iotlb;
    }

    long freeGeneration()
    {
        return freeGeneration.get();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Map
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Map {@code [iova, iova + length)} to {@code [output, output + length)}, all or nothing.
     *
     * @param iova        input address, 4 KiB aligned.
     * @param output      output address, 4 KiB aligned, below 2^52.
     * @param length      bytes, a positive multiple of 4 KiB.
     * @param permissions {@link PtwPermissions} bits.
     * @return {@link PtwResult#OK}, or a negative {@link PtwResult} code (nothing mapped).
     */
    public int map(final long iova, final long output, final long length, final int permissions)
    {
        final int check = checkRange(iova, length);
        if (check != PtwResult.OK)
        {
            return check;
        }
        if ((output & PAGE_MASK) != 0)
        {
            return PtwResult.UNALIGNED;
        }
        if (output < 0 || output + length > PteDescriptor.MAX_OUTPUT || output + length < 0)
        {
            return PtwResult.BAD_ARGUMENT;
        }
        if (!PtwPermissions.isValid(permissions))
        {
            return PtwResult.BAD_PERMISSIONS;
        }
        final long end = iova + length;
        final long delta = output - iova;
        // The whole range in one leaf table that exists (the common single-I/O map): nothing to install, and a
        // clash clears only the leaves this call claimed. Otherwise count and take the tables first.
        final long leafTable = (iova >>> REGION_SHIFT) == ((end - 1) >>> REGION_SHIFT) ? cachedLeafTable(iova) : 0;
        if (leafTable != 0)
        {
            // No large leaf can go there either (the level-1 entry is this table): claim the leaves directly.
            final long next = claimLeaves(leafTable, iova, end, delta, permissions);
            return next < 0 ? (int)next : PtwResult.OK;
        }
        final TablePageStash stash = TablePageStash.forThread();
        final int prepared = prepare(stash, iova, end, delta, true, true);
        if (prepared != PtwResult.OK)
        {
            return prepared;
        }
        try
        {
            return mapRange(iova, end, delta, permissions, stash);
        }
        finally
        {
            stash.release();
        }
    }

    /**
     * Maps {@code [iova, end)} step by step with tables from {@code stash}; a failing step rolls back what this
     * range mapped (leaves only).
     */
    private int mapRange(
        final long iova, final long end, final long delta, final int permissions, final TablePageStash stash)
    {
        long pos = iova;
        while (pos < end)
        {
            final long next = mapStep(pos, end, delta, permissions, stash);
            if (next < 0)
            {
                rollback(iova, pos);
                return (int)next;
            }
            pos = next;
        }
        return PtwResult.OK;
    }

    /**
     * All or nothing, before anything changes: counts the tables a map or reserve of {@code [start, end)} installs
     * ({@link TableDemand}) and takes that many pages from the arena into {@code stash}. When the call would
     * install tables, a leaf already in the range ({@code checkLeaves}) refuses it here too, so that a refused
     * call never leaves a table behind; without new tables a clash is found by the leaf CAS and rolled back (only
     * leaves change).
     *
     * @return {@link PtwResult#OK} (release the stash in a finally block), or NO_MEMORY or EXISTS with nothing
     *     changed and nothing held.
     */
    private int prepare(
        final TablePageStash stash, final long start, final long end, final long delta, final boolean large,
        final boolean checkLeaves)
    {
        final long tables = demand.count(start, end, delta, large);
        if (tables < 0)
        {
            return (int)tables;
        }
        if (tables > 0 && checkLeaves && nextMappedLevel(rootAddress, top, 0, start, end) >= 0)
        {
            return PtwResult.EXISTS;
        }
        return stash.fill(arena, tables) ? PtwResult.OK : PtwResult.NO_MEMORY;
    }

    /**
     * Map {@code count} 4 KiB pages at {@code iova} to the given output page frames, all or nothing.
     *
     * @param iova        input address, 4 KiB aligned.
     * @param frames      output page frame numbers (output address / 4096), each below 2^40.
     * @param offset      first frame used.
     * @param count       number of pages, positive.
     * @param permissions {@link PtwPermissions} bits.
     * @return {@link PtwResult#OK}, or a negative {@link PtwResult} code (nothing mapped).
     */
    public int mapScatter(final long iova, final long[] frames, final int offset, final int count,
        final int permissions)
    {
        if (null == frames || offset < 0 || offset > frames.length)
        {
            return PtwResult.BAD_ARGUMENT;
        }
        if (count <= 0)
        {
            return PtwResult.BAD_LENGTH;
        }
        if (count > frames.length - offset)
        {
            return PtwResult.BAD_ARGUMENT;
        }
        final long length = (long)count << PAGE_SHIFT;
        final int check = checkRange(iova, length);
        if (check != PtwResult.OK)
        {
            return check;
        }
        if (!PtwPermissions.isValid(permissions))
        {
            return PtwResult.BAD_PERMISSIONS;
        }
        for (int i = offset, last = offset + count; i < last; i++)
        {
            if ((frames[i] >>> (52 - PAGE_SHIFT)) != 0)
            {
                return PtwResult.BAD_ARGUMENT;
            }
        }
        final long end = iova + length;
        final long leafTable = (iova >>> REGION_SHIFT) == ((end - 1) >>> REGION_SHIFT) ? cachedLeafTable(iova) : 0;
        if (leafTable != 0)
        {
            // The whole range in one leaf table that exists (the common single-I/O map): nothing to install.
            return claimScatter(leafTable, iova, end, frames, offset, permissions);
        }
        final TablePageStash stash = TablePageStash.forThread();
        final int prepared = prepare(stash, iova, end, 0, false, true);
        if (prepared != PtwResult.OK)
        {
            return prepared;
        }
        try
        {
            return scatter(iova, end, frames, offset, permissions, stash);
        }
        finally
        {
            stash.release();
        }
    }

    /**
     * Claims the leaves of {@code [iova, end)}, all inside leaf table {@code table}, for the frames from
     * {@code offset}; on a clash clears the leaves it claimed.
     */
    private int claimScatter(
        final long table, final long iova, final long end, final long[] frames, final int offset,
        final int permissions)
    {
        long addr = table + ((long)PteDescriptor.index(iova, 0) << 3);
        int frame = offset;
        for (long pos = iova; pos < end; pos += PageSizes.SIZE_4K)
        {
            final long leaf = PteDescriptor.leaf(frames[frame] << PAGE_SHIFT, permissions, false);
            if (!UnsafeApi.compareAndSetLong(null, addr, 0, leaf))
            {
                clearLeaves(table, iova, pos);
                return PtwResult.EXISTS;
            }
            frame++;
            addr += PteDescriptor.ENTRY_SIZE;
        }
        return PtwResult.OK;
    }

    private int scatter(
        final long iova, final long end, final long[] frames, final int offset, final int permissions,
        final TablePageStash stash)
    {
        long pos = iova;
        int frame = offset;
        while (pos < end)
        {
            final long table = leafTable(pos, true, stash);
            if (table < 0)
            {
                rollback(iova, pos);
                return (int)table;
            }
            final long stop = Math.min(end, regionEnd(pos));
            if (claimScatter(table, pos, stop, frames, frame, permissions) != PtwResult.OK)
            {
                rollback(iova, pos);
                return PtwResult.EXISTS;
            }
            frame += (int)((stop - pos) >>> PAGE_SHIFT);
            pos = stop;
        }
        return PtwResult.OK;
    }

    /**
     * Install every table behind {@code [iova, iova + length)} down to level 0, without leaves, so that later maps
     * of 4 KiB pages in the range never allocate (and never use large leaves there).
     *
     * @param iova   input address, 4 KiB aligned.
     * @param length bytes, a positive multiple of 4 KiB.
     * @return {@link PtwResult#OK}, {@link PtwResult#NO_MEMORY} (nothing installed), or {@link PtwResult#EXISTS}
     *     when a large leaf covers part of the range (nothing installed, unless a racing map put that leaf there
     *     meanwhile: then the tables installed so far stay, empty), or a bad-argument code.
     */
    public int reserve(final long iova, final long length)
    {
        final int check = checkRange(iova, length);
        if (check != PtwResult.OK)
        {
            return check;
        }
        final long end = iova + length;
        final TablePageStash stash = TablePageStash.forThread();
        final int prepared = prepare(stash, iova, end, 0, false, false);
        if (prepared != PtwResult.OK)
        {
            return prepared;
        }
        try
        {
            // Fails only when a racing map took a counted region's table slot with a large leaf: the tables
            // installed so far stay (empty), as the contract says.
            return installLeafTables(iova, end, stash);
        }
        finally
        {
            stash.release();
        }
    }

    /**
     * Identity-map several ranges ({@code [starts[i], starts[i] + lengths[i])} to the same addresses), all or
     * nothing over the whole set: the tables of every range are counted, each as if the others did not exist (so a
     * new table two ranges share is counted twice: near exhaustion such a set may be refused though it would just
     * fit), and taken from the arena before any range is mapped; a clash anywhere refuses the set before it installs
     * a table; a range that fails after others were mapped (a racing overlapping map) undoes them all, leaves only.
     *
     * @param starts      range starts, 4 KiB aligned.
     * @param lengths     range lengths, positive multiples of 4 KiB.
     * @param count       ranges used (the first {@code count} of each array).
     * @param permissions {@link PtwPermissions} bits.
     * @return {@link PtwResult#OK}, or a negative {@link PtwResult} code (nothing mapped, no table installed).
     */
    public int mapIdentityRanges(final long[] starts, final long[] lengths, final int count, final int permissions)
    {
        if (null == starts || null == lengths || count <= 0 || count > starts.length || count > lengths.length)
        {
            return PtwResult.BAD_ARGUMENT;
        }
        if (!PtwPermissions.isValid(permissions))
        {
            return PtwResult.BAD_PERMISSIONS;
        }
        long tables = 0;
        for (int i = 0; i < count; i++)
        {
            final int check = checkRange(starts[i], lengths[i]);
            if (check != PtwResult.OK)
            {
                return check;
            }
            final long demanded = demand.count(starts[i], starts[i] + lengths[i], 0, true);
            if (demanded < 0)
            {
                return (int)demanded;
            }
            tables += demanded;
        }
        for (int i = 0; i < count && tables > 0; i++)
        {
            if (nextMappedLevel(rootAddress, top, 0, starts[i], starts[i] + lengths[i]) >= 0)
            {
                return PtwResult.EXISTS;
            }
        }
        final TablePageStash stash = TablePageStash.forThread();
        if (!stash.fill(arena, tables))
        {
            return PtwResult.NO_MEMORY;
        }
        try
        {
            for (int i = 0; i < count; i++)
            {
                final int result = mapRange(starts[i], starts[i] + lengths[i], 0, permissions, stash);
                if (result != PtwResult.OK)
                {
                    for (int j = 0; j < i; j++)
                    {
                        rollback(starts[j], starts[j] + lengths[j]);
                    }
                    return result;
                }
            }
            return PtwResult.OK;
        }
        finally
        {
            stash.release();
        }
    }

    /**
     * Install the tables behind {@code [iova, iova + length)} as {@link #reserve} does, but without counting them
     * first: tables are installed as the walk meets their absence, and running out stops there, leaving the tables
     * installed so far (empty). For an emulation of an IOMMU driver that builds tables that way; {@link #reserve} is
     * the all-or-nothing form.
     *
     * @param iova   input address, 4 KiB aligned.
     * @param length bytes, a positive multiple of 4 KiB.
     * @return {@link PtwResult#OK}, {@link PtwResult#NO_MEMORY} (the tables installed so far stay), or
     *     {@link PtwResult#EXISTS} when a large leaf covers part of the range, or a bad-argument code.
     */
    public int reserveAsFarAsPossible(final long iova, final long length)
    {
        final int check = checkRange(iova, length);
        if (check != PtwResult.OK)
        {
            return check;
        }
        return installLeafTables(iova, iova + length, null);
    }

    /**
     * Installs the tables behind every 2 MiB region of {@code [iova, end)} down to level 0, from {@code stash} (or
     * from the arena when null), stopping at the first failure.
     */
    private int installLeafTables(final long iova, final long end, final TablePageStash stash)
    {
        for (long pos = iova; pos < end; pos = regionEnd(pos))
        {
            final long table = leafTable(pos, true, stash);
            if (table < 0)
            {
                return (int)table;
            }
        }
        return PtwResult.OK;
    }

    private long mapStep(
        final long pos, final long end, final long delta, final int permissions, final TablePageStash stash)
    {
        final boolean large = canLarge(1, pos, end, delta) || canLarge(2, pos, end, delta);
        if (!large)
        {
            final long cached = cachedLeafTable(pos);
            if (cached != 0)
            {
                return claimLeaves(cached, pos, Math.min(end, regionEnd(pos)), delta, permissions);
            }
        }
        long table = rootAddress;
        int level = top;
        while (true)
        {
            if (level == 0)
            {
                return claimLeaves(table, pos, Math.min(end, regionEnd(pos)), delta, permissions);
            }
            final long addr = table + ((long)PteDescriptor.index(pos, level) << 3);
            long entry = UnsafeApi.getLongVolatile(null, addr);
            if (entry == 0 && canLarge(level, pos, end, delta))
            {
                if (UnsafeApi.compareAndSetLong(null, addr, 0, PteDescriptor.leaf(pos + delta, permissions, true)))
                {
                    return pos + (1L << PteDescriptor.shift(level));
                }
                entry = UnsafeApi.getLongVolatile(null, addr);
            }
            if (entry == 0)
            {
                final int child = null == stash ? arena.allocate() : stash.take(arena);
                if (child == 0)
                {
                    return PtwResult.NO_MEMORY;
                }
                final long childAddress = arena.pageAddress(child);
                long next = pos;
                if (level == 1)
                {
                    // A new level-0 table is private until published: fill its leaves with plain stores.
                    next = prefill(childAddress, pos, Math.min(end, regionEnd(pos)), delta, permissions);
                }
                else if (level == 2 && canLarge(1, pos, end, delta))
                {
                    // Same for a new level-1 table: fill it with 2 MiB leaves while they fit.
                    next = prefillLarge(childAddress, pos, end, delta, permissions);
                }
                // Publication: the CAS is a release (full) fence, so the zeroed page and any prefilled leaves are
                // visible to every walker that reads this entry with an acquire load.
                if (UnsafeApi.compareAndSetLong(null, addr, 0, PteDescriptor.table(child)))
                {
                    tablePages.incrementAndGet();
                    if (level == 1)
                    {
                        tagLeafTable(child, pos);
                        return next;
                    }
                    if (next > pos)
                    {
                        return next;
                    }
                    table = childAddress;
                    level--;
                    continue;
                }
                // Lost the race: the page was never reachable, so it can go straight back (free zeroes it).
                arena.free(child);
                entry = UnsafeApi.getLongVolatile(null, addr);
            }
            if ((entry & TABLE) == 0)
            {
                return PtwResult.EXISTS;
            }
            final int child = PteDescriptor.childIndex(entry);
            table = arena.pageAddress(child);
            level--;
            if (level == 0)
            {
                rememberLeafTable(child, pos);
            }
        }
    }

    private long prefill(final long table, final long pos, final long stop, final long delta, final int permissions)
    {
        long addr = table + ((long)PteDescriptor.index(pos, 0) << 3);
        long p = pos;
        while (p < stop)
        {
            UnsafeApi.putLong(null, addr, PteDescriptor.leaf(p + delta, permissions, false));
            p += PageSizes.SIZE_4K;
            addr += PteDescriptor.ENTRY_SIZE;
        }
        return p;
    }

    private long prefillLarge(
        final long table, final long pos, final long end, final long delta, final int permissions)
    {
        final long tableEnd = (pos | (PageSizes.SIZE_1G - 1)) + 1;
        long addr = table + ((long)PteDescriptor.index(pos, 1) << 3);
        long p = pos;
        while (p < tableEnd && end - p >= PageSizes.SIZE_2M)
        {
            UnsafeApi.putLong(null, addr, PteDescriptor.leaf(p + delta, permissions, true));
            p += PageSizes.SIZE_2M;
            addr += PteDescriptor.ENTRY_SIZE;
        }
        return p;
    }

    private long claimLeaves(
        final long table, final long pos, final long stop, final long delta, final int permissions)
    {
        long addr = table + ((long)PteDescriptor.index(pos, 0) << 3);
        long p = pos;
        while (p < stop)
        {
            if (!UnsafeApi.compareAndSetLong(null, addr, 0, PteDescriptor.leaf(p + delta, permissions, false)))
            {
                clearLeaves(table, pos, p);
                return PtwResult.EXISTS;
            }
            p += PageSizes.SIZE_4K;
            addr += PteDescriptor.ENTRY_SIZE;
        }
        return p;
    }

    private void clearLeaves(final long table, final long from, final long to)
    {
        long addr = table + ((long)PteDescriptor.index(from, 0) << 3);
        for (long p = from; p < to; p += PageSizes.SIZE_4K)
        {
            UnsafeApi.getAndSetLong(null, addr, 0);
            addr += PteDescriptor.ENTRY_SIZE;
        }
        if (null != iotlb && to > from)
        {
            iotlb.invalidateRange(from, to - from);
        }
    }

    private void rollback(final long iova, final long pos)
    {
        if (pos > iova)
        {
            // Keep the tables: they may be a reservation's (MapReservedLogicalRange must never free its token's
            // tables), and a refused map that installed none leaves the tables as they were.
            unmapLevel(rootAddress, top, 0, iova, pos, false);
            if (null != iotlb)
            {
                // A translate may have cached a leaf of the failed map: always invalidate, whatever the mode.
                iotlb.invalidateRange(iova, pos - iova);
            }
        }
    }

    /**
     * The level-0 table holding {@code pos}, installing missing tables when asked (from {@code stash}, or from
     * the arena when the caller knew none would be missing and passed null).
     *
     * @return its address, or a negative {@link PtwResult}: NO_MEMORY, EXISTS (a large leaf), or NOT-present
     *     (0) when {@code install} is false.
     */
    private long leafTable(final long pos, final boolean install, final TablePageStash stash)
    {
        final long cached = cachedLeafTable(pos);
        if (cached != 0)
        {
            return cached;
        }
        long table = rootAddress;
        for (int level = top; level > 0; level--)
        {
            final long addr = table + ((long)PteDescriptor.index(pos, level) << 3);
            long entry = UnsafeApi.getLongVolatile(null, addr);
            if (entry == 0)
            {
                if (!install)
                {
                    return 0;
                }
                final int child = null == stash ? arena.allocate() : stash.take(arena);
                if (child == 0)
                {
                    return PtwResult.NO_MEMORY;
                }
                if (UnsafeApi.compareAndSetLong(null, addr, 0, PteDescriptor.table(child)))
                {
                    tablePages.incrementAndGet();
                    if (level == 1)
                    {
                        tagLeafTable(child, pos);
                    }
                    entry = PteDescriptor.table(child);
                }
                else
                {
                    arena.free(child);
                    entry = UnsafeApi.getLongVolatile(null, addr);
                }
            }
            if ((entry & TABLE) == 0)
            {
                return PtwResult.EXISTS;
            }
            table = arena.pageAddress(PteDescriptor.childIndex(entry));
            if (level == 1)
            {
                rememberLeafTable(PteDescriptor.childIndex(entry), pos);
            }
        }
        return table;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Unmap
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Unmap {@code [iova, iova + length)} and free every table whose whole span lies inside it.
     *
     * @param iova   input address, 4 KiB aligned.
     * @param length bytes, a positive multiple of 4 KiB.
     * @return the number of 4 KiB pages that were mapped (0 or more), or a negative {@link PtwResult} code
     *     (nothing changed), {@link PtwResult#PARTIAL_LARGE_PAGE} when the range cuts a large leaf.
     */
    public long unmap(final long iova, final long length)
    {
        return unmap(iova, length, true);
    }

    /**
     * Unmap {@code [iova, iova + length)} but keep every table (for reserved ranges: later maps do not allocate).
     *
     * @param iova   input address, 4 KiB aligned.
     * @param length bytes, a positive multiple of 4 KiB.
     * @return the number of 4 KiB pages that were mapped, or a negative {@link PtwResult} code.
     */
    public long unmapKeepTables(final long iova, final long length)
    {
        return unmap(iova, length, false);
    }

    private long unmap(final long iova, final long length, final boolean freeTables)
    {
        final int check = checkRange(iova, length);
        if (check != PtwResult.OK)
        {
            return check;
        }
        final long end = iova + length;
        long count = -1;
        if ((iova >>> REGION_SHIFT) == ((end - 1) >>> REGION_SHIFT) && (length < PageSizes.SIZE_2M || !freeTables))
        {
            final long table = cachedLeafTable(iova);
            if (table != 0)
            {
                count = 0;
                long addr = table + ((long)PteDescriptor.index(iova, 0) << 3);
                for (long p = iova; p < end; p += PageSizes.SIZE_4K)
                {
                    // getAndSet: a full fence that orders the clear before the IOTLB slot reads (see SoftwareIotlb).
                    if (UnsafeApi.getAndSetLong(null, addr, 0) != 0)
                    {
                        count++;
                    }
                    addr += PteDescriptor.ENTRY_SIZE;
                }
            }
        }
        if (count < 0)
        {
            if (cutsLargeLeaf(iova, end))
            {
                return PtwResult.PARTIAL_LARGE_PAGE;
            }
            count = unmapLevel(rootAddress, top, 0, iova, end, freeTables);
        }
        if (null != iotlb)
        {
            iotlb.afterUnmap(iova, length);
        }
        return count;
    }

    private boolean cutsLargeLeaf(final long start, final long end)
    {
        return cutsLargeLeafAt(start, start, end) || cutsLargeLeafAt(end - 1, start, end);
    }

    private boolean cutsLargeLeafAt(final long pos, final long start, final long end)
    {
        long table = rootAddress;
        for (int level = top; level > 0; level--)
        {
            final long entry = UnsafeApi.getLongVolatile(null, table + ((long)PteDescriptor.index(pos, level) << 3));
            if (entry == 0)
            {
                return false;
            }
            if ((entry & TABLE) == 0)
            {
                final long size = 1L << PteDescriptor.shift(level);
                final long leafStart = pos & -size;
                return leafStart < start || leafStart + size > end;
            }
            table = arena.pageAddress(PteDescriptor.childIndex(entry));
        }
        return false;
    }

    private long unmapLevel(
        final long table, final int level, final long tableBase, final long start, final long end,
        final boolean freeTables)
    {
        final int shift = PteDescriptor.shift(level);
        final long size = 1L << shift;
        final long lo = Math.max(start, tableBase);
        final long hi = Math.min(end - 1, tableBase + (size << PteDescriptor.BITS_PER_LEVEL) - 1);
        final int first = PteDescriptor.index(lo, level);
        final int last = PteDescriptor.index(hi, level);
        long count = 0;
        for (int i = first; i <= last; i++)
        {
            final long addr = table + ((long)i << 3);
            final long entry = UnsafeApi.getLongVolatile(null, addr);
            if (entry == 0)
            {
                continue;
            }
            final long entryBase = tableBase + ((long)i << shift);
            if ((entry & TABLE) == 0)
            {
                // A leaf (a large one is wholly inside: checked before). getAndSet is a full fence: see SoftwareIotlb.
                if (UnsafeApi.getAndSetLong(null, addr, 0) != 0)
                {
                    count += size >>> PAGE_SHIFT;
                }
                continue;
            }
            final int child = PteDescriptor.childIndex(entry);
            final long childAddress = arena.pageAddress(child);
            if (freeTables && entryBase >= start && entryBase + size <= end)
            {
                if (level == 1)
                {
                    // Clear the owner tag before the unlink, so the paging-structure cache can never match it again.
                    arena.ownerTag(child, 0);
                }
                UnsafeApi.getAndSetLong(null, addr, 0);
                // Reclamation: the unlink above happens before this increment, and the increment happens before the
                // pages are zeroed and returned to the pool below; a walk that read any of them retries.
                freeGeneration.incrementAndGet();
                count += countAndFree(childAddress, child, level - 1);
            }
            else
            {
                count += unmapLevel(childAddress, level - 1, entryBase, start, end, freeTables);
            }
        }
        return count;
    }

    private long countAndFree(final long table, final int page, final int level)
    {
        long count = 0;
        final long leafPages = 1L << (PteDescriptor.shift(level) - PAGE_SHIFT);
        for (int i = 0; i < PteDescriptor.ENTRIES; i++)
        {
            final long entry = UnsafeApi.getLongVolatile(null, table + ((long)i << 3));
            if (entry == 0)
            {
                continue;
            }
            if ((entry & TABLE) == 0)
            {
                count += leafPages;
            }
            else
            {
                final int child = PteDescriptor.childIndex(entry);
                count += countAndFree(arena.pageAddress(child), child, level - 1);
            }
        }
        tablePages.decrementAndGet();
        arena.free(page);
        return count;
    }

    /**
     * Free every table page of this table, the root included, returning them to the arena. The table must not be
     * used afterwards, and no other thread may be using it while this runs (the caller serialises deletion).
     *
     * @return the number of 4 KiB pages that were still mapped.
     */
    public long destroy()
    {
        final long count = unmapLevel(rootAddress, top, 0, 0, limit, true);
        freeGeneration.incrementAndGet();
        tablePages.decrementAndGet();
        arena.free(rootPage);
        return count;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Range queries (writers' view)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Whether every table down to the last level that holds {@code iova} is installed (a large leaf on the way
     * counts as present): what an unmap that walks to each 4 KiB leaf without allocating finds. Installs nothing.
     *
     * @param iova an address below 2^addressWidth.
     * @return true when the walk reaches a level-0 table or a large leaf, false when a table is missing or the
     *     address is outside the table.
     */
    public boolean leafTablePresent(final long iova)
    {
        if (iova < 0 || iova >= limit)
        {
            return false;
        }
        return leafTable(iova & ~PAGE_MASK, false, null) != 0;
    }


    /**
     * The first mapped 4 KiB page at or above {@code from} and below {@code to}. Skips absent tables, so a sparse
     * range costs what its tables cost, not what its pages do. Meant for a caller that owns the range (as writers
     * do): concurrent changes inside the range may or may not be seen.
     *
     * @param from first address looked at, 4 KiB aligned.
     * @param to   end of the range (exclusive), above {@code from}.
     * @return the address of the first mapped page (the start of a large leaf is clipped to {@code from}), or
     *     {@code to} when none is mapped, or a negative {@link PtwResult} code for a bad range.
     */
    public long nextMapped(final long from, final long to)
    {
        final int check = checkRange(from, to - from);
        if (check != PtwResult.OK)
        {
            return check;
        }
        final long found = nextMappedLevel(rootAddress, top, 0, from, to);
        return found < 0 ? to : found;
    }

    /**
     * How many 4 KiB pages of {@code [iova, iova + length)} are mapped (a large leaf counts the pages of it that
     * lie inside the range). Same visibility as {@link #nextMapped(long, long)}.
     *
     * @param iova   first address, 4 KiB aligned.
     * @param length bytes, a positive multiple of 4 KiB.
     * @return the count, or a negative {@link PtwResult} code for a bad range.
     */
    public long countMapped(final long iova, final long length)
    {
        final int check = checkRange(iova, length);
        if (check != PtwResult.OK)
        {
            return check;
        }
        return countMappedLevel(rootAddress, top, 0, iova, iova + length);
    }

    /**
     * Whether {@code [iova, iova + length)} covers only part of a 2 MiB or 1 GiB leaf, so that {@link #unmap} of it
     * would return {@link PtwResult#PARTIAL_LARGE_PAGE}.
     *
     * @param iova   first address, 4 KiB aligned.
     * @param length bytes, a positive multiple of 4 KiB.
     * @return true when the range cuts a large leaf; false otherwise (also for a bad range).
     */
    public boolean cutsLargePage(final long iova, final long length)
    {
        return checkRange(iova, length) == PtwResult.OK && cutsLargeLeaf(iova, iova + length);
    }

    private long nextMappedLevel(
        final long table, final int level, final long tableBase, final long start, final long end)
    {
        final int shift = PteDescriptor.shift(level);
        final long size = 1L << shift;
        final long lo = Math.max(start, tableBase);
        final long hi = Math.min(end - 1, tableBase + (size << PteDescriptor.BITS_PER_LEVEL) - 1);
        final int first = PteDescriptor.index(lo, level);
        final int last = PteDescriptor.index(hi, level);
        for (int i = first; i <= last; i++)
        {
            final long entry = UnsafeApi.getLongVolatile(null, table + ((long)i << 3));
            if (entry == 0)
            {
                continue;
            }
            final long entryBase = tableBase + ((long)i << shift);
            if ((entry & TABLE) == 0)
            {
                return Math.max(entryBase, start);
            }
            final long found = nextMappedLevel(
                arena.pageAddress(PteDescriptor.childIndex(entry)), level - 1, entryBase, start, end);
            if (found >= 0)
            {
                return found;
            }
        }
        return -1;
    }

    private long countMappedLevel(
        final long table, final int level, final long tableBase, final long start, final long end)
    {
        final int shift = PteDescriptor.shift(level);
        final long size = 1L << shift;
        final long lo = Math.max(start, tableBase);
        final long hi = Math.min(end - 1, tableBase + (size << PteDescriptor.BITS_PER_LEVEL) - 1);
        final int first = PteDescriptor.index(lo, level);
        final int last = PteDescriptor.index(hi, level);
        long count = 0;
        for (int i = first; i <= last; i++)
        {
            final long entry = UnsafeApi.getLongVolatile(null, table + ((long)i << 3));
            if (entry == 0)
            {
                continue;
            }
            final long entryBase = tableBase + ((long)i << shift);
            if ((entry & TABLE) == 0)
            {
                final long from = Math.max(entryBase, start);
                final long to = Math.min(entryBase + size, end);
                count += (to - from) >>> PAGE_SHIFT;
            }
            else
            {
                count += countMappedLevel(
                    arena.pageAddress(PteDescriptor.childIndex(entry)), level - 1, entryBase, start, end);
            }
        }
        return count;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Translate
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Translate one input address, through the IOTLB when there is one. Lock-free, allocation-free.
     *
     * @param iova the input address.
     * @return an encoded {@link Translation}: output page, level and permissions, or a fault.
     */
    public long translate(final long iova)
    {
        if ((iova >>> addressWidth) != 0)
        {
            return Translation.BAD_ADDRESS;
        }
        if (null != iotlb)
        {
            final long hit = iotlb.lookup(iova >>> PAGE_SHIFT);
            if (hit != SoftwareIotlb.MISS)
            {
                return hit;
            }
            return walk(iova, true);
        }
        return walk(iova, false);
    }

    /**
     * Translate and check an access.
     *
     * @param iova   the input address.
     * @param access the {@link PtwPermissions} the access needs.
     * @return an encoded {@link Translation}, or a {@link Translation#FAULT_PERMISSION} fault when the leaf does not
     *     grant {@code access}.
     */
    public long translate(final long iova, final int access)
    {
        if (!PtwPermissions.isValid(access))
        {
            return Translation.BAD_ADDRESS;
        }
        final long t = translate(iova);
        if (t >= 0 && (Translation.permissions(t) & access) != access)
        {
            return Translation.PERMISSION;
        }
        return t;
    }

    /**
     * Translate by walking the tables, bypassing (and not filling) the IOTLB.
     *
     * @param iova the input address.
     * @return an encoded {@link Translation}.
     */
    public long walk(final long iova)
    {
        if ((iova >>> addressWidth) != 0)
        {
            return Translation.BAD_ADDRESS;
        }
        return walk(iova, false);
    }

    private long walk(final long iova, final boolean fill)
    {
        while (true)
        {
            // Reclamation check, part 1: the generation before the walk (volatile load).
            final long generation = freeGeneration.get();
            final long base = arenaBase;
            final int capacity = arenaCapacity;
            // Fields read once into locals: an acquire load keeps later field loads from being hoisted above it.
            final WalkObserver walkObserver = observer;
            long table = rootAddress;
            int level = top;
            long result = Translation.NOT_PRESENT;
            long leafAddress = 0;
            long leafEntry = 0;
            while (true)
            {
                final long addr = table + ((long)PteDescriptor.index(iova, level) << 3);
                // Acquire: pairs with the publishing CAS of a table or leaf, so a table is seen with its contents.
                final long entry = UnsafeApi.getLongAcquire(null, addr);
                if (null != walkObserver)
                {
                    walkObserver.afterRead(level, entry);
                }
                if (entry == 0)
                {
                    break;
                }
                if ((entry & TABLE) != 0)
                {
                    final int child = PteDescriptor.childIndex(entry);
                    if (level == 0 || Integer.compareUnsigned(child - 1, capacity) >= 0)
                    {
                        break;
                    }
                    table = base + ((long)child << PAGE_SHIFT);
                    level--;
                    continue;
                }
                final long offsetInLeaf = iova & ((1L << PteDescriptor.shift(level)) - 1) & ~PAGE_MASK;
                result = Translation.encode(
                    (entry & ADDRESS_MASK) + offsetInLeaf, level, PteDescriptor.permissions(entry));
                leafAddress = addr;
                leafEntry = entry;
                break;
            }
            // Reclamation check, part 2: the loads above complete before the generation is read again.
            UnsafeApi.loadFence();
            if (freeGeneration.get() == generation)
            {
                if (fill && leafAddress != 0)
                {
                    iotlb.fill(iova >>> PAGE_SHIFT, result, leafAddress, leafEntry, this, generation);
                }
                return result;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Introspection
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Visit every maximal range of consecutive addresses mapped consecutively with the same permissions, in
     * address order. Meant for quiescent tables or debugging: concurrent changes may or may not be seen.
     *
     * @param consumer receives each range.
     */
    public void forEachMappedRange(final MappedRangeConsumer consumer)
    {
        final RangeCoalescer coalescer = new RangeCoalescer(consumer);
        visit(rootAddress, top, 0, coalescer);
        coalescer.flush();
    }

    /**
     * A human-readable dump of every present entry, one line each, indented by level.
     *
     * @return the dump.
     */
    public String dump()
    {
        final StringBuilder out = new StringBuilder();
        out.append("RadixPageTable width=").append(addressWidth).append(" levels=").append(levels)
            .append(" root=").append(rootPage).append(" tablePages=").append(tablePages()).append('\n');
        dump(out, rootAddress, top, 0, 1);
        return out.toString();
    }

    private void dump(final StringBuilder out, final long table, final int level, final long base, final int depth)
    {
        final int shift = PteDescriptor.shift(level);
        for (int i = 0; i < PteDescriptor.ENTRIES; i++)
        {
            final long entry = UnsafeApi.getLongVolatile(null, table + ((long)i << 3));
            if (entry == 0)
            {
                continue;
            }
            final long entryBase = base + ((long)i << shift);
            for (int d = 0; d < depth; d++)
            {
                out.append("  ");
            }
            out.append("L").append(level).append('[').append(i).append("] 0x").append(Long.toHexString(entryBase));
            if ((entry & TABLE) != 0)
            {
                final int child = PteDescriptor.childIndex(entry);
                out.append(" -> table page ").append(child).append('\n');
                if (level > 0 && arena.isPage(child))
                {
                    dump(out, arena.pageAddress(child), level - 1, entryBase, depth + 1);
                }
            }
            else
            {
                out.append(" => 0x").append(Long.toHexString(PteDescriptor.output(entry)))
                    .append(" size=0x").append(Long.toHexString(1L << shift))
                    .append(" perm=").append(PteDescriptor.permissions(entry)).append('\n');
            }
        }
    }

    private void visit(final long table, final int level, final long base, final RangeCoalescer coalescer)
    {
        final int shift = PteDescriptor.shift(level);
        for (int i = 0; i < PteDescriptor.ENTRIES; i++)
        {
            final long entry = UnsafeApi.getLongVolatile(null, table + ((long)i << 3));
            if (entry == 0)
            {
                continue;
            }
            final long entryBase = base + ((long)i << shift);
            if ((entry & TABLE) != 0)
            {
                final int child = PteDescriptor.childIndex(entry);
                if (level > 0 && arena.isPage(child))
                {
                    visit(arena.pageAddress(child), level - 1, entryBase, coalescer);
                }
            }
            else
            {
                coalescer.add(entryBase, PteDescriptor.output(entry), 1L << shift, PteDescriptor.permissions(entry));
            }
        }
    }

    static final class RangeCoalescer
    {
        private final MappedRangeConsumer consumer;
        private long iova = -1;
        private long output;
        private long length;
        private int permissions;

        RangeCoalescer(final MappedRangeConsumer consumer)
        {
            this.consumer = consumer;
        }

        void add(final long iova, final long output, final long length, final int permissions)
        {
            if (this.iova >= 0 && this.iova + this.length == iova && this.output + this.length == output &&
                this.permissions == permissions)
            {
                this.length += length;
                return;
            }
            flush();
            this.iova = iova;
            this.output = output;
            this.length = length;
            this.permissions = permissions;
        }

        void flush()
        {
            if (iova >= 0)
            {
                consumer.accept(iova, output, length, permissions);
                iova = -1;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    private int checkRange(final long iova, final long length)
    {
        if (length <= 0)
        {
            return PtwResult.BAD_LENGTH;
        }
        if (((iova | length) & PAGE_MASK) != 0)
        {
            return PtwResult.UNALIGNED;
        }
        final long end = iova + length;
        if (iova < 0 || end < iova || end > limit)
        {
            return PtwResult.OUT_OF_RANGE;
        }
        return PtwResult.OK;
    }

    boolean canLarge(final int level, final long pos, final long end, final long delta)
    {
        if (level == 1)
        {
            if ((allowedSizes & PageSizes.ALLOW_2M) == 0)
            {
                return false;
            }
        }
        else if (level != 2 || (allowedSizes & PageSizes.ALLOW_1G) == 0)
        {
            return false;
        }
        final long size = 1L << PteDescriptor.shift(level);
        return ((pos | (pos + delta)) & (size - 1)) == 0 && end - pos >= size;
    }

    private static long regionEnd(final long pos)
    {
        return (pos | (PageSizes.SIZE_2M - 1)) + 1;
    }

    private long ownerTag(final long pos)
    {
        return (tableId << 37) | ((pos >>> REGION_SHIFT) + 1);
    }

    private void tagLeafTable(final int page, final long pos)
    {
        // Release: the tag is set only after the table was linked by the CAS before this call.
        arena.ownerTag(page, ownerTag(pos));
        rememberLeafTable(page, pos);
    }

    private void rememberLeafTable(final int page, final long pos)
    {
        final long region = pos >>> REGION_SHIFT;
        UnsafeApi.putLongOpaque(psc, pscOffset(region), (region << PSC_PAGE_BITS) | page);
    }

    private long cachedLeafTable(final long pos)
    {
        final long region = pos >>> REGION_SHIFT;
        final long cached = UnsafeApi.getLongOpaque(psc, pscOffset(region));
        if ((cached >>> PSC_PAGE_BITS) != region || cached == 0)
        {
            return 0;
        }
        final int page = (int)(cached & ((1L << PSC_PAGE_BITS) - 1));
        // Acquire: pairs with the release in tagLeafTable; a freed or reused page has another tag.
        if (arena.ownerTag(page) != ownerTag(pos))
        {
            return 0;
        }
        return arenaBase + ((long)page << PAGE_SHIFT);
    }

    private static long pscOffset(final long region)
    {
        return LONG_ARRAY_BASE + (((int)region & (PSC_SLOTS - 1)) << 3);
    }
}
