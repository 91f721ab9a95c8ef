/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RadixPageTable#leafTablePresent(long)}: whether a walk reaches the last level without installing anything.
 */
class LeafTablePresentTest
{
    private final TableArena arena = TableArena.allocateDirect(64);

    @AfterEach
    void close()
    {
        arena.close();
    }

    @Test
    void presentOnlyWhereTheLastLevelTableExists()
    {
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig()
            .allowedPageSizes(PageSizes.ALLOW_4K));
        assertFalse(table.leafTablePresent(0x10_0000L), "empty table");
        final long pages = table.tablePages();
        assertFalse(table.leafTablePresent(0x10_0000L));
        assertEquals(pages, table.tablePages(), "installs nothing");
        assertEquals(PtwResult.OK, table.map(0x10_0000L, 0x4000_0000L, 4096, PtwPermissions.READ));
        assertTrue(table.leafTablePresent(0x10_0000L));
        assertTrue(table.leafTablePresent(0x1F_F123L), "anywhere in the same 2 MiB region");
        assertFalse(table.leafTablePresent(0x20_0000L), "the next region has no table");
        table.unmapKeepTables(0x10_0000L, 4096);
        assertTrue(table.leafTablePresent(0x10_0000L), "kept tables stay present");
        assertFalse(table.leafTablePresent(-1), "outside the table");
        assertFalse(table.leafTablePresent(1L << 48), "outside the table");
    }

    @Test
    void aLargeLeafCountsAsPresent()
    {
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig());
        assertEquals(PtwResult.OK, table.map(0x20_0000L, 0x4000_0000L, PageSizes.SIZE_2M, PtwPermissions.READ));
        assertTrue(table.leafTablePresent(0x20_0000L));
    }
}
