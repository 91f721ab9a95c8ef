/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.atomic.AtomicLong;

import dev.iommu.api.DomainConfigurationArm64;
import dev.iommu.api.IommuDmaDomainType;

/**
 * A domain whose page tables the caller owns (DomainTypeUnmanaged, spec 1.4): it holds the configuration given by
 * ConfigureDomain (a copy) and counts the caller's flushes. Until it is configured all DMA through it is blocked
 * (spec 2.20, 5.3 item 20). It takes one of the platform's unmanaged address-space ids while it lives.
 */
final class UnmanagedDomain extends Domain
{
    private final BoundedCounter asids;
    private final AtomicLong flushes = new AtomicLong();
    private volatile DomainConfigurationArm64 configuration;

    UnmanagedDomain(final DomainTable owner, final long id, final BoundedCounter asids)
    {
        super(owner, IommuDmaDomainType.UNMANAGED, id);
        this.asids = asids;
    }

    void configure(final DomainConfigurationArm64 arm64)
    {
        final DomainConfigurationArm64 copy = new DomainConfigurationArm64();
        if (null != arm64)
        {
            copy.ttbr0(arm64.ttbr0()).ttbr1(arm64.ttbr1()).mair0(arm64.mair0()).mair1(arm64.mair1())
                .inputSize0(arm64.inputSize0()).inputSize1(arm64.inputSize1())
                .coherentTableWalks(arm64.coherentTableWalks()).translationEnabled(arm64.translationEnabled());
        }
        configuration = copy;
    }

    /**
     * The configuration last given, or null while unconfigured.
     */
    DomainConfigurationArm64 configuration()
    {
        return configuration;
    }

    /**
     * Counts a flush.
     *
     * @param addresses the number of addresses flushed, or -1 for the whole domain.
     */
    void flushed(final int addresses)
    {
        flushes.incrementAndGet();
    }

    long flushCount()
    {
        return flushes.get();
    }

    @Override
    void release()
    {
        asids.release();
    }
}
