/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.RadixPageTable;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * The race of {@link TranslateThroughCacheRacingFreeTest} (and of its broken variant): region A (2 MiB at 0) has one
 * page mapped, so the table's paging-structure cache holds A's leaf table. One thread unmaps all of A, which frees
 * that leaf table, and maps a page of region B at the same index, which reuses the page (the freeing thread's page
 * cache hands it straight back). The other thread translates A's page through the cache. It may see A's mapping
 * or nothing, never B's: that would be content read from a reused page. Result: what the translation saw (0
 * absent, 1 A's output, 2 anything else, B's included), and the unmap count.
 */
public final class CachedTranslateFreeRace
{
    private static final long REGION_A = 0;
    private static final long REGION_B = 0x20_0000L;
    private static final long OUTPUT_A = 0xA000_0000L;
    private static final long OUTPUT_B = 0xB000_0000L;

    private final RadixPageTable table;

    /**
     * Maps A's page (which puts A's leaf table in the cache).
     *
     * @param table a fresh table without IOTLB.
     */
    public CachedTranslateFreeRace(final RadixPageTable table)
    {
        this.table = table;
        if (table.map(REGION_A, OUTPUT_A, 0x1000, PtwPermissions.READ) != 0)
        {
            throw new IllegalStateException("map failed");
        }
    }

    /**
     * Unmap A (frees its leaf table), map B (reuses the page).
     *
     * @param r results.
     */
    public void unmapAndReuse(final JJ_Result r)
    {
        r.r2 = table.unmap(REGION_A, 0x20_0000L);
        table.map(REGION_B, OUTPUT_B, 0x1000, PtwPermissions.READ);
    }

    /**
     * Translate A's page.
     *
     * @param r results.
     */
    public void translate(final JJ_Result r)
    {
        r.r1 = SharedArena.classify(table.translate(REGION_A), REGION_A, OUTPUT_A, PtwPermissions.READ);
    }

    /**
     * Give the pages back.
     */
    public void destroy()
    {
        table.destroy();
    }
}
