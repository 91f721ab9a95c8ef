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
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two threads free the same one-page block at once, each into its own magazine. The CAS on the block's live byte
 * must let exactly one win: the other gets NOT_ALLOCATED (-9), and the block is free once (15 free pages of 16, page
 * 0 never free). Result: first free, second free, free pages afterwards (magazines included).
 */
@JCStressTest
@Outcome(id = "0, -9, 15", expect = ACCEPTABLE, desc = "first free wins")
@Outcome(id = "-9, 0, 15", expect = ACCEPTABLE, desc = "second free wins")
@Outcome(expect = FORBIDDEN, desc = "both won (double free accepted) or none did")
@State
public class IovaRacingFreeTest
{
    private final IovaAllocator allocator = new IovaAllocator(new IovaAllocatorConfig().addressWidth(16)
        .magazineCapacity(4).depotMagazines(1));
    private final long address = allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);

    /**
     * First free.
     *
     * @param r results.
     */
    @Actor
    public void freeFirst(final III_Result r)
    {
        r.r1 = allocator.free(address, 1);
    }

    /**
     * Second free.
     *
     * @param r results.
     */
    @Actor
    public void freeSecond(final III_Result r)
    {
        r.r2 = allocator.free(address, 1);
    }

    /**
     * Counts free pages, cached blocks included.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final III_Result r)
    {
        r.r3 = (int)(allocator.freeBytes() >>> IovaAllocator.PAGE_SHIFT);
    }
}
