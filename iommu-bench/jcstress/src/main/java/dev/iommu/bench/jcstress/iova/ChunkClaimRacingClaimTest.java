/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.iova;

import dev.iommu.core.iova.ChunkRace;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two magazine refills claim one page each from the same word of a fresh lock-free chunk (PageChunks): each gets
 * its own page, and both stay taken in the bitmap. Result: the two pages' offsets in the chunk, then the chunk's
 * free pages (1,024 - 2).
 */
@JCStressTest
@Outcome(id = {"0, 1, 1022", "1, 0, 1022"}, expect = ACCEPTABLE, desc = "each claim took its own page")
@Outcome(id = {"0, 0, 1022", "0, 0, 1023"}, expect = FORBIDDEN, desc = "the same page handed to both")
@Outcome(expect = FORBIDDEN, desc = "a page lost or a claim that found nothing")
@State
public class ChunkClaimRacingClaimTest
{
    private final ChunkRace chunk = ChunkRace.real();

    /**
     * Claims one page.
     *
     * @param r results.
     */
    @Actor
    public void first(final III_Result r)
    {
        r.r1 = chunk.claimOne();
    }

    /**
     * Claims one page.
     *
     * @param r results.
     */
    @Actor
    public void second(final III_Result r)
    {
        r.r2 = chunk.claimOne();
    }

    /**
     * Counts the chunk's free pages.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final III_Result r)
    {
        r.r3 = chunk.freePages();
    }
}
