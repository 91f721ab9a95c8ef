/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.RadixPageTable;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * The race of {@link IotlbTranslateRacingUnmapTest} (and of its broken variant): one page mapped in a table with a
 * strict IOTLB, still uncached. One thread translates it (a miss: walk, then fill), reads whether the unmap has
 * returned, and translates again; the other unmaps it and then says so. Finally the arbiter translates once more.
 * Result: first translate, unmap seen returned, second translate (0 absent, 1 the old page, 2 anything else), the
 * unmap's page count, the arbiter's translate.
 */
public final class IotlbUnmapRace
{
    private static final long IOVA = 0x5000L;
    private static final long OUTPUT = 0x7_0000_3000L;
    private static final int READ = PtwPermissions.READ;

    private final RadixPageTable table;
    private volatile int unmapped;

    /**
     * Maps the page (the IOTLB stays empty: map never fills it).
     *
     * @param table a fresh table with a strict IOTLB.
     */
    public IotlbUnmapRace(final RadixPageTable table)
    {
        this.table = table;
        if (table.map(IOVA, OUTPUT, 0x1000, READ) != 0)
        {
            throw new IllegalStateException("map failed");
        }
    }

    /**
     * Translate, look at the flag, translate again.
     *
     * @param r results.
     */
    public void translate(final IIIII_Result r)
    {
        r.r1 = SharedArena.classify(table.translate(IOVA), IOVA, OUTPUT, READ);
        // Volatile read: when it sees 1, the unmap returned before the second translate starts (happens-before).
        r.r2 = unmapped;
        r.r3 = SharedArena.classify(table.translate(IOVA), IOVA, OUTPUT, READ);
    }

    /**
     * Unmap, then say so.
     *
     * @param r results.
     */
    public void unmap(final IIIII_Result r)
    {
        r.r4 = (int)table.unmap(IOVA, 0x1000);
        unmapped = 1;
    }

    /**
     * Translate once more after both, then give the pages back.
     *
     * @param r results.
     */
    public void check(final IIIII_Result r)
    {
        r.r5 = SharedArena.classify(table.translate(IOVA), IOVA, OUTPUT, READ);
        table.destroy();
    }
}
