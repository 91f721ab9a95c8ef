/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.broken;

import dev.iommu.core.iova.DepotAllocators;
import dev.iommu.core.iova.IovaAllocator;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * BROKEN variant of {@code iova.DepotHandOffTest}, expected to FAIL: the same hand-off with a depot that gives the
 * freeing thread the magazine it just kept as its new empty one ({@code MagazineDepotHandingBackKept}): the third free
 * caches page 3 into the depot's magazine over page 2, and the allocating thread takes page 3 from the depot while
 * the freeing thread still holds it as free (page 2 lost).
 */
@JCStressTest
@Outcome(id = "8192, 0, 14", expect = ACCEPTABLE, desc = "refilled from the depot: page 2, which the free parked")
@Outcome(id = "16384, 0, 14", expect = ACCEPTABLE, desc = "the depot was still empty: page 4 from the space")
@Outcome(id = "12288, 0, 14", expect = FORBIDDEN, desc = "page 3, still free in the freeing thread's magazine")
@Outcome(expect = FORBIDDEN, desc = "a block handed out twice or lost, or a refused free")
@State
public class DepotHandingBackKeptMagazineTest
{
    private final IovaAllocator allocator = DepotAllocators.handingBackKept(DepotAllocators.smallMagazines());
    private final long[] blocks = {
        allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX),
        allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX),
        allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX),
    };

    /**
     * Frees the three pages: the third free overflows both magazines into the depot.
     *
     * @param r results.
     */
    @Actor
    public void free(final JII_Result r)
    {
        r.r2 = allocator.free(blocks[0], 1) | allocator.free(blocks[1], 1) | allocator.free(blocks[2], 1);
    }

    /**
     * Allocates a page with empty magazines.
     *
     * @param r results.
     */
    @Actor
    public void allocate(final JII_Result r)
    {
        r.r1 = allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
    }

    /**
     * Counts free pages, cached blocks included.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final JII_Result r)
    {
        r.r3 = (int)(allocator.freeBytes() >>> IovaAllocator.PAGE_SHIFT);
    }
}
