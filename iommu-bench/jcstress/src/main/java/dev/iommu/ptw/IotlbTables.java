/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * Test-side factory (jcstress module, in the production package for its package-private constructor): page tables
 * with a software IOTLB, strict or deferred with a batch of one (every unmap flushes everything by one epoch step),
 * either the real one or a broken variant ({@link IotlbFillWithoutRecheck}, {@link IotlbFillWithLateEpoch}).
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

    /**
     * A table whose IOTLB is deferred with a batch of one: each unmap flushes everything (an epoch step) before it
     * returns.
     *
     * @param arena where its tables live.
     * @return the table.
     */
    public static RadixPageTable flushingEveryUnmap(final TableArena arena)
    {
        final PageTableConfig config = flushingConfig();
        return create(arena, config, new SoftwareIotlb(config));
    }

    /**
     * The same, with fills that take the epoch of their key after their re-read of the leaf (broken).
     *
     * @param arena where its tables live.
     * @return the table.
     */
    public static RadixPageTable flushingEveryUnmapWithLateEpoch(final TableArena arena)
    {
        final PageTableConfig config = flushingConfig();
        return create(arena, config, new IotlbFillWithLateEpoch(config));
    }

    private static PageTableConfig flushingConfig()
    {
        return new PageTableConfig().iotlbEntries(ENTRIES).iotlbMode(IotlbMode.DEFERRED)
            .deferredFlush(1, Long.MAX_VALUE);
    }

    private static RadixPageTable create(final TableArena arena, final boolean broken)
    {
        final PageTableConfig config = new PageTableConfig().iotlbEntries(ENTRIES).iotlbMode(IotlbMode.STRICT);
        return create(arena, config, broken ? new IotlbFillWithoutRecheck(config) : new SoftwareIotlb(config));
    }

    private static RadixPageTable create(final TableArena arena, final PageTableConfig config,
        final SoftwareIotlb iotlb)
    {
        final int root = arena.allocate();
        if (root == 0)
        {
            throw new IllegalStateException("arena exhausted");
        }
        return new RadixPageTable(arena, config, root, null, iotlb);
    }
}
