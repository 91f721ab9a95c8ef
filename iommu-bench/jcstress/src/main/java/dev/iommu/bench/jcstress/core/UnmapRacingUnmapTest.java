/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.core;

import dev.iommu.bench.jcstress.ptw.SharedArena;
import dev.iommu.core.DomainProbe;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The block ledger's decision against the allocator: a two-page MapLogicalRangeEx (one allocator block), then two
 * threads each unmap one of its pages. Each unmap succeeds, and the block goes back to the allocator exactly once:
 * the unmap that takes the ledger's count of mapped pages to zero frees it, and the allocator frees it without an
 * arbitration of its own ({@code IovaThreadCache.freeDecided}). A lost count update leaves it allocated for good
 * (0 blocks freed), two deciders would free it twice (2).
 * Result: first unmap status, second unmap status (0 success, 1 invalid parameter, else 2 or 3), blocks freed.
 */
@JCStressTest
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "both pages unmapped, the block freed once")
@Outcome(expect = FORBIDDEN, desc = "the block leaked or was freed twice, or a wrong status")
@State
public class UnmapRacingUnmapTest
{
    private static final long PAGE = 4096;
    private final DomainProbe domain = DomainProbe.allocating(SharedArena.ARENA);
    private final long address = domain.mapAllocated(2);
    private final long before = domain.freeBytes();

    /**
     * UnmapLogicalRange of the first page.
     *
     * @param r results.
     */
    @Actor
    public void unmapFirst(final III_Result r)
    {
        r.r1 = domain.unmapPage(address);
    }

    /**
     * UnmapLogicalRange of the second page.
     *
     * @param r results.
     */
    @Actor
    public void unmapSecond(final III_Result r)
    {
        r.r2 = domain.unmapPage(address + PAGE);
    }

    /**
     * Blocks of two pages given back, then the tables freed.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final III_Result r)
    {
        r.r3 = (int)((domain.freeBytes() - before) / (2 * PAGE));
        domain.destroy();
    }
}
