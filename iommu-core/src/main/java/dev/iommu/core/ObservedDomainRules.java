/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaLogicalAllocatorType;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;

/**
 * Windows as observed (x64 build A) for the domain members (CreateDomain, CreateDomainEx, DeleteDomain, FlushDomain,
 * FlushDomainByVaList, ConfigureDomain; observed record section 2): each method here overrides the {@link
 * DomainRules} method of the same
 * member, holds that member's checks in Windows' order, and cites the row of the observed-behaviour record it
 * reproduces. A member not overridden answers as documented in both profiles.
 * <p>
 * FlushDomain, FlushDomainByVaList and ConfigureDomain are not overridden: on x64 Windows refuses every type but
 * Unmanaged with STATUS_INVALID_PARAMETER_1 first (observed 2 FlushDomain row 1, FlushDomainByVaList row 1,
 * ConfigureDomain row 1), and no Unmanaged domain can exist there (CreateDomainEx row 3), which is exactly the
 * documented rule's answer for every domain a driver can hold. On ARM64 platforms Unmanaged domains, flushes and
 * configurations follow the documented contract (observed 8 item 21: x64 evidence cannot show them). A NULL handle
 * there is undefined on Windows (no check): the documented STATUS_INVALID_PARAMETER stays.
 */
class ObservedDomainRules extends DomainRules
{
    /** Flags bit 62: on native Windows the only flag that matters (observed 2 CreateDomainEx row 4). */
    static final long FLAG_BIT_62 = 1L << 62;
    /** The narrowest buddy allocator Windows accepts (observed 2 CreateDomainEx row 10). */
    static final int MIN_BUDDY_WIDTH = 12;

    /**
     * {@code CreateDomainEx} as observed 2 CreateDomainEx rows 1-16 (HalpIommuAllocateDmaDomain, build A), in
     * Windows' order:
     * <ol>
     *     <li>row 1: the platform's domain limit reached: STATUS_INSUFFICIENT_RESOURCES, before any argument;</li>
     *     <li>row 2: type null or DomainTypeMax: STATUS_INVALID_PARAMETER_1;</li>
     *     <li>row 3: Unmanaged: STATUS_NOT_SUPPORTED on x64 (ARM64 platforms: the documented rule, observed 8
     *     item 21);</li>
     *     <li>row 4: Flags not validated: bit 62 STATUS_NOT_SUPPORTED (native), every other bit ignored (row 5,
     *     the hypervisor IOMMU, is not emulated);</li>
     *     <li>row 6: table memory is the factory's STATUS_INSUFFICIENT_RESOURCES (after the checks here);</li>
     *     <li>row 7: an allocator (type not None) on PassThrough: STATUS_INVALID_PARAMETER;</li>
     *     <li>row 8: allocator type None: no allocator;</li>
     *     <li>row 9: allocator type null or Max: STATUS_INVALID_PARAMETER_1;</li>
     *     <li>row 10: buddy AddressWidth outside 12..63: STATUS_INVALID_PARAMETER_1;</li>
     *     <li>row 11: an allocator on TranslateS1 is allowed;</li>
     *     <li>rows 12-14: the reserved regions, unvalidated ({@link DomainCreationRules#observed});</li>
     *     <li>row 16: DomainOut is written only on success and never checked: a null holder is undefined on Windows,
     *     so the documented STATUS_INVALID_PARAMETER_5 stays, last.</li>
     * </ol>
     * Row 15 (a failure undoes the identity maps and frees the domain) is the factory's: nothing is left behind.
     */
    @Override
    int createDomainEx(
        final boolean domainsExhausted,
        final DomainCreationRules creation,
        final IommuDmaDomainType type,
        final long flags,
        final IommuDmaLogicalAllocatorConfig allocatorConfig,
        final IommuDmaReservedRegion regions,
        final Ref<IommuDmaDomain> domainOut,
        final int tableWidth,
        final Architecture architecture)
    {
        if (domainsExhausted)
        {
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        if (null == type || type == IommuDmaDomainType.MAX)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (type == IommuDmaDomainType.UNMANAGED)
        {
            return architecture == Architecture.ARM64 ? super.createDomainEx(false, creation, type, flags,
                allocatorConfig, regions, domainOut, tableWidth, architecture) : NtStatus.STATUS_NOT_SUPPORTED;
        }
        if ((flags & FLAG_BIT_62) != 0)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        boolean withAllocator = false;
        int width = 0;
        if (null != allocatorConfig && allocatorConfig.logicalAllocatorType() != IommuDmaLogicalAllocatorType.NONE)
        {
            if (type == IommuDmaDomainType.PASS_THROUGH)
            {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            if (allocatorConfig.logicalAllocatorType() != IommuDmaLogicalAllocatorType.BUDDY)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_1;
            }
            width = allocatorConfig.addressWidth();
            if (width < MIN_BUDDY_WIDTH || width > DomainCreationRules.MAX_ADDRESS_WIDTH)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_1;
            }
            withAllocator = true;
        }
        final int status = creation.observed(withAllocator, width, regions, tableWidth);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        return null == domainOut ? NtStatus.STATUS_INVALID_PARAMETER_5 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * V1 {@code CreateDomain} as observed 2 CreateDomainEx (IommuDomainCreate, build A, forwards TRUE as Translate
     * and FALSE as Unmanaged, with no allocator, no regions and flags 0): row 1, the domain limit, first
     * (STATUS_INSUFFICIENT_RESOURCES); row 3, FALSE is STATUS_NOT_SUPPORTED on x64 (ARM64: documented); a null
     * DomainOut, never checked by Windows (row 16), keeps the documented STATUS_INVALID_PARAMETER_2, last.
     */
    @Override
    int createDomain(final boolean domainsExhausted, final boolean osManagedPageTable,
        final Ref<IommuDmaDomain> domainOut, final Architecture architecture)
    {
        if (domainsExhausted)
        {
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        if (!osManagedPageTable && architecture != Architecture.ARM64)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        return super.createDomain(false, osManagedPageTable, domainOut, architecture);
    }

    /**
     * {@code DeleteDomain} as observed 2 DeleteDomain row 1 (IommuDomainDelete, build A): a NULL handle is
     * STATUS_SUCCESS and does nothing. A foreign or deleted handle is a use-after-free on Windows (undefined): the
     * documented STATUS_INVALID_PARAMETER stays.
     */
    @Override
    int deleteDomain(final IommuDmaDomain handle, final Domain domain)
    {
        return null == handle ? NtStatus.STATUS_SUCCESS : super.deleteDomain(handle, domain);
    }

    /**
     * {@code DeleteDomain} under the domain's monitor, as observed 2 DeleteDomain rows 2-5 (HalpIommuFreeDmaDomain,
     * build A): a PASID sub-device still attached is STATUS_RESOURCE_IN_USE (row 2); ordinary devices attached (row
     * 3) and tokens outstanding (row 4) are not checked: the domain is deleted under them (row 5). The devices stay
     * attached to the dead domain and their DMA faults; its tokens answer as freed ones.
     */
    @Override
    int deleteDomainInUse(final int attachedDevices, final int attachedPasidDevices, final int outstandingTokens)
    {
        return attachedPasidDevices != 0 ? NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_SUCCESS;
    }
}
