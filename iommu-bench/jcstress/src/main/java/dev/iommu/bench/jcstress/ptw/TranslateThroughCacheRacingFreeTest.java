/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import dev.iommu.ptw.CacheTables;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A translate through the paging-structure cache racing an unmap that frees the cached leaf table and a map that
 * reuses its page for another region ({@link CachedTranslateFreeRace}): the owner tag turns a stale slot away, and
 * the free generation makes a walk that read the page after its reuse walk again.
 */
@JCStressTest
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "translated after the unmap")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "translated before the unmap")
@Outcome(expect = FORBIDDEN, desc = "content of a reused table page")
@State
public class TranslateThroughCacheRacingFreeTest
{
    private final CachedTranslateFreeRace race = new CachedTranslateFreeRace(CacheTables.real(SharedArena.ARENA));

    /**
     * Unmap A, map B.
     *
     * @param r results.
     */
    @Actor
    public void unmapAndReuse(final JJ_Result r)
    {
        race.unmapAndReuse(r);
    }

    /**
     * Translate A.
     *
     * @param r results.
     */
    @Actor
    public void translate(final JJ_Result r)
    {
        race.translate(r);
    }

    /**
     * Give the pages back.
     *
     * @param r results.
     */
    @Arbiter
    public void destroy(final JJ_Result r)
    {
        race.destroy();
    }
}
