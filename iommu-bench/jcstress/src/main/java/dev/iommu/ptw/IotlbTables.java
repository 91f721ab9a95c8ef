/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * Test-side factory (jcstress module, in the production package for its package-private constructor): page tables
 * with a strict software IOTLB, either the real one or the broken variant {@link IotlbFillWithoutRecheck}.
 */
public final class IotlbTables
{
    /** IOTLB slots of every table made here (16: two pages 16 apart share a slot). */
    public static final int ENTRIES = 16;

    private IotlbTables()
    {
    }

    /**
     * A table with the real strict IOTLB.
     *
     * @param arena where its tables live.
     * @return the table.
     */
    public static RadixPageTable strict(final TableArena arena)
    {
        return create(arena, false);
    }

    /**
     * A table whose IOTLB fills without re-reading the leaf after taking the slot (broken).
     *
     * @param arena where its tables live.
     * @return the table.
     */
    public static RadixPageTable strictWithoutFillRecheck(final TableArena arena)
    {
        return create(arena, true);
    }

    private static RadixPageTable create(final TableArena arena, final boolean broken)
    {
        final PageTableConfig config = new PageTableConfig().iotlbEntries(ENTRIES).iotlbMode(IotlbMode.STRICT);
        final int root = arena.allocate();
        if (root == 0)
        {
            throw new IllegalStateException("arena exhausted");
        }
        final SoftwareIotlb iotlb = broken ? new IotlbFillWithoutRecheck(config) : new SoftwareIotlb(config);
        return new RadixPageTable(arena, config, root, null, iotlb);
    }
}
