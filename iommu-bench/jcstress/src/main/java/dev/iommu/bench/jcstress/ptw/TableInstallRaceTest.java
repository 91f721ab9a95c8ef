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
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two threads map different pages behind the same missing tables (every level below the root is missing), so
 * both try to install the same three tables. Both maps must succeed, each table must exist exactly once (4 pages
 * with the root), and both pages must translate. Result: map 1, map 2, table pages, pages translating correctly.
 */
@JCStressTest
@Outcome(id = "0, 0, 4, 2", expect = ACCEPTABLE, desc = "both maps succeed, one table per level")
@Outcome(expect = FORBIDDEN, desc = "a lost table, a lost leaf, or a failed map")
@State
public class TableInstallRaceTest
{
    private static final int RW = PtwPermissions.READ_WRITE;
    private final RadixPageTable table = SharedArena.newTable();

    /**
     * First mapper.
     *
     * @param r results.
     */
    @Actor
    public void mapFirst(final IIII_Result r)
    {
        r.r1 = table.map(0x1000, 0x10_0000, 0x1000, RW);
    }

    /**
     * Second mapper.
     *
     * @param r results.
     */
    @Actor
    public void mapSecond(final IIII_Result r)
    {
        r.r2 = table.map(0x2000, 0x20_0000, 0x1000, RW);
    }

    /**
     * Count tables and check both translations, then give the pages back.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final IIII_Result r)
    {
        r.r3 = (int)table.tablePages();
        r.r4 = SharedArena.classify(table.translate(0x1000), 0x1000, 0x10_0000, RW) +
            SharedArena.classify(table.translate(0x2000), 0x2000, 0x20_0000, RW);
        table.destroy();
    }
}
