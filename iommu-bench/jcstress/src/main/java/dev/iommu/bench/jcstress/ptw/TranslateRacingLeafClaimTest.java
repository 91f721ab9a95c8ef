/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import dev.iommu.ptw.PageSizes;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.RadixPageTable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The other path of {@link TranslateRacingMapTest}: every table already exists (reserved), so the map claims its
 * two leaves by CAS in a published level-0 table, in address order, while the other thread translates the higher
 * page, then the lower one. Every leaf must appear whole (the output has bits above 32, so a torn 8-byte entry
 * shows a wrong output) and the higher leaf never before the lower one.
 * Result: translate of the higher page, translate of the lower page (0 absent, 1 correct, 2 wrong), map result.
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "translated before the map")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the map happened between the two translations")
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "translated after the map")
@Outcome(id = "1, 0, 0", expect = FORBIDDEN, desc = "a leaf visible before the one claimed before it")
@Outcome(expect = FORBIDDEN, desc = "a torn or wrong translation, or a failed map")
@State
public class TranslateRacingLeafClaimTest
{
    private static final long IOVA = 0x7_4000_0000L;
    private static final long OUTPUT = 0xF_FFF0_0000L;
    private final RadixPageTable table = SharedArena.newTable();

    /**
     * Install every table of the range, without leaves.
     */
    public TranslateRacingLeafClaimTest()
    {
        if (table.reserve(IOVA, PageSizes.SIZE_2M) != 0)
        {
            throw new IllegalStateException("reserve failed");
        }
    }

    /**
     * Map two pages into the existing level-0 table.
     *
     * @param r results.
     */
    @Actor
    public void map(final III_Result r)
    {
        r.r3 = table.map(IOVA, OUTPUT, 0x2000, PtwPermissions.WRITE);
    }

    /**
     * Translate the higher page, then the lower.
     *
     * @param r results.
     */
    @Actor
    public void translate(final III_Result r)
    {
        final long high = table.translate(IOVA + 0x1000);
        final long low = table.translate(IOVA);
        r.r1 = SharedArena.classify(high, IOVA + 0x1000, OUTPUT + 0x1000, PtwPermissions.WRITE);
        r.r2 = SharedArena.classify(low, IOVA, OUTPUT, PtwPermissions.WRITE);
    }

    /**
     * Give the pages back.
     *
     * @param r results.
     */
    @Arbiter
    public void destroy(final III_Result r)
    {
        table.destroy();
    }
}
