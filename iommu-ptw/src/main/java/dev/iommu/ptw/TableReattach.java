/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;

import static dev.iommu.ptw.PteDescriptor.ADDRESS_MASK;
import static dev.iommu.ptw.PteDescriptor.PAGE_SHIFT;
import static dev.iommu.ptw.PteDescriptor.TABLE;

/**
 * The walk behind {@link RadixPageTable#attach}: visits every table reachable from a root page that already holds
 * tables (a restarted owner's), checks each entry, and collects the table pages and the level-0 tables before
 * anything is changed. A corrupt entry (a child outside the arena, a page reached twice or already in the caller's
 * set, a table entry at level 0, a leaf above level 2) throws {@link IllegalStateException} naming the root page,
 * the level, the entry's page and index; the caller's set and the owner tags are then as they were. Only on success
 * does {@link #commit} tag the level-0 tables and add the pages to the caller's set. For quiescent tables (no other
 * thread may use them meanwhile). Made per call.
 */
final class TableReattach extends LevelRangeWalk
{
    /** The highest level that may hold a leaf (1 GiB). */
    private static final int LARGEST_LEAF_LEVEL = 2;

    private final TableArena arena;
    private final int rootPage;
    private final BitSet inUse;
    private final BitSet found = new BitSet();
    private int[] leafPages = new int[16];
    private long[] leafRegions = new long[16];
    private int leafTables;

    private TableReattach(final TableArena arena, final int rootPage, final BitSet inUse)
    {
        this.arena = arena;
        this.rootPage = rootPage;
        this.inUse = inUse;
    }

    /**
     * The entrance checks of {@link RadixPageTable#attach}.
     *
     * @throws NullPointerException     when an argument is null (named in the message).
     * @throws IllegalArgumentException when {@code rootPage} is not a page of the arena.
     */
    static void checkArguments(
        final TableArena arena, final PageTableConfig config, final int rootPage, final BitSet inUse)
    {
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(inUse, "inUse");
        if (!arena.isPage(rootPage))
        {
            throw new IllegalArgumentException(
                "root page " + rootPage + " is not a page of the arena (capacity " + arena.capacity() + ")");
        }
    }

    /**
     * Walk and check every table below {@code rootPage} (of level {@code top}); changes nothing.
     *
     * @param inUse the pages of the tables already attached (read only here).
     * @return the pages found, to {@link #commit} once the table exists.
     * @throws IllegalStateException when an entry is corrupt or a page is reached twice.
     */
    static TableReattach scan(final TableArena arena, final int rootPage, final int top, final BitSet inUse)
    {
        final TableReattach reattach = new TableReattach(arena, rootPage, inUse);
        if (inUse.get(rootPage))
        {
            throw new IllegalStateException(
                "corrupt page table: root page " + rootPage + " is already used by another table");
        }
        reattach.found.set(rootPage);
        reattach.walkWhole(arena.pageAddress(rootPage), top, 0);
        return reattach;
    }

    /**
     * @return the table pages found, the root included.
     */
    int tablePages()
    {
        return found.cardinality();
    }

    /**
     * Tag every level-0 table found for {@code psc} (so the fast paths of translate and map find them at once) and
     * add every page found to {@code inUse}.
     */
    void commit(final PagingStructureCache psc, final BitSet inUse)
    {
        for (int i = 0; i < leafTables; i++)
        {
            psc.tag(leafPages[i], leafRegions[i]);
        }
        inUse.or(found);
    }

    @Override
    long visit(
        final long address, final long entry, final int level, final long entryBase, final long start,
        final long end)
    {
        if ((entry & TABLE) == 0)
        {
            if (level > LARGEST_LEAF_LEVEL)
            {
                throw corrupt(address, level, "is a leaf, but no level above " + LARGEST_LEAF_LEVEL + " holds leaves");
            }
            return 0;
        }
        // The whole index field, not PteDescriptor.childIndex's int: a huge index must not alias a page.
        final long child = (entry & ADDRESS_MASK) >>> PAGE_SHIFT;
        if (level == 0)
        {
            throw corrupt(address, level, "is a table entry naming page " + child + ", but level 0 holds leaves only");
        }
        if (child < 1 || child > arena.capacity())
        {
            throw corrupt(address, level,
                "names page " + child + ", outside the arena (capacity " + arena.capacity() + ")");
        }
        final int page = (int)child;
        if (found.get(page) || inUse.get(page))
        {
            throw corrupt(address, level,
                "names page " + child + ", already used by another table or earlier in this one");
        }
        found.set(page);
        if (level == 1)
        {
            addLeafTable(page, entryBase);
        }
        return walkWhole(arena.pageAddress(page), level - 1, entryBase);
    }

    private void addLeafTable(final int page, final long region)
    {
        if (leafTables == leafPages.length)
        {
            leafPages = Arrays.copyOf(leafPages, leafTables * 2);
            leafRegions = Arrays.copyOf(leafRegions, leafTables * 2);
        }
        leafPages[leafTables] = page;
        leafRegions[leafTables] = region;
        leafTables++;
    }

    private IllegalStateException corrupt(final long address, final int level, final String what)
    {
        final long offset = address - arena.baseAddress();
        final long page = offset >>> PAGE_SHIFT;
        final long index = (offset & (TableArena.PAGE_SIZE - 1)) / PteDescriptor.ENTRY_SIZE;
        return new IllegalStateException("corrupt page table: root page " + rootPage + ", level " + level +
            " entry " + index + " of page " + page + " " + what);
    }
}
