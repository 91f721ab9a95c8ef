/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.Ref;

import static dev.iommu.api.IommuPermissions.READ;
import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_MIX;
import static dev.iommu.api.NtStatus.STATUS_NOT_SUPPORTED;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.core.ConformanceCases.on;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.contiguous;
import static dev.iommu.core.V2Rig.output;
import static dev.iommu.core.V2Rig.pfns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The observed-Windows profile's token members, one case per row of the observed record's section 5 (x64 build A)
 * and section 8 items 13, 14 and 20: ReserveLogicalAddressRange rows 0-8 and the overlap row,
 * FreeReservedLogicalAddressRange, MapReservedLogicalRange rows 1-6 and UnmapReservedLogicalRange. Each case runs on
 * a fresh {@link V2Rig#observedX64()}, asserts the status and the state after (what Windows leaves behind included);
 * refusals go through {@link V2Rig#refused}. Names follow {@link ConformanceCases#NAME_SCHEME}; {@code CHOICE} marks
 * a case where Windows' behaviour is undefined and the documented answer is kept.
 */
class ObservedTokenConformanceTest
{
    private static final long A = 0x10_0000L;
    private static final long B = 0x20_0000L;
    private static final long FRAME = 0x4000;

    private static DynamicTest obs(final String name, final Consumer<V2Rig> body)
    {
        return on(name, V2Rig::observedX64, body);
    }

    /** An observed x64 rig with only {@code tablePages} table pages. */
    private static V2Rig observedWithTablePages(final int tablePages)
    {
        return new V2Rig(new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(tablePages)))
            .profile(BehaviourProfile.OBSERVED_WINDOWS));
    }

    private static IommuDmaLogicalAddressTokenMappedSegment segment()
    {
        return new IommuDmaLogicalAddressTokenMappedSegment();
    }

    private static int reserveAt(final V2Rig r, final IommuDmaDomain d, final long size, final long iova)
    {
        return r.iommu.reserveLogicalAddressRange(d, size, new LongRef(iova), null, null, new Ref<>());
    }

    private static int reserveIn(final V2Rig r, final IommuDmaDomain d, final long size, final LongRef min,
        final LongRef max)
    {
        return r.iommu.reserveLogicalAddressRange(d, size, null, min, max, new Ref<>());
    }

    private static int count(final IommuDmaLogicalAddressToken token)
    {
        synchronized (token)
        {
            return ((LogicalAddressToken)token).mappedSegments();
        }
    }

    private static MappingDomain mapping(final IommuDmaDomain d)
    {
        return (MappingDomain)d;
    }

    private static IommuDmaLogicalAddressTokenMappedSegment mapped(final V2Rig r,
        final IommuDmaLogicalAddressToken token, final long offset, final long... frames)
    {
        final IommuDmaLogicalAddressTokenMappedSegment s = segment();
        r.expect("map segment", STATUS_SUCCESS,
            () -> r.iommu.mapReservedLogicalRange(token, offset, READ_WRITE, pfns(frames), s));
        return s;
    }

    @TestFactory
    Stream<DynamicTest> observedTokens()
    {
        final List<DynamicTest> cases = new ArrayList<>();
        reserve(cases);
        reserveRange(cases);
        free(cases);
        map(cases);
        unmap(cases);
        return cases.stream();
    }

    @Test
    void namesFollowTheScheme()
    {
        assertEquals(java.util.Set.of("ReserveLogicalAddressRange", "FreeReservedLogicalAddressRange",
            "MapReservedLogicalRange", "UnmapReservedLogicalRange"),
            ConformanceCases.assertNamesFollowTheScheme(observedTokens(), 35));
    }

    // ------------------------------------------------------------------------------------------------------------
    // ReserveLogicalAddressRange rows 0-4 (observed 5, section 8 item 13)
    // ------------------------------------------------------------------------------------------------------------

    private static void reserve(final List<DynamicTest> c)
    {
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_2_row0TokenOutClearedBeforeAnyCheck", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken earlier = r.reserveAt(d, A, 1);
            final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
            out.set(earlier);
            r.refused("size 0", STATUS_INVALID_PARAMETER_2,
                () -> r.iommu.reserveLogicalAddressRange(d, 0, new LongRef(B), null, null, out));
            assertNull(out.get(), "*TokenOut = NULL before any check");
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_2_row1SizeZeroBeforeTheTypeCheck", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough, size 0", STATUS_INVALID_PARAMETER_2, () -> reserveAt(r, d, 0, B));
            r.expect("no token counted", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_2_row1SizeNotPageMultiple", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough, size 4097", STATUS_INVALID_PARAMETER_2, () -> reserveAt(r, d, PAGE + 1, B));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_2_row1NullDomainSizeReadFirst", r ->
            r.refused("NULL domain, size 0x800", STATUS_INVALID_PARAMETER_2, () -> reserveAt(r, null, 0x800, B))));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_1_row2PassThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> reserveAt(r, d, PAGE, B));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_SUCCESS_row2TranslateS1Reserves", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 2);
            assertEquals(B, token.logicalAddressBase());
            assertEquals(1, mapping(d).outstandingTokens());
            assertEquals(1, mapping(d).protectedRanges().size());
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_NOT_SUPPORTED_row4NoAllocatorNoExplicit", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("none", STATUS_NOT_SUPPORTED,
                () -> r.iommu.reserveLogicalAddressRange(d, PAGE, null, null, null, new Ref<>()));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_CHOICE_nullDomainUndefinedOnWindows", r ->
            r.refused("NULL domain", STATUS_INVALID_PARAMETER, () -> reserveAt(r, null, PAGE, B))));
    }

    // ------------------------------------------------------------------------------------------------------------
    // ReserveLogicalAddressRange rows 5-8 and the overlap row
    // ------------------------------------------------------------------------------------------------------------

    private static void reserveRange(final List<DynamicTest> c)
    {
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_3_row5ExplicitUnalignedRemapped", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("unaligned", STATUS_INVALID_PARAMETER_3, () -> reserveAt(r, d, PAGE, B + 0x800));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_3_row5ExplicitGivenToAnAllocator", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("explicit", STATUS_INVALID_PARAMETER_3, () -> reserveAt(r, d, PAGE, B));
            r.expect("no token counted", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_SUCCESS_row5ExplicitInsideAReservedRegion", r ->
        {
            final long region = 0x4000_0000L;
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("allocator and a region", STATUS_SUCCESS, () -> r.iommu.createDomainEx(
                IommuDmaDomainType.TRANSLATE, 0, new IommuDmaLogicalAllocatorConfig().buddy(V2Rig.ALLOCATOR_WIDTH),
                new IommuDmaReservedRegion().base(region).numberOfPages(16), out));
            final IommuDmaDomain d = out.get();
            final long free = ((MappingDomain)d).allocator().freeBytes();
            final Ref<IommuDmaLogicalAddressToken> token = new Ref<>();
            r.expect("explicit inside the region", STATUS_SUCCESS, () -> r.iommu.reserveLogicalAddressRange(
                d, 2 * PAGE, new LongRef(region + 4 * PAGE), null, null, token));
            assertEquals(region + 4 * PAGE, token.get().logicalAddressBase());
            assertEquals(free, ((MappingDomain)d).allocator().freeBytes(), "nothing taken from the allocator");
            r.expect("freed", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token.get()));
            assertEquals(free, ((MappingDomain)d).allocator().freeBytes(), "nothing given back either");
            r.refused("outside the region", STATUS_INVALID_PARAMETER_3,
                () -> reserveAt(r, d, PAGE, region + 16 * PAGE));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_3_row5MinAboveMax", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("min > max", STATUS_INVALID_PARAMETER_3,
                () -> reserveIn(r, d, PAGE, new LongRef(B), new LongRef(A)));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_3_row5WindowNarrowerThanOneBlock", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("2 pages in 1", STATUS_INVALID_PARAMETER_3,
                () -> reserveIn(r, d, 2 * PAGE, new LongRef(A), new LongRef(A + PAGE - 1)));
            r.refused("3 pages (a 4-page block) in an unaligned 4-page window", STATUS_INVALID_PARAMETER_3,
                () -> reserveIn(r, d, 3 * PAGE, new LongRef(A + PAGE), new LongRef(A + 5 * PAGE - 1)));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_MIX_row6WindowMissesTheAllocator", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long past = 1L << V2Rig.ALLOCATOR_WIDTH;
            r.refused("above 2^39", STATUS_INVALID_PARAMETER_MIX,
                () -> reserveIn(r, d, PAGE, new LongRef(past), new LongRef(past + 16 * PAGE)));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_3_row6LargerThanTheLargestBlock", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain(13);
            r.refused("4 pages in 2^13", STATUS_INVALID_PARAMETER_3, () -> reserveIn(r, d, 4 * PAGE, null, null));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_INSUFFICIENT_RESOURCES_row6NoFreeBlock", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain(13);
            // Address 0 is usable in this profile (observed section 2, notes): 2^13 holds pages 0 and 1.
            assertEquals(0, ((LogicalAddressToken)r.reserve(d, 1)).logicalAddressBase(), "address 0 first");
            r.reserve(d, 1);
            r.refused("full", STATUS_INSUFFICIENT_RESOURCES, () -> reserveIn(r, d, PAGE, null, null));
        }));
        c.add(on("ReserveLogicalAddressRange_STATUS_INSUFFICIENT_RESOURCES_row7TablesFailRangeFreedTablesKept",
            () -> observedWithTablePages(3), r ->
            {
                final IommuDmaDomain d = r.explicitDomain();
                final long pages = r.emulator.tablePagesInUse();
                final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
                r.expect("tables", STATUS_INSUFFICIENT_RESOURCES,
                    () -> r.iommu.reserveLogicalAddressRange(d, PAGE, new LongRef(B), null, null, out));
                assertNull(out.get());
                assertEquals(0, mapping(d).outstandingTokens(), "no token");
                assertEquals(0, mapping(d).protectedRanges().size(), "range freed");
                assertTrue(r.emulator.tablePagesInUse() > pages, "the tables built before the failure stay");
                r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
                assertEquals(0, r.emulator.tablePagesInUse());
            }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_SUCCESS_row8ExplicitTokenTablesBuiltNoLeaves", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
            r.expect("reserve", STATUS_SUCCESS,
                () -> r.iommu.reserveLogicalAddressRange(d, 4 * PAGE, new LongRef(B), null, null, out));
            assertEquals(B, out.get().logicalAddressBase());
            assertEquals(4 * PAGE, out.get().size());
            assertEquals(0, count(out.get()), "segment count 0");
            assertEquals(0, mapping(d).table().countMapped(0, mapping(d).limit()), "permission 0: no leaves");
            final long pages = r.emulator.tablePagesInUse();
            mapped(r, out.get(), 0, 1, 2, 3, 4);
            assertEquals(pages, r.emulator.tablePagesInUse(), "the map allocated no table");
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_SUCCESS_row8AllocatorInsideTheWindow", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long free = mapping(d).allocator().freeBytes();
            final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
            r.expect("reserve", STATUS_SUCCESS, () -> r.iommu.reserveLogicalAddressRange(
                d, 3 * PAGE, null, new LongRef(A + PAGE), new LongRef(A + 16 * PAGE - 1), out));
            final long base = out.get().logicalAddressBase();
            assertEquals(0, base % (4 * PAGE), "a 4-page block");
            assertTrue(base >= A + PAGE && base + 4 * PAGE <= A + 16 * PAGE, "inside the window: " + base);
            assertEquals(free - 4 * PAGE, mapping(d).allocator().freeBytes());
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_SUCCESS_overlapWithAnotherReservationNotChecked", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressToken second = r.reserveAt(d, B + 2 * PAGE, 4);
            assertEquals(B + 2 * PAGE, second.logicalAddressBase());
            assertEquals(2, mapping(d).outstandingTokens());
            assertEquals(1, mapping(d).protectedRanges().size(), "the overlapping range is not protected again");
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_SUCCESS_overlapWithMappedPagesNotChecked", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, B + 3 * PAGE, FRAME, 1);
            r.reserveAt(d, B, 8);
            assertEquals(FRAME * PAGE, output(d, B + 3 * PAGE), "the mapping is left as it was");
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_SUCCESS_overlapWithAReservedRegionNotChecked", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("create", STATUS_SUCCESS, () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null,
                new IommuDmaReservedRegion().base(B).numberOfPages(2), out));
            r.reserveAt(out.get(), B + PAGE, 2);
            assertEquals(1, mapping(out.get()).outstandingTokens());
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // FreeReservedLogicalAddressRange (observed 5)
    // ------------------------------------------------------------------------------------------------------------

    private static void free(final List<DynamicTest> c)
    {
        c.add(obs("FreeReservedLogicalAddressRange_STATUS_RESOURCE_IN_USE_segmentCountNotZero", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            mapped(r, token, 2 * PAGE, FRAME);
            r.watch(d, B + 2 * PAGE);
            r.refused("mapped", STATUS_RESOURCE_IN_USE, () -> r.iommu.freeReservedLogicalAddressRange(token));
            assertEquals(1, count(token));
        }));
        c.add(obs("FreeReservedLogicalAddressRange_STATUS_SUCCESS_leavesZeroedRangeAndTokenFreedTablesKept", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final long pages = r.emulator.tablePagesInUse();
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
            assertEquals(0, mapping(d).outstandingTokens(), "token freed");
            assertEquals(0, mapping(d).protectedRanges().size(), "range freed");
            assertEquals(pages, r.emulator.tablePagesInUse(), "tables kept");
            r.expect("range reusable", STATUS_SUCCESS, () -> reserveAt(r, d, 4 * PAGE, B));
            assertEquals(1, mapping(d).protectedRanges().size(), "the new token protects the range again");
        }));
        c.add(obs("FreeReservedLogicalAddressRange_STATUS_SUCCESS_allocatorRangeGivenBack", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long free = mapping(d).allocator().freeBytes();
            final IommuDmaLogicalAddressToken token = r.reserve(d, 2);
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
            assertEquals(free, mapping(d).allocator().freeBytes());
            assertEquals(token.logicalAddressBase(), r.reserve(d, 2).logicalAddressBase());
        }));
        c.add(obs("FreeReservedLogicalAddressRange_STATUS_SUCCESS_countZeroZeroesSegmentsStillMapped", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment first = mapped(r, token, 0, FRAME);
            mapped(r, token, 2 * PAGE, FRAME + 1);
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(first));
            r.expect("unmap again", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(first));
            assertEquals(0, count(token));
            assertEquals((FRAME + 1) * PAGE, output(d, B + 2 * PAGE), "the second segment is still mapped");
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
            assertEquals(-1, output(d, B + 2 * PAGE), "leaves zeroed over the whole token");
            assertEquals(0, mapping(d).outstandingTokens());
        }));
        c.add(obs("FreeReservedLogicalAddressRange_STATUS_RESOURCE_IN_USE_tokenBeingFreed", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            // The window of a free racing this one: the token is marked "deleting" (Windows' compare-exchange 0 to
            // the sentinel then fails for the second free).
            ((LogicalAddressToken)token).state(LogicalAddressToken.DELETING);
            r.refused("second free", STATUS_RESOURCE_IN_USE, () -> r.iommu.freeReservedLogicalAddressRange(token));
        }));
        c.add(obs("FreeReservedLogicalAddressRange_STATUS_INVALID_PARAMETER_CHOICE_doubleFreeUndefinedOnWindows",
            r ->
            {
                final IommuDmaDomain d = r.explicitDomain();
                final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 1);
                r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
                r.refused("twice", STATUS_INVALID_PARAMETER, () -> r.iommu.freeReservedLogicalAddressRange(token));
            }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapReservedLogicalRange rows 1-6 (observed 5, section 8 item 20)
    // ------------------------------------------------------------------------------------------------------------

    private static void map(final List<DynamicTest> c)
    {
        c.add(obs("MapReservedLogicalRange_STATUS_SUCCESS_row1TokenBeingFreedNotRefused", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            // The window of a racing free: Windows' "deleting" count is positive, so the map goes ahead.
            ((LogicalAddressToken)token).state(LogicalAddressToken.DELETING);
            mapped(r, token, 0, 0x70);
            assertEquals(0x70 * PAGE, output(d, B));
            assertEquals(1, count(token));
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_INVALID_PARAMETER_2_row2OffsetUnaligned", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment s = segment();
            r.refused("offset", STATUS_INVALID_PARAMETER_2,
                () -> r.iommu.mapReservedLogicalRange(token, 0x10, READ, pfns(1), s));
            assertNull(s.owningToken(), "segment untouched");
            assertEquals(0, count(token), "count lowered again");
            r.expect("free: nothing mapped", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_INVALID_PARAMETER_4_row3DescriptionInvalid", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.refused("unaligned base", STATUS_INVALID_PARAMETER_4, () -> r.iommu.mapReservedLogicalRange(token, 0,
                READ, new IommuMapPhysicalAddress().useContiguousRange(0x1010, PAGE), segment()));
            r.refused("size 0", STATUS_INVALID_PARAMETER_4, () -> r.iommu.mapReservedLogicalRange(token, 0,
                READ, new IommuMapPhysicalAddress().useContiguousRange(0x1000, 0), segment()));
            assertEquals(0, count(token));
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_SUCCESS_row3ContiguousSizeRoundedUp", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment s = segment();
            r.expect("1.5 pages", STATUS_SUCCESS, () -> r.iommu.mapReservedLogicalRange(token, 0, READ,
                new IommuMapPhysicalAddress().useContiguousRange(FRAME * PAGE, PAGE + 0x800), s));
            assertEquals(2 * PAGE, s.size());
            assertEquals((FRAME + 1) * PAGE, output(d, B + PAGE));
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_INVALID_PARAMETER_4_row4PastTheTokenEndAddress", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.refused("offset + length > base + size", STATUS_INVALID_PARAMETER_4,
                () -> r.iommu.mapReservedLogicalRange(token, B + 3 * PAGE, READ, pfns(1, 2), segment()));
            assertEquals(0, count(token));
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_INVALID_PARAMETER_4_row4PastTheEndOfATokenAtZero", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, 0, 4);
            r.refused("base 0: the bound is the size", STATUS_INVALID_PARAMETER_4,
                () -> r.iommu.mapReservedLogicalRange(token, 3 * PAGE, READ, pfns(1, 2), segment()));
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_SUCCESS_row4MappingRunsPastTheTokenWhenBaseAboveZero", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment s = segment();
            r.expect("past the token", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, 3 * PAGE, READ, pfns(0x70, 0x71), s));
            assertEquals(0x71 * PAGE, output(d, B + 4 * PAGE), "the page after the token is mapped");
            assertEquals(2 * PAGE, s.size());
            assertEquals(1, count(token));
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_RESOURCE_IN_USE_row5ClashUndoesThisCallsLeaves", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            mapped(r, token, PAGE, FRAME);
            r.watch(d, B);
            r.watch(d, B + PAGE);
            final IommuDmaLogicalAddressTokenMappedSegment s = segment();
            r.refused("clash", STATUS_RESOURCE_IN_USE,
                () -> r.iommu.mapReservedLogicalRange(token, 0, READ, pfns(0x70, 0x71), s));
            assertNull(s.owningToken());
            assertEquals(1, count(token), "count lowered again");
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_RESOURCE_IN_USE_row5PastTheTokenOntoAMapping", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.mapAt(d, B + 4 * PAGE, FRAME, 1);
            r.refused("clash with a plain mapping", STATUS_RESOURCE_IN_USE,
                () -> r.iommu.mapReservedLogicalRange(token, 3 * PAGE, READ, pfns(0x70, 0x71), segment()));
            assertEquals(0, count(token));
        }));
        c.add(on("MapReservedLogicalRange_STATUS_RESOURCE_IN_USE_row5NoTablePagePastTheToken",
            () -> observedWithTablePages(4), r ->
            {
                final IommuDmaDomain d = r.explicitDomain();
                final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
                r.refused("tables", STATUS_RESOURCE_IN_USE,
                    () -> r.iommu.mapReservedLogicalRange(token, B, READ, pfns(0x70), segment()));
                assertEquals(0, count(token));
            }));
        c.add(obs("MapReservedLogicalRange_STATUS_SUCCESS_row6SegmentFilledCountRaised", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 8);
            final IommuDmaLogicalAddressTokenMappedSegment s = mapped(r, token, 3 * PAGE, 0x70, 0x71);
            assertSame(token, s.owningToken());
            assertEquals(3 * PAGE, s.offset());
            assertEquals(2 * PAGE, s.size());
            assertEquals(1, count(token));
            assertEquals(0x71 * PAGE, output(d, B + 4 * PAGE));
            assertEquals(-1, output(d, B + 5 * PAGE));
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_SUCCESS_permissionBitsNotValidated", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.expect("reserved bit", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, 0, READ | 0x8, pfns(0x70), segment()));
            assertEquals(0x70 * PAGE, output(d, B));
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_SUCCESS_permissionZeroWritesNoLeaf", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment s = segment();
            r.expect("permission 0", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, 0, 0, pfns(0x70), s));
            assertEquals(0, mapping(d).table().countMapped(0, mapping(d).limit()));
            assertEquals(PAGE, s.size());
            assertEquals(1, count(token));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // UnmapReservedLogicalRange (observed 5, section 8 items 14 and 20)
    // ------------------------------------------------------------------------------------------------------------

    private static void unmap(final List<DynamicTest> c)
    {
        c.add(obs("UnmapReservedLogicalRange_STATUS_SUCCESS_leavesZeroedTablesKeptOwningTokenKept", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment s = mapped(r, token, PAGE, 0x70, 0x71);
            final long pages = r.emulator.tablePagesInUse();
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(s));
            assertEquals(-1, output(d, B + PAGE));
            assertEquals(-1, output(d, B + 2 * PAGE));
            assertEquals(pages, r.emulator.tablePagesInUse(), "tables kept");
            assertSame(token, s.owningToken(), "OwningToken kept");
            assertEquals(0, s.offset());
            assertEquals(0, s.size());
            assertEquals(0, count(token));
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
        }));
        c.add(obs("UnmapReservedLogicalRange_STATUS_INVALID_PARAMETER_countNotPositive", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment s = mapped(r, token, 0, 0x70);
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(s));
            r.refused("again, no other segment", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapReservedLogicalRange(s));
            assertSame(token, s.owningToken());
            assertEquals(0, count(token));
        }));
        c.add(obs("UnmapReservedLogicalRange_STATUS_SUCCESS_againWhileTheTokenHasOtherSegments", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment first = mapped(r, token, 0, 0x70);
            final IommuDmaLogicalAddressTokenMappedSegment second = mapped(r, token, 2 * PAGE, 0x72);
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(first));
            final long mappedBefore = mapping(d).table().countMapped(0, mapping(d).limit());
            r.expect("unmap again", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(first));
            assertEquals(mappedBefore, mapping(d).table().countMapped(0, mapping(d).limit()), "unmaps nothing");
            assertEquals(0x72 * PAGE, output(d, B + 2 * PAGE));
            assertEquals(0, count(token), "the count is lowered again");
            r.watch(d, B + 2 * PAGE);
            r.refused("the other segment's unmap finds the count at 0", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapReservedLogicalRange(second));
            assertEquals(2 * PAGE, second.offset(), "segment untouched");
        }));
        c.add(obs("UnmapReservedLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_noSegmentUndefinedOnWindows", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.reserveAt(d, B, 4);
            r.refused("NULL", STATUS_INVALID_PARAMETER, () -> r.iommu.unmapReservedLogicalRange(null));
        }));
        c.add(obs("UnmapReservedLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_freedTokenUndefinedOnWindows", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment first = mapped(r, token, 0, 0x70);
            final IommuDmaLogicalAddressTokenMappedSegment second = mapped(r, token, PAGE, 0x71);
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(first));
            r.expect("unmap again", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(first));
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
            r.refused("use after free", STATUS_INVALID_PARAMETER, () -> r.iommu.unmapReservedLogicalRange(second));
        }));
        c.add(obs("MapReservedLogicalRange_STATUS_SUCCESS_mapAgainAfterUnmapReusesTheOffset", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment s = mapped(r, token, 0, 0x70);
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(s));
            mapped(r, token, 0, 0x71);
            assertEquals(0x71 * PAGE, output(d, B));
            assertEquals(1, count(token));
        }));
        c.add(obs("ReserveLogicalAddressRange_STATUS_SUCCESS_contiguousRangeMapsIntoIt", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.expect("contiguous", STATUS_SUCCESS, () -> r.iommu.mapReservedLogicalRange(token, PAGE, READ,
                contiguous(FRAME * PAGE, 2), segment()));
            assertEquals((FRAME + 1) * PAGE, output(d, B + 2 * PAGE));
        }));
    }
}
