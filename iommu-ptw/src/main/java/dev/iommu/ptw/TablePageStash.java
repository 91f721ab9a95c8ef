/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * The table pages one map or reserve will install, taken from the arena before the call changes anything, so that
 * running out of pages fails the call while the tables are still as they were (all or nothing), like Linux's
 * iommu_iotlb_gather in reverse: gather first, then commit.
 * <p>
 * One per thread ({@link #forThread()}), used by one call at a time: {@link #fill} before the call's first install,
 * {@link #take} for each table the call installs, {@link #release} in a finally block. The pages in the stash are
 * private to the thread (never linked), so giving them back needs no reclamation.
 */
final class TablePageStash
{
    private static final ThreadLocal<TablePageStash> STASHES = ThreadLocal.withInitial(TablePageStash::new);

    private int[] pages = new int[8];
    private int count;
    private TableArena arena;

    private TablePageStash()
    {
    }

    static TablePageStash forThread()
    {
        return STASHES.get();
    }

    /**
     * Take {@code demand} pages from {@code arena}, all or none.
     *
     * @return whether the stash now holds {@code demand} pages; false: the arena ran out and nothing is held.
     */
    boolean fill(final TableArena arena, final long demand)
    {
        if (demand > arena.capacity())
        {
            return false;
        }
        this.arena = arena;
        if (pages.length < demand)
        {
            pages = new int[(int)Math.max(demand, pages.length * 2L)];
        }
        while (count < demand)
        {
            final int page = arena.allocate();
            if (page == 0)
            {
                release();
                return false;
            }
            pages[count++] = page;
        }
        return true;
    }

    /**
     * One zeroed page for a table the call installs: from the stash, or from the arena when a race made the call
     * need more than it counted (a table it counted on was installed and then lost by a racing map of the same
     * region: see {@link RadixPageTable}).
     *
     * @return the page, or 0 when both are empty.
     */
    int take(final TableArena from)
    {
        return count > 0 ? pages[--count] : from.allocate();
    }

    /**
     * Give back the pages the call did not install (a racing map installed the same table first).
     */
    void release()
    {
        while (count > 0)
        {
            arena.free(pages[--count]);
        }
        arena = null;
    }
}
