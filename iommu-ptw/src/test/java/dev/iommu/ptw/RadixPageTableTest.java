/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.iommu.ptw.PageSizes.SIZE_1G;
import static dev.iommu.ptw.PageSizes.SIZE_2M;
import static dev.iommu.ptw.PageSizes.SIZE_4K;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RadixPageTableTest
{
    private static final int RW = PtwPermissions.READ_WRITE;
    private TableArena arena = TableArena.allocateDirect(4096);

    @AfterEach
    void close()
    {
        arena.close();
    }

    private RadixPageTable table()
    {
        return RadixPageTable.create(arena, new PageTableConfig());
    }

    private static void assertMapsTo(final RadixPageTable table, final long iova, final long output, final int perm)
    {
        final long t = table.translate(iova);
        assertTrue(!Translation.isFault(t), "fault " + Translation.faultReason(t) + " at 0x" + Long.toHexString(iova));
        assertEquals(output, Translation.outputAddress(t, iova), "output of 0x" + Long.toHexString(iova));
        assertEquals(perm, Translation.permissions(t));
        assertEquals(t, table.walk(iova));
    }

    private static void assertNotPresent(final RadixPageTable table, final long iova)
    {
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(iova)));
    }

    @ParameterizedTest
    @ValueSource(ints = { 39, 48, 57 })
    void levelsFollowAddressWidth(final int width)
    {
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().addressWidth(width));
        assertEquals((width - 12) / 9, table.levels());
        final long top = (1L << width) - SIZE_4K;
        assertEquals(PtwResult.OK, table.map(top, 0x7000, SIZE_4K, RW));
        assertMapsTo(table, top + 5, 0x7005, RW);
        assertEquals(table.levels(), table.tablePages());
        assertEquals(PtwResult.OUT_OF_RANGE, table.map(1L << width, 0, SIZE_4K, RW));
        assertEquals(Translation.FAULT_BAD_ADDRESS, Translation.faultReason(table.translate(1L << width)));
        assertEquals(1, table.unmap(top, SIZE_4K));
        assertNotPresent(table, top);
    }

    @Test
    void mapsTranslatesAndUnmapsSmallPages()
    {
        final RadixPageTable table = table();
        assertEquals(PtwResult.OK, table.map(0x10000, 0x900000, 3 * SIZE_4K, PtwPermissions.READ));
        assertMapsTo(table, 0x10000, 0x900000, PtwPermissions.READ);
        assertMapsTo(table, 0x12fff, 0x902fff, PtwPermissions.READ);
        assertNotPresent(table, 0x13000);
        assertEquals(SIZE_4K, Translation.pageSize(table.translate(0x10000)));
        assertEquals(3, table.unmap(0x10000, 0x3000));
        assertNotPresent(table, 0x10000);
        assertEquals(0, table.unmap(0x10000, 0x3000));
    }

    @Test
    void permissionFaults()
    {
        final RadixPageTable table = table();
        table.map(0x1000, 0x2000, SIZE_4K, PtwPermissions.READ);
        table.map(0x2000, 0x3000, SIZE_4K, PtwPermissions.NONE);
        assertTrue(table.translate(0x1000, PtwPermissions.READ) >= 0);
        final int write = PtwPermissions.WRITE;
        final int read = PtwPermissions.READ;
        assertEquals(Translation.FAULT_PERMISSION, Translation.faultReason(table.translate(0x1000, write)));
        assertEquals(Translation.FAULT_PERMISSION, Translation.faultReason(table.translate(0x2000, read)));
        assertTrue(table.translate(0x2000) >= 0);
        assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(table.translate(0x5000, read)));
        assertEquals(Translation.FAULT_BAD_ADDRESS, Translation.faultReason(table.translate(0x1000, 4)));
        assertEquals(Translation.FAULT_BAD_ADDRESS, Translation.faultReason(table.translate(-1)));
    }

    @Test
    void largeLeavesWhenAlignedAndAllowed()
    {
        final RadixPageTable table = table();
        assertEquals(PtwResult.OK, table.map(SIZE_1G, 2 * SIZE_1G, SIZE_1G + SIZE_2M + SIZE_4K, RW));
        assertEquals(SIZE_1G, Translation.pageSize(table.translate(SIZE_1G + 12345)));
        assertMapsTo(table, SIZE_1G + 12345, 2 * SIZE_1G + 12345, RW);
        assertEquals(SIZE_2M, Translation.pageSize(table.translate(2 * SIZE_1G + 5)));
        assertMapsTo(table, 2 * SIZE_1G + SIZE_2M + 7, 3 * SIZE_1G + SIZE_2M + 7, RW);
        assertEquals(SIZE_4K, Translation.pageSize(table.translate(2 * SIZE_1G + SIZE_2M)));
        // root, L2 (for 1G leaf none needed beyond L3), L2 table for second GiB, L1 table, L0 table
        assertEquals(4, table.tablePages());
        assertEquals((SIZE_1G + SIZE_2M + SIZE_4K) / SIZE_4K, table.unmap(SIZE_1G, SIZE_1G + SIZE_2M + SIZE_4K));
        assertEquals(4, table.tablePages(), "the L2 and L1 tables span beyond the range and stay");
    }

    @Test
    void allowedSizesAreHonoured()
    {
        final RadixPageTable table = RadixPageTable.create(
            arena, new PageTableConfig().allowedPageSizes(PageSizes.ALLOW_4K | PageSizes.ALLOW_2M));
        assertEquals(PtwResult.OK, table.map(SIZE_1G, SIZE_1G, SIZE_1G, RW));
        assertEquals(SIZE_2M, Translation.pageSize(table.translate(SIZE_1G)));
        final RadixPageTable small = RadixPageTable.create(
            arena, new PageTableConfig().allowedPageSizes(PageSizes.ALLOW_4K));
        assertEquals(PtwResult.OK, small.map(0, 0, SIZE_2M, RW));
        assertEquals(SIZE_4K, Translation.pageSize(small.translate(0)));
        assertEquals(512, small.unmap(0, SIZE_2M));
    }

    @Test
    void partialUnmapOfLargeLeafIsRefusedAndChangesNothing()
    {
        final RadixPageTable table = table();
        assertEquals(PtwResult.OK, table.map(0, SIZE_2M, SIZE_2M, RW));
        assertEquals(PtwResult.PARTIAL_LARGE_PAGE, table.unmap(SIZE_4K, SIZE_4K));
        assertEquals(PtwResult.PARTIAL_LARGE_PAGE, table.unmap(0, SIZE_4K));
        assertEquals(PtwResult.PARTIAL_LARGE_PAGE, table.unmapKeepTables(SIZE_2M - SIZE_4K, 2 * SIZE_4K));
        assertMapsTo(table, SIZE_4K, SIZE_2M + SIZE_4K, RW);
        assertEquals(512, table.unmap(0, SIZE_2M));
    }

    @Test
    void overlappingMapIsRefusedAndUndone()
    {
        final RadixPageTable table = table();
        final long before = table.tablePages();
        assertEquals(PtwResult.OK, table.map(0x5000, 0x1000, SIZE_4K, RW));
        final long withOne = table.tablePages();
        assertEquals(PtwResult.EXISTS, table.map(0x1000, 0x100000, 0x10000, RW));
        assertNotPresent(table, 0x1000);
        assertNotPresent(table, 0x4000);
        assertMapsTo(table, 0x5000, 0x1000, RW);
        assertEquals(withOne, table.tablePages());
        // a large mapping over an existing small one is refused too
        assertEquals(PtwResult.EXISTS, table.map(0, SIZE_2M, SIZE_2M, RW));
        assertMapsTo(table, 0x5000, 0x1000, RW);
        assertNotPresent(table, 0x6000);
        assertEquals(1, table.unmap(0, SIZE_1G * 512));
        assertEquals(before, table.tablePages());
    }

    @Test
    void badArgumentsChangeNothing()
    {
        final RadixPageTable table = table();
        table.map(0x1000, 0x1000, SIZE_4K, RW);
        final String dump = table.dump();
        assertEquals(PtwResult.BAD_LENGTH, table.map(0x2000, 0, 0, RW));
        assertEquals(PtwResult.BAD_LENGTH, table.map(0x2000, 0, -SIZE_4K, RW));
        assertEquals(PtwResult.UNALIGNED, table.map(0x2001, 0, SIZE_4K, RW));
        assertEquals(PtwResult.UNALIGNED, table.map(0x2000, 1, SIZE_4K, RW));
        assertEquals(PtwResult.UNALIGNED, table.map(0x2000, 0, 100, RW));
        assertEquals(PtwResult.OUT_OF_RANGE, table.map(-SIZE_4K, 0, SIZE_4K, RW));
        assertEquals(PtwResult.OUT_OF_RANGE, table.map((1L << 48) - SIZE_4K, 0, 2 * SIZE_4K, RW));
        assertEquals(PtwResult.OUT_OF_RANGE, table.map(SIZE_4K, 0, Long.MAX_VALUE & ~0xFFFL, RW));
        assertEquals(PtwResult.BAD_PERMISSIONS, table.map(0x2000, 0, SIZE_4K, 4));
        assertEquals(PtwResult.BAD_ARGUMENT, table.map(0x2000, 1L << 52, SIZE_4K, RW));
        assertEquals(PtwResult.BAD_ARGUMENT, table.map(0x2000, -SIZE_4K, SIZE_4K, RW));
        assertEquals(PtwResult.BAD_LENGTH, table.unmap(0x1000, 0));
        assertEquals(PtwResult.UNALIGNED, table.unmap(0x1001, SIZE_4K));
        assertEquals(PtwResult.OUT_OF_RANGE, table.unmap(1L << 48, SIZE_4K));
        assertEquals(PtwResult.BAD_ARGUMENT, table.mapScatter(0x2000, null, 0, 1, RW));
        assertEquals(PtwResult.BAD_ARGUMENT, table.mapScatter(0x2000, new long[2], 1, 2, RW));
        assertEquals(PtwResult.BAD_ARGUMENT, table.mapScatter(0x2000, new long[2], -1, 1, RW));
        assertEquals(PtwResult.BAD_LENGTH, table.mapScatter(0x2000, new long[2], 0, 0, RW));
        assertEquals(PtwResult.BAD_ARGUMENT, table.mapScatter(0x2000, new long[] { 1L << 40 }, 0, 1, RW));
        assertEquals(PtwResult.BAD_PERMISSIONS, table.mapScatter(0x2000, new long[1], 0, 1, -1));
        assertEquals(PtwResult.UNALIGNED, table.mapScatter(0x2800, new long[1], 0, 1, RW));
        assertEquals(PtwResult.UNALIGNED, table.reserve(0x2800, SIZE_4K));
        assertEquals(PtwResult.BAD_LENGTH, table.reserve(0x2000, 0));
        assertEquals(dump, table.dump());
        assertEquals("BAD_ARGUMENT", PtwResult.name(PtwResult.BAD_ARGUMENT));
    }

    /**
     * mapScatterOwned: the first map of a region installs its tables (mapScatter's path), a later one in the same
     * leaf table stores the leaves directly; both translate, and the unmap removes both.
     */
    @Test
    void mapScatterOwnedMapsThroughBothPaths()
    {
        final RadixPageTable table = table();
        assertEquals(PtwResult.OK, table.mapScatterOwned(0x40_0000, new long[] {0x77, 0x99}, 1, 1, RW));
        final long pages = table.tablePages();
        assertEquals(PtwResult.OK, table.mapScatterOwned(0x40_3000, new long[] {0x55, 0x56}, 0, 2,
            PtwPermissions.READ));
        assertEquals(pages, table.tablePages(), "the second map installed nothing");
        assertMapsTo(table, 0x40_0000, 0x99L << 12, RW);
        assertMapsTo(table, 0x40_3000, 0x55L << 12, PtwPermissions.READ);
        assertMapsTo(table, 0x40_4000, 0x56L << 12, PtwPermissions.READ);
        assertNotPresent(table, 0x40_1000);
        assertEquals(3, table.unmap(0x40_0000, 5 * SIZE_4K));
        assertNotPresent(table, 0x40_3000);
    }

    @Test
    void badArgumentsOfUnmapReserveAndScatterChangeNothing()
    {
        final RadixPageTable table = table();
        table.map(0x1000, 0x1000, 3 * SIZE_4K, RW);
        final String dump = table.dump();
        final long pages = arena.pagesInUse();
        final long top = 1L << 48;
        assertEquals(PtwResult.BAD_LENGTH, table.unmap(0x1000, -SIZE_4K));
        assertEquals(PtwResult.UNALIGNED, table.unmap(0x1000, 100));
        assertEquals(PtwResult.OUT_OF_RANGE, table.unmap(-SIZE_4K, SIZE_4K));
        assertEquals(PtwResult.OUT_OF_RANGE, table.unmap(top - SIZE_4K, 2 * SIZE_4K));
        assertEquals(PtwResult.OUT_OF_RANGE, table.unmap(SIZE_4K, Long.MAX_VALUE & ~0xFFFL), "wraps past the top");
        assertEquals(PtwResult.BAD_LENGTH, table.unmapKeepTables(0x1000, 0));
        assertEquals(PtwResult.UNALIGNED, table.unmapKeepTables(0x1800, SIZE_4K));
        assertEquals(PtwResult.OUT_OF_RANGE, table.unmapKeepTables(top, SIZE_4K));
        assertEquals(PtwResult.OUT_OF_RANGE, table.reserve(top - SIZE_4K, 2 * SIZE_4K));
        assertEquals(PtwResult.BAD_LENGTH, table.reserve(0x2000, -SIZE_4K));
        assertEquals(PtwResult.OUT_OF_RANGE, table.mapScatter(top - SIZE_4K, new long[2], 0, 2, RW));
        assertEquals(PtwResult.OUT_OF_RANGE, table.mapScatter(-SIZE_4K, new long[1], 0, 1, RW));
        assertEquals(PtwResult.BAD_ARGUMENT, table.mapScatter(0x8000, new long[] { 1, -1 }, 0, 2, RW));
        assertEquals(PtwResult.BAD_PERMISSIONS, table.map(0x8000, 0, SIZE_4K, PtwPermissions.READ_WRITE | 8));
        assertEquals(PtwResult.BAD_PERMISSIONS, table.map(0x8000, 0, SIZE_4K, Integer.MIN_VALUE));
        assertEquals(PtwResult.BAD_ARGUMENT, table.map(0x8000, (1L << 52) - SIZE_4K, 2 * SIZE_4K, RW),
            "output range beyond 52 bits");
        assertEquals(Translation.FAULT_BAD_ADDRESS, Translation.faultReason(table.walk(top)));
        assertEquals(dump, table.dump());
        assertEquals(pages, arena.pagesInUse());
        assertMapsTo(table, 0x2000, 0x2000, RW);
    }

    @Test
    void scatterMapsEachFrame()
    {
        final RadixPageTable table = table();
        final long[] frames = { 0x100, 0x7, 0x55, 0x9999 };
        final long iova = SIZE_2M - 2 * SIZE_4K;
        assertEquals(PtwResult.OK, table.mapScatter(iova, frames, 0, 4, PtwPermissions.WRITE));
        for (int i = 0; i < 4; i++)
        {
            assertMapsTo(table, iova + i * SIZE_4K + 3, (frames[i] << 12) + 3, PtwPermissions.WRITE);
        }
        assertEquals(PtwResult.EXISTS, table.mapScatter(iova - SIZE_4K, frames, 0, 2, PtwPermissions.WRITE));
        assertNotPresent(table, iova - SIZE_4K);
        assertEquals(4, table.unmap(iova, 4 * SIZE_4K));
    }

    @Test
    void unmapFreesTablesWhoseWholeSpanIsUnmapped()
    {
        final RadixPageTable table = table();
        assertEquals(1, table.tablePages());
        table.map(SIZE_1G, 0, SIZE_4K, RW);
        table.map(SIZE_1G + SIZE_2M, 0, SIZE_4K, RW);
        assertEquals(5, table.tablePages());
        assertEquals(1, table.unmap(SIZE_1G + SIZE_2M, SIZE_2M));
        assertEquals(4, table.tablePages());
        assertEquals(1, table.unmap(SIZE_1G, SIZE_4K));
        assertEquals(4, table.tablePages(), "a 4 KiB unmap covers no table");
        assertEquals(0, table.unmap(0, 1L << 48));
        assertEquals(1, table.tablePages());
        assertEquals(1, arena.pagesInUse());
    }

    @Test
    void noMemoryChangesNoTranslation()
    {
        arena.close();
        arena = TableArena.allocateDirect(4);
        final RadixPageTable table = table();
        assertEquals(PtwResult.OK, table.map(0, 0, SIZE_4K, RW));
        assertEquals(4, arena.pagesInUse());
        final String dump = table.dump();
        assertEquals(PtwResult.NO_MEMORY, table.map(SIZE_2M - 2 * SIZE_4K, 0, 4 * SIZE_4K, RW));
        assertEquals(PtwResult.NO_MEMORY, table.mapScatter(SIZE_2M - SIZE_4K, new long[2], 0, 2, RW));
        assertEquals(dump, table.dump(), "the leaves claimed before running out are undone");
        assertEquals(4, arena.pagesInUse());
        assertEquals(4, table.tablePages());
        assertNotPresent(table, SIZE_2M - 2 * SIZE_4K);
        assertNotPresent(table, SIZE_2M - SIZE_4K);
        assertMapsTo(table, 0, 0, RW);
        assertEquals(PtwResult.NO_MEMORY, table.reserve(SIZE_1G, SIZE_4K));
        assertEquals(1, table.unmap(0, 1L << 48));
        assertEquals(1, arena.pagesInUse());
    }

    /**
     * NO_MEMORY changes nothing at all, tables included: a map or reserve counts the tables it needs and takes
     * them from the arena before it installs any, so running out refuses the call while the tables are as they
     * were (before, the intermediate tables installed before the shortage stayed, and a nearly full arena lost its
     * last pages to a refused call).
     */
    @Test
    void noMemoryInstallsNoTable()
    {
        arena.close();
        arena = TableArena.allocateDirect(5);
        final RadixPageTable table = table();
        assertEquals(PtwResult.OK, table.map(0, 0, SIZE_4K, RW));
        assertEquals(4, arena.pagesInUse());
        final String dump = table.dump();
        // Needs a level-1 and a level-0 table under the existing level-2 table: one page is left.
        assertEquals(PtwResult.NO_MEMORY, table.map(SIZE_1G, 0, 2 * SIZE_4K, RW));
        assertEquals(PtwResult.NO_MEMORY, table.mapScatter(SIZE_1G, new long[2], 0, 2, RW));
        assertEquals(PtwResult.NO_MEMORY, table.reserve(SIZE_1G, SIZE_4K));
        assertEquals(PtwResult.NO_MEMORY, table.map(SIZE_1G - SIZE_4K, 0, 2 * SIZE_4K, RW),
            "two regions: the second needs two tables");
        assertEquals(dump, table.dump());
        assertEquals(4, table.tablePages());
        assertEquals(4, arena.pagesInUse(), "the refused calls took no page");
        assertEquals(PtwResult.OK, table.map(SIZE_2M, 0, SIZE_4K, RW), "the last page is still there");
        assertEquals(5, arena.pagesInUse());
    }

    /**
     * A map that would install tables and overlaps a mapped page is refused before it installs any (the leaf
     * clash is looked for first); one that installs none rolls back only the leaves it claimed.
     */
    @Test
    void clashInstallsNoTable()
    {
        final RadixPageTable table = table();
        assertEquals(PtwResult.OK, table.map(SIZE_1G + SIZE_4K, 0, SIZE_4K, RW));
        final String dump = table.dump();
        final long pages = arena.pagesInUse();
        // The first region needs a level-1 and a level-0 table whose spans reach past the range; the clash is in
        // the second region.
        assertEquals(PtwResult.EXISTS, table.map(SIZE_1G - SIZE_4K, 0, 3 * SIZE_4K, RW));
        assertEquals(PtwResult.EXISTS, table.mapScatter(SIZE_1G - SIZE_4K, new long[3], 0, 3, RW));
        assertEquals(dump, table.dump());
        assertEquals(pages, arena.pagesInUse());
        assertEquals(PtwResult.OK, table.map(SIZE_1G - SIZE_4K, 0, SIZE_4K, RW));
        final String both = table.dump();
        assertEquals(PtwResult.EXISTS, table.map(SIZE_1G - SIZE_4K, 0, 3 * SIZE_4K, RW), "no table needed");
        assertEquals(both, table.dump());
    }

    /**
     * Several identity ranges are mapped all or nothing over the set: a shortage or a clash in a later range leaves
     * the tables as they were, the earlier ranges included.
     */
    @Test
    void identityRangesAreAllOrNothingOverTheSet()
    {
        arena.close();
        arena = TableArena.allocateDirect(6);
        final RadixPageTable table = table();
        final long[] starts = {SIZE_2M - SIZE_4K, SIZE_1G};
        final long[] lengths = {2 * SIZE_4K, 2 * SIZE_4K};
        final String dump = table.dump();
        // Root, then 2 (level 2), 1 + 2 (first range: level 1, two leaf tables), 1 + 1 (second range): 7 > 6.
        assertEquals(PtwResult.NO_MEMORY, table.mapIdentityRanges(starts, lengths, 2, RW));
        assertEquals(dump, table.dump());
        assertEquals(1, arena.pagesInUse(), "nothing taken by the refused set");
        assertEquals(PtwResult.OK, table.mapIdentityRanges(starts, lengths, 1, RW), "the first range alone fits");
        assertEquals(5, arena.pagesInUse());
        assertEquals(PtwResult.BAD_ARGUMENT, table.mapIdentityRanges(starts, lengths, 3, RW));
        assertEquals(PtwResult.UNALIGNED, table.mapIdentityRanges(new long[] {1}, lengths, 1, RW));

        final TableArena big = TableArena.allocateDirect(64);
        final RadixPageTable other = RadixPageTable.create(big, new PageTableConfig());
        assertEquals(PtwResult.OK, other.map(SIZE_1G + SIZE_4K, 0, SIZE_4K, RW));
        final String blocked = other.dump();
        final long pages = big.pagesInUse();
        // The first range needs tables (nothing below 1 GiB has any), the second clashes with the mapped page.
        assertEquals(PtwResult.EXISTS, other.mapIdentityRanges(new long[] {0, SIZE_1G}, lengths, 2, RW));
        assertEquals(blocked, other.dump(), "the clash in the second range refused the set");
        assertEquals(pages, big.pagesInUse());
        big.close();
    }

    /**
     * A map into reserved tables that clashes after claiming leaves rolls back its leaves and keeps the tables,
     * including a level-0 table whose whole span the failed range covered (it is the reservation's).
     */
    @Test
    void rollbackKeepsReservedTables()
    {
        final RadixPageTable table = table();
        assertEquals(PtwResult.OK, table.reserve(0, 2 * SIZE_2M));
        assertEquals(PtwResult.OK, table.map(SIZE_2M, 0, SIZE_4K, RW));
        final long pages = table.tablePages();
        assertEquals(PtwResult.EXISTS, table.map(0, SIZE_1G, SIZE_2M + SIZE_4K, RW));
        assertEquals(pages, table.tablePages(), "the reservation's tables stay");
        assertNotPresent(table, 0);
        assertEquals(PtwResult.OK, table.map(0, SIZE_1G, SIZE_2M, RW));
        assertEquals(pages, table.tablePages(), "mapping into the reservation still allocates nothing");
    }

    @Test
    void reserveInstallsTablesAndMapsIntoItNeverAllocate()
    {
        final RadixPageTable table = table();
        assertEquals(PtwResult.OK, table.reserve(0, 2 * SIZE_2M));
        final long pages = table.tablePages();
        assertEquals(5, pages);
        assertEquals(PtwResult.OK, table.map(0, SIZE_2M, SIZE_2M, RW));
        assertEquals(SIZE_4K, Translation.pageSize(table.translate(0)), "reserved ranges stay 4 KiB");
        assertEquals(pages, table.tablePages());
        assertEquals(512, table.unmapKeepTables(0, 2 * SIZE_2M));
        assertEquals(pages, table.tablePages());
        assertEquals(PtwResult.OK, table.map(SIZE_2M, 0, SIZE_4K, RW));
        assertEquals(1, table.unmap(0, 2 * SIZE_2M));
        assertEquals(3, table.tablePages());
    }

    @Test
    void mappedRangesAreCoalesced()
    {
        final RadixPageTable table = table();
        table.map(0, SIZE_1G, SIZE_2M + 2 * SIZE_4K, RW);
        table.map(SIZE_2M + 2 * SIZE_4K, SIZE_1G + SIZE_2M + 2 * SIZE_4K, SIZE_4K, PtwPermissions.READ);
        table.map(SIZE_2M + 3 * SIZE_4K, 0, SIZE_4K, PtwPermissions.READ);
        final List<long[]> ranges = new ArrayList<>();
        table.forEachMappedRange((iova, output, length, perm) -> ranges.add(new long[] { iova, output, length, perm }));
        assertEquals(3, ranges.size());
        assertArrayEquals(new long[] { 0, SIZE_1G, SIZE_2M + 2 * SIZE_4K, RW }, ranges.get(0));
        assertArrayEquals(new long[] { SIZE_2M + 2 * SIZE_4K, SIZE_1G + SIZE_2M + 2 * SIZE_4K, SIZE_4K, 1 },
            ranges.get(1));
        assertArrayEquals(new long[] { SIZE_2M + 3 * SIZE_4K, 0, SIZE_4K, 1 }, ranges.get(2));
        final String dump = table.dump();
        assertTrue(dump.contains("L1[0] 0x0 => 0x40000000 size=0x200000 perm=3"), dump);
        assertTrue(dump.contains("-> table page"), dump);
    }

    @Test
    void destroyFreesEveryPage()
    {
        final RadixPageTable table = table();
        table.map(0, 0, SIZE_2M + SIZE_4K, RW);
        table.map(SIZE_1G * 3, 0, SIZE_4K, RW);
        assertTrue(arena.pagesInUse() > 4);
        assertEquals(514, table.destroy());
        assertEquals(0, table.tablePages());
        assertEquals(0, arena.pagesInUse());
    }

    @Test
    void createReturnsNullWithoutRootPage()
    {
        arena.close();
        arena = TableArena.allocateDirect(1);
        table();
        assertNull(table());
    }
}
