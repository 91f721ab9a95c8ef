/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * Test-side factory (jcstress module, in the production package for its package-private constructor): page tables
 * without IOTLB, so that every translate walks, with either the real paging-structure cache or the broken variant
 * {@link CacheWithoutOwnerTagCheck}.
 */
public final class CacheTables
{
    private CacheTables()
    {
    }

    /**
     * A table with the real paging-structure cache.
     *
     * @param arena where its tables live.
     * @return the table.
     */
    public static RadixPageTable real(final TableArena arena)
    {
        return create(arena, false);
    }

    /**
     * A table whose paging-structure cache trusts its slots without the owner-tag check (broken).
     *
     * @param arena where its tables live.
     * @return the table.
     */
    public static RadixPageTable withoutOwnerTagCheck(final TableArena arena)
    {
        return create(arena, true);
    }

    private static RadixPageTable create(final TableArena arena, final boolean broken)
    {
        final PageTableConfig config = new PageTableConfig().iotlbEntries(0);
        final int root = arena.allocate();
        if (root == 0)
        {
            throw new IllegalStateException("arena exhausted");
        }
        final PagingStructureCache psc =
            broken ? new CacheWithoutOwnerTagCheck(arena) : new PagingStructureCache(arena);
        return new RadixPageTable(arena, config, root, null, null, psc);
    }
}
