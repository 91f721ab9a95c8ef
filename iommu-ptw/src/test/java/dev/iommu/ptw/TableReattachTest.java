/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.iommu.ptw.PageSizes.SIZE_1G;
import static dev.iommu.ptw.PageSizes.SIZE_2M;
import static dev.iommu.ptw.PageSizes.SIZE_4K;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RadixPageTable#attach}: a second table attached to the root page of a populated one (what a restarted
 * owner does) translates the same, counts the same table pages, marks exactly those pages, finds its leaf tables
 * through the paging-structure cache at once, and maps and unmaps (freeing tables) afterwards; corrupt tables and
 * bad arguments are refused with a message that names the page, leaving the caller's set as it was.
 */
class TableReattachTest
{
    private static final int RW = PtwPermissions.READ_WRITE;
    private static final int CAPACITY = 64;
    private static final Pattern TABLE_PAGE = Pattern.compile("-> table page (\\d+)");
    private static final long SMALL_A = 0x1000;
    private static final long SMALL_B = SIZE_2M + 0x3000;
    private static final long LARGE_2M = 2 * SIZE_2M;
    private static final long LARGE_1G = SIZE_1G;
    private static final long RESERVED = 4 * SIZE_1G + 5 * SIZE_2M;
    private static final long SCATTER = 8 * SIZE_1G + 8 * SIZE_2M;

    private TableArena arena = TableArena.allocateDirect(CAPACITY);

    @AfterEach
    void close()
    {
        arena.close();
    }

    @ParameterizedTest
    @ValueSource(ints = { 39, 48, 57 })
    void attachedTableTranslatesCountsMarksAndCachesAsTheOriginalThenMapsAndUnmaps(final int width)
    {
        arena.close();
        arena = TableArena.allocateDirect(512);
        final PageTableConfig config = new PageTableConfig().addressWidth(width);
        final RadixPageTable original = RadixPageTable.create(arena, config);
        final long high = (1L << (width - 1)) + 3 * SIZE_2M;
        assertEquals(PtwResult.OK, original.map(SMALL_A, 0x10_0000, 8 * SIZE_4K, RW));
        assertEquals(PtwResult.OK, original.map(SMALL_B, 0x20_0000, 3 * SIZE_4K, PtwPermissions.READ));
        assertEquals(PtwResult.OK, original.map(high, 0x30_0000, 2 * SIZE_4K, PtwPermissions.WRITE));
        assertEquals(PtwResult.OK, original.map(LARGE_2M, 0x1_0000_0000L, SIZE_2M, RW));
        assertEquals(PtwResult.OK, original.map(LARGE_1G, 0x80_0000_0000L, SIZE_1G, PtwPermissions.READ));
        assertEquals(PtwResult.OK, original.reserve(RESERVED, 2 * SIZE_2M));
        assertEquals(PtwResult.OK,
            original.mapScatter(SCATTER, new long[] { 0x77, 0x12, 0x99_0000 }, 0, 3, RW));
        assertEquals(SIZE_1G, Translation.pageSize(original.walk(LARGE_1G + 0x5000)), "the config allows 1 GiB");
        assertEquals(SIZE_2M, Translation.pageSize(original.walk(LARGE_2M)));

        final BitSet inUse = new BitSet();
        final RadixPageTable attached = RadixPageTable.attach(arena, config, original.rootPage(), inUse);

        // The paging-structure cache holds every leaf table at once (first, before any walk could fill a slot).
        final BitSet pages = tablePagesOf(original);
        final PagingStructureCache psc = attached.pagingStructureCache();
        final long[] leafRegions = { SMALL_A, SMALL_B, high, RESERVED, RESERVED + SIZE_2M, SCATTER };
        final BitSet leafPages = new BitSet();
        for (final long region : leafRegions)
        {
            final long table = psc.leafTable(region);
            assertNotEquals(0, table, "leaf table of 0x" + Long.toHexString(region) + " tagged by the attach");
            final int page = (int)((table - arena.baseAddress()) >>> PteDescriptor.PAGE_SHIFT);
            assertTrue(pages.get(page), "a table page of the table: " + page);
            leafPages.set(page);
        }
        assertEquals(leafRegions.length, leafPages.cardinality(), "one leaf table per region");
        assertEquals(0, psc.leafTable(LARGE_2M), "a 2 MiB leaf has no leaf table");
        assertEquals(0, psc.leafTable(LARGE_1G), "a 1 GiB leaf has no leaf table");

        assertEquals(original.tablePages(), attached.tablePages());
        assertEquals(arena.pagesInUse(), attached.tablePages());
        assertEquals(pages, inUse, "exactly the table pages, root included");
        assertEquals(arena.pagesInUse(), inUse.cardinality());
        assertEquals(original.levels(), attached.levels());
        assertEquals(original.rootPage(), attached.rootPage());

        final List<Long> probes = probes(high, width);
        for (final long iova : probes)
        {
            assertEquals(original.walk(iova), attached.walk(iova), "walk of 0x" + Long.toHexString(iova));
            assertEquals(original.walk(iova), attached.translate(iova), "translate of 0x" + Long.toHexString(iova));
        }
        assertEquals(0x10_0000 + 0x2345, Translation.outputAddress(attached.translate(SMALL_A + 0x2345), 0x2345));
        assertEquals(0x12_000, Translation.outputAddress(attached.translate(SCATTER + SIZE_4K), 0));
        assertEquals(0x80_0000_0000L + 0x1234_5000,
            Translation.outputAddress(attached.translate(LARGE_1G + 0x1234_5000), 0));
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(attached.translate(RESERVED)));
        assertEquals(original.dump(), attached.dump());

        // Map into a region whose leaf table the cache holds: no table installed.
        final long pagesBefore = attached.tablePages();
        assertEquals(PtwResult.OK, attached.map(SMALL_A + 0x10_0000, 0x5_0000, SIZE_4K, RW));
        assertEquals(PtwResult.OK, attached.map(RESERVED + 0x7000, 0x6_0000, SIZE_4K, RW));
        assertEquals(pagesBefore, attached.tablePages());
        assertEquals(0x5_0000, Translation.outputAddress(attached.translate(SMALL_A + 0x10_0000), 0));
        assertEquals(0x6_0000, Translation.outputAddress(attached.translate(RESERVED + 0x7000), 0));
        assertEquals(PtwResult.EXISTS, attached.map(SMALL_A, 0x9_0000, SIZE_4K, RW), "mapped before the attach");

        // A map that installs tables, and an unmap that frees them (the upper half holds only the two pages at high).
        final long fresh = 1L << (width - 2);
        assertEquals(PtwResult.OK, attached.map(fresh, 0x7_0000, SIZE_4K, RW));
        assertEquals(pagesBefore + attached.levels() - 1, attached.tablePages());
        assertEquals(arena.pagesInUse(), attached.tablePages());
        final long upperHalf = 1L << (width - 1);
        assertEquals(2, attached.unmap(upperHalf, upperHalf));
        assertEquals(pagesBefore, attached.tablePages(), "the tables of the upper half were freed");
        assertEquals(arena.pagesInUse(), attached.tablePages());
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(attached.translate(high)));
        assertEquals(SIZE_1G / SIZE_4K, attached.unmap(LARGE_1G, SIZE_1G));
        assertEquals(SIZE_2M / SIZE_4K, attached.unmap(LARGE_2M, SIZE_2M));
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(attached.translate(LARGE_1G)));
        assertEquals(0x7_0000, Translation.outputAddress(attached.translate(fresh), 0));

        // The count stayed right through it all: destroying the table gives every page back.
        assertEquals(8 + 1 + 3 + 1 + 1 + 3, attached.destroy());
        assertEquals(0, arena.pagesInUse());
    }

    @Test
    void tablesOfSeveralOwnersShareTheSetWithoutOverlap()
    {
        final RadixPageTable a = populated();
        final RadixPageTable b = populated();
        final BitSet inUse = new BitSet();
        RadixPageTable.attach(arena, new PageTableConfig(), a.rootPage(), inUse);
        RadixPageTable.attach(arena, new PageTableConfig(), b.rootPage(), inUse);
        assertEquals(arena.pagesInUse(), inUse.cardinality());
        final BitSet both = tablePagesOf(a);
        both.or(tablePagesOf(b));
        assertEquals(both, inUse);
    }

    @Test
    void childIndexBeyondTheCapacityIsRefused()
    {
        final RadixPageTable table = populated();
        final int root = table.rootPage();
        putEntry(root, 1, PteDescriptor.table(900));
        assertRefused(table, new BitSet(),
            "corrupt page table: root page " + root + ", level 3 entry 1 of page " + root +
            " names page 900, outside the arena (capacity " + CAPACITY + ")");

        // An index above 2^31 must not be cut to an int that names a page of the arena.
        final long huge = (1L << 32) + root;
        putEntry(root, 1, (huge << PteDescriptor.PAGE_SHIFT) | PteDescriptor.TABLE | PteDescriptor.PRESENT);
        assertRefused(table, new BitSet(),
            "corrupt page table: root page " + root + ", level 3 entry 1 of page " + root +
            " names page " + huge + ", outside the arena (capacity " + CAPACITY + ")");
    }

    @Test
    void pageReferencedTwiceInOneTableIsRefused()
    {
        final RadixPageTable table = populated();
        final int root = table.rootPage();
        final int level2 = child(root, 0);
        final int level1 = child(level2, 0);
        final int level0 = child(level1, 0);
        putEntry(level1, 5, PteDescriptor.table(level0));
        assertRefused(table, new BitSet(),
            "corrupt page table: root page " + root + ", level 1 entry 5 of page " + level1 + " names page " +
            level0 + ", already used by another table or earlier in this one");

        putEntry(level1, 5, 0);
        putEntry(root, 7, PteDescriptor.table(level2));
        assertRefused(table, new BitSet(),
            "corrupt page table: root page " + root + ", level 3 entry 7 of page " + root + " names page " +
            level2 + ", already used by another table or earlier in this one");

        putEntry(root, 7, PteDescriptor.table(root));
        assertRefused(table, new BitSet(),
            "corrupt page table: root page " + root + ", level 3 entry 7 of page " + root + " names page " +
            root + ", already used by another table or earlier in this one");
    }

    @Test
    void secondOfTwoTablesSharingAPageIsRefused()
    {
        final RadixPageTable a = populated();
        final RadixPageTable b = populated();
        final int aLevel1 = child(child(a.rootPage(), 0), 0);
        final int bLevel2 = child(b.rootPage(), 0);
        putEntry(bLevel2, 3, PteDescriptor.table(aLevel1));
        final BitSet inUse = new BitSet();
        RadixPageTable.attach(arena, new PageTableConfig(), a.rootPage(), inUse);
        assertEquals(tablePagesOf(a), inUse);
        assertRefused(b, inUse,
            "corrupt page table: root page " + b.rootPage() + ", level 2 entry 3 of page " + bLevel2 +
            " names page " + aLevel1 + ", already used by another table or earlier in this one");
    }

    @Test
    void rootAttachedTwiceIsRefused()
    {
        final RadixPageTable table = populated();
        final BitSet inUse = new BitSet();
        final RadixPageTable attached = RadixPageTable.attach(arena, new PageTableConfig(), table.rootPage(), inUse);
        assertRefused(attached, inUse,
            "corrupt page table: root page " + table.rootPage() + " is already used by another table");
    }

    @Test
    void tableEntryAtLevel0IsRefused()
    {
        final RadixPageTable table = populated();
        final int root = table.rootPage();
        final int level0 = child(child(child(root, 0), 0), 0);
        final int spare = arena.allocate();
        putEntry(level0, 9, PteDescriptor.table(spare));
        assertRefused(table, new BitSet(),
            "corrupt page table: root page " + root + ", level 0 entry 9 of page " + level0 +
            " is a table entry naming page " + spare + ", but level 0 holds leaves only");
    }

    @Test
    void leafAboveLevel2IsRefused()
    {
        final RadixPageTable table = populated();
        final int root = table.rootPage();
        putEntry(root, 2, PteDescriptor.leaf(0, RW, true));
        assertRefused(table, new BitSet(),
            "corrupt page table: root page " + root + ", level 3 entry 2 of page " + root +
            " is a leaf, but no level above 2 holds leaves");
    }

    @Test
    void badArgumentsAreRefused()
    {
        final RadixPageTable table = populated();
        final PageTableConfig config = new PageTableConfig();
        final BitSet inUse = new BitSet();
        inUse.set(CAPACITY - 1);
        final BitSet before = (BitSet)inUse.clone();
        final int root = table.rootPage();
        assertEquals("arena", assertThrows(NullPointerException.class,
            () -> RadixPageTable.attach(null, config, root, inUse)).getMessage());
        assertEquals("config", assertThrows(NullPointerException.class,
            () -> RadixPageTable.attach(arena, null, root, inUse)).getMessage());
        assertEquals("inUse", assertThrows(NullPointerException.class,
            () -> RadixPageTable.attach(arena, config, root, null)).getMessage());
        for (final int page : new int[] { 0, -1, CAPACITY + 1 })
        {
            assertEquals("root page " + page + " is not a page of the arena (capacity " + CAPACITY + ")",
                assertThrows(IllegalArgumentException.class,
                    () -> RadixPageTable.attach(arena, config, page, inUse)).getMessage());
        }
        assertEquals(before, inUse);
    }

    /**
     * Attaching {@code table}'s root is refused with {@code message}, and changes neither {@code inUse} nor the owner
     * tags (the table's own cache still finds its leaf table).
     */
    private void assertRefused(final RadixPageTable table, final BitSet inUse, final String message)
    {
        final BitSet before = (BitSet)inUse.clone();
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> RadixPageTable.attach(arena, new PageTableConfig(), table.rootPage(), inUse));
        assertEquals(message, refused.getMessage());
        assertEquals(before, inUse, "a refused attach leaves the set as it was");
        assertNotEquals(0, table.pagingStructureCache().leafTable(SMALL_A), "the owner tags are as they were");
    }

    /**
     * A 48-bit table with two regions of 4 KiB leaves under one level-1 table, so a walk marks several pages before
     * it reaches an entry the tests corrupt.
     */
    private RadixPageTable populated()
    {
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig());
        assertEquals(PtwResult.OK, table.map(SMALL_A, 0x10_0000, 2 * SIZE_4K, RW));
        assertEquals(PtwResult.OK, table.map(SMALL_B, 0x20_0000, SIZE_4K, RW));
        return table;
    }

    /**
     * The table pages of {@code table}, found by its dump (not by the walk under test).
     */
    private static BitSet tablePagesOf(final RadixPageTable table)
    {
        final BitSet pages = new BitSet();
        pages.set(table.rootPage());
        final Matcher m = TABLE_PAGE.matcher(table.dump());
        while (m.find())
        {
            pages.set(Integer.parseInt(m.group(1)));
        }
        return pages;
    }

    private static List<Long> probes(final long high, final int width)
    {
        final List<Long> probes = new ArrayList<>();
        for (final long start : new long[] { SMALL_A, SMALL_B, high, RESERVED, SCATTER })
        {
            for (long iova = start - SIZE_4K; iova <= start + 16 * SIZE_4K; iova += SIZE_4K)
            {
                probes.add(iova);
            }
        }
        for (final long[] large : new long[][] { { LARGE_2M, SIZE_2M }, { LARGE_1G, SIZE_1G } })
        {
            for (long iova = large[0] - SIZE_4K; iova <= large[0] + large[1]; iova += large[1] / 8)
            {
                probes.add(iova);
            }
            probes.add(large[0] + large[1] - SIZE_4K);
        }
        probes.add(0L);
        probes.add(SIZE_1G * 3);
        probes.add((1L << width) - SIZE_4K);
        return probes;
    }

    private int child(final int page, final int index)
    {
        final long entry = arena.buffer().getLong(entryOffset(page, index));
        assertTrue(PteDescriptor.isTable(entry), "entry " + index + " of page " + page + " is a table");
        return PteDescriptor.childIndex(entry);
    }

    private void putEntry(final int page, final int index, final long entry)
    {
        arena.buffer().putLong(entryOffset(page, index), entry);
    }

    private static int entryOffset(final int page, final int index)
    {
        return page * TableArena.PAGE_SIZE + index * PteDescriptor.ENTRY_SIZE;
    }
}
