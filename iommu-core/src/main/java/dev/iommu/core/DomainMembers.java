/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;

/**
 * The domain members of all three tables, each written once: CreateDomain (V1), CreateDomainEx, DeleteDomain,
 * FlushDomain, FlushDomainByVaList and ConfigureDomain. Each runs its {@link DomainRules}, then acts.
 */
final class DomainMembers
{
    private final DomainRules rules;
    private final Handles handles;
    private final DomainFactory factory;
    private final Architecture architecture;

    private final Verifier verifier;

    DomainMembers(final DomainRules rules, final Handles handles, final DomainFactory factory,
        final Architecture architecture, final Verifier verifier)
    {
        this.verifier = verifier;
        this.rules = rules;
        this.handles = handles;
        this.factory = factory;
        this.architecture = architecture;
    }

    int createDomainEx(final IommuDmaDomainType type, final long flags,
        final IommuDmaLogicalAllocatorConfig allocatorConfig, final IommuDmaReservedRegion regions,
        final Ref<IommuDmaDomain> domainOut)
    {
        final DomainCreationRules creation = new DomainCreationRules();
        final int status = rules.createDomainEx(
            creation, type, flags, allocatorConfig, regions, domainOut, factory.tableWidth(), architecture);
        return status != NtStatus.STATUS_SUCCESS ? status : created(factory.create(type, creation), domainOut);
    }

    int createDomain(final boolean osManagedPageTable, final Ref<IommuDmaDomain> domainOut)
    {
        final int status = rules.createDomain(osManagedPageTable, domainOut, architecture);
        return status != NtStatus.STATUS_SUCCESS ? status : created(factory.create(
            osManagedPageTable ? IommuDmaDomainType.TRANSLATE : IommuDmaDomainType.UNMANAGED, null), domainOut);
    }

    private static int created(final Domain domain, final Ref<IommuDmaDomain> domainOut)
    {
        if (null == domain)
        {
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        domainOut.set(domain);
        return NtStatus.STATUS_SUCCESS;
    }

    int deleteDomain(final IommuDmaDomain handle)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.deleteDomain(domain);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        synchronized (domain)
        {
            if (!domain.isAlive())
            {
                return rules.deleteDomain(null);
            }
            final int inUse = rules.deleteDomainInUse(domain.attachedDevices(), domain.outstandingTokens());
            if (inUse != NtStatus.STATUS_SUCCESS)
            {
                return inUse;
            }
            domain.kill();
        }
        handles.domains().retire(domain);
        return NtStatus.STATUS_SUCCESS;
    }

    int flushDomain(final IommuDmaDomain handle)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.flushDomain(domain);
        if (status == NtStatus.STATUS_SUCCESS)
        {
            ((UnmanagedDomain)domain).flushed(-1);
        }
        return status;
    }

    int flushDomainByVaList(final IommuDmaDomain handle, final boolean lastLevel, final int number,
        final long[] vaList)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.flushDomainByVaList(domain, number, vaList);
        if (status == NtStatus.STATUS_SUCCESS)
        {
            ((UnmanagedDomain)domain).flushed(number);
        }
        return status;
    }

    int configureDomain(final IommuDmaDomain handle, final DomainConfiguration configuration)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.configureDomain(domain, configuration);
        if (status == NtStatus.STATUS_SUCCESS)
        {
            ((UnmanagedDomain)domain).configure(configuration.arm64());
        }
        return status;
    }
}
