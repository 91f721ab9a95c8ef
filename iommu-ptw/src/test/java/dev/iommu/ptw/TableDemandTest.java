/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The counting walk is exact: for random maps (sizes from one page to several gigabytes, outputs aligned and not,
 * large leaves on) into a table that random earlier maps and unmaps left in any shape, the tables a map installs are
 * exactly the tables {@link TableDemand} counted before it. An undercount would let a map run dry half-way, an
 * overcount would refuse a map that fits.
 */
final class TableDemandTest
{
    private static final long PAGE = PageSizes.SIZE_4K;
    private final TableArena arena = TableArena.allocateDirect(1 << 16);

    @AfterEach
    void close()
    {
        arena.close();
    }

    @Test
    void theCountIsWhatTheMapInstalls()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig());
        final TableDemand demand = new TableDemand(table, arena);
        for (int i = 0; i < 3000; i++)
        {
            final long iova = (random.nextInt(1 << 16) * PAGE) << random.nextInt(6);
            final long pages = 1L + (random.nextBoolean() ? random.nextInt(8) :
                random.nextInt(1 << (10 + random.nextInt(9))));
            final long output = random.nextBoolean() ? iova + ((long)random.nextInt(4) << 21) :
                random.nextInt(1 << 20) * PAGE;
            final long length = pages * PAGE;
            final long counted = demand.count(iova, iova + length, output - iova, true);
            final long before = table.tablePages();
            final int result = table.map(iova, output, length, PtwPermissions.READ);
            if (result == PtwResult.OK)
            {
                assertEquals(counted, table.tablePages() - before, "seed " + seed + " map " + i);
                if (random.nextInt(3) == 0)
                {
                    table.unmap(iova, length);
                }
            }
            else
            {
                assertEquals(before, table.tablePages(), "seed " + seed + " refused map " + i);
            }
        }
    }
}
