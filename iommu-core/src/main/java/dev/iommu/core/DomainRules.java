/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.DomainConfigurationArch;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;

/**
 * The argument rules of the domain members: CreateDomain (V1), CreateDomainEx, DeleteDomain, FlushDomain,
 * FlushDomainByVaList and ConfigureDomain (spec 2.1 to 2.3, 2.8, 2.9, 2.20, 5.3). A null, foreign or deleted domain
 * is STATUS_INVALID_PARAMETER in every member (spec 5.2 item 10); the members pass it here as null.
 */
class DomainRules
{
    /**
     * {@code CreateDomainEx}: the list of {@link DomainCreationRules} (type _1, flags _2, allocator _3, regions _4,
     * no DomainOut _5), then spec 2.2's "type not allowed": Unmanaged on a platform that is not ARM64 is
     * STATUS_NOT_SUPPORTED (caller-owned stage-1 tables are an SMMU feature; no device could ever attach). The
     * platform's domain limit reached is STATUS_INSUFFICIENT_RESOURCES after every argument check (the factory still
     * has the last word: a creation racing for the last domain gets the same status from it).
     * Writes only {@code creation} (a fresh object per call), so the verifier may run it for its answer.
     */
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
        final int status = creation.check(type, flags, allocatorConfig, regions, null != domainOut, tableWidth);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if (type == IommuDmaDomainType.UNMANAGED && architecture != Architecture.ARM64)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        return domainsExhausted ? NtStatus.STATUS_INSUFFICIENT_RESOURCES : NtStatus.STATUS_SUCCESS;
    }

    /**
     * V1 {@code CreateDomain} (spec 2.1, 1.4): TRUE makes a Translate domain without allocator, FALSE a caller-owned
     * (Unmanaged) one. No DomainOut is STATUS_INVALID_PARAMETER_2; FALSE on a platform that is not ARM64 is
     * STATUS_NOT_SUPPORTED, as CreateDomainEx(Unmanaged); then the domain limit, as CreateDomainEx.
     */
    int createDomain(final boolean domainsExhausted, final boolean osManagedPageTable,
        final Ref<IommuDmaDomain> domainOut, final Architecture architecture)
    {
        if (null == domainOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (!osManagedPageTable && architecture != Architecture.ARM64)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        return domainsExhausted ? NtStatus.STATUS_INSUFFICIENT_RESOURCES : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code DeleteDomain} (spec 2.3): the handle only (a null, foreign or deleted one STATUS_INVALID_PARAMETER).
     * Devices, PASID sub-devices or tokens still there are STATUS_RESOURCE_IN_USE ({@link #deleteDomainInUse}).
     * A SUCCESS with a null {@code domain} is a no-op (the observed profile's NULL handle).
     *
     * @param handle the handle the caller passed.
     * @param domain the live domain behind it, or null.
     */
    int deleteDomain(final IommuDmaDomain handle, final Domain domain)
    {
        return null == domain ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code DeleteDomain}, under the domain's monitor (spec 5.3 item 14): devices attached (by any table),
     * PASID sub-devices attached, or tokens outstanding: STATUS_RESOURCE_IN_USE; plain mappings are dropped.
     *
     * @param attachedDevices      devices attached, PASID sub-devices included.
     * @param attachedPasidDevices PASID sub-devices attached.
     * @param outstandingTokens    tokens not freed.
     */
    int deleteDomainInUse(final int attachedDevices, final int attachedPasidDevices, final int outstandingTokens)
    {
        return attachedDevices != 0 || outstandingTokens != 0 ?
            NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code FlushDomain} (spec 2.8, 5.3 item 17): caller-owned domains only; any other type is
     * STATUS_INVALID_PARAMETER_1, as ConfigureDomain.
     */
    int flushDomain(final Domain domain)
    {
        if (null == domain)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return domain instanceof UnmanagedDomain ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1;
    }

    /**
     * {@code FlushDomainByVaList} (spec 2.9, 5.3 items 17 and 18): as FlushDomain; {@code vaList} holds 64-bit
     * addresses, and a negative {@code number} or a list shorter than it is STATUS_INVALID_PARAMETER_4.
     */
    int flushDomainByVaList(final Domain domain, final int number, final long[] vaList)
    {
        final int status = flushDomain(domain);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        if (number < 0 || (number > 0 && (null == vaList || vaList.length < number)))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code ConfigureDomain} (spec 2.20, 5.3 item 19): caller-owned domains only (_1); a null configuration or the
     * Invalid type _2; an X64 configuration is reserved for the system (STATUS_NOT_SUPPORTED). Reconfiguration is
     * allowed and only the type is validated.
     */
    int configureDomain(final Domain domain, final DomainConfiguration configuration)
    {
        if (null == domain)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!(domain instanceof UnmanagedDomain))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (null == configuration || null == configuration.type() ||
            configuration.type() == DomainConfigurationArch.INVALID)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (configuration.type() == DomainConfigurationArch.X64)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        return NtStatus.STATUS_SUCCESS;
    }
}
