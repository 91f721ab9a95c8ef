/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.Ref;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.NtStatus.STATUS_CONFLICTING_ADDRESSES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.contiguous;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifier on the mapping members: the hazards {@link VerifierRule#MAP_IN_RESERVED_RANGE} and
 * {@link VerifierRule#UNMAP_IN_RESERVED_RANGE} fire (in both profiles) on a map or unmap touching a token's range or a
 * reserved region and stay silent on the correct sequence; every profile-dependent answer is reported with both
 * answers, whether the rules ({@link Verifier#compare}) or the engine ({@link Verifier#divergence}) found it; and
 * with the verifier off, the observed map and unmap paths allocate nothing.
 */
class ObservedMappingVerifierTest
{
    private static final long A = 0x10_0000L;
    private static final long B = 0x80_0000L;
    private static final long FRAME = 0x4000;
    private static final long REGION = 0x4000_0000L;

    private final List<VerifierReport> reports = new ArrayList<>();

    private V2Rig rig(final BehaviourProfile profile)
    {
        return new V2Rig(new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .profile(profile).verifier(true).verifierListener(reports::add));
    }

    private List<VerifierReport> of(final VerifierRule rule)
    {
        return reports.stream().filter((final VerifierReport r) -> r.rule() == rule).collect(Collectors.toList());
    }

    private VerifierReport only(final VerifierRule rule, final String member)
    {
        final List<VerifierReport> found = of(rule).stream()
            .filter((final VerifierReport r) -> r.member().equals(member)).collect(Collectors.toList());
        assertEquals(1, found.size(), rule + " " + member + ": " + reports);
        return found.get(0);
    }

    private static int mapAt(final V2Rig r, final IommuDmaDomain d, final IommuMapPhysicalAddress physical,
        final long iova)
    {
        return r.iommu.mapLogicalRangeEx(d, READ_WRITE, physical, new LongRef(iova), null, null, new LongRef());
    }

    private static String objects(final IommuDmaDomain d)
    {
        return "domain#" + ((Domain)d).id();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Hazards
    // ------------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void mapInReservedRangeFiresOnATokenRangeAndIsSilentElsewhere(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.reserveAt(d, A, 4);
            assertEquals(STATUS_SUCCESS, mapAt(r, d, contiguous(FRAME * PAGE, 2), B), "beside the token");
            assertEquals(STATUS_SUCCESS, r.iommu.mapIdentityRangeEx(d, READ_WRITE, contiguous(0x30 * PAGE, 1)));
            assertEquals(0, of(VerifierRule.MAP_IN_RESERVED_RANGE).size(), "silent: " + reports);
            mapAt(r, d, contiguous(FRAME * PAGE, 2), A + PAGE);
            final VerifierReport report = only(VerifierRule.MAP_IN_RESERVED_RANGE, "MapLogicalRangeEx");
            assertEquals(A + PAGE, report.address());
            assertEquals(2 * PAGE, report.length());
            assertEquals(objects(d), report.objects());
            r.iommu.mapIdentityRangeEx(d, READ_WRITE, contiguous(A + 3 * PAGE, 1));
            assertEquals(A + 3 * PAGE, only(VerifierRule.MAP_IN_RESERVED_RANGE, "MapIdentityRangeEx").address());
            assertEquals(2, r.emulator.verifierReports(VerifierRule.MAP_IN_RESERVED_RANGE));
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void mapInReservedRangeFiresOnAReservedRegion(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            assertEquals(STATUS_SUCCESS, r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null,
                new IommuDmaReservedRegion().base(REGION).numberOfPages(4).shouldMap(false), out));
            final IommuDmaDomain d = out.get();
            mapAt(r, d, contiguous(FRAME * PAGE, 1), REGION - PAGE);
            assertEquals(0, of(VerifierRule.MAP_IN_RESERVED_RANGE).size(), "silent: " + reports);
            mapAt(r, d, contiguous(FRAME * PAGE, 1), REGION + PAGE);
            assertEquals(REGION + PAGE, only(VerifierRule.MAP_IN_RESERVED_RANGE, "MapLogicalRangeEx").address());
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void unmapInReservedRangeFiresOnATokenRangeAndIsSilentElsewhere(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.reserveAt(d, A, 4);
            r.mapAt(d, B, FRAME, 2);
            assertEquals(STATUS_SUCCESS, r.iommu.unmapLogicalRange(d, B, 2));
            assertEquals(0, of(VerifierRule.UNMAP_IN_RESERVED_RANGE).size(), "silent: " + reports);
            r.iommu.unmapLogicalRange(d, A + PAGE, 1);
            final VerifierReport report = only(VerifierRule.UNMAP_IN_RESERVED_RANGE, "UnmapLogicalRange");
            assertEquals(A + PAGE, report.address());
            assertEquals(objects(d), report.objects());
            r.iommu.unmapIdentityRangeEx(d, contiguous(A + 2 * PAGE, 1));
            assertEquals(A + 2 * PAGE, only(VerifierRule.UNMAP_IN_RESERVED_RANGE, "UnmapIdentityRangeEx").address());
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Divergences: both answers
    // ------------------------------------------------------------------------------------------------------------

    private VerifierReport divergence(final String member, final String detailPart)
    {
        final List<VerifierReport> found = of(VerifierRule.PROFILE_DEPENDENT_RESULT).stream()
            .filter((final VerifierReport r) -> r.member().equals(member) && r.detail().contains(detailPart))
            .collect(Collectors.toList());
        assertEquals(1, found.size(), member + " '" + detailPart + "': " + reports);
        return found.get(0);
    }

    private void assertBoth(final VerifierReport report, final int documented, final int observed)
    {
        assertEquals(documented, report.documentedStatus(), report.toString());
        assertEquals(observed, report.observedStatus(), report.toString());
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void aRuleDivergenceCarriesBothAnswers(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDomain d = r.explicitDomain();
            mapAt(r, d, contiguous(FRAME * PAGE, 1), A + 8);
            assertBoth(divergence("MapLogicalRangeEx", ""), STATUS_INVALID_PARAMETER_4, STATUS_INVALID_PARAMETER_2);
            reports.clear();
            r.mapAt(d, A, FRAME, 1);
            r.iommu.unmapLogicalRange(d, A, 0);
            assertBoth(divergence("UnmapLogicalRange", ""), STATUS_INVALID_PARAMETER_3, STATUS_SUCCESS);
            reports.clear();
            r.iommu.mapIdentityRangeEx(r.domain(IommuDmaDomainType.PASS_THROUGH), READ_WRITE, null);
            assertBoth(divergence("MapIdentityRangeEx", ""), STATUS_INVALID_PARAMETER_3, STATUS_SUCCESS);
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void aClashCarriesBothAnswers(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A + PAGE, 0x99, 1);
            final int status = mapAt(r, d, contiguous(FRAME * PAGE, 2), A);
            assertEquals(profile == BehaviourProfile.DOCUMENTED ? STATUS_IN_USE : STATUS_INVALID_PARAMETER, status);
            assertBoth(divergence("MapLogicalRangeEx", "clash"), STATUS_IN_USE, STATUS_INVALID_PARAMETER);
            assertEquals(objects(d), divergence("MapLogicalRangeEx", "clash").objects());
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void anUnmapOfNothingCarriesBothAnswers(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            final int status = r.iommu.unmapLogicalRange(d, A + 4 * PAGE, 2);
            assertEquals(profile == BehaviourProfile.DOCUMENTED ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS, status);
            final VerifierReport report = divergence("UnmapLogicalRange", "no page");
            assertBoth(report, STATUS_INVALID_PARAMETER, STATUS_SUCCESS);
            assertEquals(A + 4 * PAGE, report.address());
            assertEquals(2 * PAGE, report.length());
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void aPartialUnmapOfABlockIsReported(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            assertEquals(STATUS_SUCCESS, r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().buddy(V2Rig.ALLOCATOR_WIDTH), null, out));
            final IommuDmaDomain d = out.get();
            final long at = r.mapAllocated(d, 0x10, 0x11, 0x12, 0x13);
            assertEquals(STATUS_SUCCESS, r.iommu.unmapLogicalRange(d, at + PAGE, 1));
            assertBoth(divergence("UnmapLogicalRange", "block"), STATUS_SUCCESS, STATUS_SUCCESS);
        }
    }

    @Test
    void aMapOverATokenCarriesBothAnswersInTheDocumentedProfile()
    {
        try (V2Rig r = rig(BehaviourProfile.DOCUMENTED))
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.reserveAt(d, A, 4);
            assertEquals(STATUS_IN_USE, mapAt(r, d, contiguous(FRAME * PAGE, 1), A));
            assertBoth(divergence("MapLogicalRangeEx", "token"), STATUS_IN_USE, STATUS_SUCCESS);
        }
    }

    @Test
    void aCutLargeLeafCarriesBothAnswersInTheDocumentedProfile()
    {
        try (V2Rig r = rig(BehaviourProfile.DOCUMENTED))
        {
            final IommuDmaDomain d = r.explicitDomain();
            final long big = 0x20_0000L;
            assertEquals(STATUS_SUCCESS, mapAt(r, d, contiguous(big, 512), big));
            assertEquals(STATUS_CONFLICTING_ADDRESSES, r.iommu.unmapLogicalRange(d, big, 1));
            assertBoth(divergence("UnmapLogicalRange", "large leaf"), STATUS_CONFLICTING_ADDRESSES, STATUS_SUCCESS);
        }
    }

    @Test
    void aCorrectSequenceReportsNothing()
    {
        try (V2Rig r = rig(BehaviourProfile.OBSERVED_WINDOWS))
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 2);
            assertEquals(STATUS_SUCCESS, r.iommu.unmapLogicalRange(d, A, 2));
            assertEquals(STATUS_SUCCESS, r.iommu.mapIdentityRangeEx(d, READ_WRITE, contiguous(B, 1)));
            assertEquals(STATUS_SUCCESS, r.iommu.unmapIdentityRangeEx(d, contiguous(B, 1)));
            assertEquals(List.of(), reports);
        }
    }

    @Test
    void anUnmapIdentityOfALogicalMappingIsReported()
    {
        try (V2Rig r = rig(BehaviourProfile.OBSERVED_WINDOWS))
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            assertEquals(STATUS_SUCCESS, r.iommu.unmapIdentityRangeEx(d, contiguous(A, 1)));
            assertBoth(divergence("UnmapIdentityRangeEx", "identity"), STATUS_INVALID_PARAMETER_2, STATUS_SUCCESS);
        }
    }

    @Test
    void theVerifierOffReportsNothing()
    {
        try (V2Rig r = V2Rig.observedX64())
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A + PAGE, 0x99, 1);
            assertEquals(STATUS_INVALID_PARAMETER, mapAt(r, d, contiguous(FRAME * PAGE, 2), A));
            assertEquals(0, r.emulator.verifierReports(VerifierRule.PROFILE_DEPENDENT_RESULT));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Allocation-free with the verifier off
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void observedMapAndUnmapAllocateNothingWithTheVerifierOff()
    {
        final com.sun.management.ThreadMXBean bean =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (V2Rig r = V2Rig.observedX64())
        {
            final IommuDmaDomain explicit = r.explicitDomain();
            final Ref<IommuDmaDomain> out = new Ref<>();
            assertEquals(STATUS_SUCCESS, r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().buddy(V2Rig.ALLOCATOR_WIDTH), null, out));
            final IommuDmaDomain allocated = out.get();
            final IommuMapPhysicalAddress physical = contiguous(FRAME * PAGE, 4);
            final IommuMapPhysicalAddress frames =
                new IommuMapPhysicalAddress().usePfnArray(new long[]{0x10, 0x31, 0x77}, 3);
            final LongRef at = new LongRef(A);
            final LongRef address = new LongRef();
            final long id = Thread.currentThread().getId();
            long allocatedBytes = -1;
            for (int round = 0; round < 5 && allocatedBytes != 0; round++)
            {
                final long before = bean.getThreadAllocatedBytes(id);
                for (int i = 0; i < 20_000; i++)
                {
                    assertStatus(r.iommu.mapLogicalRangeEx(explicit, READ_WRITE, physical, at, null, null, address));
                    assertStatus(r.iommu.unmapLogicalRange(explicit, A, 4));
                    assertStatus(r.iommu.mapLogicalRangeEx(allocated, READ_WRITE, frames, null, null, null, address));
                    assertStatus(r.iommu.unmapLogicalRange(allocated, address.get(), 3));
                    assertStatus(r.iommu.mapIdentityRangeEx(explicit, READ_WRITE, physical));
                    assertStatus(r.iommu.unmapIdentityRangeEx(explicit, physical));
                }
                allocatedBytes = bean.getThreadAllocatedBytes(id) - before;
            }
            assertEquals(0, allocatedBytes, "bytes allocated by 20 000 rounds of map and unmap");
        }
    }

    private static void assertStatus(final int status)
    {
        if (status != STATUS_SUCCESS)
        {
            throw new AssertionError("status " + Integer.toHexString(status));
        }
    }

    @Test
    void theReportsNameTheRuleMemberAndAddresses()
    {
        try (V2Rig r = rig(BehaviourProfile.OBSERVED_WINDOWS))
        {
            final IommuDmaDomain d = r.explicitDomain();
            mapAt(r, d, contiguous(FRAME * PAGE, 1), A + 8);
            assertTrue(reports.stream().allMatch((final VerifierReport v) -> v.objects().startsWith("domain#")));
            assertEquals(STATUS_INVALID_PARAMETER_3, r.iommu.unmapLogicalRange(d, A, -1));
        }
    }
}
