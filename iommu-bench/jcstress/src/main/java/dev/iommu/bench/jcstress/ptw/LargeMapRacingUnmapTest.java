/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import dev.iommu.ptw.PageSizes;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.PtwResult;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.Translation;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A 2 MiB map of a region racing the unmap of the 2 MiB leaf that is there (a driver that reuses an address while
 * its unmap is still in progress; the stress run's slot domain does this). The map either finds the old leaf
 * (EXISTS) or maps after the unmap cleared it, and then with a 2 MiB leaf like any map of an empty, aligned slot:
 * a map whose leaf CAS failed on the old leaf and whose re-read then found the slot emptied must CAS again, not
 * install a level-0 table and map the range with 512 leaves of 4 KiB (which the stress run caught as "page size
 * 4096, expected 2097152" before {@code TableWriter} retried).
 * Result: map (0 OK, 1 EXISTS, 2 other), pages the unmap removed, the translation afterwards (0 not present, 1 the
 * new map, 2 other), its page size (0 none, 1 2 MiB, 2 other).
 */
@JCStressTest
@Outcome(id = "1, 512, 0, 0", expect = ACCEPTABLE, desc = "map found the old leaf; unmap removed it")
@Outcome(id = "0, 512, 1, 1", expect = ACCEPTABLE, desc = "unmap first; map put a 2 MiB leaf")
@Outcome(id = "0, 512, 1, 2", expect = FORBIDDEN, desc = "map put 4 KiB leaves into an emptied 2 MiB slot")
@Outcome(expect = FORBIDDEN, desc = "anything else")
@State
public class LargeMapRacingUnmapTest
{
    private static final long REGION = PageSizes.SIZE_2M;
    private static final long OLD_OUTPUT = 0x4000_0000L;
    private static final long NEW_OUTPUT = 0x6000_0000L;
    private static final int RW = PtwPermissions.READ_WRITE;
    private final RadixPageTable table = SharedArena.newTable();

    /**
     * The old 2 MiB leaf.
     */
    public LargeMapRacingUnmapTest()
    {
        if (table.map(REGION, OLD_OUTPUT, REGION, RW) != PtwResult.OK)
        {
            throw new IllegalStateException("setup map failed");
        }
    }

    /**
     * The new map of the region.
     *
     * @param r results.
     */
    @Actor
    public void map(final IIII_Result r)
    {
        final int status = table.map(REGION, NEW_OUTPUT, REGION, RW);
        r.r1 = status == PtwResult.OK ? 0 : status == PtwResult.EXISTS ? 1 : 2;
    }

    /**
     * The unmap of the old leaf.
     *
     * @param r results.
     */
    @Actor
    public void unmap(final IIII_Result r)
    {
        r.r2 = (int)table.unmap(REGION, REGION);
    }

    /**
     * What the region translates to, then give the pages back.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final IIII_Result r)
    {
        final long t = table.translate(REGION + 0x1000);
        r.r3 = SharedArena.classify(t, REGION + 0x1000, NEW_OUTPUT + 0x1000, RW);
        r.r4 = Translation.isFault(t) ? 0 : Translation.pageSize(t) == REGION ? 1 : 2;
        table.destroy();
    }
}
