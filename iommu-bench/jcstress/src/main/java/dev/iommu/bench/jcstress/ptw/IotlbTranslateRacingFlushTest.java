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
 * The software IOTLB's flush of everything under race: a translate that fills the IOTLB races an unmap of the same
 * page in a deferred IOTLB with a batch of one, so the unmap clears the leaf and then retires every entry by one
 * epoch step before it returns ({@link IotlbUnmapRace}). A translate that starts after the unmap returned never
 * returns the old page, and no stale fill survives (the fill reads the epoch before its re-read of the leaf; the
 * flush steps the epoch after the leaf clear). Result: first translate, unmap seen returned, second translate,
 * unmap count, translate afterwards.
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
public class IotlbTranslateRacingFlushTest
{
    private final IotlbUnmapRace race = new IotlbUnmapRace(IotlbTables.flushingEveryUnmap(SharedArena.ARENA));

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
