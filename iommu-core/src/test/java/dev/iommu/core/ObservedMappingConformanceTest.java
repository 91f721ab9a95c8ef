/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuMapPhysicalAddressType;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.Ref;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

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
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.contiguous;
import static dev.iommu.core.V2Rig.output;
import static dev.iommu.core.V2Rig.pfns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The observed-Windows profile's mapping members on x64 (observed record section 4: common facts, MapLogicalRangeEx,
 * UnmapLogicalRange, MapIdentityRangeEx, UnmapIdentityRangeEx, the V1 members; section 8 items 5, 6, 7, 8, 9 and 12):
 * one case per row, named {@code <Member>_<STATUS>_<what>} ({@link ConformanceCases#NAME_SCHEME}), each on a fresh
 * {@link V2Rig#observedX64()} (or one with fewer table pages), asserting the status and the state after, including
 * what Windows leaves behind. A refusal that changes nothing is asserted with {@link V2Rig#refused}.
 */
class ObservedMappingConformanceTest
{
    private static final long A = 0x10_0000L;
    private static final long FRAME = 0x4000;
    /** A reserved region's base (1 GiB) in an allocator domain. */
    private static final long REGION = 0x4000_0000L;
    private static final long REGION_PAGES = 16;
    private static final long SENTINEL = 0x5EED_0000L;

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    private static DynamicTest obs(final String name, final Consumer<V2Rig> body)
    {
        return ConformanceCases.on(name, V2Rig::observedX64, body);
    }

    /** An observed x64 rig whose arena has only {@code pages} table pages. */
    private static DynamicTest small(final String name, final int pages, final Consumer<V2Rig> body)
    {
        return ConformanceCases.on(name, () -> new V2Rig(new EmulatorContext()
            .platform(V2Rig.x64Platform(V2Rig.limits(pages))).profile(BehaviourProfile.OBSERVED_WINDOWS)), body);
    }

    /** An allocator domain (39 bits) with one reserved region at {@link #REGION}, identity-mapped when asked. */
    private static IommuDmaDomain regionDomain(final V2Rig r, final boolean shouldMap)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
            new IommuDmaLogicalAllocatorConfig().buddy(V2Rig.ALLOCATOR_WIDTH),
            new IommuDmaReservedRegion().base(REGION).numberOfPages(REGION_PAGES).shouldMap(shouldMap), out),
            "CreateDomainEx with a reserved region");
        return out.get();
    }

    private static MappingDomain engine(final IommuDmaDomain d)
    {
        return (MappingDomain)d;
    }

    private static long freeBytes(final IommuDmaDomain d)
    {
        return engine(d).allocator().freeBytes();
    }

    private static long mapped(final IommuDmaDomain d)
    {
        return engine(d).table().countMapped(0, engine(d).limit());
    }

    private static int mapAt(final V2Rig r, final IommuDmaDomain d, final int permissions,
        final IommuMapPhysicalAddress physical, final long iova, final LongRef out)
    {
        return r.iommu.mapLogicalRangeEx(d, permissions, physical, new LongRef(iova), null, null, out);
    }

    private static int mapAt(final V2Rig r, final IommuDmaDomain d, final IommuMapPhysicalAddress physical,
        final long iova)
    {
        return mapAt(r, d, READ_WRITE, physical, iova, new LongRef());
    }

    private static int mapAlloc(final V2Rig r, final IommuDmaDomain d, final IommuMapPhysicalAddress physical,
        final LongRef min, final LongRef max)
    {
        return r.iommu.mapLogicalRangeEx(d, READ_WRITE, physical, null, min, max, new LongRef());
    }

    private static Mdl mdl(final long... frames)
    {
        return new Mdl().describe(frames, frames.length * PAGE);
    }

    private static IommuMapPhysicalAddress mdlOf(final Mdl mdl)
    {
        return new IommuMapPhysicalAddress().useMdl(mdl);
    }

    private static long[] run(final long first, final int pages)
    {
        final long[] frames = new long[pages];
        for (int i = 0; i < pages; i++)
        {
            frames[i] = first + i;
        }
        return frames;
    }

    // ------------------------------------------------------------------------------------------------------------
    // The table
    // ------------------------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> observed()
    {
        final List<DynamicTest> cases = new ArrayList<>();
        commonFacts(cases);
        mapLogicalRangeEx(cases);
        unmapLogicalRange(cases);
        mapIdentityRangeEx(cases);
        unmapIdentityRangeEx(cases);
        v1(cases);
        return cases.stream();
    }

    @Test
    void caseNamesFollowTheScheme()
    {
        ConformanceCases.assertNamesFollowTheScheme(observed(), 60);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Observed 4, common facts
    // ------------------------------------------------------------------------------------------------------------

    private static void commonFacts(final List<DynamicTest> c)
    {
        c.add(obs("MapLogicalRangeEx_STATUS_SUCCESS_fourKiBLeavesOnly", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final long big = 0x20_0000L;
            r.expect("a 2 MiB-aligned 2 MiB map", STATUS_SUCCESS, () -> mapAt(r, d, contiguous(big, 512), big));
            r.expect("one page out of its middle (a large leaf would refuse)", STATUS_SUCCESS,
                () -> r.iommu.unmapLogicalRange(d, big + 7 * PAGE, 1));
            assertEquals(-1, output(d, big + 7 * PAGE));
            assertEquals(big + 8 * PAGE, output(d, big + 8 * PAGE));
            assertEquals(511, mapped(d));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_clashUndoesThisCallsLeaves", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A + 2 * PAGE, 0x77, 1);
            final long pages = r.emulator.tablePagesInUse();
            r.expect("map over a present leaf", STATUS_INVALID_PARAMETER,
                () -> mapAt(r, d, contiguous(FRAME * PAGE, 4), A));
            assertEquals(-1, output(d, A), "this call's leaves are zeroed again");
            assertEquals(-1, output(d, A + PAGE));
            assertEquals(0x77 * PAGE, output(d, A + 2 * PAGE), "the present leaf is untouched");
            assertEquals(-1, output(d, A + 3 * PAGE));
            assertEquals(pages, r.emulator.tablePagesInUse(), "tables kept");
        }));
        c.add(small("MapLogicalRangeEx_STATUS_INSUFFICIENT_RESOURCES_partialMappingLeftBehind", 8, r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final long at = 0x4000_0000L;
            final long pages = 16 * 512;
            r.expect("a 32 MiB map with too few table pages", STATUS_INSUFFICIENT_RESOURCES,
                () -> mapAt(r, d, contiguous(0x1000_0000L, pages), at));
            assertEquals(0x1000_0000L, output(d, at), "the first pages stay mapped");
            assertEquals(-1, output(d, at + (pages - 1) * PAGE), "the last pages were never mapped");
            assertTrue(mapped(d) >= 512 && mapped(d) < pages, "a partial mapping in whole 2 MiB regions: " + mapped(d));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_SUCCESS_permissionZeroBuildsTablesWritesNoLeaves", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final long pages = r.emulator.tablePagesInUse();
            r.expect("permission 0", STATUS_SUCCESS,
                () -> mapAt(r, d, 0, contiguous(FRAME * PAGE, 2), A, new LongRef()));
            assertTrue(r.emulator.tablePagesInUse() > pages, "tables built");
            assertEquals(0, mapped(d), "no leaves");
            r.expect("a map there does not clash", STATUS_SUCCESS, () -> mapAt(r, d, contiguous(0x99 * PAGE, 2), A));
            assertEquals(0x99 * PAGE, output(d, A));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_SUCCESS_permissionBitsNeverValidated", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("reserved permission bits", STATUS_SUCCESS,
                () -> mapAt(r, d, READ_WRITE | 0x40, contiguous(FRAME * PAGE, 1), A, new LongRef()));
            assertEquals(FRAME * PAGE, output(d, A));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_SUCCESS_contiguousSizeRoundedUp", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("Size one page and one byte", STATUS_SUCCESS, () -> mapAt(r, d,
                new IommuMapPhysicalAddress().useContiguousRange(FRAME * PAGE, PAGE + 1), A));
            assertEquals((FRAME + 1) * PAGE, output(d, A + PAGE), "two pages mapped");
            assertEquals(2, mapped(d));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_SUCCESS_mdlOfWholePages", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("an MDL of whole pages", STATUS_SUCCESS, () -> mapAt(r, d, mdlOf(mdl(0x31, 0x77)), A));
            assertEquals(0x77 * PAGE, output(d, A + PAGE));
        }));
        c.add(obs("UnmapLogicalRange_STATUS_SUCCESS_zeroesWithoutLookingKeepsTables", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 2);
            final long pages = r.emulator.tablePagesInUse();
            r.expect("unmap of two mapped and two unmapped pages", STATUS_SUCCESS,
                () -> r.iommu.unmapLogicalRange(d, A, 4));
            assertEquals(0, mapped(d));
            assertEquals(pages, r.emulator.tablePagesInUse(), "native unmap never frees tables");
        }));
        c.add(obs("UnmapLogicalRange_STATUS_INVALID_PARAMETER_missingTableAfterZeroingEarlierPages", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final long last = 0x1F_F000L;
            r.mapAt(d, last, FRAME, 1);
            r.expect("unmap into a 2 MiB region with no table", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapLogicalRange(d, last, 2));
            assertEquals(-1, output(d, last), "the page before the missing table was zeroed");
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapLogicalRangeEx rows 1 to 7
    // ------------------------------------------------------------------------------------------------------------

    private static void mapLogicalRangeEx(final List<DynamicTest> c)
    {
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_1_row1PassThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> mapAt(r, d, contiguous(FRAME * PAGE, 1), A));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_SUCCESS_row1TranslateS1MapsAndUnmaps", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.expect("map", STATUS_SUCCESS, () -> mapAt(r, d, contiguous(FRAME * PAGE, 2), A));
            assertEquals((FRAME + 1) * PAGE, output(d, A + PAGE));
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, A, 2));
            assertEquals(0, mapped(d));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_row2UnalignedContiguousBase", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("Base unaligned", STATUS_INVALID_PARAMETER_3, () -> mapAt(r, d,
                new IommuMapPhysicalAddress().useContiguousRange(FRAME * PAGE + 8, PAGE), A));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_row2MdlByteCountNotPages", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("MDL ByteCount not a 4 KiB multiple", STATUS_INVALID_PARAMETER_3, () -> mapAt(r, d,
                mdlOf(new Mdl().describe(new long[]{0x31, 0x32}, PAGE + 1)), A));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_row2MapTypeMax", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("MapType 3", STATUS_INVALID_PARAMETER_3, () -> mapAt(r, d,
                contiguous(FRAME * PAGE, 1).mapType(IommuMapPhysicalAddressType.MAX), A));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_row3SizeZero", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("Size 0", STATUS_INVALID_PARAMETER_3, () -> mapAt(r, d,
                new IommuMapPhysicalAddress().useContiguousRange(FRAME * PAGE, 0), A));
            r.refused("NumberOfPages 0", STATUS_INVALID_PARAMETER_3, () -> mapAt(r, d,
                new IommuMapPhysicalAddress().usePfnArray(new long[]{1}, 0), A));
            r.refused("ByteCount 0", STATUS_INVALID_PARAMETER_3, () -> mapAt(r, d,
                mdlOf(new Mdl().describe(new long[]{1}, 0)), A));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_NOT_SUPPORTED_row4aNoAllocatorNoExplicit", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("no allocator, Explicit NULL", STATUS_NOT_SUPPORTED,
                () -> mapAlloc(r, d, contiguous(FRAME * PAGE, 1), null, null));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_2_row4bExplicitUnaligned", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("Explicit unaligned", STATUS_INVALID_PARAMETER_2,
                () -> mapAt(r, d, contiguous(FRAME * PAGE, 1), A + 8));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_SUCCESS_row4bMinMaxIgnoredWithoutAllocator", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("Min above Max, no allocator", STATUS_SUCCESS, () -> r.iommu.mapLogicalRangeEx(d, READ,
                contiguous(FRAME * PAGE, 1), new LongRef(A), new LongRef(0x9000), new LongRef(0x1000), new LongRef()));
            assertEquals(FRAME * PAGE, output(d, A));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_2_row5aExplicitOutsideReservedRegion", r ->
        {
            final IommuDmaDomain d = regionDomain(r, false);
            r.refused("allocator, Explicit outside every region", STATUS_INVALID_PARAMETER_2,
                () -> mapAt(r, d, contiguous(FRAME * PAGE, 1), A));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_SUCCESS_row5aExplicitInsideReservedRegionMarksIt", r ->
        {
            final IommuDmaDomain d = regionDomain(r, false);
            final long free = freeBytes(d);
            final LongRef out = new LongRef();
            r.expect("Explicit inside the region", STATUS_SUCCESS,
                () -> mapAt(r, d, READ_WRITE, contiguous(FRAME * PAGE, 2), REGION + PAGE, out));
            assertEquals(REGION + PAGE, out.get());
            assertEquals((FRAME + 1) * PAGE, output(d, REGION + 2 * PAGE));
            assertEquals(free, freeBytes(d), "nothing taken from the allocator");
            r.expect("again (in use is not checked)", STATUS_SUCCESS,
                () -> mapAt(r, d, READ_WRITE, contiguous(0x99 * PAGE, 1), REGION + 8 * PAGE, out));
            r.expect("the region node is marked in use: its unmap succeeds", STATUS_SUCCESS,
                () -> r.iommu.unmapLogicalRange(d, REGION + PAGE, 2));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_row5bSizeAboveLargestBlock", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("2^40 bytes in a 39-bit allocator", STATUS_INVALID_PARAMETER_3,
                () -> mapAlloc(r, d, contiguous(0, 1L << 28), null, null));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_row5cMinAboveMax", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("Min above Max", STATUS_INVALID_PARAMETER,
                () -> mapAlloc(r, d, pfns(1), new LongRef(0x9000), new LongRef(0x1000)));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_row5cWindowNarrowerThanBlock", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("two pages between 0x1000 and 0x2FFF (block-aligned: nothing)", STATUS_INVALID_PARAMETER,
                () -> mapAlloc(r, d, pfns(1, 2), new LongRef(0x1000), new LongRef(0x2FFF)));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_MIX_row5dWindowMissesAllocatorRange", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("a window [2^39, 2^40) past the 39-bit allocator", STATUS_INVALID_PARAMETER_MIX,
                () -> mapAlloc(r, d, pfns(1), new LongRef(1L << V2Rig.ALLOCATOR_WIDTH),
                    new LongRef((2L << V2Rig.ALLOCATOR_WIDTH) - 1)));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INSUFFICIENT_RESOURCES_row5eNoFreeBlockInWindow", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final LongRef min = new LongRef(A);
            final LongRef max = new LongRef(A + PAGE - 1);
            r.expect("the one block of the window", STATUS_SUCCESS, () -> mapAlloc(r, d, pfns(1), min, max));
            r.watch(d, A);
            r.refused("again", STATUS_INSUFFICIENT_RESOURCES, () -> mapAlloc(r, d, pfns(2), min, max));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_row6ClashRangeBackOutUntouched", r ->
        {
            final IommuDmaDomain d = regionDomain(r, true);
            final LongRef out = new LongRef(SENTINEL);
            r.watch(d, REGION);
            r.refused("Explicit onto the identity-mapped region's leaves", STATUS_INVALID_PARAMETER,
                () -> mapAt(r, d, READ_WRITE, contiguous(FRAME * PAGE, 1), REGION, out));
            assertEquals(SENTINEL, out.get(), "LogicalAddressOut untouched");
            assertEquals(REGION, output(d, REGION), "the region's identity leaf stays");
        }));
        c.add(small("MapLogicalRangeEx_STATUS_INSUFFICIENT_RESOURCES_row6TablesRangeBackLeavesLeft", 6, r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long free = freeBytes(d);
            final LongRef out = new LongRef(SENTINEL);
            r.expect("4096 pages with too few table pages", STATUS_INSUFFICIENT_RESOURCES, () ->
                r.iommu.mapLogicalRangeEx(d, READ_WRITE, pfns(run(0x10000, 4096)), null, null, null, out));
            assertEquals(SENTINEL, out.get(), "LogicalAddressOut untouched");
            assertEquals(free, freeBytes(d), "the logical range went back to the allocator");
            assertTrue(mapped(d) > 0, "the leaves written stay: " + mapped(d));
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_SUCCESS_row7AddressOut", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final LongRef out = new LongRef(SENTINEL);
            r.expect("map", STATUS_SUCCESS,
                () -> r.iommu.mapLogicalRangeEx(d, READ, pfns(0x99, 0x12), null, null, null, out));
            assertEquals(0x12 * PAGE, output(d, out.get() + PAGE));
            assertTrue(out.get() != SENTINEL);
        }));
        c.add(obs("MapLogicalRangeEx_STATUS_SUCCESS_overlapWithReservedTokenAllowed", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.reserveAt(d, A, 4);
            r.expect("map into the token's range", STATUS_SUCCESS, () -> mapAt(r, d, contiguous(FRAME * PAGE, 2), A));
            assertEquals((FRAME + 1) * PAGE, output(d, A + PAGE));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // UnmapLogicalRange rows 1 to 6
    // ------------------------------------------------------------------------------------------------------------

    private static void unmapLogicalRange(final List<DynamicTest> c)
    {
        c.add(obs("UnmapLogicalRange_STATUS_INVALID_PARAMETER_1_row1PassThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> r.iommu.unmapLogicalRange(d, A, 1));
        }));
        c.add(obs("UnmapLogicalRange_STATUS_INVALID_PARAMETER_2_row2Unaligned", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            r.refused("unaligned", STATUS_INVALID_PARAMETER_2, () -> r.iommu.unmapLogicalRange(d, A + 8, 1));
        }));
        c.add(obs("UnmapLogicalRange_STATUS_SUCCESS_row3ZeroPagesUnmapsNothingFreesBlock", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long free = freeBytes(d);
            final long at = r.mapAllocated(d, 0x10, 0x11);
            r.expect("NumberOfPages 0", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, at, 0));
            assertEquals(0x11 * PAGE, output(d, at + PAGE), "nothing unmapped");
            assertEquals(free, freeBytes(d), "the block was freed");
        }));
        c.add(obs("UnmapLogicalRange_STATUS_INVALID_PARAMETER_row4MissingTableAllocatorUntouched", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long at = r.mapAllocated(d, 0x10);
            r.refused("a range with no tables", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapLogicalRange(d, 0x40_0000_0000L, 1));
            assertEquals(0x10 * PAGE, output(d, at));
        }));
        c.add(obs("UnmapLogicalRange_STATUS_SUCCESS_row5NothingMappedTablesPresent", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            r.refused("never-mapped pages whose tables exist", STATUS_SUCCESS,
                () -> r.iommu.unmapLogicalRange(d, A + 4 * PAGE, 3));
        }));
        c.add(obs("UnmapLogicalRange_STATUS_SUCCESS_row6PartialUnmapFreesWholeBlock", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long free = freeBytes(d);
            final long at = r.mapAllocated(d, 0x10, 0x11, 0x12, 0x13);
            r.expect("one page of four", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, at + PAGE, 1));
            assertEquals(-1, output(d, at + PAGE));
            assertEquals(0x10 * PAGE, output(d, at), "the other pages' leaves stay");
            assertEquals(0x13 * PAGE, output(d, at + 3 * PAGE));
            assertEquals(free, freeBytes(d), "the whole block is free again");
            assertTrue(engine(d).allocator().liveBlockContaining(at) < 0);
        }));
        c.add(obs("UnmapLogicalRange_STATUS_INVALID_PARAMETER_row6NotInAllocatedBlock", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long at = r.mapAllocated(d, 0x10);
            final long free = freeBytes(d);
            r.refused("a page next to the block (its table exists)", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapLogicalRange(d, at + 8 * PAGE, 1));
            assertEquals(free, freeBytes(d));
        }));
        c.add(obs("UnmapLogicalRange_STATUS_INVALID_PARAMETER_row6RegionNotMarkedLeavesZeroed", r ->
        {
            final IommuDmaDomain d = regionDomain(r, true);
            final long free = freeBytes(d);
            r.expect("unmap of an identity-mapped region never claimed", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapLogicalRange(d, REGION, 1));
            assertEquals(-1, output(d, REGION), "its leaf was zeroed first");
            assertEquals(REGION + PAGE, output(d, REGION + PAGE));
            assertEquals(free, freeBytes(d));
        }));
        c.add(obs("UnmapLogicalRange_STATUS_SUCCESS_row6RegionMarkedNotReleased", r ->
        {
            final IommuDmaDomain d = regionDomain(r, false);
            final long free = freeBytes(d);
            r.expect("claim", STATUS_SUCCESS, () -> mapAt(r, d, contiguous(FRAME * PAGE, 1), REGION));
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, REGION, 1));
            assertEquals(-1, output(d, REGION));
            assertEquals(free, freeBytes(d), "the region is not released to the allocator");
        }));
        c.add(obs("UnmapLogicalRange_STATUS_SUCCESS_tokenRangeNotProtected", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, A, 4);
            final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
            r.expect("MapReservedLogicalRange", STATUS_SUCCESS, () -> r.iommu.mapReservedLogicalRange(
                token, 0, READ_WRITE, contiguous(FRAME * PAGE, 2), segment));
            r.expect("unmap over the token", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, A, 1));
            assertEquals(-1, output(d, A), "the token's leaf is zeroed");
            assertEquals((FRAME + 1) * PAGE, output(d, A + PAGE));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapIdentityRangeEx rows 1 to 7
    // ------------------------------------------------------------------------------------------------------------

    private static void mapIdentityRangeEx(final List<DynamicTest> c)
    {
        c.add(obs("MapIdentityRangeEx_STATUS_SUCCESS_row1PassThroughNoValidationNothingRecorded", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough, NULL description", STATUS_SUCCESS,
                () -> r.iommu.mapIdentityRangeEx(d, 0x7777, null));
            r.refused("PassThrough, a valid description", STATUS_SUCCESS,
                () -> r.iommu.mapIdentityRangeEx(d, READ, contiguous(FRAME * PAGE, 1)));
        }));
        c.add(obs("MapIdentityRangeEx_STATUS_SUCCESS_row2TranslateS1Accepted", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.expect("TranslateS1", STATUS_SUCCESS, () -> r.iommu.mapIdentityRangeEx(d, READ,
                contiguous(FRAME * PAGE, 1)));
            assertEquals(FRAME * PAGE, output(d, FRAME * PAGE));
        }));
        c.add(obs("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_3_row3InvalidOrEmpty", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("NULL", STATUS_INVALID_PARAMETER_3, () -> r.iommu.mapIdentityRangeEx(d, READ, null));
            r.refused("size 0", STATUS_INVALID_PARAMETER_3, () -> r.iommu.mapIdentityRangeEx(d, READ,
                new IommuMapPhysicalAddress().useContiguousRange(FRAME * PAGE, 0)));
            r.refused("Base unaligned", STATUS_INVALID_PARAMETER_3, () -> r.iommu.mapIdentityRangeEx(d, READ,
                new IommuMapPhysicalAddress().useContiguousRange(FRAME * PAGE + 1, PAGE)));
        }));
        c.add(obs("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_2_row4ContiguousOutsideReservedRegion", r ->
        {
            final IommuDmaDomain d = regionDomain(r, false);
            r.refused("allocator, Base outside every region", STATUS_INVALID_PARAMETER_2,
                () -> r.iommu.mapIdentityRangeEx(d, READ, contiguous(FRAME * PAGE, 1)));
        }));
        c.add(obs("MapIdentityRangeEx_STATUS_SUCCESS_row4ContiguousClaimedInReservedRegion", r ->
        {
            final IommuDmaDomain d = regionDomain(r, false);
            final long free = freeBytes(d);
            r.expect("Base inside the region", STATUS_SUCCESS,
                () -> r.iommu.mapIdentityRangeEx(d, READ_WRITE, contiguous(REGION, 2)));
            assertEquals(REGION + PAGE, output(d, REGION + PAGE));
            assertEquals(free, freeBytes(d));
            r.expect("the region is marked in use: UnmapLogicalRange there succeeds", STATUS_SUCCESS,
                () -> r.iommu.unmapLogicalRange(d, REGION, 2));
        }));
        c.add(obs("MapIdentityRangeEx_STATUS_SUCCESS_row5ContiguousNoAllocator", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("identity", STATUS_SUCCESS, () -> r.iommu.mapIdentityRangeEx(d, READ_WRITE,
                new IommuMapPhysicalAddress().useContiguousRange(FRAME * PAGE, 2 * PAGE - 100)));
            assertEquals((FRAME + 1) * PAGE, output(d, (FRAME + 1) * PAGE), "Size rounded up");
        }));
        c.add(obs("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_row5ClashUndoesThisCall", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, (FRAME + 2) * PAGE, 0x99, 1);
            r.refused("identity over a logical mapping", STATUS_INVALID_PARAMETER,
                () -> r.iommu.mapIdentityRangeEx(d, READ_WRITE, contiguous(FRAME * PAGE, 4)));
            assertEquals(-1, output(d, FRAME * PAGE));
        }));
        c.add(obs("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_2_row6PfnPageOutsideRegion", r ->
        {
            final IommuDmaDomain d = regionDomain(r, false);
            final long first = REGION >>> 12;
            r.refused("the second page outside the region", STATUS_INVALID_PARAMETER_2,
                () -> r.iommu.mapIdentityRangeEx(d, READ, pfns(first, FRAME)));
        }));
        c.add(obs("MapIdentityRangeEx_STATUS_SUCCESS_row6PfnEachPageClaimed", r ->
        {
            final IommuDmaDomain d = regionDomain(r, false);
            final long first = REGION >>> 12;
            r.expect("two region pages", STATUS_SUCCESS,
                () -> r.iommu.mapIdentityRangeEx(d, READ, pfns(first + 3, first + 1)));
            assertEquals(REGION + 3 * PAGE, output(d, REGION + 3 * PAGE));
            assertEquals(REGION + PAGE, output(d, REGION + PAGE));
        }));
        c.add(obs("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_row7FailingRunUndoesEarlierRuns", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, 0x30 * PAGE, 0x99, 1);
            r.refused("runs 0x10-0x11 then 0x30 (present)", STATUS_INVALID_PARAMETER,
                () -> r.iommu.mapIdentityRangeEx(d, READ, pfns(0x10, 0x11, 0x30)));
            assertEquals(-1, output(d, 0x10 * PAGE), "the earlier run is unmapped");
            assertEquals(0x99 * PAGE, output(d, 0x30 * PAGE));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // UnmapIdentityRangeEx rows 1 to 5
    // ------------------------------------------------------------------------------------------------------------

    private static void unmapIdentityRangeEx(final List<DynamicTest> c)
    {
        c.add(obs("UnmapIdentityRangeEx_STATUS_SUCCESS_row1PassThroughNoOp", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough, NULL description", STATUS_SUCCESS, () -> r.iommu.unmapIdentityRangeEx(d, null));
        }));
        c.add(obs("UnmapIdentityRangeEx_STATUS_SUCCESS_row2TranslateS1Accepted", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapIdentityRangeEx(d, READ, contiguous(FRAME * PAGE, 1)));
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapIdentityRangeEx(d, contiguous(FRAME * PAGE, 1)));
            assertEquals(-1, output(d, FRAME * PAGE));
        }));
        c.add(obs("UnmapIdentityRangeEx_STATUS_INVALID_PARAMETER_2_row3InvalidOrEmpty", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("NULL", STATUS_INVALID_PARAMETER_2, () -> r.iommu.unmapIdentityRangeEx(d, null));
            r.refused("size 0", STATUS_INVALID_PARAMETER_2, () -> r.iommu.unmapIdentityRangeEx(d,
                new IommuMapPhysicalAddress().usePfnArray(new long[]{1}, 0)));
        }));
        c.add(obs("UnmapIdentityRangeEx_STATUS_INVALID_PARAMETER_row4AllocatorRangeNotAllocated", r ->
        {
            final IommuDmaDomain d = regionDomain(r, true);
            r.watch(d, REGION);
            r.refused("a region never claimed: the free fails first, no leaf zeroed", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapIdentityRangeEx(d, contiguous(REGION, 1)));
            assertEquals(REGION, output(d, REGION));
        }));
        c.add(obs("UnmapIdentityRangeEx_STATUS_SUCCESS_row4AllocatorClaimedRangeFreedThenZeroed", r ->
        {
            final IommuDmaDomain d = regionDomain(r, false);
            r.expect("claim", STATUS_SUCCESS, () -> r.iommu.mapIdentityRangeEx(d, READ, contiguous(REGION, 2)));
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapIdentityRangeEx(d, contiguous(REGION, 2)));
            assertEquals(0, mapped(d));
        }));
        c.add(obs("UnmapIdentityRangeEx_STATUS_INVALID_PARAMETER_row4MissingTable", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("no table", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapIdentityRangeEx(d, contiguous(FRAME * PAGE, 1)));
        }));
        c.add(obs("UnmapIdentityRangeEx_STATUS_INVALID_PARAMETER_row5FirstFailureEarlierFreesStay", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long free = freeBytes(d);
            final long at = r.mapAllocated(d, 0x10);
            r.expect("the block's page, then a page of no block", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapIdentityRangeEx(d, pfns(at >>> 12, (at >>> 12) + 16)));
            assertEquals(free, freeBytes(d), "the first page's block stays freed");
            assertEquals(0x10 * PAGE, output(d, at), "no leaf zeroed");
        }));
        c.add(obs("UnmapIdentityRangeEx_STATUS_SUCCESS_row5PfnRunsZeroed", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapIdentityRangeEx(d, READ, pfns(0x10, 0x11, 0x30)));
            r.expect("unmap two of the three pages", STATUS_SUCCESS,
                () -> r.iommu.unmapIdentityRangeEx(d, pfns(0x30, 0x10)));
            assertEquals(-1, output(d, 0x10 * PAGE));
            assertEquals(0x11 * PAGE, output(d, 0x11 * PAGE));
            assertEquals(-1, output(d, 0x30 * PAGE));
        }));
        c.add(obs("UnmapIdentityRangeEx_STATUS_SUCCESS_notCheckedWhetherIdentityMapped", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 2);
            r.expect("unmap-identity of a logical mapping", STATUS_SUCCESS,
                () -> r.iommu.unmapIdentityRangeEx(d, contiguous(A, 2)));
            assertEquals(0, mapped(d), "the logical mapping is removed");
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // V1 MapLogicalRange / MapIdentityRange / UnmapIdentityRange
    // ------------------------------------------------------------------------------------------------------------

    private static void v1(final List<DynamicTest> c)
    {
        c.add(obs("MapLogicalRange_STATUS_INVALID_PARAMETER_1_translateS1Refused", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("TranslateS1", STATUS_INVALID_PARAMETER_1, () -> r.v1.mapLogicalRange(d, READ, mdl(1), A));
        }));
        c.add(obs("MapLogicalRange_STATUS_INVALID_PARAMETER_3_mdlInvalid", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("ByteOffset", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapLogicalRange(d, READ, mdl(1).byteOffset(8), A + 8));
        }));
        c.add(obs("MapLogicalRange_STATUS_INVALID_PARAMETER_4_addressUnaligned", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("unaligned", STATUS_INVALID_PARAMETER_4, () -> r.v1.mapLogicalRange(d, 0x7777, mdl(1), A + 8));
        }));
        c.add(obs("MapLogicalRange_STATUS_INVALID_PARAMETER_clash", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A + PAGE, 0x99, 1);
            r.refused("clash", STATUS_INVALID_PARAMETER, () -> r.v1.mapLogicalRange(d, READ, mdl(1, 2), A));
        }));
        c.add(obs("MapLogicalRange_STATUS_SUCCESS_permissionsNotValidated", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("map", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, READ | 0x80, mdl(0x31, 0x77), A));
            assertEquals(0x77 * PAGE, output(d, A + PAGE));
        }));
        c.add(obs("MapIdentityRange_STATUS_SUCCESS_passThroughNoOp", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough, NULL MDL", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ, null));
        }));
        c.add(obs("MapIdentityRange_STATUS_INVALID_PARAMETER_1_translateS1Refused", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("TranslateS1", STATUS_INVALID_PARAMETER_1, () -> r.v1.mapIdentityRange(d, READ, mdl(1)));
        }));
        c.add(obs("MapIdentityRange_STATUS_INVALID_PARAMETER_3_mdlInvalid", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("NULL MDL", STATUS_INVALID_PARAMETER_3, () -> r.v1.mapIdentityRange(d, READ, null));
        }));
        c.add(obs("MapIdentityRange_STATUS_SUCCESS_identityMap", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("map", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ, mdl(0x31, 0x77)));
            assertEquals(0x77 * PAGE, output(d, 0x77 * PAGE));
        }));
        c.add(obs("UnmapIdentityRange_STATUS_SUCCESS_passThroughNoOp", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough, NULL MDL", STATUS_SUCCESS, () -> r.v1.unmapIdentityRange(d, null));
        }));
        c.add(obs("UnmapIdentityRange_STATUS_INVALID_PARAMETER_1_translateS1Refused", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("TranslateS1", STATUS_INVALID_PARAMETER_1, () -> r.v1.unmapIdentityRange(d, mdl(1)));
        }));
        c.add(obs("UnmapIdentityRange_STATUS_INVALID_PARAMETER_2_mdlInvalid", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("NULL MDL", STATUS_INVALID_PARAMETER_2, () -> r.v1.unmapIdentityRange(d, null));
        }));
        c.add(obs("UnmapIdentityRange_STATUS_SUCCESS_unmapsWhateverIsThere", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, 0x31 * PAGE, 0x99, 1);
            r.expect("unmap", STATUS_SUCCESS, () -> r.v1.unmapIdentityRange(d, mdl(0x31)));
            assertEquals(-1, output(d, 0x31 * PAGE));
        }));
    }
}
