/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.NtStatus;
import dev.iommu.ptw.RadixPageTable;

/**
 * The mapping outcomes only the tables can tell that differ between the profiles, reported by either engine
 * ({@link MappingDomain}, {@link ObservedMappingEngine}) as {@link VerifierRule#PROFILE_DEPENDENT_RESULT} with both
 * answers. Callers test {@link Verifier#on} first: nothing here runs with the verifier off.
 */
final class MappingDivergence
{
    private MappingDivergence()
    {
    }

    /**
     * A map onto a present leaf: documented STATUS_IN_USE, observed STATUS_INVALID_PARAMETER (observed 8 item 6).
     */
    static void clash(final Verifier verifier, final String member, final Domain domain, final long address,
        final long length)
    {
        verifier.divergence(member, NtStatus.STATUS_IN_USE, NtStatus.STATUS_INVALID_PARAMETER, objects(domain),
            address, length, "a clash with a present leaf");
    }

    /**
     * A map over a token's range or a reserved region: documented STATUS_IN_USE; observed, a success unless a leaf is
     * present there (observed 8 item 6).
     */
    static void protectedMap(final Verifier verifier, final String member, final Domain domain, final long address,
        final long length, final boolean leafPresent)
    {
        verifier.divergence(member, NtStatus.STATUS_IN_USE,
            leafPresent ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS, objects(domain), address,
            length, "a map over a token's range or a reserved region");
    }

    /**
     * An unmap of a range with nothing mapped whose tables exist: documented STATUS_INVALID_PARAMETER, observed
     * STATUS_SUCCESS (observed 8 item 8).
     */
    static void unmapOfNothing(final Verifier verifier, final String member, final Domain domain,
        final long address, final long length)
    {
        verifier.divergence(member, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_SUCCESS, objects(domain),
            address, length, "no page of the range was mapped (its tables exist)");
    }

    /**
     * A partial unmap of an allocator block: both succeed, but the documented profile keeps the block until its last
     * page is unmapped and the observed one frees it whole at once (observed 8 item 8).
     */
    static void partialBlock(final Verifier verifier, final String member, final Domain domain,
        final long address, final long length, final boolean observedSide)
    {
        verifier.divergence(member, NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS, objects(domain), address,
            length, observedSide ?
            "the whole block was freed after an unmap of part of it (documented: freed with its last page)" :
            "pages of the block stay mapped and allocated (observed: the whole block is freed now)");
    }

    /**
     * UnmapIdentityRange(Ex) of a page that is not identity-mapped: documented {@code documentedStatus} (_2),
     * observed a success when the page's tables exist (Windows does not look), else STATUS_INVALID_PARAMETER
     * (observed 8 item 12).
     */
    static void notIdentityMapped(final Verifier verifier, final Domain domain, final long address,
        final int documentedStatus, final boolean tablesPresent)
    {
        verifier.divergence("UnmapIdentityRangeEx", documentedStatus,
            tablesPresent ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER, objects(domain), address,
            4096, "a page of the range is not identity-mapped: Windows zeroes it anyway");
    }

    /**
     * An unmap cutting a large leaf: documented STATUS_CONFLICTING_ADDRESSES; Windows maps 4 KiB leaves only, so
     * the observed profile unmaps (observed 8 item 9).
     */
    static void cutLargeLeaf(final Verifier verifier, final String member, final Domain domain, final long address,
        final long length)
    {
        verifier.divergence(member, NtStatus.STATUS_CONFLICTING_ADDRESSES, NtStatus.STATUS_SUCCESS, objects(domain),
            address, length, "a cut large leaf: Windows maps 4 KiB leaves only");
    }

    /**
     * Whether every 2 MiB region of the range has its last-level table (what Windows' unmap needs to succeed).
     */
    static boolean tablesPresent(final RadixPageTable table, final long address, final long end)
    {
        for (long pos = address; pos < end; pos = ((pos >>> 21) + 1) << 21)
        {
            if (!table.leafTablePresent(pos))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The objects string of a report: {@code domain#<id>}.
     */
    static String objects(final Domain domain)
    {
        return null == domain ? "domain#?" : "domain#" + domain.id();
    }
}
