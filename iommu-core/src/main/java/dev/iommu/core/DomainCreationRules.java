/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.Arrays;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaLogicalAllocatorType;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.NtStatus;

/**
 * The argument rules of CreateDomainEx (spec 2.2, 3.3 to 3.6) and the choices of spec 5.3 items 13 and 16, in
 * one place. Checked in this order, each with its own status:
 * <ol>
 *     <li>type null or DomainTypeMax: STATUS_INVALID_PARAMETER_1;</li>
 *     <li>Flags not 0 (all bits are reserved): STATUS_INVALID_PARAMETER_2;</li>
 *     <li>allocator configuration: type None means no allocator; a null or Max type, an allocator on a domain
 *     that is not Translate, or an AddressWidth outside {@link #MIN_ADDRESS_WIDTH} to
 *     {@link #MAX_ADDRESS_WIDTH}: STATUS_INVALID_PARAMETER_3;</li>
 *     <li>reserved regions (Translate and PassThrough domains only): each page-aligned, at least one page, not
 *     past the top of the domain's address space, not overlapping another, at most {@link #MAX_REGIONS} (a
 *     longer list is taken for a loop): STATUS_INVALID_PARAMETER_4;</li>
 *     <li>no DomainOut: STATUS_INVALID_PARAMETER_5.</li>
 * </ol>
 * A successful check leaves the regions sorted by base in {@link #regionBases()} and
 * {@link #regionPages()}, with {@link #regionIdentityMapped(int)}, and the ranges to identity-map, in list order, in
 * {@link #identityBases()} and {@link #identityPages()}.
 * <p>
 * The observed profile ({@link ObservedDomainRules#createDomainEx}) checks its own sequence and records its outcome
 * here through {@link #observed}: its regions are not validated, so {@link #regionBases()} then holds their union
 * (sorted, disjoint: what the allocator carves out and the domain protects) and the identity list the ShouldMap
 * regions as given.
 */
final class DomainCreationRules
{
    /** The narrowest allocator: one page above the never-handed-out page 0 needs 13 bits. */
    static final int MIN_ADDRESS_WIDTH = 13;
    /** The widest allocator on 64-bit Windows (spec 3.5). */
    static final int MAX_ADDRESS_WIDTH = 63;
    /** The most reserved regions one domain takes. */
    static final int MAX_REGIONS = 1024;

    private static final long PAGE_SIZE = 4096;

    private int regionCount;
    private long[] bases = new long[0];
    private long[] pages = new long[0];
    private boolean[] identity = new boolean[0];
    private int identityCount;
    private long[] identityBases = new long[0];
    private long[] identityPages = new long[0];
    private boolean allocator;
    private int addressWidth;

    /**
     * Checks the arguments of a CreateDomainEx call.
     *
     * @param type             the domain type.
     * @param flags            the creation flags.
     * @param allocatorConfig  the allocator configuration, or null.
     * @param regions          the first reserved region, or null.
     * @param domainOutPresent whether a DomainOut holder was passed.
     * @param tableWidth       the widest input address the domain's tables can hold (bits), bounding regions.
     * @return STATUS_SUCCESS or the status of the first rule broken.
     */
    int check(
        final IommuDmaDomainType type,
        final long flags,
        final IommuDmaLogicalAllocatorConfig allocatorConfig,
        final IommuDmaReservedRegion regions,
        final boolean domainOutPresent,
        final int tableWidth)
    {
        regionCount = 0;
        identityCount = 0;
        allocator = false;
        addressWidth = tableWidth;
        if (null == type || type == IommuDmaDomainType.MAX)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (flags != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (null != allocatorConfig && allocatorConfig.logicalAllocatorType() != IommuDmaLogicalAllocatorType.NONE)
        {
            final int width = allocatorConfig.addressWidth();
            if (allocatorConfig.logicalAllocatorType() != IommuDmaLogicalAllocatorType.BUDDY ||
                type != IommuDmaDomainType.TRANSLATE || width < MIN_ADDRESS_WIDTH || width > MAX_ADDRESS_WIDTH)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_3;
            }
            allocator = true;
            addressWidth = Math.min(width, tableWidth);
        }
        if (null != regions)
        {
            if (type != IommuDmaDomainType.TRANSLATE && type != IommuDmaDomainType.PASS_THROUGH)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_4;
            }
            final int status = collectRegions(regions);
            if (status != NtStatus.STATUS_SUCCESS)
            {
                regionCount = 0;
                identityCount = 0;
                return status;
            }
        }
        if (!domainOutPresent)
        {
            regionCount = 0;
            identityCount = 0;
            return NtStatus.STATUS_INVALID_PARAMETER_5;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Whether the checked configuration asked for an allocator.
     */
    boolean hasAllocator()
    {
        return allocator;
    }

    /**
     * The width of the domain's logical address space: the allocator's AddressWidth, capped at the widest the
     * tables hold (spec 3.5 allows 63; the widest emulated table is 57 bits), or the table width without an
     * allocator.
     */
    int addressWidth()
    {
        return addressWidth;
    }

    int regionCount()
    {
        return regionCount;
    }

    /**
     * The region bases, sorted; valid up to {@link #regionCount()}.
     */
    long[] regionBases()
    {
        return bases;
    }

    /**
     * The region lengths in pages, in the order of {@link #regionBases()}.
     */
    long[] regionPages()
    {
        return pages;
    }

    boolean regionIdentityMapped(final int index)
    {
        return identity[index];
    }

    /**
     * How many ranges the domain identity-maps read+write at creation.
     */
    int identityCount()
    {
        return identityCount;
    }

    /**
     * The bases of the ranges to identity-map, valid up to {@link #identityCount()}.
     */
    long[] identityBases()
    {
        return identityBases;
    }

    /**
     * The lengths in pages of the ranges to identity-map.
     */
    long[] identityPages()
    {
        return identityPages;
    }

    /**
     * Windows as observed, rows 8 to 14 of CreateDomainEx (observed record section 2), after the caller's earlier
     * rows passed: records the allocator and walks the reserved regions, validating none of them. Each Base is
     * rounded down to 4 KiB; with an allocator a region of 0 pages is STATUS_INVALID_PARAMETER_3 (row 13) and parts
     * above the allocator's top are clipped by the factory; overlapping regions are accepted; a ShouldMap region is
     * identity-mapped read+write, and one whose pages clash with an earlier ShouldMap region's leaves is
     * STATUS_INVALID_PARAMETER (row 14). A ShouldMap region past the top of the domain's tables cannot be mapped:
     * this emulator answers STATUS_INVALID_PARAMETER there too (its choice: the record does not show that case).
     * A list longer than {@link #MAX_REGIONS} is taken for a loop, as documented (STATUS_INVALID_PARAMETER_4):
     * Windows would walk a looped list forever. Writes only this object.
     *
     * @param withAllocator  whether a buddy allocator was asked for (rows 9 and 10 passed).
     * @param allocatorWidth its AddressWidth (12 to 63).
     * @param first          the first region, or null.
     * @param tableWidth     the widest input address the domain's tables can hold (bits).
     * @return STATUS_SUCCESS or the status of the first region refused.
     */
    int observed(final boolean withAllocator, final int allocatorWidth, final IommuDmaReservedRegion first,
        final int tableWidth)
    {
        regionCount = 0;
        identityCount = 0;
        allocator = withAllocator;
        addressWidth = withAllocator ? Math.min(allocatorWidth, tableWidth) : tableWidth;
        final int mapBits = DomainFactory.tableWidthFor(addressWidth);
        final long mapTop = 1L << mapBits;
        int count = 0;
        for (IommuDmaReservedRegion r = first; null != r; r = r.regionNext())
        {
            if (++count > MAX_REGIONS)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_4;
            }
        }
        final long[] rBases = new long[count];
        final long[] rPages = new long[count];
        final long[] mBases = new long[count];
        final long[] mPages = new long[count];
        int ranges = 0;
        int maps = 0;
        for (IommuDmaReservedRegion r = first; null != r; r = r.regionNext())
        {
            final long base = r.base() & -PAGE_SIZE;
            final long numberOfPages = r.numberOfPages();
            if (withAllocator && numberOfPages == 0)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_3;
            }
            if (numberOfPages == 0 || base < 0)
            {
                if (r.shouldMap() && numberOfPages != 0)
                {
                    return NtStatus.STATUS_INVALID_PARAMETER;
                }
                continue;
            }
            final long maxPages = (Long.MAX_VALUE - base) >>> 12;
            final long pagesKept = numberOfPages < 0 || numberOfPages > maxPages ? maxPages : numberOfPages;
            rBases[ranges] = base;
            rPages[ranges++] = pagesKept;
            if (r.shouldMap())
            {
                if (pagesKept != numberOfPages || pagesKept > (mapTop - Math.min(base, mapTop)) >>> 12)
                {
                    return NtStatus.STATUS_INVALID_PARAMETER;
                }
                final long end = base + (pagesKept << 12);
                for (int i = 0; i < maps; i++)
                {
                    if (base < mBases[i] + (mPages[i] << 12) && mBases[i] < end)
                    {
                        return NtStatus.STATUS_INVALID_PARAMETER;
                    }
                }
                mBases[maps] = base;
                mPages[maps++] = pagesKept;
            }
        }
        union(rBases, rPages, ranges);
        identityBases = mBases;
        identityPages = mPages;
        identityCount = maps;
        return NtStatus.STATUS_SUCCESS;
    }

    private void union(final long[] rBases, final long[] rPages, final int n)
    {
        final Integer[] order = new Integer[n];
        for (int k = 0; k < n; k++)
        {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Long.compare(rBases[a], rBases[b]));
        bases = new long[n];
        pages = new long[n];
        identity = new boolean[n];
        int out = 0;
        for (int k = 0; k < n; k++)
        {
            final long base = rBases[order[k]];
            final long end = base + (rPages[order[k]] << 12);
            if (out > 0 && base <= bases[out - 1] + (pages[out - 1] << 12))
            {
                final long lastEnd = bases[out - 1] + (pages[out - 1] << 12);
                pages[out - 1] = (Math.max(lastEnd, end) - bases[out - 1]) >>> 12;
                continue;
            }
            bases[out] = base;
            pages[out++] = rPages[order[k]];
        }
        regionCount = out;
    }

    private int collectRegions(final IommuDmaReservedRegion first)
    {
        final long top = 1L << addressWidth;
        int count = 0;
        for (IommuDmaReservedRegion r = first; null != r; r = r.regionNext())
        {
            if (count == MAX_REGIONS)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_4;
            }
            final long base = r.base();
            final long numberOfPages = r.numberOfPages();
            if ((base & (PAGE_SIZE - 1)) != 0 || base < 0 || numberOfPages < 1 ||
                numberOfPages > (top - base) / PAGE_SIZE)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_4;
            }
            count++;
        }
        final long[] keys = new long[count];
        final IommuDmaReservedRegion[] byIndex = new IommuDmaReservedRegion[count];
        int i = 0;
        for (IommuDmaReservedRegion r = first; i < count; r = r.regionNext(), i++)
        {
            byIndex[i] = r;
            keys[i] = r.base();
        }
        final Integer[] order = new Integer[count];
        for (int k = 0; k < count; k++)
        {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Long.compare(keys[a], keys[b]));
        bases = new long[count];
        pages = new long[count];
        identity = new boolean[count];
        for (int k = 0; k < count; k++)
        {
            final IommuDmaReservedRegion r = byIndex[order[k]];
            bases[k] = r.base();
            pages[k] = r.numberOfPages();
            identity[k] = r.shouldMap();
            if (k > 0 && bases[k - 1] + pages[k - 1] * PAGE_SIZE > bases[k])
            {
                return NtStatus.STATUS_INVALID_PARAMETER_4;
            }
        }
        regionCount = count;
        identityBases = new long[count];
        identityPages = new long[count];
        for (int k = 0; k < count; k++)
        {
            if (identity[k])
            {
                identityBases[identityCount] = bases[k];
                identityPages[identityCount++] = pages[k];
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }
}
