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
 * A lock-free refill claims a page from a wholly free chunk while the allocator's reclaim retires that chunk (to give
 * its pages back to the buddy space): one of them wins. Either the claim got a page and the retirement was refused
 * (the chunk stays active with 1,023 pages free; page 0, or the first page of a later word when the retirement held
 * the words before it, all ones, at the moment the claim read them), or the retirement took the chunk whole and the
 * claim found nothing to take. Never both: a page handed out from a chunk the buddy space is about to hand out
 * again. Result: the page claimed (-1 none), the retirement (1 retired), the chunk's free pages (-1 retired).
 */
@JCStressTest
@Outcome(id = "0, 0, 1023", expect = ACCEPTABLE, desc = "the claim won: the chunk stays, one page out")
@Outcome(id = {"64, 0, 1023", "128, 0, 1023", "192, 0, 1023", "256, 0, 1023", "320, 0, 1023",
    "384, 0, 1023", "448, 0, 1023", "512, 0, 1023", "576, 0, 1023", "640, 0, 1023",
    "704, 0, 1023", "768, 0, 1023", "832, 0, 1023", "896, 0, 1023", "960, 0, 1023"},
    expect = ACCEPTABLE, desc = "the claim won past words the retirement held for a moment (then gave back)")
@Outcome(id = "-1, 1, -1", expect = ACCEPTABLE, desc = "the retirement won: nothing to claim")
@Outcome(id = "0, 1, -1", expect = FORBIDDEN, desc = "a page claimed from a retired chunk")
@Outcome(expect = FORBIDDEN, desc = "any other state")
@State
public class ChunkClaimRacingRetireTest
{
    private final ChunkRace chunk = ChunkRace.real();

    /**
     * Claims one page.
     *
     * @param r results.
     */
    @Actor
    public void claim(final III_Result r)
    {
        r.r1 = chunk.claimOne();
    }

    /**
     * Retires the chunk.
     *
     * @param r results.
     */
    @Actor
    public void retire(final III_Result r)
    {
        r.r2 = chunk.retire();
    }

    /**
     * Reads the chunk's state.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final III_Result r)
    {
        r.r3 = chunk.freePages();
    }
}
