/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import dev.iommu.ptw.IotlbTables;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The software IOTLB under race (every other ptw test runs without one): a translate that fills the IOTLB races a
 * strict unmap of the same page ({@link IotlbUnmapRace}). A translate that starts after the unmap returned never
 * returns the old page, a page once seen absent never comes back, and no stale fill survives the race (the fill's
 * re-read of the leaf after its slot claim against the unmap's clear-then-invalidate, a Dekker pattern).
 * Result: first translate, unmap seen returned, second translate, unmap count, translate afterwards.
 */
@JCStressTest
@Outcome(id = "1, 0, 1, 1, 0", expect = ACCEPTABLE, desc = "both translates before the unmap")
@Outcome(id = "1, 0, 0, 1, 0", expect = ACCEPTABLE, desc = "the unmap between the translates")
@Outcome(id = "1, 1, 0, 1, 0", expect = ACCEPTABLE, desc = "the unmap returned between the translates")
@Outcome(id = "0, 0, 0, 1, 0", expect = ACCEPTABLE, desc = "the unmap cleared the leaf before both")
@Outcome(id = "0, 1, 0, 1, 0", expect = ACCEPTABLE, desc = "the unmap returned before both")
@Outcome(id = "1, 1, 1, 1, 0", expect = FORBIDDEN, desc = "a translate after the unmap returned saw the old page")
@Outcome(expect = FORBIDDEN, desc = "a stale fill survived, a page came back, or a wrong translation")
@State
public class IotlbTranslateRacingUnmapTest
{
    private final IotlbUnmapRace race = new IotlbUnmapRace(IotlbTables.strict(SharedArena.ARENA));

    /**
     * Translate, look, translate.
     *
     * @param r results.
     */
    @Actor
    public void translate(final IIIII_Result r)
    {
        race.translate(r);
    }

    /**
     * Unmap.
     *
     * @param r results.
     */
    @Actor
    public void unmap(final IIIII_Result r)
    {
        race.unmap(r);
    }

    /**
     * Translate afterwards.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final IIIII_Result r)
    {
        race.check(r);
    }
}
