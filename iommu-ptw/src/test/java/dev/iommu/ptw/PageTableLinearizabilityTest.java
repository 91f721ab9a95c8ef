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

    private static StressOptions stress()
    {
        return new StressOptions()
            .iterations(10)
            .invocationsPerIteration(300)
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(2)
            .actorsAfter(1)
            .sequentialSpecification(PageMapModel.class);
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
