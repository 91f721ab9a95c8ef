/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

/**
 * The logical address token operations of one stress thread (V2 members ReserveLogicalAddressRange,
 * MapReservedLogicalRange, UnmapReservedLogicalRange, FreeReservedLogicalAddressRange, through the table of the
 * worker's current operation): up to 16 tokens in the worker's allocator and explicit-address domains, with their
 * segments, so that every status and every translation through a segment is predicted exactly. The worker asks it
 * whether a range touches a token and which frame a segment maps.
 */
final class StressTokenOps
{
    private static final long PAGE = StressChecks.PAGE;

    private final StressWorker worker;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final IommuDmaDomain allocatorDomain;
    private final IommuDmaDomain explicitDomain;
    private final List<Token> tokens = new ArrayList<>();
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();

    StressTokenOps(final StressWorker worker, final StressChecks checks, final SplittableRandom random)
    {
        this.worker = worker;
        this.checks = checks;
        this.random = random;
        this.allocatorDomain = worker.allocatorDomain();
        this.explicitDomain = worker.explicitDomain();
    }

    void reserve()
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        checks.count(StressWorker.Call.RESERVE);
        if (tokens.size() >= 16)
        {
            return;
        }
        final int pages = 1 + random.nextInt(16);
        final Ref<IommuDmaLogicalAddressToken> token = new Ref<>();
        if (random.nextBoolean())
        {
            check("ReserveLogicalAddressRange", NtStatus.STATUS_SUCCESS, iommu.reserveLogicalAddressRange(
                allocatorDomain, pages * PAGE, null, null, null, token), "allocator domain", -1);
            final long base = token.get().logicalAddressBase();
            if (worker.allocatedOverlaps(base, base + pages * PAGE))
            {
                checks.fail("ReserveLogicalAddressRange", "allocator domain", base, "overlaps a live mapping");
            }
            tokens.add(new Token(allocatorDomain, token.get(), base, pages * PAGE));
            return;
        }
        final long page = 1 + random.nextLong(StressWorker.EXPLICIT_WINDOW_PAGES - 16);
        final long base = page * PAGE;
        final boolean conflict = worker.explicitMapped(page, pages) ||
            overlaps(explicitDomain, base, base + pages * PAGE);
        check("ReserveLogicalAddressRange", conflict ? NtStatus.STATUS_IN_USE : NtStatus.STATUS_SUCCESS,
            iommu.reserveLogicalAddressRange(explicitDomain, pages * PAGE, new LongRef(base), null, null, token),
            "explicit domain", base);
        if (!conflict)
        {
            tokens.add(new Token(explicitDomain, token.get(), base, pages * PAGE));
        }
    }

    void mapReserved()
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        checks.count(StressWorker.Call.MAP_RESERVED);
        if (tokens.isEmpty())
        {
            return;
        }
        final Token token = tokens.get(random.nextInt(tokens.size()));
        final long tokenPages = token.size / PAGE;
        final long offsetPages = random.nextLong(tokenPages + 1);
        final int pages = 1 + random.nextInt(4);
        final long[] frames = checks.frames(pages);
        physical.usePfnArray(frames, pages);
        final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
        final int expected;
        if (offsetPages + pages > tokenPages)
        {
            expected = NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        else if (token.overlapsSegment(offsetPages * PAGE, pages * PAGE))
        {
            expected = NtStatus.STATUS_RESOURCE_IN_USE;
        }
        else
        {
            expected = NtStatus.STATUS_SUCCESS;
        }
        check("MapReservedLogicalRange", expected, iommu.mapReservedLogicalRange(
            token.handle, offsetPages * PAGE, IommuPermissions.READ_WRITE, physical, segment), "token",
            token.base + offsetPages * PAGE);
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            token.segments.put(offsetPages * PAGE, new Segment(segment, frames));
        }
    }

    void unmapReserved()
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        checks.count(StressWorker.Call.UNMAP_RESERVED);
        if (tokens.isEmpty())
        {
            return;
        }
        final Token token = tokens.get(random.nextInt(tokens.size()));
        if (token.segments.isEmpty())
        {
            final IommuDmaLogicalAddressTokenMappedSegment forged = new IommuDmaLogicalAddressTokenMappedSegment()
                .owningToken(token.handle).offset(0).size(PAGE);
            check("UnmapReservedLogicalRange", NtStatus.STATUS_INVALID_PARAMETER,
                iommu.unmapReservedLogicalRange(forged), "token", token.base);
            return;
        }
        final Long offset = token.segments.firstKey();
        final Segment segment = token.segments.remove(offset);
        check("UnmapReservedLogicalRange", NtStatus.STATUS_SUCCESS, iommu.unmapReservedLogicalRange(segment.segment),
            "token", token.base + offset);
        if (null != segment.segment.owningToken())
        {
            checks.fail("UnmapReservedLogicalRange", "token", token.base + offset, "the segment was not zeroed");
        }
    }

    void freeToken()
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        checks.count(StressWorker.Call.FREE_TOKEN);
        if (tokens.isEmpty())
        {
            return;
        }
        final int at = random.nextInt(tokens.size());
        final Token token = tokens.get(at);
        final int expected = token.segments.isEmpty() ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_RESOURCE_IN_USE;
        check("FreeReservedLogicalAddressRange", expected, iommu.freeReservedLogicalAddressRange(token.handle),
            "token", token.base);
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            tokens.remove(at);
            check("FreeReservedLogicalAddressRange", NtStatus.STATUS_INVALID_PARAMETER,
                iommu.freeReservedLogicalAddressRange(token.handle), "freed token", token.base);
        }
    }

    /**
     * Whether a range of a domain touches one of this thread's tokens.
     */
    boolean overlaps(final IommuDmaDomain domain, final long from, final long to)
    {
        for (final Token token : tokens)
        {
            if (token.domain == domain && token.base < to && from < token.base + token.size)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The frame a segment maps at an address of the explicit domain, or -1.
     */
    long segmentFrame(final long iova)
    {
        for (final Token token : tokens)
        {
            if (token.domain == explicitDomain && iova >= token.base && iova < token.base + token.size)
            {
                final long offset = iova - token.base;
                final Map.Entry<Long, Segment> e = token.segments.floorEntry(offset);
                if (null != e && offset < e.getKey() + e.getValue().segment.size())
                {
                    return e.getValue().frames[(int)((offset - e.getKey()) / PAGE)];
                }
                return -1;
            }
        }
        return -1;
    }

    /**
     * Unmaps every segment and frees every token.
     */
    void cleanUp()
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        for (final Token token : tokens)
        {
            for (final Segment segment : token.segments.values())
            {
                check("UnmapReservedLogicalRange", NtStatus.STATUS_SUCCESS,
                    iommu.unmapReservedLogicalRange(segment.segment), "cleanup", token.base);
            }
            check("FreeReservedLogicalAddressRange", NtStatus.STATUS_SUCCESS,
                iommu.freeReservedLogicalAddressRange(token.handle), "cleanup", token.base);
        }
        tokens.clear();
    }

    private void check(
        final String call, final int expected, final int actual, final String object, final long address)
    {
        checks.check(worker.table(), call, expected, actual, object, address);
    }

    private static final class Token
    {
        final IommuDmaDomain domain;
        final IommuDmaLogicalAddressToken handle;
        final long base;
        final long size;
        final TreeMap<Long, Segment> segments = new TreeMap<>();

        Token(final IommuDmaDomain domain, final IommuDmaLogicalAddressToken handle, final long base, final long size)
        {
            this.domain = domain;
            this.handle = handle;
            this.base = base;
            this.size = size;
        }

        boolean overlapsSegment(final long offset, final long size)
        {
            final Map.Entry<Long, Segment> before = segments.lowerEntry(offset + size);
            return null != before && before.getKey() + before.getValue().segment.size() > offset;
        }
    }

    private static final class Segment
    {
        final IommuDmaLogicalAddressTokenMappedSegment segment;
        final long[] frames;

        Segment(final IommuDmaLogicalAddressTokenMappedSegment segment, final long[] frames)
        {
            this.segment = segment;
            this.frames = frames;
        }
    }
}
