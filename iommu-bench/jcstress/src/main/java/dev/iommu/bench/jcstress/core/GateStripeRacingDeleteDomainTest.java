/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.core;

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
 * The operation gate's shared stripes against DeleteDomain: one thread maps a page into an empty domain (three tables
 * to install) while another deletes the domain. A map that entered the gate completes on a live domain and
 * DeleteDomain waits for it before it destroys the tables; a map that comes later is refused
 * (STATUS_INVALID_PARAMETER). No map runs on a deleted domain: one would install tables into the destroyed one, so its
 * table-page count would not be 0. Here the gate has no owner's slot, so the mapping thread counts itself in on a
 * shared stripe (getAndAdd), the path of every thread but the first that maps into a domain
 * ({@link GateRacingDeleteDomainTest} races the owner's).
 * Result: map status (0 success, 1 invalid parameter, else 2 or 3), delete status, table pages afterwards.
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "the map entered first; delete waited for it")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "delete closed the gate first; the map was refused")
@Outcome(expect = FORBIDDEN, desc = "a map ran on a deleted domain (tables left behind) or a wrong status")
@State
public class GateStripeRacingDeleteDomainTest
{
    private static final long ADDRESS = 0x4000_1000L;
    private final DomainProbe domain = DomainProbe.documentedStripedGate(SharedArena.ARENA);

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
