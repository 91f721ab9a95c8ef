/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.concurrent.atomic.AtomicLong;

import static dev.iommu.ptw.PteDescriptor.PAGE_SHIFT;
import static dev.iommu.ptw.PteDescriptor.TABLE;

/**
 * Frees a table that an unmap has already unlinked, with every table below it, counting the 4 KiB pages its leaves
 * mapped. The caller bumped the free generation after the unlink (see {@link TranslateWalker}), so zeroing and
 * reusing the pages here is safe against walks in flight; no writer can be using a range inside the table.
 */
final class TableFreeing extends LevelRangeWalk
{
    private final TableArena arena;
    private final AtomicLong tablePages;

    TableFreeing(final TableArena arena, final AtomicLong tablePages)
    {
        this.arena = arena;
        this.tablePages = tablePages;
    }

    /**
     * Free the unlinked table at page {@code page} (of {@code level}, spanning from {@code tableBase}) and the
     * tables below it.
     *
     * @return the 4 KiB pages its leaves mapped.
     */
    long countAndFree(final int page, final int level, final long tableBase)
    {
        final long count = walkWhole(arena.pageAddress(page), level, tableBase);
        tablePages.decrementAndGet();
        arena.free(page);
        return count;
    }

    @Override
    long visit(
        final long address, final long entry, final int level, final long entryBase, final long start,
        final long end)
    {
        if ((entry & TABLE) == 0)
        {
            return 1L << (PteDescriptor.shift(level) - PAGE_SHIFT);
        }
        return countAndFree(PteDescriptor.childIndex(entry), level - 1, entryBase);
    }
}
