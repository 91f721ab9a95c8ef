/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuMapPhysicalAddressType;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.core.iova.IovaAllocator;

/**
 * Windows as observed (x64 build A) for the mapping and token members (observed record sections 4 and 5): each
 * method here overrides the {@link MappingRules} method of the same
 * member, holds that member's checks in Windows' order, and cites the row of the observed-behaviour record it
 * reproduces. A member not overridden answers as documented in both profiles.
 * <p>
 * The mapping members' engine routines are overridden too: past the rules, {@link ObservedMappingEngine} maps and
 * unmaps as Windows does (partial mappings left on a table shortage, unmaps that zero without looking, the whole
 * allocator block freed). Common to the mapping members (observed 4, common facts): permission bits are never
 * validated; a NULL domain (Windows does not check it: undefined) keeps the documented STATUS_INVALID_PARAMETER, and
 * an address range past the domain's address space (which the x64 evidence does not show) keeps the documented
 * status of that parameter.
 */
class ObservedMappingRules extends ObservedTokenRules
{
    private static final long PAGE_MASK = 4095;

    /**
     * {@code MapLogicalRangeEx}: observed 4 MapLogicalRangeEx rows 1 (Translate or TranslateS1, else _1), 2 and 3
     * (an unaligned contiguous Base, an invalid MDL or PFN array, size 0: _3; a contiguous Size is rounded up), 4a
     * (no allocator, no Explicit: NOT_SUPPORTED), 4b (no allocator, Explicit unaligned: _2; Min and Max ignored), 5a
     * (allocator and Explicit: _2 unless Explicit lies in a reserved region given at creation), 5b to 5d (the
     * allocator's window: {@link #allocatorWindow}); 5e and 6 are the engine's. Row 7: LogicalAddressOut is not
     * NULL-checked by Windows (undefined): the documented _7 is kept, checked last.
     */
    @Override
    int mapLogicalRangeEx(final Domain domain, final int permissions, final IommuMapPhysicalAddress physical,
        final LongRef explicitAddress, final LongRef minAddress, final LongRef maxAddress, final LongRef addressOut)
    {
        final int status = mappingDomain(domain, true);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final long pages = ObservedMappingEngine.pageCount(physical);
        if (pages < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final MappingDomain mapping = (MappingDomain)domain;
        final IovaAllocator allocator = mapping.allocator();
        if (null == allocator && null == explicitAddress)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        if (null != explicitAddress)
        {
            final long address = explicitAddress.get();
            if ((address & PAGE_MASK) != 0 || null != allocator && allocator.reservedRegionAt(address) < 0)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_2;
            }
            if (!fits(mapping, address, pages))
            {
                return NtStatus.STATUS_INVALID_PARAMETER_4;
            }
        }
        else
        {
            final int window = allocatorWindow(mapping, pages, minAddress, maxAddress);
            if (window != NtStatus.STATUS_SUCCESS)
            {
                return window;
            }
        }
        return null == addressOut ? NtStatus.STATUS_INVALID_PARAMETER_7 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * HalpBuddyAllocatorAllocateLogicalAddress's checks (observed 4 MapLogicalRangeEx rows 5b to 5d): a size whose
     * block (a power of two of at least 4 KiB) is above 2^AddressWidth _3; the window [Min rounded up, (Max+1)
     * rounded down) to the block size: Min above Max, an overflow, or a window narrower than one block
     * STATUS_INVALID_PARAMETER (plain); a window that starts past the allocator's range STATUS_INVALID_PARAMETER_MIX.
     * A NULL Max is the domain's last address.
     */
    static int allocatorWindow(final MappingDomain domain, final long pages, final LongRef minAddress,
        final LongRef maxAddress)
    {
        final long block = ObservedMappingEngine.blockSize(pages);
        if (block == 0 || Long.compareUnsigned(block, domain.limit()) > 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final long min = null == minAddress ? 0 : minAddress.get();
        final long max = null == maxAddress ? domain.limit() - 1 : maxAddress.get();
        if (Long.compareUnsigned(min, max) > 0 || max == -1)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final long low = ObservedMappingEngine.windowLow(minAddress, block);
        final long end = ObservedMappingEngine.windowEnd(domain, maxAddress, block);
        if (low == -1 || Long.compareUnsigned(end, low) <= 0 || Long.compareUnsigned(end - low, block) < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return Long.compareUnsigned(low, domain.limit()) >= 0 ?
            NtStatus.STATUS_INVALID_PARAMETER_MIX : NtStatus.STATUS_SUCCESS;
    }

    /**
     * V1 {@code MapLogicalRange}: observed 4 V1 MapLogicalRange: type not Translate (TranslateS1 refused) _1; MDL
     * invalid _3; LogicalAddress unaligned _4 (also past the address space: documented, not in the evidence); no
     * allocator or permission check.
     */
    @Override
    int mapLogicalRange(final Domain domain, final int permissions, final Mdl mdl, final long logicalAddress)
    {
        final int status = mappingDomain(domain, false);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final long pages = PhysicalPages.pageCount(mdl);
        if (pages < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        return fits((MappingDomain)domain, logicalAddress, pages) ?
            NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_4;
    }

    /**
     * {@code UnmapLogicalRange}: observed 4 UnmapLogicalRange rows 1 (Translate or TranslateS1, else _1) and 2
     * (LogicalAddress unaligned _2). Row 3: NumberOfPages 0 passes (nothing unmapped, the block freed); a range past
     * the address space keeps the documented _3. Tokens and reserved regions are not protected (row "—").
     */
    @Override
    int unmapLogicalRange(final Domain domain, final long address, final long numberOfPages)
    {
        final int status = mappingDomain(domain, true);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if ((address & PAGE_MASK) != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        final MappingDomain mapping = (MappingDomain)domain;
        return numberOfPages < 0 || !fits(mapping, address, numberOfPages) ?
            NtStatus.STATUS_INVALID_PARAMETER_3 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code MapIdentityRangeEx}: observed 4 MapIdentityRangeEx rows 1 (PassThrough: SUCCESS, no validation), 2
     * (not Translate or TranslateS1 _1), 3 (description invalid or size 0 _3; a frame past the address space too,
     * documented), 4 and 6 (with an allocator, each claim at the page's own address must lie in a reserved region,
     * else _2: a contiguous range claims at its Base, a frame list page by page).
     */
    @Override
    int mapIdentityRangeEx(final Domain domain, final int permissions, final IommuMapPhysicalAddress physical)
    {
        final int status = identityDomain(domain, true);
        if (status != NtStatus.STATUS_SUCCESS || passThrough(domain))
        {
            return status;
        }
        final long pages = ObservedMappingEngine.pageCount(physical);
        if (pages < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final MappingDomain mapping = (MappingDomain)domain;
        final long base = PhysicalPages.base(physical);
        final long[] frames = PhysicalPages.frames(physical);
        if (!identityFits(mapping, base, frames, pages))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        final IovaAllocator allocator = mapping.allocator();
        if (null != allocator)
        {
            final long claims = physical.mapType() == IommuMapPhysicalAddressType.CONTIGUOUS_RANGE ? 1 : pages;
            for (long i = 0; i < claims; i++)
            {
                if (allocator.reservedRegionAt(PhysicalPages.frame(base, frames, i) << 12) < 0)
                {
                    return NtStatus.STATUS_INVALID_PARAMETER_2;
                }
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * V1 {@code MapIdentityRange}: observed 4 V1 MapIdentityRange: PassThrough SUCCESS (no-op); type not Translate
     * _1; MDL invalid _3 (a frame past the address space too, documented); the identity map.
     */
    @Override
    int mapIdentityRange(final Domain domain, final int permissions, final Mdl mdl)
    {
        final int status = identityDomain(domain, false);
        if (status != NtStatus.STATUS_SUCCESS || passThrough(domain))
        {
            return status;
        }
        final long pages = PhysicalPages.pageCount(mdl);
        return pages < 0 || !identityFits((MappingDomain)domain, 0, mdl.pageFrames(), pages) ?
            NtStatus.STATUS_INVALID_PARAMETER_3 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code UnmapIdentityRangeEx}: observed 4 UnmapIdentityRangeEx rows 1 (PassThrough SUCCESS, no-op), 2 (not
     * Translate or TranslateS1 _1), 3 (description invalid or size 0 _2). Rows 4 and 5 are the engine's; whether the
     * range was identity-mapped is not checked.
     */
    @Override
    int unmapIdentityRangeEx(final Domain domain, final IommuMapPhysicalAddress physical)
    {
        final int status = identityDomain(domain, true);
        if (status != NtStatus.STATUS_SUCCESS || passThrough(domain))
        {
            return status;
        }
        return ObservedMappingEngine.pageCount(physical) < 0 ?
            NtStatus.STATUS_INVALID_PARAMETER_2 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * V1 {@code UnmapIdentityRange}: observed 4 V1 UnmapIdentityRange: PassThrough SUCCESS; type not Translate _1;
     * MDL invalid _2; the unmap.
     */
    @Override
    int unmapIdentityRange(final Domain domain, final Mdl mdl)
    {
        final int status = identityDomain(domain, false);
        if (status != NtStatus.STATUS_SUCCESS || passThrough(domain))
        {
            return status;
        }
        return PhysicalPages.pageCount(mdl) < 0 ? NtStatus.STATUS_INVALID_PARAMETER_2 : NtStatus.STATUS_SUCCESS;
    }

    // ------------------------------------------------------------------------------------------------------------
    // The engine routines: Windows' (ObservedMappingEngine)
    // ------------------------------------------------------------------------------------------------------------

    @Override
    int mapLogicalEngine(final MappingDomain domain, final int permissions, final IommuMapPhysicalAddress physical,
        final LongRef explicitAddress, final LongRef minAddress, final LongRef maxAddress, final LongRef addressOut)
    {
        return ObservedMappingEngine.mapLogical(
            domain, permissions, physical, explicitAddress, minAddress, maxAddress, addressOut);
    }

    @Override
    int mapAtEngine(final MappingDomain domain, final int permissions, final Mdl mdl, final long logicalAddress)
    {
        return ObservedMappingEngine.mapAt(
            domain, permissions, mdl.pageFrames(), mdl.byteCount() >>> 12, logicalAddress);
    }

    @Override
    int unmapLogicalEngine(final MappingDomain domain, final long logicalAddress, final long numberOfPages)
    {
        return ObservedMappingEngine.unmapLogical(domain, logicalAddress, numberOfPages);
    }

    @Override
    int mapIdentityEngine(final MappingDomain domain, final int permissions, final IommuMapPhysicalAddress physical)
    {
        if (domain.type() == IommuDmaDomainType.PASS_THROUGH)
        {
            return NtStatus.STATUS_SUCCESS;
        }
        return ObservedMappingEngine.mapIdentity(domain, permissions, PhysicalPages.base(physical),
            PhysicalPages.frames(physical), ObservedMappingEngine.pageCount(physical), true);
    }

    @Override
    int mapIdentityEngine(final MappingDomain domain, final int permissions, final Mdl mdl)
    {
        if (domain.type() == IommuDmaDomainType.PASS_THROUGH)
        {
            return NtStatus.STATUS_SUCCESS;
        }
        return ObservedMappingEngine.mapIdentity(
            domain, permissions, 0, mdl.pageFrames(), mdl.byteCount() >>> 12, false);
    }

    @Override
    int unmapIdentityEngine(final MappingDomain domain, final IommuMapPhysicalAddress physical)
    {
        if (domain.type() == IommuDmaDomainType.PASS_THROUGH)
        {
            return NtStatus.STATUS_SUCCESS;
        }
        return ObservedMappingEngine.unmapIdentity(domain, PhysicalPages.base(physical),
            PhysicalPages.frames(physical), ObservedMappingEngine.pageCount(physical), true);
    }

    @Override
    int unmapIdentityEngine(final MappingDomain domain, final Mdl mdl)
    {
        if (domain.type() == IommuDmaDomainType.PASS_THROUGH)
        {
            return NtStatus.STATUS_SUCCESS;
        }
        return ObservedMappingEngine.unmapIdentity(domain, 0, mdl.pageFrames(), mdl.byteCount() >>> 12, false);
    }

    /**
     * The first rows of the four identity members: PassThrough is STATUS_SUCCESS at once (a no-op, nothing
     * validated); any other domain must be a mapping domain of the member's types ({@link #mappingDomain}).
     */
    private static int identityDomain(final Domain domain, final boolean translateS1)
    {
        return passThrough(domain) ? NtStatus.STATUS_SUCCESS : mappingDomain(domain, translateS1);
    }

    private static boolean passThrough(final Domain domain)
    {
        return null != domain && domain.type() == IommuDmaDomainType.PASS_THROUGH && domain instanceof MappingDomain;
    }

    /**
     * A library-owned mapping domain of type Translate, or TranslateS1 when the member takes it (the Ex members:
     * observed 8 item 5); a NULL or dead domain STATUS_INVALID_PARAMETER (undefined on Windows: documented kept).
     */
    private static int mappingDomain(final Domain domain, final boolean translateS1)
    {
        if (null == domain)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final IommuDmaDomainType type = domain.type();
        return (type == IommuDmaDomainType.TRANSLATE || translateS1 && type == IommuDmaDomainType.TRANSLATE_S1) &&
            domain instanceof MappingDomain ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1;
    }
}
