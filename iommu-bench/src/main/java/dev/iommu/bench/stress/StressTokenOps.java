/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

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
 * segments, so that every status and every translation through a segment is predicted exactly, in the run's
 * {@link StressProfile}. A segment's leaves in the explicit domain live in the worker's {@link PageModel} of that
 * domain (where the profile does not protect reservations, explicit maps and unmaps reach them, a token freed
 * zeroes whatever lies in its range, and a segment may run past its token's end). The worker asks it whether a range
 * touches a token.
 */
final class StressTokenOps
{
    private static final long PAGE = StressChecks.PAGE;

    private final StressWorker worker;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final IommuDmaDomain allocatorDomain;
    private final IommuDmaDomain explicitDomain;
    private final StressProfile profile;
    private final PageModel explicit;
    private final List<Token> tokens = new ArrayList<>();
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();

    StressTokenOps(final StressWorker worker, final StressChecks checks, final SplittableRandom random)
    {
        this.worker = worker;
        this.checks = checks;
        this.random = random;
        this.allocatorDomain = worker.allocatorDomain();
        this.explicitDomain = worker.explicitDomain();
        this.profile = checks.profile();
        this.explicit = worker.explicitModel();
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
        final boolean conflict = profile.reservationsProtectRange() &&
            (explicit.anyMapped(page, pages) || overlaps(explicitDomain, base, base + pages * PAGE));
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
        final long end = (offsetPages + pages) * PAGE;
        final boolean inExplicit = token.domain == explicitDomain;
        final long first = token.base / PAGE + offsetPages;
        final int expected;
        if (Long.compareUnsigned(end, profile.tokenMapBound(token.base, token.size)) > 0)
        {
            expected = NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        else if (end > token.size && !inExplicit)
        {
            // Past the token's end but inside the profile's bound (observed 5 MapReservedLogicalRange row 4): in the
            // allocator domain that lands in the allocator's space, where a later allocation would clash with it.
            return;
        }
        else if (inExplicit ? explicit.anyMapped(first, pages) :
            token.overlapsSegment(offsetPages * PAGE, pages * PAGE))
        {
            expected = NtStatus.STATUS_RESOURCE_IN_USE;
        }
        else
        {
            expected = NtStatus.STATUS_SUCCESS;
            if (inExplicit)
            {
                explicit.map(first, frames, IommuPermissions.READ_WRITE, false);
            }
        }
        check("MapReservedLogicalRange", expected, iommu.mapReservedLogicalRange(
            token.handle, offsetPages * PAGE, IommuPermissions.READ_WRITE, physical, segment), "token",
            token.base + offsetPages * PAGE);
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            token.segments.add(new Segment(offsetPages * PAGE, segment));
            token.count++;
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
        final Segment segment = token.segments.get(0);
        if (unmapSegment(token, segment) && random.nextInt(4) == 0)
        {
            // The same segment again (zeroed, or kept with size 0): refused, or, where only the token's segment
            // count is checked, accepted while the token has other segments, lowering the count again.
            final int again = profile.unmapSegmentAgain(token.count);
            check("UnmapReservedLogicalRange", again, worker.iommu().unmapReservedLogicalRange(segment.segment),
                "token, a segment unmapped already", token.base + segment.offset);
            if (again == NtStatus.STATUS_SUCCESS)
            {
                token.count--;
            }
        }
    }

    /**
     * UnmapReservedLogicalRange of a mapped segment: refused while the token's segment count is 0 (only after a
     * segment was unmapped twice); else its leaves go, and the segment is zeroed as the profile zeroes it.
     *
     * @return whether it was unmapped.
     */
    private boolean unmapSegment(final Token token, final Segment segment)
    {
        final long offset = segment.offset;
        final long size = segment.segment.size();
        final int expected = token.count > 0 ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER;
        check("UnmapReservedLogicalRange", expected,
            worker.iommu().unmapReservedLogicalRange(segment.segment), "token", token.base + offset);
        if (expected != NtStatus.STATUS_SUCCESS)
        {
            return false;
        }
        token.segments.remove(segment);
        token.count--;
        if (token.domain == explicitDomain)
        {
            explicit.zero((token.base + offset) / PAGE, size / PAGE);
        }
        final boolean kept = segment.segment.owningToken() == token.handle && segment.segment.offset() == 0 &&
            segment.segment.size() == 0;
        if (profile.segmentKeepsOwningToken() ? !kept : null != segment.segment.owningToken())
        {
            checks.fail("UnmapReservedLogicalRange", "token", token.base + offset, "the segment afterwards: token " +
                segment.segment.owningToken() + ", offset " + segment.segment.offset() + ", size " +
                segment.segment.size());
        }
        return true;
    }

    /**
     * FreeReservedLogicalAddressRange succeeded: the leaves over the whole token are zeroed (in the explicit domain
     * they may be other tokens' segments or explicit maps, where the profile does not protect reservations).
     */
    private void freed(final Token token)
    {
        if (token.domain == explicitDomain)
        {
            explicit.zero(token.base / PAGE, token.size / PAGE);
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
        final int expected = token.count == 0 ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_RESOURCE_IN_USE;
        check("FreeReservedLogicalAddressRange", expected, iommu.freeReservedLogicalAddressRange(token.handle),
            "token", token.base);
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            tokens.remove(at);
            freed(token);
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
     * Unmaps every segment and frees every token.
     */
    void cleanUp()
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        for (final Token token : tokens)
        {
            for (final Segment segment : new ArrayList<>(token.segments))
            {
                unmapSegment(token, segment);
            }
            check("FreeReservedLogicalAddressRange", NtStatus.STATUS_SUCCESS,
                iommu.freeReservedLogicalAddressRange(token.handle), "cleanup", token.base);
            freed(token);
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
        /** The segments mapped and not unmapped. */
        final List<Segment> segments = new ArrayList<>();
        /**
         * The token's segment count: the number of segments, less the second unmaps of a segment the profile
         * accepted ({@link StressProfile#unmapSegmentAgain}).
         */
        int count;

        Token(final IommuDmaDomain domain, final IommuDmaLogicalAddressToken handle, final long base, final long size)
        {
            this.domain = domain;
            this.handle = handle;
            this.base = base;
            this.size = size;
        }

        boolean overlapsSegment(final long offset, final long size)
        {
            for (final Segment segment : segments)
            {
                if (segment.offset < offset + size && offset < segment.offset + segment.segment.size())
                {
                    return true;
                }
            }
            return false;
        }
    }

    private static final class Segment
    {
        final long offset;
        final IommuDmaLogicalAddressTokenMappedSegment segment;

        Segment(final long offset, final IommuDmaLogicalAddressTokenMappedSegment segment)
        {
            this.offset = offset;
            this.segment = segment;
        }
    }
}
