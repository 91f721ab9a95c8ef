/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.RadixPageTable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Region A (2 MiB at 0) has one page mapped. One thread unmaps all of A, which frees A's level-0 table, and maps a
 * page of region B, which reuses that table page (the freeing thread's page cache hands it straight back). The
 * other thread translates A's page. It may see A's mapping or nothing, never B's: that would be content read from
 * a reused page. Result: what the translation saw (0 absent, 1 A's output, 2 anything else, B's included), and
 * the unmap count.
 */
@JCStressTest
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "translated after the unmap")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "translated before the unmap")
@Outcome(expect = FORBIDDEN, desc = "content of a reused table page")
@State
public class TranslateRacingFreeTest
{
    private static final long REGION_A = 0;
    private static final long REGION_B = 0x20_0000L;
    private static final long OUTPUT_A = 0xA000_0000L;
    private static final long OUTPUT_B = 0xB000_0000L;
    private final RadixPageTable table = SharedArena.newTable();

    /**
     * Map A's page.
     */
    public TranslateRacingFreeTest()
    {
        table.map(REGION_A, OUTPUT_A, 0x1000, PtwPermissions.READ);
    }

    /**
     * Unmap A (frees its table), map B (reuses the page).
     *
     * @param r results.
     */
    @Actor
    public void unmapAndReuse(final JJ_Result r)
    {
        r.r2 = table.unmap(REGION_A, 0x20_0000L);
        table.map(REGION_B, OUTPUT_B, 0x1000, PtwPermissions.READ);
    }

    /**
     * Translate A's page.
     *
     * @param r results.
     */
    @Actor
    public void translate(final JJ_Result r)
    {
        r.r1 = SharedArena.classify(table.translate(REGION_A), REGION_A, OUTPUT_A, PtwPermissions.READ);
    }

    /**
     * Give the pages back.
     *
     * @param r results.
     */
    @Arbiter
    public void destroy(final JJ_Result r)
    {
        table.destroy();
    }
}
