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
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * BROKEN variant of {@code core.MapRacingReservationTest}, expected to FAIL: the same race on a domain whose maps skip
 * the protected-range re-check after claiming their leaves ({@code dev.iommu.core.ProtectedRangesWithoutMapRecheck}):
 * a map that checked before the reservation published its range and claimed its leaf after the reservation counted
 * the mapped pages succeeds beside it.
 */
@JCStressTest
@Outcome(id = "0, 2, 1, 0", expect = ACCEPTABLE, desc = "the map won; the reservation saw its page")
@Outcome(id = "2, 0, 0, 1", expect = ACCEPTABLE, desc = "the reservation won; the map saw its range")
@Outcome(id = "2, 2, 0, 0", expect = ACCEPTABLE, desc = "each saw the other and backed out")
@Outcome(id = "0, 0, 1, 1", expect = FORBIDDEN, desc = "both succeeded: a mapped page inside a reservation")
@Outcome(expect = FORBIDDEN, desc = "a wrong status, or state left that contradicts the statuses")
@State
public class MapWithoutRecheckTest
{
    private static final long ADDRESS = 0x4000_1000L;
    private final DomainProbe domain = DomainProbe.withoutMapRecheck(SharedArena.ARENA);

    /**
     * MapLogicalRange.
     *
     * @param r results.
     */
    @Actor
    public void map(final IIII_Result r)
    {
        r.r1 = domain.mapPage(ADDRESS);
    }

    /**
     * ReserveLogicalAddressRange.
     *
     * @param r results.
     */
    @Actor
    public void reserve(final IIII_Result r)
    {
        r.r2 = domain.reservePage(ADDRESS);
    }

    /**
     * What is left, then give the pages back.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final IIII_Result r)
    {
        r.r3 = domain.mappedPages(ADDRESS);
        r.r4 = domain.protectedRanges();
        domain.destroy();
    }
}
