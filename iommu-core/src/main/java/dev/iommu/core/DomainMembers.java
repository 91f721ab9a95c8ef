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
        final boolean exhausted = handles.domains().exhausted();
        final int status = rules.createDomainEx(exhausted, creation, type, flags, allocatorConfig, regions, domainOut,
            factory.tableWidth(), architecture);
        if (verifier.on)
        {
            verifier.compare("CreateDomainEx", status, verifier.otherRules().domains.createDomainEx(exhausted,
                new DomainCreationRules(), type, flags, allocatorConfig, regions, domainOut, factory.tableWidth(),
                architecture), () -> "", VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
        return status != NtStatus.STATUS_SUCCESS ? status : created(factory.create(type, creation), domainOut);
    }

    int createDomain(final boolean osManagedPageTable, final Ref<IommuDmaDomain> domainOut)
    {
        final boolean exhausted = handles.domains().exhausted();
        final int status = rules.createDomain(exhausted, osManagedPageTable, domainOut, architecture);
        if (verifier.on)
        {
            verifier.compare("CreateDomain", status, verifier.otherRules().domains.createDomain(exhausted,
                osManagedPageTable, domainOut, architecture), () -> "", VerifierReport.NO_ADDRESS,
                VerifierReport.NO_ADDRESS);
        }
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
        final int status = rules.deleteDomain(handle, domain);
        if (verifier.on)
        {
            verifier.compare("DeleteDomain", status, verifier.otherRules().domains.deleteDomain(handle, domain),
                domain, VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
        if (status != NtStatus.STATUS_SUCCESS || null == domain)
        {
            return status;
        }
        synchronized (domain)
        {
            if (!domain.isAlive())
            {
                return rules.deleteDomain(handle, null);
            }
            final int devices = domain.attachedDevices();
            final int pasidDevices = domain.attachedPasidDevices();
            final int tokens = domain.outstandingTokens();
            final int inUse = rules.deleteDomainInUse(devices, pasidDevices, tokens);
            if (verifier.on)
            {
                verify(domain, inUse, devices, pasidDevices, tokens);
            }
            if (inUse != NtStatus.STATUS_SUCCESS)
            {
                return inUse;
            }
            domain.kill();
            handles.domains().records().domainDeleted(domain);
        }
        handles.domains().retire(domain);
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * The verifier's view of a DeleteDomain that reached the domain: both profiles' answers, and the hazards
     * {@link VerifierRule#DELETE_DOMAIN_WITH_DEVICES} (ordinary devices attached: Windows frees the domain under
     * them) and {@link VerifierRule#DELETE_DOMAIN_WITH_TOKENS}, reported in both profiles.
     */
    private void verify(final Domain domain, final int inUse, final int devices, final int pasidDevices,
        final int tokens)
    {
        final String objects = Verifier.describe(domain);
        verifier.compare("DeleteDomain", inUse, verifier.otherRules().domains.deleteDomainInUse(devices, pasidDevices,
            tokens), () -> objects, VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        if (devices - pasidDevices > 0)
        {
            verifier.hazard(VerifierRule.DELETE_DOMAIN_WITH_DEVICES, "DeleteDomain", objects,
                VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS, (devices - pasidDevices) + " device(s) attached");
        }
        if (tokens > 0)
        {
            verifier.hazard(VerifierRule.DELETE_DOMAIN_WITH_TOKENS, "DeleteDomain", objects,
                VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS, tokens + " token(s) outstanding");
        }
    }

    int flushDomain(final IommuDmaDomain handle)
    {
        final Domain domain = handles.domain(handle);
        final int status = rules.flushDomain(domain);
        if (verifier.on)
        {
            verifier.compare("FlushDomain", status, verifier.otherRules().domains.flushDomain(domain),
                domain, VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
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
        if (verifier.on)
        {
            verifier.compare("FlushDomainByVaList", status, verifier.otherRules().domains.flushDomainByVaList(domain,
                number, vaList), domain, VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
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
        if (verifier.on)
        {
            verifier.compare("ConfigureDomain", status, verifier.otherRules().domains.configureDomain(domain,
                configuration), domain, VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
        if (status == NtStatus.STATUS_SUCCESS)
        {
            final UnmanagedDomain unmanaged = (UnmanagedDomain)domain;
            synchronized (unmanaged)
            {
                unmanaged.configure(configuration.arm64());
                handles.domains().records().domainConfigured(unmanaged);
            }
        }
        return status;
    }
}
