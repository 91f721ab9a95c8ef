/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.broken;

import dev.iommu.bench.jcstress.ptw.SharedArena;
import dev.iommu.core.DomainProbe;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * BROKEN variant of {@code core.GateStripeRacingDeleteDomainTest}, expected to FAIL: the same race on a domain whose
 * operation gate counts a call in with a release store instead of a full fence
 * ({@code dev.iommu.core.OperationGateWithReleaseIncrement}), here on a shared stripe (a gate without owner's
 * slot): the map may read the gate open while DeleteDomain reads
 * its count as zero (store-load reordering), and the map then installs tables into the destroyed table.
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "the map entered first; delete waited for it")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "delete closed the gate first; the map was refused")
@Outcome(expect = FORBIDDEN, desc = "a map ran on a deleted domain (tables left behind) or a wrong status")
@State
public class GateStripeWithReleaseIncrementTest
{
    private static final long ADDRESS = 0x4000_1000L;
    private final DomainProbe domain = DomainProbe.withReleaseIncrementGate(SharedArena.ARENA, false);

    /**
     * MapLogicalRange.
     *
     * @param r results.
     */
    @Actor
    public void map(final III_Result r)
    {
        r.r1 = domain.mapPage(ADDRESS);
    }

    /**
     * DeleteDomain.
     *
     * @param r results.
     */
    @Actor
    public void delete(final III_Result r)
    {
        r.r2 = domain.delete();
    }

    /**
     * Table pages left.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final III_Result r)
    {
        r.r3 = (int)domain.tablePages();
    }
}
