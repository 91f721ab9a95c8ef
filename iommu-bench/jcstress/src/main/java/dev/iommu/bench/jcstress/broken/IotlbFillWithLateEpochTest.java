/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.broken;

import dev.iommu.bench.jcstress.ptw.IotlbUnmapRace;
import dev.iommu.bench.jcstress.ptw.SharedArena;
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
 * BROKEN variant of {@code ptw.IotlbTranslateRacingFlushTest}, expected to FAIL: the same race on a table whose
 * IOTLB fills make their key from the epoch read after the re-read of the leaf
 * ({@code dev.iommu.ptw.IotlbFillWithLateEpoch}). A fill whose re-read saw the leaf before the unmap cleared it and
 * whose epoch read came after the unmap's flush keeps the removed page under the new epoch: the translate
 * afterwards (last result) returns it.
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
public class IotlbFillWithLateEpochTest
{
    private final IotlbUnmapRace race =
        new IotlbUnmapRace(IotlbTables.flushingEveryUnmapWithLateEpoch(SharedArena.ARENA));

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
