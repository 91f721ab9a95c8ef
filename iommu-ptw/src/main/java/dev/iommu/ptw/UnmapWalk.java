/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;


import static dev.iommu.ptw.PteDescriptor.PAGE_SHIFT;
import static dev.iommu.ptw.PteDescriptor.TABLE;

/**
 * The unmap walk of a {@link RadixPageTable}: clears the leaves of a range and, when it frees tables, unlinks and
 * frees every table whose whole span lies inside the range ({@link TableFreeing}); otherwise keeps every table (a
 * reservation's, or the tables a failed map leaves). Returns the 4 KiB pages that were mapped. The caller refused a
 * range that cuts a large leaf ({@link #cutsLargeLeaf}).
 */
final class UnmapWalk extends LevelRangeWalk
{
    private static final int REGION_SHIFT = 21;

    private final TableArena arena;
    private final PagingStructureCache psc;
    /** Address of the table's free generation ({@link FreeGeneration}). */
    private final long freeGeneration;
    private final TableFreeing freeing;
    private final boolean freeTables;
    private final long rootAddress;
    private final int top;

    UnmapWalk(
        final TableArena arena, final long rootAddress, final int top, final PagingStructureCache psc,
        final long freeGeneration, final TableFreeing freeing, final boolean freeTables)
    {
        this.arena = arena;
        this.rootAddress = rootAddress;
        this.top = top;
        this.psc = psc;
        this.freeGeneration = freeGeneration;
        this.freeing = freeing;
        this.freeTables = freeTables;
    }

    /**
     * Unmap {@code [start, end)} (a checked range): in the leaf table the paging-structure cache holds when the range
     * lies in one 2 MiB region and frees no table, else by a walk from the root.
     *
     * @return the 4 KiB pages that were mapped, or {@link PtwResult#PARTIAL_LARGE_PAGE} (nothing changed).
     */
    long unmap(final long start, final long end)
    {
        final boolean oneRegion = (start >>> REGION_SHIFT) == ((end - 1) >>> REGION_SHIFT);
        if (oneRegion && (end - start < PageSizes.SIZE_2M || !freeTables))
        {
            final long table = psc.leafTable(start);
            if (table != 0)
            {
                long count = 0;
                long addr = PteAccess.entryAddress(table, start, 0);
                for (long p = start; p < end; p += PageSizes.SIZE_4K)
                {
                    // getAndSet: a full fence that orders the clear before the IOTLB slot reads (see SoftwareIotlb).
                    if (PteAccess.xchgEntry(addr, 0) != 0)
                    {
                        count++;
                    }
                    addr += PteDescriptor.ENTRY_SIZE;
                }
                return count;
            }
        }
        if (cutsLargeLeaf(start, end))
        {
            return PtwResult.PARTIAL_LARGE_PAGE;
        }
        return walkRange(start, end);
    }

    /**
     * Unmap {@code [start, end)} by a walk from the root, without the checks of {@link #unmap} (a rollback of what a
     * call just mapped, or the whole table).
     *
     * @return the 4 KiB pages that were mapped.
     */
    long walkRange(final long start, final long end)
    {
        return walk(rootAddress, top, 0, start, end);
    }

    @Override
    long visit(
        final long address, final long entry, final int level, final long entryBase, final long start,
        final long end)
    {
        if ((entry & TABLE) == 0)
        {
            // A leaf (a large one is wholly inside: checked before). getAndSet is a full fence: see SoftwareIotlb.
            return PteAccess.xchgEntry(address, 0) != 0 ? 1L << (PteDescriptor.shift(level) - PAGE_SHIFT) : 0;
        }
        final int child = PteDescriptor.childIndex(entry);
        if (freeTables && entryBase >= start && entryBase + (1L << PteDescriptor.shift(level)) <= end)
        {
            // Clear the owner tag of every leaf table in the subtree before the unlink, so the paging-structure cache
            // can never match one again: a translate that reads the generation after the increment below must find
            // the tags already cleared. (Clearing the tags of deeper leaf tables only when countAndFree frees their
            // pages, after the increment, would let a translate read a tag still set, then the page reused, with no
            // later increment to make it retry.)
            if (level == 1)
            {
                psc.untag(child);
            }
            else
            {
                untagLeafTables(child, level - 1);
            }
            PteAccess.xchgEntry(address, 0);
            // Reclamation: the unlink above happens before this increment, and the increment happens before the
            // pages are zeroed and returned to the pool below; a walk that read any of them retries.
            FreeGeneration.incrementAndGet(freeGeneration);
            return freeing.countAndFree(child, level - 1, entryBase);
        }
        return walk(arena.pageAddress(child), level - 1, entryBase, start, end);
    }

    /**
     * Whether {@code [start, end)} covers only part of a large leaf (at either end).
     */
    boolean cutsLargeLeaf(final long start, final long end)
    {
        return cutsLargeLeafAt(start, start, end) || cutsLargeLeafAt(end - 1, start, end);
    }

    private boolean cutsLargeLeafAt(final long pos, final long start, final long end)
    {
        long table = rootAddress;
        for (int level = top; level > 0; level--)
        {
            final long entry = PteAccess.lvEntry(PteAccess.entryAddress(table, pos, level));
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

    /**
     * Clears the owner tag of every leaf table below the table at {@code page} (of {@code level}, at least 1).
     */
    private void untagLeafTables(final int page, final int level)
    {
        final long table = arena.pageAddress(page);
        for (int index = 0; index < PteDescriptor.ENTRIES; index++)
        {
            final long entry = PteAccess.lvEntry(PteAccess.entryAddress(table, index));
            if (entry != 0 && (entry & TABLE) != 0)
            {
                final int child = PteDescriptor.childIndex(entry);
                if (level == 1)
                {
                    psc.untag(child);
                }
                else
                {
                    untagLeafTables(child, level - 1);
                }
            }
        }
    }
}
