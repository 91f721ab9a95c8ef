/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

import static dev.iommu.api.IommuPermissions.READ;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_MIX;
import static dev.iommu.api.NtStatus.STATUS_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_NOT_SUPPORTED;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.pfns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifier on the token members: {@link VerifierRule#OVERLAPPING_RESERVATION} fires on an overlapping
 * reservation in both profiles and stays silent on a correct sequence, and every {@link
 * VerifierRule#PROFILE_DEPENDENT_RESULT} the token members report carries both answers.
 */
class ObservedTokenVerifierTest
{
    private static final long A = 0x10_0000L;
    private static final long B = 0x20_0000L;
    private static final String RESERVE = "ReserveLogicalAddressRange";

    private final List<VerifierReport> reports = new ArrayList<>();

    private V2Rig rig(final BehaviourProfile profile)
    {
        reports.clear();
        return new V2Rig(new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .profile(profile).verifier(true).verifierListener(reports::add));
    }

    private List<VerifierReport> of(final VerifierRule rule)
    {
        return reports.stream().filter((final VerifierReport report) -> report.rule() == rule)
            .collect(Collectors.toList());
    }

    private static IommuDmaLogicalAddressTokenMappedSegment segment()
    {
        return new IommuDmaLogicalAddressTokenMappedSegment();
    }

    private static int reserveAt(final V2Rig r, final IommuDmaDomain d, final long size, final long iova)
    {
        return r.iommu.reserveLogicalAddressRange(d, size, new LongRef(iova), null, null, new Ref<>());
    }

    private static int answer(final BehaviourProfile profile, final int documented, final int observed)
    {
        return profile == BehaviourProfile.DOCUMENTED ? documented : observed;
    }

    @Test
    void overlappingReservationFiresInBothProfilesOnTheHazardOnly()
    {
        for (final BehaviourProfile profile : BehaviourProfile.values())
        {
            try (V2Rig r = rig(profile))
            {
                final IommuDmaDomain d = r.explicitDomain();
                final long id = ((Domain)d).id();
                r.reserveAt(d, B, 4);
                r.reserveAt(d, B + 4 * PAGE, 4);
                r.mapAt(d, A + 3 * PAGE, 0x40, 1);
                assertEquals(0, of(VerifierRule.OVERLAPPING_RESERVATION).size(), profile + ": adjacent is fine");

                r.expect("overlaps a reservation", answer(profile, STATUS_IN_USE, STATUS_SUCCESS),
                    () -> reserveAt(r, d, 4 * PAGE, B + 2 * PAGE));
                List<VerifierReport> hazards = of(VerifierRule.OVERLAPPING_RESERVATION);
                assertEquals(1, hazards.size(), profile + ": " + reports);
                assertEquals(RESERVE, hazards.get(0).member());
                assertEquals("domain#" + id, hazards.get(0).objects());
                assertEquals(B + 2 * PAGE, hazards.get(0).address());
                assertEquals(4 * PAGE, hazards.get(0).length());

                r.expect("overlaps mapped pages", answer(profile, STATUS_IN_USE, STATUS_SUCCESS),
                    () -> reserveAt(r, d, 8 * PAGE, A));
                hazards = of(VerifierRule.OVERLAPPING_RESERVATION);
                assertEquals(2, hazards.size(), profile + ": " + reports);
                assertTrue(hazards.get(1).detail().contains("mapped pages"), hazards.get(1).detail());
                assertEquals(2, r.emulator.verifierReports(VerifierRule.OVERLAPPING_RESERVATION));
            }
        }
    }

    @Test
    void aCorrectTokenSequenceReportsNothing()
    {
        for (final BehaviourProfile profile : BehaviourProfile.values())
        {
            try (V2Rig r = rig(profile))
            {
                final IommuDmaDomain d = r.explicitDomain();
                final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
                final IommuDmaLogicalAddressTokenMappedSegment s = segment();
                r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapReservedLogicalRange(token, PAGE, READ,
                    pfns(0x70, 0x71), s));
                r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(s));
                r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
                final IommuDmaDomain allocated = r.allocatorDomain();
                final IommuDmaLogicalAddressToken other = r.reserve(allocated, 3);
                r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(other));
                assertEquals(List.of(), of(VerifierRule.OVERLAPPING_RESERVATION), profile.toString());
                assertEquals(List.of(), of(VerifierRule.PROFILE_DEPENDENT_RESULT), profile.toString());
            }
        }
    }

    /**
     * Runs {@code call}, asserts its status is this profile's answer, and that exactly one divergence was reported for
     * {@code member} with both answers.
     */
    private void diverges(final V2Rig r, final BehaviourProfile profile, final String member, final int documented,
        final int observed, final IntSupplier call)
    {
        reports.clear();
        final int status = call.getAsInt();
        assertEquals(NtStatus.name(answer(profile, documented, observed)), NtStatus.name(status), member);
        final List<VerifierReport> found = of(VerifierRule.PROFILE_DEPENDENT_RESULT);
        assertEquals(1, found.size(), profile + " " + member + ": " + reports);
        final VerifierReport report = found.get(0);
        assertEquals(member, report.member());
        assertEquals(NtStatus.name(documented), NtStatus.name(report.documentedStatus()), "documented answer");
        assertEquals(NtStatus.name(observed), NtStatus.name(report.observedStatus()), "observed answer");
        assertTrue(report.objects().startsWith("domain#"), report.objects());
    }

    @Test
    void everyDivergenceCarriesBothAnswers()
    {
        for (final BehaviourProfile profile : BehaviourProfile.values())
        {
            try (V2Rig r = rig(profile))
            {
                final IommuDmaDomain pass = r.domain(IommuDmaDomainType.PASS_THROUGH);
                diverges(r, profile, RESERVE, STATUS_INVALID_PARAMETER_1, STATUS_INVALID_PARAMETER_2,
                    () -> reserveAt(r, pass, 0, B));
                final IommuDmaDomain allocated = r.allocatorDomain();
                diverges(r, profile, RESERVE, STATUS_NOT_SUPPORTED, STATUS_INVALID_PARAMETER_3,
                    () -> reserveAt(r, allocated, PAGE, B));
                diverges(r, profile, RESERVE, STATUS_INVALID_PARAMETER_MIX, STATUS_INVALID_PARAMETER_3,
                    () -> r.iommu.reserveLogicalAddressRange(allocated, PAGE, null, new LongRef(B), new LongRef(A),
                        new Ref<>()));
                final IommuDmaDomain d = r.explicitDomain();
                final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
                diverges(r, profile, RESERVE, STATUS_IN_USE, STATUS_SUCCESS, () -> reserveAt(r, d, PAGE, B));
                diverges(r, profile, "MapReservedLogicalRange", STATUS_INVALID_PARAMETER_4, STATUS_SUCCESS,
                    () -> r.iommu.mapReservedLogicalRange(token, 3 * PAGE, READ, pfns(0x70, 0x71), segment()));
                diverges(r, profile, "MapReservedLogicalRange", STATUS_INVALID_PARAMETER_3, STATUS_SUCCESS,
                    () -> r.iommu.mapReservedLogicalRange(token, 0, READ | 0x8, pfns(0x72), segment()));
            }
        }
    }

    @Test
    void whenOnlyThisProfilesRulePassesItsEngineAnswerIsCompared()
    {
        final BehaviourProfile documented = BehaviourProfile.DOCUMENTED;
        try (V2Rig r = rig(documented))
        {
            final IommuDmaDomain allocated = r.allocatorDomain();
            diverges(r, documented, RESERVE, STATUS_INVALID_PARAMETER_MIX, STATUS_INVALID_PARAMETER_3,
                () -> r.iommu.reserveLogicalAddressRange(allocated, 2 * PAGE, null, new LongRef(A),
                    new LongRef(A + PAGE - 1), new Ref<>()));
        }
        final BehaviourProfile observed = BehaviourProfile.OBSERVED_WINDOWS;
        try (V2Rig r = rig(observed))
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.mapAt(d, B + 4 * PAGE, 0x40, 1);
            diverges(r, observed, "MapReservedLogicalRange", STATUS_INVALID_PARAMETER_4, STATUS_RESOURCE_IN_USE,
                () -> r.iommu.mapReservedLogicalRange(token, 3 * PAGE, READ, pfns(0x70, 0x71), segment()));
        }
    }

    @Test
    void aRepeatedUnmapAndTheFreeAfterItCarryBothAnswers()
    {
        try (V2Rig r = rig(BehaviourProfile.OBSERVED_WINDOWS))
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment first = segment();
            r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapReservedLogicalRange(token, 0, READ, pfns(1), first));
            r.expect("map", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, PAGE, READ, pfns(2), segment()));
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(first));
            final BehaviourProfile observed = BehaviourProfile.OBSERVED_WINDOWS;
            diverges(r, observed, "UnmapReservedLogicalRange", STATUS_INVALID_PARAMETER, STATUS_SUCCESS,
                () -> r.iommu.unmapReservedLogicalRange(first));
            diverges(r, observed, "FreeReservedLogicalAddressRange", STATUS_RESOURCE_IN_USE, STATUS_SUCCESS,
                () -> r.iommu.freeReservedLogicalAddressRange(token));
        }
    }
}
