/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import dev.iommu.ptw.IotlbTables;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.RadixPageTable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * An IOTLB slot that changes hands while a hit is being read: page A (cached) stays mapped throughout, while the
 * other thread makes page B, which shares A's slot, take the slot over (its eighth conflicting fill), unmaps B
 * (strict: the slot is emptied) and translates A again (A refills the slot). A reader of A must get A's
 * translation: never B's, never a fault. With only the key guarding a slot (two key reads around the translation),
 * a reader whose key reads saw A before and after could return B's translation, read in between; the slot's
 * version makes it miss instead. Result: the reader's translation of A (1: A's output and permissions, 0: not
 * present, 2: anything else), the writer's translation of A afterwards.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "A's translation on both sides")
@Outcome(expect = FORBIDDEN, desc = "a translation of another page, or a fault for a page that stayed mapped")
@State
public class IotlbSlotReuseTest
{
    private static final long PAGE_A = 0x5000L;
    private static final long PAGE_B = PAGE_A + IotlbTables.ENTRIES * 0x1000L;
    private static final long OUTPUT_A = 0x7_0000_3000L;
    private static final long OUTPUT_B = 0x9_0000_1000L;
    private static final int RW = PtwPermissions.READ_WRITE;

    private final RadixPageTable table = IotlbTables.strict(SharedArena.ARENA);

    /**
     * Maps both pages and caches A.
     */
    public IotlbSlotReuseTest()
    {
        if (table.map(PAGE_A, OUTPUT_A, 0x1000, RW) != 0 ||
            table.map(PAGE_B, OUTPUT_B, 0x1000, PtwPermissions.READ) != 0)
        {
            throw new IllegalStateException("map failed");
        }
        table.translate(PAGE_A);
    }

    /**
     * Translates A.
     *
     * @param r results.
     */
    @Actor
    public void reader(final II_Result r)
    {
        r.r1 = SharedArena.classify(table.translate(PAGE_A), PAGE_A, OUTPUT_A, RW);
    }

    /**
     * B takes the slot, B is unmapped, A refills the slot.
     *
     * @param r results.
     */
    @Actor
    public void writer(final II_Result r)
    {
        for (int i = 0; i < 8; i++)
        {
            table.translate(PAGE_B);
        }
        table.unmap(PAGE_B, 0x1000);
        r.r2 = SharedArena.classify(table.translate(PAGE_A), PAGE_A, OUTPUT_A, RW);
    }

    /**
     * Gives the pages back.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final II_Result r)
    {
        table.destroy();
    }
}
