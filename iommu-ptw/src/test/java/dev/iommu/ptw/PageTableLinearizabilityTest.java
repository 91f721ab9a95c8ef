/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Map, unmap and translate of a {@link RadixPageTable} are linearizable against {@link PageMapModel} (operations:
 * {@link PageTableOperations}), with the software IOTLB off and on (strict invalidation: a translate that filled
 * an entry racing an unmap must not leave it behind).
 * <p>
 * Stress mode (real threads, many invocations): the table's entries are off-heap (Unsafe on a direct buffer),
 * where Lincheck's model checker cannot switch threads (it schedules only at Java heap accesses, and it cannot
 * instrument Agrona's UnsafeApi), so it never explores the races of the leaves.
 */
class PageTableLinearizabilityTest
{
    @Test
    void linearizableWithoutIotlb()
    {
        stress().check(PageTableOperations.class);
    }

    @Test
    void linearizableWithStrictIotlb()
    {
        stress().check(WithIotlb.class);
    }

    /**
     * Many short random scenarios, plus named races: a translate (which fills the IOTLB) racing the unmap of its
     * page, two maps of one page, a large map racing another and a 4 KiB map installing the shared tables.
     */
    private static StressOptions stress()
    {
        return new StressOptions()
            .iterations(30)
            .invocationsPerIteration(50)
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(2)
            .actorsAfter(1)
            .sequentialSpecification(PageMapModel.class)
            .addCustomScenario(LincheckScenario.of(PageTableOperations.class)
                .initial("map", 0, 1)
                .initial("translate", 0)
                .thread(0, "unmap", 0)
                .thread(0, "translate", 0)
                .thread(1, "translate", 0)
                .thread(1, "map", 0, 2)
                .post("translate", 0)
                .build())
            .addCustomScenario(LincheckScenario.of(PageTableOperations.class)
                .thread(0, "map", 1, 1)
                .thread(0, "mapLarge", 1)
                .thread(1, "map", 1, 2)
                .thread(1, "mapLarge", 2)
                .post("translate", 1)
                .post("translateLarge", 1)
                .build());
    }

    /**
     * The operations on a table with a 16-entry strict software IOTLB.
     */
    public static class WithIotlb extends PageTableOperations
    {
        @Override
        RadixPageTable newTable()
        {
            return RadixPageTable.create(ARENA, config(16));
        }
    }
}
