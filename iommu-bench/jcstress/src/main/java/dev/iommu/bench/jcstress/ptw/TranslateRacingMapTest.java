/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import java.util.concurrent.atomic.AtomicInteger;

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
 * One thread maps two pages into missing tables (one call: the new level-0 table is filled, then published);
 * the other translates the higher page, then the lower one. Map claims leaves in address order and publishes a
 * table only with its leaves, so seeing the higher page implies seeing the lower one, and every translation seen
 * is exactly the mapped output and permissions (no torn entry, no leaf without its table).
 * Every state maps to its own output (a counter above bit 32), so a leaf left in a recycled table page by an
 * earlier state, seen through a table published before its memory was zeroed and filled, reads as wrong (2).
 * Result: translate of the higher page, translate of the lower page (0 absent, 1 correct, 2 wrong), map result.
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "translated before the map")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the map happened between the two translations")
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "translated after the map")
@Outcome(id = "1, 0, 0", expect = FORBIDDEN, desc = "a table or leaf visible before what precedes it")
@Outcome(expect = FORBIDDEN, desc = "a torn or wrong translation, or a failed map")
@State
public class TranslateRacingMapTest
{
    private static final long IOVA = 0x7_4000_0000L;
    private static final long OUTPUT_BASE = 0x3_0000_0000L;
    private static final AtomicInteger STATES = new AtomicInteger();
    private final RadixPageTable table = SharedArena.newTable();
    private final long output = OUTPUT_BASE + ((STATES.getAndIncrement() & 0x7_FFFFL) << 13);

    /**
     * Map two pages.
     *
     * @param r results.
     */
    @Actor
    public void map(final III_Result r)
    {
        r.r3 = table.map(IOVA, output, 0x2000, PtwPermissions.WRITE);
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
        r.r1 = SharedArena.classify(high, IOVA + 0x1000, output + 0x1000, PtwPermissions.WRITE);
        r.r2 = SharedArena.classify(low, IOVA, output, PtwPermissions.WRITE);
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
