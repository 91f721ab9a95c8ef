/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.function.BooleanSupplier;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaAllocatorConfig;
import dev.iommu.core.platform.IommuUnit;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.ptw.IotlbMode;
import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.PtwResult;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;

/**
 * Builds the domain objects behind CreateDomain and CreateDomainEx once their rules have passed: library-owned
 * domains (Translate, PassThrough, TranslateS1: a {@link MappingDomain} with a radix table in the shared arena, an
 * IOVA allocator when configured, reserved regions protected and identity-mapped as asked) and caller-owned ones
 * ({@link UnmanagedDomain}, which take one of the platform's unmanaged address-space ids). It owns the domain limit
 * accounting: a creation that fails gives everything back.
 */
final class DomainFactory
{
    private final EmulatorContext context;
    private final TableArena arena;
    private final DomainTable domains;
    private final BoundedCounter unmanagedDomains;
    private final int tableWidth;
    private final int pageSizes;
    /** Whether allocators hand out page 0 (observed profile: Windows' buddy allocator starts at logical 0). */
    private final boolean allocatorPageZero;

    private final Verifier verifier;
    /** The allocators' IOVA_BLOCK hook, or null when the emulator has no failure injection. */
    private final BooleanSupplier iovaGate;

    DomainFactory(final EmulatorContext context, final TableArena arena, final DomainTable domains,
        final Verifier verifier, final FailureInjection injection)
    {
        this.verifier = verifier;
        this.iovaGate = null == context.failureInjection() ? null :
            injection.gate(FailureInjection.AllocationKind.IOVA_BLOCK);
        this.context = context;
        this.arena = arena;
        this.domains = domains;
        final Platform platform = context.platform();
        this.unmanagedDomains = new BoundedCounter(platform.limits().maxUnmanagedAsids(), injection,
            FailureInjection.AllocationKind.UNMANAGED_ASID);
        int width = 0;
        int sizes = PageSizes.ALLOW_ALL;
        for (final IommuUnit unit : platform.iommus())
        {
            width = Math.max(width, unit.addressWidth());
            sizes &= unit.pageSizes();
        }
        this.tableWidth = width == 0 ? 48 : tableWidthFor(width);
        // Windows maps 4 KiB leaves only (observed record, section 4): the observed profile never uses large leaves.
        final boolean large = context.largePages() && context.profile() == BehaviourProfile.DOCUMENTED;
        this.pageSizes = (large ? sizes : PageSizes.ALLOW_4K) | PageSizes.ALLOW_4K;
        // Windows' buddy allocator hands out logical address 0 first (observed record, section 2, notes): set once.
        this.allocatorPageZero = context.profile() == BehaviourProfile.OBSERVED_WINDOWS;
    }

    /**
     * The widest input address the domains' tables hold (the widest IOMMU, rounded up to 39, 48 or 57 bits).
     */
    int tableWidth()
    {
        return tableWidth;
    }

    /**
     * Creates and publishes a domain.
     *
     * @param type     the type.
     * @param creation the checked CreateDomainEx arguments (allocator, width, regions), or null for V1 CreateDomain.
     * @return the domain, or null when a limit or the table memory ran out (STATUS_INSUFFICIENT_RESOURCES; nothing
     *     is left behind).
     */
    Domain create(final IommuDmaDomainType type, final DomainCreationRules creation)
    {
        if (type == IommuDmaDomainType.UNMANAGED && !unmanagedDomains.tryAcquire())
        {
            return null;
        }
        if (!domains.acquire())
        {
            if (type == IommuDmaDomainType.UNMANAGED)
            {
                unmanagedDomains.release();
            }
            return null;
        }
        final Domain domain = type == IommuDmaDomainType.UNMANAGED ?
            new UnmanagedDomain(domains, domains.nextId(), unmanagedDomains) : newMappingDomain(type, creation);
        if (null == domain)
        {
            domains.release();
            return null;
        }
        domains.publish(domain);
        return domain;
    }

    private MappingDomain newMappingDomain(final IommuDmaDomainType type, final DomainCreationRules creation)
    {
        final int width = null == creation ? tableWidth : creation.addressWidth();
        final PageTableConfig tableConfig = new PageTableConfig()
            .addressWidth(tableWidthFor(width))
            .allowedPageSizes(pageSizes)
            .iotlbEntries(context.iotlbEntries())
            .iotlbHitCounting(context.iotlbHitCounting())
            .iotlbMode(context.iotlbInvalidation() == IotlbInvalidation.DEFERRED ?
                IotlbMode.DEFERRED : IotlbMode.STRICT);
        if (context.iotlbInvalidation() == IotlbInvalidation.DEFERRED)
        {
            tableConfig.deferredFlush(context.deferredBatchSize(), context.deferredMaxDelayNs());
        }
        final RadixPageTable table = RadixPageTable.create(arena, tableConfig);
        if (null == table)
        {
            return null;
        }
        IovaAllocator allocator = null;
        final int ranges = null == creation ? 0 : creation.regionCount();
        if (null != creation && creation.hasAllocator())
        {
            final IovaAllocatorConfig allocatorConfig = new IovaAllocatorConfig().addressWidth(width)
                .explicitAllowed(false).pageZeroUsable(allocatorPageZero).mayAllocate(iovaGate);
            final long topPage = 1L << (width - 12);
            for (int i = 0; i < ranges; i++)
            {
                // Parts above the allocator's top are clipped (observed row 13; documented regions never reach it).
                final long page = creation.regionBases()[i] >>> 12;
                if (page < topPage)
                {
                    allocatorConfig.reserve(page << 12, Math.min(creation.regionPages()[i], topPage - page));
                }
            }
            allocator = new IovaAllocator(allocatorConfig);
        }
        final MappingDomain domain = new MappingDomain(
            domains, type, domains.nextId(), table, allocator, width, verifier);
        for (int i = 0; i < ranges; i++)
        {
            domain.addReservedRegion(creation.regionBases()[i], creation.regionPages()[i], false);
        }
        final int maps = null == creation ? 0 : creation.identityCount();
        for (int i = 0; i < maps; i++)
        {
            // A failure undoes the identity maps made so far with the whole table (observed row 15).
            if (domain.addReservedRegion(creation.identityBases()[i], creation.identityPages()[i], true) !=
                PtwResult.OK)
            {
                table.destroy();
                return null;
            }
        }
        return domain;
    }

    static int tableWidthFor(final int width)
    {
        return width <= 39 ? 39 : width <= 48 ? 48 : 57;
    }
}
