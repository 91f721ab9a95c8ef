/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.concurrent.atomic.AtomicLong;

import static dev.iommu.ptw.PteDescriptor.TABLE;

/**
 * The map side of a {@link RadixPageTable}, on checked arguments with the table pages already counted and taken
 * ({@link TablePageStash}): installs missing tables ({@link #installTable}, the one install path), claims leaves by
 * CAS from empty, and rolls back the leaves a failed call claimed (tables stay: see {@link RadixPageTable}).
 */
final class TableWriter
{
    private final TableArena arena;
    private final long rootAddress;
    private final int top;
    private final int allowedSizes;
    private final AtomicLong tablePages;
    private final PagingStructureCache psc;
    private final SoftwareIotlb iotlb;
    private final UnmapWalk keepTables;

    TableWriter(
        final TableArena arena, final long rootAddress, final int top, final int allowedSizes,
        final AtomicLong tablePages, final PagingStructureCache psc, final SoftwareIotlb iotlb,
        final UnmapWalk keepTables)
    {
        this.arena = arena;
        this.rootAddress = rootAddress;
        this.top = top;
        this.allowedSizes = allowedSizes;
        this.tablePages = tablePages;
        this.psc = psc;
        this.iotlb = iotlb;
        this.keepTables = keepTables;
    }

    /**
     * Install the table at page {@code child} behind the entry at {@code address} (of {@code level}) with one CAS
     * from empty, as Linux's arm_lpae_install_table (a cmpxchg returning what it found): the loser of a race frees
     * its page. A level-0 table installed
     * here gets its owner tag ({@link PagingStructureCache#tag}).
     *
     * @param pos an address the entry spans.
     * @return 0 when this call installed it; otherwise the entry a racing writer put there first (non-zero; the
     *     page given was freed).
     */
    long installTable(final long address, final int level, final long pos, final int child)
    {
        // Publication: the CAS is a release (full) fence, so the zeroed page and any prefilled leaves are visible to
        // every walker that reads this entry with an acquire load.
        final long found = PteAccess.cmpxchgEntry(address, 0, PteDescriptor.table(child));
        if (found == 0)
        {
            tablePages.incrementAndGet();
            if (level == 1)
            {
                psc.tag(child, pos);
            }
            return 0;
        }
        // Lost the race: the page was never reachable, so it can go straight back (free zeroes it).
        arena.free(child);
        return found;
    }

    /**
     * Maps {@code [iova, end)} step by step with tables from {@code stash}; a failing step rolls back what this
     * range mapped (leaves only).
     */
    int mapRange(final long iova, final long end, final long delta, final int permissions, final TablePageStash stash)
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
     * Maps {@code count} pages at {@code iova} to the frames from {@code offset}, region by region.
     */
    int scatter(
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
            frame += (int)((stop - pos) >>> PteDescriptor.PAGE_SHIFT);
            pos = stop;
        }
        return PtwResult.OK;
    }

    /**
     * Installs the tables behind every 2 MiB region of {@code [iova, end)} down to level 0, from {@code stash} (or
     * from the arena when null), stopping at the first failure.
     */
    int installLeafTables(final long iova, final long end, final TablePageStash stash)
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

    /**
     * The level-0 table holding {@code pos}, installing missing tables when asked (from {@code stash}, or from the
     * arena when null).
     *
     * @return its address, or a negative {@link PtwResult}: NO_MEMORY, EXISTS (a large leaf), or not present (0)
     *     when {@code install} is false.
     */
    long leafTable(final long pos, final boolean install, final TablePageStash stash)
    {
        final long cached = psc.leafTable(pos);
        if (cached != 0)
        {
            return cached;
        }
        long table = rootAddress;
        for (int level = top; level > 0; level--)
        {
            final long addr = PteAccess.entryAddress(table, pos, level);
            long entry = PteAccess.lvEntry(addr);
            if (entry == 0)
            {
                if (!install)
                {
                    return 0;
                }
                final int child = takePage(stash);
                if (child == 0)
                {
                    return PtwResult.NO_MEMORY;
                }
                entry = installTable(addr, level, pos, child);
                if (entry == 0)
                {
                    entry = PteDescriptor.table(child);
                }
            }
            if ((entry & TABLE) == 0)
            {
                return PtwResult.EXISTS;
            }
            table = arena.pageAddress(PteDescriptor.childIndex(entry));
            if (level == 1)
            {
                psc.remember(PteDescriptor.childIndex(entry), pos);
            }
        }
        return table;
    }

    /**
     * Claims the leaves of {@code [pos, stop)}, all inside leaf table {@code table}; on a clash clears the leaves it
     * claimed.
     *
     * @return {@code stop}, or {@link PtwResult#EXISTS}.
     */
    long claimLeaves(final long table, final long pos, final long stop, final long delta, final int permissions)
    {
        long addr = PteAccess.entryAddress(table, pos, 0);
        long p = pos;
        while (p < stop)
        {
            if (!PteAccess.casEntry(addr, 0, PteDescriptor.leaf(p + delta, permissions, false)))
            {
                clearLeaves(table, pos, p);
                return PtwResult.EXISTS;
            }
            p += PageSizes.SIZE_4K;
            addr += PteDescriptor.ENTRY_SIZE;
        }
        return p;
    }

    /**
     * Claims the leaves of {@code [iova, end)}, all inside leaf table {@code table}, for the frames from
     * {@code offset}; on a clash clears the leaves it claimed.
     */
    int claimScatter(
        final long table, final long iova, final long end, final long[] frames, final int offset,
        final int permissions)
    {
        long addr = PteAccess.entryAddress(table, iova, 0);
        int frame = offset;
        for (long pos = iova; pos < end; pos += PageSizes.SIZE_4K)
        {
            final long leaf = PteDescriptor.leaf(frames[frame] << PteDescriptor.PAGE_SHIFT, permissions, false);
            if (!PteAccess.casEntry(addr, 0, leaf))
            {
                clearLeaves(table, iova, pos);
                return PtwResult.EXISTS;
            }
            frame++;
            addr += PteDescriptor.ENTRY_SIZE;
        }
        return PtwResult.OK;
    }

    /**
     * Undo the leaves mapped in {@code [iova, pos)}, keeping the tables: they may be a reservation's
     * (MapReservedLogicalRange must never free its token's tables), and a refused map that installed none leaves
     * the tables as they were.
     */
    void rollback(final long iova, final long pos)
    {
        if (pos > iova)
        {
            keepTables.walkRange(iova, pos);
            if (null != iotlb)
            {
                // A translate may have cached a leaf of the failed map: always invalidate, whatever the mode.
                iotlb.invalidateRange(iova, pos - iova);
            }
        }
    }

    /**
     * Whether a map of {@code [pos, end)} to {@code pos + delta} puts a large leaf at {@code level} (1: 2 MiB, 2:
     * 1 GiB): allowed, aligned on both sides, and the rest of the range is that long.
     */
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

    static long regionEnd(final long pos)
    {
        return (pos | (PageSizes.SIZE_2M - 1)) + 1;
    }

    private long mapStep(
        final long pos, final long end, final long delta, final int permissions, final TablePageStash stash)
    {
        final boolean large = canLarge(1, pos, end, delta) || canLarge(2, pos, end, delta);
        if (!large)
        {
            final long cached = psc.leafTable(pos);
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
            final long addr = PteAccess.entryAddress(table, pos, level);
            long entry = PteAccess.lvEntry(addr);
            // A large leaf goes wherever the entry is empty, however often a racing unmap empties it again between a
            // failed CAS and the re-read (an unmap of the same range still in progress): installing a table there
            // instead would map the range with 4 KiB leaves, and the page size a map gets would depend on timing.
            while (entry == 0 && canLarge(level, pos, end, delta))
            {
                if (PteAccess.casEntry(addr, 0, PteDescriptor.leaf(pos + delta, permissions, true)))
                {
                    return pos + (1L << PteDescriptor.shift(level));
                }
                entry = PteAccess.lvEntry(addr);
            }
            if (entry == 0)
            {
                final int child = takePage(stash);
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
                entry = installTable(addr, level, pos, child);
                if (entry == 0)
                {
                    if (level == 1 || next > pos)
                    {
                        return next;
                    }
                    table = childAddress;
                    level--;
                    continue;
                }
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
                psc.remember(child, pos);
            }
        }
    }

    private int takePage(final TablePageStash stash)
    {
        return null == stash ? arena.allocate() : stash.take(arena);
    }

    private long prefill(final long table, final long pos, final long stop, final long delta, final int permissions)
    {
        long addr = PteAccess.entryAddress(table, pos, 0);
        long p = pos;
        while (p < stop)
        {
            PteAccess.spEntry(addr, PteDescriptor.leaf(p + delta, permissions, false));
            p += PageSizes.SIZE_4K;
            addr += PteDescriptor.ENTRY_SIZE;
        }
        return p;
    }

    private long prefillLarge(
        final long table, final long pos, final long end, final long delta, final int permissions)
    {
        final long tableEnd = (pos | (PageSizes.SIZE_1G - 1)) + 1;
        long addr = PteAccess.entryAddress(table, pos, 1);
        long p = pos;
        while (p < tableEnd && end - p >= PageSizes.SIZE_2M)
        {
            PteAccess.spEntry(addr, PteDescriptor.leaf(p + delta, permissions, true));
            p += PageSizes.SIZE_2M;
            addr += PteDescriptor.ENTRY_SIZE;
        }
        return p;
    }

    private void clearLeaves(final long table, final long from, final long to)
    {
        long addr = PteAccess.entryAddress(table, from, 0);
        for (long p = from; p < to; p += PageSizes.SIZE_4K)
        {
            PteAccess.xchgEntry(addr, 0);
            addr += PteDescriptor.ENTRY_SIZE;
        }
        if (null != iotlb && to > from)
        {
            iotlb.invalidateRange(from, to - from);
        }
    }
}
