/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.HashSet;
import java.util.Set;
import java.util.function.IntSupplier;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.iommu.api.IommuPermissions.READ;
import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.NtStatus.STATUS_CONFLICTING_ADDRESSES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.contiguous;
import static dev.iommu.core.V2Rig.pfns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden map/unmap/reserve sequences in the style of QEMU's virtio-iommu test: each step has its expected status,
 * and after each step the test checks what the attached device sees ({@link IommuEmulator#translate}) at every
 * address the scenario touches: the output address, or a fault. Reads are issued before every unmap so that the
 * software IOTLB holds the entries the unmap must invalidate (strict mode).
 */
class GoldenSequenceTest
{
    private static final long A = 0x10_0000L;
    private static final long B = 0x20_0000L;
    private static final long MIB2 = 0x20_0000L;
    private static final long FAULT = -1;

    private V2Rig rig = V2Rig.x64();
    private IommuDmaDomain domain;
    private IommuDmaDevice device;
    private int stepNumber;

    @AfterEach
    void close()
    {
        rig.close();
    }

    private void explicitScene()
    {
        domain = rig.explicitDomain();
        device = rig.attached("nic", domain);
    }

    private void allocatorScene()
    {
        domain = rig.allocatorDomain();
        device = rig.attached("nic", domain);
    }

    /** One step: the call, its expected status, then the device view as (address, output or FAULT) pairs. */
    private void step(final String what, final int expected, final IntSupplier call, final long... view)
    {
        stepNumber++;
        // Warm the IOTLB with the current view so that stale entries would show.
        for (int i = 0; i < view.length; i += 2)
        {
            rig.seen(device, view[i]);
        }
        assertEquals(NtStatus.name(expected), NtStatus.name(call.getAsInt()), "step " + stepNumber + ": " + what);
        for (int i = 0; i < view.length; i += 2)
        {
            assertEquals(Long.toHexString(view[i + 1]), Long.toHexString(rig.seen(device, view[i])),
                "step " + stepNumber + " (" + what + "): device view of 0x" + Long.toHexString(view[i]));
        }
    }

    private int mapAt(final long iova, final IommuMapPhysicalAddress physical)
    {
        return rig.iommu.mapLogicalRangeEx(domain, READ_WRITE, physical, new LongRef(iova), null, null, new LongRef());
    }

    private int unmap(final long iova, final long pages)
    {
        return rig.iommu.unmapLogicalRange(domain, iova, pages);
    }

    private static long f(final long frame)
    {
        return frame * PAGE;
    }

    @Test
    void mapPartialUnmapRemapOverAMapping()
    {
        explicitScene();
        final long p = PAGE;
        step("map 4 pages", STATUS_SUCCESS, () -> mapAt(A, pfns(10, 11, 12, 13)),
            A, f(10), A + p, f(11), A + 2 * p + 7, f(12) + 7, A + 3 * p, f(13), A + 4 * p, FAULT);
        step("partial unmap of page 1", STATUS_SUCCESS, () -> unmap(A + p, 1),
            A, f(10), A + p, FAULT, A + 2 * p, f(12), A + 3 * p, f(13));
        step("unmap it again: nothing mapped", STATUS_INVALID_PARAMETER, () -> unmap(A + p, 1),
            A, f(10), A + p, FAULT, A + 2 * p, f(12));
        step("remap over a mapping", STATUS_IN_USE, () -> mapAt(A, pfns(20, 21)),
            A, f(10), A + p, FAULT);
        step("remap over the hole and a mapping", STATUS_IN_USE, () -> mapAt(A + p, pfns(20, 21)),
            A + p, FAULT, A + 2 * p, f(12));
        step("remap into the hole", STATUS_SUCCESS, () -> mapAt(A + p, pfns(30)),
            A, f(10), A + p, f(30), A + 2 * p, f(12));
        step("unmap all 4", STATUS_SUCCESS, () -> unmap(A, 4),
            A, FAULT, A + p, FAULT, A + 2 * p, FAULT, A + 3 * p, FAULT);
        step("map again at the same place", STATUS_SUCCESS, () -> mapAt(A, contiguous(f(40), 4)),
            A, f(40), A + 3 * p + 0xFFF, f(43) + 0xFFF);
    }

    @Test
    void unmapSpanningTwoExplicitMappings()
    {
        explicitScene();
        final long p = PAGE;
        step("map first", STATUS_SUCCESS, () -> mapAt(A, pfns(1, 2)), A, f(1), A + p, f(2));
        step("map second, adjacent", STATUS_SUCCESS, () -> mapAt(A + 2 * p, pfns(3, 4)),
            A + 2 * p, f(3), A + 3 * p, f(4));
        step("unmap the two middle pages", STATUS_SUCCESS, () -> unmap(A + p, 2),
            A, f(1), A + p, FAULT, A + 2 * p, FAULT, A + 3 * p, f(4));
        step("unmap a range with a hole in it", STATUS_SUCCESS, () -> unmap(A, 4),
            A, FAULT, A + 3 * p, FAULT);
        step("unmap an empty range", STATUS_INVALID_PARAMETER, () -> unmap(A, 4), A, FAULT);
    }

    @Test
    void unmapSpanningTwoAllocatorBlocks()
    {
        allocatorScene();
        final long first = rig.mapAllocated(domain, 1, 2);
        final long second = rig.mapAllocated(domain, 3, 4);
        assertEquals(first + 2 * PAGE, second, "buddy blocks of 2 pages, handed out in order");
        step("unmap last page of first and first page of second", STATUS_SUCCESS, () -> unmap(first + PAGE, 2),
            first, f(1), first + PAGE, FAULT, second, FAULT, second + PAGE, f(4));
        final LongRef out = new LongRef();
        step("both blocks still held: a new block goes elsewhere", STATUS_SUCCESS,
            () -> rig.iommu.mapLogicalRangeEx(domain, READ, pfns(5, 6), null, null, null, out), first, f(1));
        assertNotEquals(first, out.get());
        assertNotEquals(second, out.get());
        step("unmap the rest of both", STATUS_SUCCESS, () -> unmap(first, 4),
            first, FAULT, second + PAGE, FAULT, out.get(), f(5));
        final Set<Long> reused = new HashSet<>();
        for (int i = 0; i < 2; i++)
        {
            final LongRef again = new LongRef();
            step("both blocks back in the allocator", STATUS_SUCCESS,
                () -> rig.iommu.mapLogicalRangeEx(domain, READ, pfns(7, 8), null, null, null, again));
            reused.add(again.get());
        }
        assertEquals(Set.of(first, second), reused);
    }

    @Test
    void reserveThenMapIntoTheReservation()
    {
        explicitScene();
        final long p = PAGE;
        final Ref<IommuDmaLogicalAddressToken> token = new Ref<>();
        step("reserve 8 pages", STATUS_SUCCESS, () -> rig.iommu.reserveLogicalAddressRange(
            domain, 8 * p, new LongRef(B), null, null, token), B, FAULT);
        step("plain map into the reservation", STATUS_IN_USE, () -> mapAt(B + 2 * p, pfns(1)), B + 2 * p, FAULT);
        final IommuDmaLogicalAddressTokenMappedSegment s1 = new IommuDmaLogicalAddressTokenMappedSegment();
        final IommuDmaLogicalAddressTokenMappedSegment s2 = new IommuDmaLogicalAddressTokenMappedSegment();
        final IommuDmaLogicalAddressTokenMappedSegment s3 = new IommuDmaLogicalAddressTokenMappedSegment();
        final long pages = rig.emulator.tablePagesInUse();
        step("map segment at 2", STATUS_SUCCESS,
            () -> rig.iommu.mapReservedLogicalRange(token.get(), 2 * p, READ_WRITE, pfns(50, 51), s1),
            B + p, FAULT, B + 2 * p, f(50), B + 3 * p, f(51), B + 4 * p, FAULT);
        step("overlapping segment", STATUS_RESOURCE_IN_USE,
            () -> rig.iommu.mapReservedLogicalRange(token.get(), 3 * p, READ_WRITE, pfns(60, 61), s2),
            B + 3 * p, f(51), B + 4 * p, FAULT);
        step("adjacent segment at 4", STATUS_SUCCESS,
            () -> rig.iommu.mapReservedLogicalRange(token.get(), 4 * p, READ_WRITE, contiguous(f(70), 4), s2),
            B + 4 * p, f(70), B + 7 * p + 1, f(73) + 1);
        assertEquals(pages, rig.emulator.tablePagesInUse(), "maps into a reservation allocate no table");
        step("free with live mappings", STATUS_RESOURCE_IN_USE,
            () -> rig.iommu.freeReservedLogicalAddressRange(token.get()), B + 2 * p, f(50), B + 4 * p, f(70));
        step("UnmapLogicalRange on token pages", STATUS_INVALID_PARAMETER, () -> unmap(B + 2 * p, 1),
            B + 2 * p, f(50));
        step("unmap segment 1", STATUS_SUCCESS, () -> rig.iommu.unmapReservedLogicalRange(s1),
            B + 2 * p, FAULT, B + 3 * p, FAULT, B + 4 * p, f(70));
        step("segment 1 again", STATUS_INVALID_PARAMETER, () -> rig.iommu.unmapReservedLogicalRange(s1),
            B + 4 * p, f(70));
        step("free with one live mapping", STATUS_RESOURCE_IN_USE,
            () -> rig.iommu.freeReservedLogicalAddressRange(token.get()), B + 4 * p, f(70));
        step("remap at 0 over the freed segment's hole", STATUS_SUCCESS,
            () -> rig.iommu.mapReservedLogicalRange(token.get(), 0, READ, pfns(80, 81, 82, 83), s3),
            B, f(80), B + 3 * p, f(83), B + 4 * p, f(70));
        step("unmap segment 2", STATUS_SUCCESS, () -> rig.iommu.unmapReservedLogicalRange(s2),
            B + 4 * p, FAULT, B, f(80));
        step("unmap segment 3", STATUS_SUCCESS, () -> rig.iommu.unmapReservedLogicalRange(s3), B, FAULT);
        step("free", STATUS_SUCCESS, () -> rig.iommu.freeReservedLogicalAddressRange(token.get()), B, FAULT);
        step("free twice", STATUS_INVALID_PARAMETER, () -> rig.iommu.freeReservedLogicalAddressRange(token.get()));
        step("plain map where the token was", STATUS_SUCCESS, () -> mapAt(B + 2 * p, pfns(90)), B + 2 * p, f(90));
    }

    @Test
    void allocatorTokensAndMapsNeverOverlap()
    {
        allocatorScene();
        final Ref<IommuDmaLogicalAddressToken> token = new Ref<>();
        step("reserve 3 pages", STATUS_SUCCESS,
            () -> rig.iommu.reserveLogicalAddressRange(domain, 3 * PAGE, null, null, null, token));
        final long base = token.get().logicalAddressBase();
        for (int i = 0; i < 16; i++)
        {
            final long iova = rig.mapAllocated(domain, 100 + i);
            assertTrue(iova + PAGE <= base || iova >= base + 4 * PAGE, "map " + i + " at 0x" + Long.toHexString(iova));
        }
        final IommuDmaLogicalAddressTokenMappedSegment s = new IommuDmaLogicalAddressTokenMappedSegment();
        step("map the whole token", STATUS_SUCCESS,
            () -> rig.iommu.mapReservedLogicalRange(token.get(), 0, READ, pfns(7, 8, 9), s),
            base, f(7), base + 2 * PAGE, f(9), base + 3 * PAGE, FAULT);
        step("free with live mappings", STATUS_RESOURCE_IN_USE,
            () -> rig.iommu.freeReservedLogicalAddressRange(token.get()), base, f(7));
        step("unmap", STATUS_SUCCESS, () -> rig.iommu.unmapReservedLogicalRange(s), base, FAULT);
        step("free", STATUS_SUCCESS, () -> rig.iommu.freeReservedLogicalAddressRange(token.get()), base, FAULT);
        final Ref<IommuDmaLogicalAddressToken> again = new Ref<>();
        step("the space is reusable", STATUS_SUCCESS,
            () -> rig.iommu.reserveLogicalAddressRange(domain, 3 * PAGE, null, null, null, again));
        assertEquals(base, again.get().logicalAddressBase());
    }

    @Test
    void identityMapThenUnmapWithDifferentRanges()
    {
        explicitScene();
        final long x = 0x80_0000L;
        final long p = PAGE;
        step("identity map 4 pages", STATUS_SUCCESS,
            () -> rig.iommu.mapIdentityRangeEx(domain, READ_WRITE, contiguous(x, 4)),
            x, x, x + 3 * p + 5, x + 3 * p + 5, x + 4 * p, FAULT);
        step("unmap a wider range", STATUS_INVALID_PARAMETER_2,
            () -> rig.iommu.unmapIdentityRangeEx(domain, contiguous(x - p, 6)), x, x, x + 3 * p, x + 3 * p);
        step("unmap the middle two", STATUS_SUCCESS,
            () -> rig.iommu.unmapIdentityRangeEx(domain, contiguous(x + p, 2)),
            x, x, x + p, FAULT, x + 2 * p, FAULT, x + 3 * p, x + 3 * p);
        step("unmap the original range: now partly unmapped", STATUS_INVALID_PARAMETER_2,
            () -> rig.iommu.unmapIdentityRangeEx(domain, contiguous(x, 4)), x, x, x + 3 * p, x + 3 * p);
        step("unmap the two ends as a PFN list", STATUS_SUCCESS,
            () -> rig.iommu.unmapIdentityRangeEx(domain, pfns(x / p, x / p + 3)), x, FAULT, x + 3 * p, FAULT);
        step("identity map a PFN list over a logical mapping", STATUS_SUCCESS, () -> mapAt(x + p, pfns(5)),
            x + p, f(5));
        step("identity over it", STATUS_IN_USE,
            () -> rig.iommu.mapIdentityRangeEx(domain, READ, pfns(x / p, x / p + 1)), x, FAULT, x + p, f(5));
    }

    @Test
    void largePageMapThenPartialUnmapRefused()
    {
        explicitScene();
        final long phys = 0x4000_0000L;
        final long before = rig.emulator.tablePagesInUse();
        step("map 2 MiB aligned, contiguous", STATUS_SUCCESS, () -> mapAt(MIB2, contiguous(phys, 512)),
            MIB2, phys, MIB2 + 0x1234, phys + 0x1234, 2 * MIB2 - 1, phys + MIB2 - 1, 2 * MIB2, FAULT);
        assertEquals(before + 2, rig.emulator.tablePagesInUse(), "a 2 MiB leaf: no level-0 table");
        step("unmap one page inside", STATUS_CONFLICTING_ADDRESSES, () -> unmap(MIB2 + PAGE, 1),
            MIB2 + PAGE, phys + PAGE, MIB2, phys);
        step("unmap the last page and past it", STATUS_CONFLICTING_ADDRESSES, () -> unmap(2 * MIB2 - PAGE, 2),
            2 * MIB2 - PAGE, phys + MIB2 - PAGE);
        step("map a page inside", STATUS_IN_USE, () -> mapAt(MIB2 + PAGE, pfns(1)), MIB2 + PAGE, phys + PAGE);
        step("map 4 KiB pages after it", STATUS_SUCCESS, () -> mapAt(2 * MIB2, pfns(1, 2)),
            2 * MIB2, f(1), 2 * MIB2 + PAGE, f(2));
        step("unmap the whole large page and one page after", STATUS_SUCCESS, () -> unmap(MIB2, 513),
            MIB2, FAULT, 2 * MIB2 - 1, FAULT, 2 * MIB2, FAULT, 2 * MIB2 + PAGE, f(2));
    }

    @Test
    void oneGibLeafMapThenPartialUnmapsRefused()
    {
        explicitScene();
        final long gib = 1L << 30;
        final long phys = 4 * gib;
        final long before = rig.emulator.tablePagesInUse();
        step("map 1 GiB aligned, contiguous", STATUS_SUCCESS, () -> mapAt(gib, contiguous(phys, gib / PAGE)),
            gib, phys, gib + 0x12_3456L, phys + 0x12_3456L, 2 * gib - 1, phys + gib - 1, 2 * gib, FAULT);
        assertEquals(before + 1, rig.emulator.tablePagesInUse(), "a 1 GiB leaf: only a level-2 table");
        step("unmap 2 MiB of it", STATUS_CONFLICTING_ADDRESSES, () -> unmap(gib + MIB2, 512),
            gib + MIB2, phys + MIB2);
        step("map 2 MiB inside", STATUS_IN_USE, () -> mapAt(gib + MIB2, contiguous(0, 512)), gib + MIB2, phys + MIB2);
        step("unmap it whole", STATUS_SUCCESS, () -> unmap(gib, gib / PAGE), gib, FAULT, 2 * gib - 1, FAULT);
    }

    @Test
    void largePageThroughTheAllocator()
    {
        allocatorScene();
        final LongRef out = new LongRef();
        final long phys = 0x8000_0000L;
        step("512 pages contiguous", STATUS_SUCCESS, () -> rig.iommu.mapLogicalRangeEx(
            domain, READ_WRITE, contiguous(phys, 512), null, null, null, out));
        final long iova = out.get();
        assertEquals(0, iova % MIB2, "a 512-page buddy block is 2 MiB aligned");
        step("partial unmap refused", STATUS_CONFLICTING_ADDRESSES, () -> unmap(iova, 1),
            iova, phys, iova + MIB2 - 1, phys + MIB2 - 1);
        step("whole unmap", STATUS_SUCCESS, () -> unmap(iova, 512), iova, FAULT, iova + MIB2 - 1, FAULT);
        final LongRef again = new LongRef();
        step("block back in the allocator", STATUS_SUCCESS, () -> rig.iommu.mapLogicalRangeEx(
            domain, READ_WRITE, contiguous(phys, 512), null, null, null, again), iova, phys);
        assertEquals(iova, again.get());
    }

    @Test
    void withoutLargePagesPartialUnmapOfTheSameRangeWorks()
    {
        rig.close();
        rig = new V2Rig(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)), false);
        explicitScene();
        final long phys = 0x4000_0000L;
        step("map 2 MiB with 4 KiB leaves", STATUS_SUCCESS, () -> mapAt(MIB2, contiguous(phys, 512)),
            MIB2, phys, 2 * MIB2 - 1, phys + MIB2 - 1);
        step("unmap one page inside", STATUS_SUCCESS, () -> unmap(MIB2 + PAGE, 1),
            MIB2, phys, MIB2 + PAGE, FAULT, MIB2 + 2 * PAGE, phys + 2 * PAGE);
    }

    @Test
    void deleteDomainWithLiveMappingsAfterDetach()
    {
        explicitScene();
        final long start = rig.emulator.tablePagesInUse() - 1;
        step("map", STATUS_SUCCESS, () -> mapAt(A, pfns(3, 4)), A, f(3));
        step("delete while attached", STATUS_RESOURCE_IN_USE, () -> rig.iommu.deleteDomain(domain), A, f(3));
        step("detach", STATUS_SUCCESS, () -> rig.iommu.detachDeviceEx(device), A, FAULT);
        step("delete with live mappings", STATUS_SUCCESS, () -> rig.iommu.deleteDomain(domain), A, FAULT);
        assertEquals(start, rig.emulator.tablePagesInUse(), "every table page back");
        step("map on the deleted domain", STATUS_INVALID_PARAMETER, () -> mapAt(A, pfns(3)), A, FAULT);
    }
}
