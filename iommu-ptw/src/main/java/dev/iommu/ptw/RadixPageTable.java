/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;

import static dev.iommu.ptw.PteDescriptor.PAGE_SHIFT;

/**
 * A lock-free radix page table in a {@link TableArena}: 512 entries per table, 3, 4 or 5 levels for 39, 48 or
 * 57-bit input addresses, 4 KiB, 2 MiB and 1 GiB leaves (entry format: {@link PteDescriptor}).
 * {@link #attach} builds a table again over a root page that already holds tables (after a restart), checking them.
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
 * <h2>Structure</h2>
 * This class checks arguments ({@link PtwArguments}); the pieces are package-private: {@link AllOrNothingMapper}
 * (the all-or-nothing protocol of maps and reserves), {@link TableWriter} (installs tables, one CAS each, and claims
 * leaves), {@link UnmapWalk} and {@link TableFreeing} (unmap), {@link RangeQueries}, {@link TableDump} and
 * {@link TableDemand} (read-only walks; the recursive ones share {@link LevelRangeWalk}), {@link TranslateWalker}
 * (translate, with the safe-reclamation argument), {@link PagingStructureCache} (the leaf table of each 2 MiB
 * region) and {@link PteAccess} (every entry load and store, named by its ordering).
 *
 * <h2>Safe reclamation</h2>
 * A table page is freed only after it was unlinked from its parent, and only when an unmap covers its whole span,
 * so no other writer may be using a range inside it: writers (map, unmap, reserve) never need a check. Every free
 * bumps this table's free generation, which a translate walk reads before and after its loads (see
 * {@link TranslateWalker}).
 */
public final class RadixPageTable
{
    private static final long PAGE_MASK = PageSizes.SIZE_4K - 1;

    private final TableArena arena;
    private final int levels;
    private final int top;
    private final int addressWidth;
    private final long limit;
    private final int rootPage;
    private final long rootAddress;
    private final AtomicLong tablePages = new AtomicLong();
    /** Address of this table's free generation in the arena ({@link FreeGeneration}). */
    private final long freeGeneration;
    private final PagingStructureCache psc;
    private final SoftwareIotlb iotlb;
    private final TableWriter writer;
    private final UnmapWalk unmapFreeing;
    private final UnmapWalk unmapKeeping;
    private final RangeQueries queries;
    private final TranslateWalker walker;
    private final AllOrNothingMapper mapper;

    /** Package-private so that a jcstress test can give a table a broken IOTLB variant; null: no IOTLB. */
    RadixPageTable(
        final TableArena arena, final PageTableConfig config, final int rootPage, final WalkObserver observer,
        final SoftwareIotlb iotlb)
    {
        this(arena, config, rootPage, observer, iotlb, new PagingStructureCache(arena));
    }

    /** Package-private so that a jcstress test can give a table a broken paging-structure cache variant. */
    RadixPageTable(
        final TableArena arena, final PageTableConfig config, final int rootPage, final WalkObserver observer,
        final SoftwareIotlb iotlb, final PagingStructureCache psc)
    {
        this.arena = arena;
        this.addressWidth = config.addressWidth();
        this.levels = (addressWidth - PAGE_SHIFT) / PteDescriptor.BITS_PER_LEVEL;
        this.top = levels - 1;
        this.limit = 1L << addressWidth;
        this.rootPage = rootPage;
        this.rootAddress = arena.pageAddress(rootPage);
        this.freeGeneration = arena.generationAddress(rootPage);
        this.iotlb = iotlb;
        this.psc = psc;
        tablePages.set(1);
        final TableFreeing freeing = new TableFreeing(arena, tablePages);
        this.unmapFreeing = new UnmapWalk(arena, rootAddress, top, psc, freeGeneration, freeing, true);
        this.unmapKeeping = new UnmapWalk(arena, rootAddress, top, psc, freeGeneration, freeing, false);
        this.writer = new TableWriter(
            arena, rootAddress, top, config.allowedPageSizes(), tablePages, psc, iotlb, unmapKeeping);
        this.queries = new RangeQueries(arena, rootAddress, top);
        this.mapper = new AllOrNothingMapper(this, arena, psc, writer, new TableDemand(this, arena), queries);
        this.walker = new TranslateWalker(arena, rootPage, levels, psc, iotlb, observer);
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

    /**
     * Build a table again over a root page that already holds tables (what an owner does after a restart, when the
     * arena outlived it). Every table reachable from the root is checked ({@link TableReattach}) before anything
     * changes: each child index must be a page of the arena that no table reached before (in this table, or in
     * {@code inUse}), level 0 holds no table entry and no level above 2 holds a leaf. On success the table pages,
     * the root included, are added to {@code inUse} and counted in {@link #tablePages()}, and every level-0 table is
     * tagged for the paging-structure cache. The tables must be quiescent while this runs.
     *
     * @param arena    the memory that holds the tables.
     * @param config   the table's settings (read once); its address width must be the one the tables were built
     *                 with.
     * @param rootPage the arena page index of the root table.
     * @param inUse    the table pages of every table the caller attached so far in this arena; this table's pages
     *                 are added on success, and it is left as it was when the attach is refused.
     * @return the table.
     * @throws NullPointerException     when an argument is null.
     * @throws IllegalArgumentException when {@code rootPage} is not a page of the arena.
     * @throws IllegalStateException    when the tables are corrupt or share a page with each other or with
     *     {@code inUse} (the message names the root page, the level, the entry's page and index).
     */
    public static RadixPageTable attach(
        final TableArena arena, final PageTableConfig config, final int rootPage, final BitSet inUse)
    {
        TableReattach.checkArguments(arena, config, rootPage, inUse);
        final int top = (config.addressWidth() - PAGE_SHIFT) / PteDescriptor.BITS_PER_LEVEL - 1;
        final TableReattach found = TableReattach.scan(arena, rootPage, top, inUse);
        final RadixPageTable table = new RadixPageTable(arena, config, rootPage, null,
            config.iotlbEntries() > 0 ? new SoftwareIotlb(config) : null);
        table.tablePages.set(found.tablePages());
        found.commit(table.psc, inUse);
        return table;
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

    /** The paging-structure cache, for tests in this package. */
    PagingStructureCache pagingStructureCache()
    {
        return psc;
    }

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
        final int check = PtwArguments.checkMap(iova, output, length, permissions, limit);
        return check != PtwResult.OK ? check : mapper.map(iova, iova + length, output - iova, permissions);
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
        final int check = PtwArguments.checkScatter(iova, frames, offset, count, permissions, limit);
        return check != PtwResult.OK ? check :
            mapper.mapScatter(iova, iova + ((long)count << PAGE_SHIFT), frames, offset, permissions);
    }

    /**
     * {@link #mapScatter} for a caller that holds {@code [iova, iova + count pages)} alone and checked every argument
     * (the pages of an allocator's fresh block: no other call maps there, and their leaves are empty). When the range
     * lies in one leaf table the table knows, nothing is checked again and each leaf is published with a release
     * store instead of the claiming CAS; otherwise this is {@link #mapScatter}, checks included.
     *
     * @param iova        input address, 4 KiB aligned, the range inside the table's address space.
     * @param frames      output page frame numbers, each below 2^40.
     * @param offset      first frame used.
     * @param count       number of pages, positive, at most {@code frames.length - offset}.
     * @param permissions valid {@link PtwPermissions} bits.
     * @return {@link PtwResult#OK}, or a negative {@link PtwResult} code (nothing mapped).
     */
    public int mapScatterOwned(final long iova, final long[] frames, final int offset, final int count,
        final int permissions)
    {
        return mapper.storeOwnedLeaves(iova, iova + ((long)count << PAGE_SHIFT), frames, offset, permissions) ?
            PtwResult.OK : mapScatter(iova, frames, offset, count, permissions);
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
        return mapper.reserve(iova, iova + length);
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
        final int check = PtwArguments.checkRangeArrays(starts, lengths, count, permissions);
        return check != PtwResult.OK ? check : mapper.mapIdentityRanges(starts, lengths, count, permissions);
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
        return writer.installLeafTables(iova, iova + length, null);
    }

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
        final long count = (freeTables ? unmapFreeing : unmapKeeping).unmap(iova, iova + length);
        if (count < 0)
        {
            return count;
        }
        if (null != iotlb)
        {
            iotlb.afterUnmap(iova, length);
        }
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
        final long count = unmapFreeing.walkRange(0, limit);
        FreeGeneration.incrementAndGet(freeGeneration);
        tablePages.decrementAndGet();
        arena.free(rootPage);
        return count;
    }
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
        return writer.leafTable(iova & ~PAGE_MASK, false, null) != 0;
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
        final long found = queries.nextMapped(from, to);
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
        return queries.countMapped(iova, iova + length);
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
        return checkRange(iova, length) == PtwResult.OK && unmapFreeing.cutsLargeLeaf(iova, iova + length);
    }

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
            return walker.walk(iova, true);
        }
        return walker.walk(iova, false);
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
        return PtwPermissions.isValid(access) ? Translation.checkAccess(translate(iova), access) :
            Translation.BAD_ADDRESS;
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
        return walker.walk(iova, false);
    }

    /**
     * Visit every maximal range of consecutive addresses mapped consecutively with the same permissions, in
     * address order. Meant for quiescent tables or debugging: concurrent changes may or may not be seen.
     *
     * @param consumer receives each range.
     */
    public void forEachMappedRange(final MappedRangeConsumer consumer)
    {
        TableDump.forEachMappedRange(consumer, arena, rootAddress, top);
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
        TableDump.dump(out, arena, rootAddress, top);
        return out.toString();
    }

    int checkRange(final long iova, final long length)
    {
        return PtwArguments.checkRange(iova, length, limit);
    }

    boolean canLarge(final int level, final long pos, final long end, final long delta)
    {
        return writer.canLarge(level, pos, end, delta);
    }
}
