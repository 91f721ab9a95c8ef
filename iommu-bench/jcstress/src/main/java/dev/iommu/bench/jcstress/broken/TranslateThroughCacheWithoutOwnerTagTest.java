/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.broken;

import dev.iommu.bench.jcstress.ptw.CachedTranslateFreeRace;
import dev.iommu.bench.jcstress.ptw.SharedArena;
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
 * BROKEN variant of {@code ptw.TranslateThroughCacheRacingFreeTest}, expected to FAIL: the same race on a table
 * whose paging-structure cache trusts a slot without the owner-tag check
 * ({@code dev.iommu.ptw.CacheWithoutOwnerTagCheck}). A translate that starts after the unmap freed A's leaf table
 * and the map reused it for B reads B's leaf through A's stale slot; its generation reads are both after the free,
 * so they agree, and it returns B's page (result 2).
 */
@JCStressTest
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "translated after the unmap")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "translated before the unmap")
@Outcome(expect = FORBIDDEN, desc = "content of a reused table page")
@State
public class TranslateThroughCacheWithoutOwnerTagTest
{
    private final CachedTranslateFreeRace race =
        new CachedTranslateFreeRace(CacheTables.withoutOwnerTagCheck(SharedArena.ARENA));

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
