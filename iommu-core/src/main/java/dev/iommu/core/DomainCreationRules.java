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
 * {@link #regionPages()}, with {@link #regionIdentityMapped(int)}.
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
                return status;
            }
        }
        if (!domainOutPresent)
        {
            regionCount = 0;
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
        return NtStatus.STATUS_SUCCESS;
    }
}
