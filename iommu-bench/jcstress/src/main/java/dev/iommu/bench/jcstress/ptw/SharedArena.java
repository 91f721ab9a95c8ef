/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;
import dev.iommu.ptw.Translation;

/**
 * One arena for every jcstress state: each state builds a fresh table in it and its arbiter destroys the table, so
 * table pages are recycled instead of allocating direct memory per state.
 */
final class SharedArena
{
    static final TableArena ARENA = TableArena.allocateDirect(1 << 14);

    private SharedArena()
    {
    }

    static RadixPageTable newTable()
    {
        final RadixPageTable table = RadixPageTable.create(ARENA, new PageTableConfig().iotlbEntries(0));
        if (null == table)
        {
            throw new IllegalStateException("shared arena exhausted");
        }
        return table;
    }

    /**
     * Classify a translation: 0 not present, 1 the expected output and permissions, 2 anything else.
     */
    static int classify(final long translation, final long iova, final long expectedOutput, final int permissions)
    {
        if (Translation.isFault(translation))
        {
            return Translation.faultReason(translation) == Translation.FAULT_NOT_PRESENT ? 0 : 2;
        }
        return Translation.outputAddress(translation, iova) == expectedOutput &&
            Translation.permissions(translation) == permissions ? 1 : 2;
    }
}
