/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import org.agrona.UnsafeApi;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Map, unmap and translate of a {@link RadixPageTable} are linearizable against {@link PageMapModel} (operations:
 * {@link PageTableOperations}), with the software IOTLB off and on (strict invalidation).
 * <p>
 * Lincheck's model checker schedules threads only at accesses to Java heap memory; the table's entries are
 * off-heap (Unsafe on a direct buffer), so it can only switch threads at the heap accesses on the way (the
 * arena's thread caches, the table-page counter, the free generation a walk reads): that explores the races of
 * table installation, not of the leaves. The leaves are therefore checked in stress mode (real threads, many
 * invocations). The broken variant ({@link RacyLeafClaim}: the leaf claim as read-then-write) must be reported by
 * the model checker: its read-write gap holds a heap access, so the checker can schedule the other map there.
 */
class PageTableLinearizabilityTest
{
    @Test
    void linearizableUnderStressWithoutIotlb()
    {
        stress().check(PageTableOperations.class);
    }

    @Test
    void linearizableUnderStressWithStrictIotlb()
    {
        stress().check(WithIotlb.class);
    }

    @Test
    void linearizableUnderModelChecking()
    {
        modelChecking().check(PageTableOperations.class);
    }

    @Test
    void modelCheckerReportsANonAtomicLeafClaim()
    {
        assertThrows(LincheckAssertionError.class, () -> modelChecking().check(WithRacyLeafClaim.class));
    }

    static StressOptions stress()
    {
        return new StressOptions()
            .iterations(20)
            .invocationsPerIteration(500)
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(2)
            .actorsAfter(1)
            .sequentialSpecification(PageMapModel.class);
    }

    static ModelCheckingOptions modelChecking()
    {
        return new ModelCheckingOptions()
            .iterations(10)
            .invocationsPerIteration(200)
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(2)
            .actorsAfter(1)
            .sequentialSpecification(PageMapModel.class);
    }

    /**
     * The operations on a table with a 16-entry strict software IOTLB: a translate may fill an entry that a racing
     * unmap must not leave behind.
     */
    public static class WithIotlb extends PageTableOperations
    {
        @Override
        RadixPageTable newTable()
        {
            return RadixPageTable.create(ARENA, config(16));
        }
    }

    /**
     * The operations on the broken variant.
     */
    public static class WithRacyLeafClaim extends PageTableOperations
    {
        @Override
        RadixPageTable newTable()
        {
            final TableArena arena = TableArena.allocateDirect(64);
            return new RacyLeafClaim(arena, config(0), arena.allocate());
        }
    }

    /**
     * The real table with a check-then-act leaf claim (the one line changed: CAS becomes read, then write).
     */
    static final class RacyLeafClaim extends RadixPageTable
    {
        /** Written between the read and the write: a heap access where the model checker may switch threads. */
        private volatile long gap;

        RacyLeafClaim(final TableArena arena, final PageTableConfig config, final int rootPage)
        {
            super(arena, config, rootPage, null);
        }

        @Override
        boolean casLeaf(final long address, final long leaf)
        {
            if (UnsafeApi.getLongVolatile(null, address) != 0)
            {
                return false;
            }
            gap = leaf;
            // Broken: another map may claim the slot between the read above and this write.
            UnsafeApi.putLongVolatile(null, address, leaf);
            return true;
        }
    }
}
