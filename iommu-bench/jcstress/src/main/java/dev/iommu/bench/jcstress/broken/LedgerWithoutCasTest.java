/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.broken;

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
 * BROKEN variant of {@code core.UnmapRacingUnmapTest}, expected to FAIL: the same race on a domain whose block ledger
 * takes pages off a count that other callers' pages are still part of with a plain write, not a CAS
 * ({@code dev.iommu.core.BlockLedgerWithoutCas}): both unmaps may read the count of two and write one, so the block is
 * never freed (0 blocks freed). The allocator has no arbitration of its own to fall back on, so the ledger's CAS is
 * what this test sees.
 */
@JCStressTest
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "both pages unmapped, the block freed once")
@Outcome(expect = FORBIDDEN, desc = "the block leaked or was freed twice, or a wrong status")
@State
public class LedgerWithoutCasTest
{
    private static final long PAGE = 4096;
    private final DomainProbe domain = DomainProbe.allocatingWithoutLedgerCas(SharedArena.ARENA);
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
