/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * The all-or-nothing protocol of a {@link RadixPageTable}'s maps and reserves, on checked arguments: when the whole
 * range lies in one leaf table the {@link PagingStructureCache} holds (the common single-I/O map), claim the leaves
 * there; otherwise count the tables the call installs ({@link TableDemand}), refuse a clash with a mapped leaf before
 * installing any, take the pages ({@link TablePageStash}: running out refuses the call with nothing changed), then
 * run the {@link TableWriter} steps and give back the pages a race made unnecessary.
 */
final class AllOrNothingMapper
{
    private static final int REGION_SHIFT = 21;

    private final RadixPageTable table;
    private final TableArena arena;
    private final PagingStructureCache psc;
    private final TableWriter writer;
    private final TableDemand demand;
    private final RangeQueries queries;

    AllOrNothingMapper(
        final RadixPageTable table, final TableArena arena, final PagingStructureCache psc, final TableWriter writer,
        final TableDemand demand, final RangeQueries queries)
    {
        this.table = table;
        this.arena = arena;
        this.psc = psc;
        this.writer = writer;
        this.demand = demand;
        this.queries = queries;
    }

    /**
     * {@link RadixPageTable#map} of {@code [iova, end)} to {@code iova + delta}.
     */
    int map(final long iova, final long end, final long delta, final int permissions)
    {
        // The whole range in one leaf table that exists (the common single-I/O map): nothing to install, and a
        // clash clears only the leaves this call claimed. Otherwise count and take the tables first.
        final long leafTable = (iova >>> REGION_SHIFT) == ((end - 1) >>> REGION_SHIFT) ? psc.leafTable(iova) : 0;
        if (leafTable != 0)
        {
            // No large leaf can go there either (the level-1 entry is this table): claim the leaves directly.
            final long next = writer.claimLeaves(leafTable, iova, end, delta, permissions);
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
            return writer.mapRange(iova, end, delta, permissions, stash);
        }
        finally
        {
            stash.release();
        }
    }

    /**
     * {@link RadixPageTable#mapScatter} of {@code [iova, end)} to the frames from {@code offset}.
     */
    int mapScatter(final long iova, final long end, final long[] frames, final int offset, final int permissions)
    {
        final long leafTable = (iova >>> REGION_SHIFT) == ((end - 1) >>> REGION_SHIFT) ? psc.leafTable(iova) : 0;
        if (leafTable != 0)
        {
            // The whole range in one leaf table that exists (the common single-I/O map): nothing to install.
            return writer.claimScatter(leafTable, iova, end, frames, offset, permissions);
        }
        final TablePageStash stash = TablePageStash.forThread();
        final int prepared = prepare(stash, iova, end, 0, false, true);
        if (prepared != PtwResult.OK)
        {
            return prepared;
        }
        try
        {
            return writer.scatter(iova, end, frames, offset, permissions, stash);
        }
        finally
        {
            stash.release();
        }
    }

    /**
     * {@link RadixPageTable#mapScatterOwned} of {@code [iova, end)} when the range lies in one leaf table the cache
     * knows: each leaf is written with a release store (the caller holds the range alone and its leaves are empty:
     * there is nothing to claim them from).
     *
     * @return false, with nothing written, when the range is not in one cached leaf table.
     */
    boolean storeOwnedLeaves(final long iova, final long end, final long[] frames, final int offset,
        final int permissions)
    {
        final long leafTable = (iova >>> REGION_SHIFT) == ((end - 1) >>> REGION_SHIFT) ? psc.leafTable(iova) : 0;
        if (leafTable == 0)
        {
            return false;
        }
        long address = PteAccess.entryAddress(leafTable, iova, 0);
        for (int i = offset, last = offset + (int)((end - iova) >>> PteDescriptor.PAGE_SHIFT); i < last; i++)
        {
            PteAccess.soEntry(address, PteDescriptor.leaf(frames[i] << PteDescriptor.PAGE_SHIFT, permissions, false));
            address += PteDescriptor.ENTRY_SIZE;
        }
        return true;
    }

    /**
     * {@link RadixPageTable#reserve} of {@code [iova, end)}.
     */
    int reserve(final long iova, final long end)
    {
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
            return writer.installLeafTables(iova, end, stash);
        }
        finally
        {
            stash.release();
        }
    }

    /**
     * {@link RadixPageTable#mapIdentityRanges}: checks each range as it counts its tables.
     */
    int mapIdentityRanges(final long[] starts, final long[] lengths, final int count, final int permissions)
    {
        long tables = 0;
        for (int i = 0; i < count; i++)
        {
            final int check = table.checkRange(starts[i], lengths[i]);
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
            if (queries.nextMapped(starts[i], starts[i] + lengths[i]) >= 0)
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
                final int result = writer.mapRange(starts[i], starts[i] + lengths[i], 0, permissions, stash);
                if (result != PtwResult.OK)
                {
                    for (int j = 0; j < i; j++)
                    {
                        writer.rollback(starts[j], starts[j] + lengths[j]);
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
        if (tables > 0 && checkLeaves && queries.nextMapped(start, end) >= 0)
        {
            return PtwResult.EXISTS;
        }
        return stash.fill(arena, tables) ? PtwResult.OK : PtwResult.NO_MEMORY;
    }
}
