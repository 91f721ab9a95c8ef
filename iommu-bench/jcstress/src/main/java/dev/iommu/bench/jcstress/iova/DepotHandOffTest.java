/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.iova;

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
 * The magazine depot's hand-off between threads (magazines of one block, a depot of one): one thread frees the
 * pages 1, 2 and 3, which fills both its magazines, so the third free hands the magazine holding page 2 to the
 * depot; the other thread, with empty magazines, allocates a page, refilling from the depot when the magazine is
 * there (page 2) and from the buddy space otherwise (page 4). A block freed into the depot by one thread is
 * allocated by at most one thread and none is lost: 14 of the 15 usable pages are free afterwards (magazines
 * included). Result: the address allocated, the frees' results (0 all succeeded), free pages afterwards.
 */
@JCStressTest
@Outcome(id = "8192, 0, 14", expect = ACCEPTABLE, desc = "refilled from the depot: page 2, which the free parked")
@Outcome(id = "16384, 0, 14", expect = ACCEPTABLE, desc = "the depot was still empty: page 4 from the space")
@Outcome(id = "12288, 0, 14", expect = FORBIDDEN, desc = "page 3, still free in the freeing thread's magazine")
@Outcome(expect = FORBIDDEN, desc = "a block handed out twice or lost, or a refused free")
@State
public class DepotHandOffTest
{
    private final IovaAllocator allocator = DepotAllocators.real(DepotAllocators.smallMagazines());
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
