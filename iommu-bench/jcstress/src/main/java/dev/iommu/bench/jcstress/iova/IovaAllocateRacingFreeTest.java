/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.iova;

import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaAllocatorConfig;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * One thread allocates a page (the allocator's first block is always page 1, address 0x1000) while another frees
 * 0x1000 at the same moment, a wrong free racing the hand-out, which marks the block live with a release store,
 * not a CAS. The outcome must be linearizable: the free is either refused (before the allocation; the block stays
 * allocated: 14 free pages) or succeeds (after it; 15 free pages), never succeeds while the block stays allocated
 * or is lost. Result: address allocated, free result, free pages afterwards (magazines included).
 */
@JCStressTest
@Outcome(id = "4096, -9, 14", expect = ACCEPTABLE, desc = "free first: refused, block stays allocated")
@Outcome(id = "4096, 0, 15", expect = ACCEPTABLE, desc = "allocate first: the free returns the block")
@Outcome(expect = FORBIDDEN, desc = "an accepted free that lost the block, or a wrong allocation")
@State
public class IovaAllocateRacingFreeTest
{
    private final IovaAllocator allocator = new IovaAllocator(new IovaAllocatorConfig().addressWidth(16)
        .magazineCapacity(4).depotMagazines(1));

    /**
     * Allocates the first page.
     *
     * @param r results.
     */
    @Actor
    public void allocate(final JII_Result r)
    {
        r.r1 = allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
    }

    /**
     * Frees the page the allocation will return.
     *
     * @param r results.
     */
    @Actor
    public void free(final JII_Result r)
    {
        r.r2 = allocator.free(IovaAllocator.PAGE_SIZE, 1);
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
