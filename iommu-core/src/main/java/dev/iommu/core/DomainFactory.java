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
    /** Where a persistent emulator writes its context records ({@link ContextRecords#NONE} otherwise). */
    private final ContextRecords records;
    /** The persistent emulator's log of calls in flight, or null. */
    private final InFlightLog inFlight;
    /** The allocators' IOVA_BLOCK hook, or null when the emulator has no failure injection. */
    private final BooleanSupplier iovaGate;

    DomainFactory(final EmulatorContext context, final TableArena arena, final DomainTable domains,
        final Verifier verifier, final FailureInjection injection, final ContextRecords records,
        final InFlightLog inFlight)
    {
        this.records = records;
        this.inFlight = inFlight;
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
     * Creates and publishes a domain, its record written first when the emulator is persistent.
     *
     * @param type     the type.
     * @param creation the checked CreateDomainEx arguments (allocator, width, regions), or null for V1 CreateDomain.
     * @return the domain, or null when a limit, the table memory or the context table ran out
     *     (STATUS_INSUFFICIENT_RESOURCES; nothing is left behind).
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
        final DomainShape shape = type == IommuDmaDomainType.UNMANAGED ? null : DomainShape.of(creation, tableWidth);
        final Domain domain = type == IommuDmaDomainType.UNMANAGED ?
            new UnmanagedDomain(domains, domains.nextId(), unmanagedDomains) : newMappingDomain(type, shape);
        if (null == domain)
        {
            domains.release();
            return null;
        }
        if (!records.domainCreated(domain, shape))
        {
            // Its tables or its ASID go back (nothing else saw the domain).
            domain.release();
            domains.release();
            return null;
        }
        domains.publish(domain);
        return domain;
    }

    /**
     * Builds a domain of a persisted context table again (a reopening emulator, before any call): a mapping domain
     * over its tables attached from the arena, its allocator empty (the caller rebuilds it from the tables); takes its
     * place in the limits and publishes it under its old id.
     *
     * @param id    the domain's id.
     * @param type  its type.
     * @param shape its shape (null for an unmanaged domain).
     * @param table its tables, attached (null for an unmanaged domain).
     * @return the domain.
     * @throws IllegalStateException when the limits of this platform cannot hold it.
     */
    Domain restore(final long id, final IommuDmaDomainType type, final DomainShape shape, final RadixPageTable table)
    {
        if (type == IommuDmaDomainType.UNMANAGED && !unmanagedDomains.tryAcquire() || !domains.acquire())
        {
            throw new IllegalStateException("domain#" + id + " of the persisted context exceeds this platform's " +
                "domain limits");
        }
        domains.advanceIdsTo(id);
        final Domain domain = type == IommuDmaDomainType.UNMANAGED ?
            new UnmanagedDomain(domains, id, unmanagedDomains) : mappingDomain(type, id, shape, table);
        if (domain instanceof MappingDomain)
        {
            final MappingDomain mapping = (MappingDomain)domain;
            for (int i = 0; i < shape.regionBases().length; i++)
            {
                mapping.protectedRanges().add(shape.regionBases()[i],
                    shape.regionBases()[i] + (shape.regionPages()[i] << 12));
            }
            for (int i = 0; i < shape.identityBases().length; i++)
            {
                mapping.protectedRanges().add(shape.identityBases()[i],
                    shape.identityBases()[i] + (shape.identityPages()[i] << 12));
            }
        }
        domains.publish(domain);
        return domain;
    }

    /**
     * The page-table configuration of a domain of a given width: the same at creation and at a reopen.
     *
     * @param width the domain's address width.
     * @return the configuration.
     */
    PageTableConfig tableConfig(final int width)
    {
        final PageTableConfig tableConfig = readerConfig(width)
            .allowedPageSizes(pageSizes)
            .iotlbEntries(context.iotlbEntries())
            .iotlbHitCounting(context.iotlbHitCounting())
            .iotlbMode(context.iotlbInvalidation() == IotlbInvalidation.DEFERRED ?
                IotlbMode.DEFERRED : IotlbMode.STRICT);
        if (context.iotlbInvalidation() == IotlbInvalidation.DEFERRED)
        {
            tableConfig.deferredFlush(context.deferredBatchSize(), context.deferredMaxDelayNs());
        }
        return tableConfig;
    }

    private MappingDomain newMappingDomain(final IommuDmaDomainType type, final DomainShape shape)
    {
        final RadixPageTable table = RadixPageTable.create(arena, tableConfig(shape.addressWidth()));
        if (null == table)
        {
            return null;
        }
        final MappingDomain domain = mappingDomain(type, domains.nextId(), shape, table);
        for (int i = 0; i < shape.regionBases().length; i++)
        {
            domain.addReservedRegion(shape.regionBases()[i], shape.regionPages()[i], false);
        }
        for (int i = 0; i < shape.identityBases().length; i++)
        {
            // A failure undoes the identity maps made so far with the whole table (observed row 15).
            if (domain.addReservedRegion(shape.identityBases()[i], shape.identityPages()[i], true) != PtwResult.OK)
            {
                table.destroy();
                return null;
            }
        }
        return domain;
    }

    private MappingDomain mappingDomain(
        final IommuDmaDomainType type, final long id, final DomainShape shape, final RadixPageTable table)
    {
        final int width = shape.addressWidth();
        IovaAllocator allocator = null;
        if (shape.allocator())
        {
            final IovaAllocatorConfig allocatorConfig = new IovaAllocatorConfig().addressWidth(width)
                .explicitAllowed(false).pageZeroUsable(allocatorPageZero).mayAllocate(iovaGate);
            final long topPage = 1L << (width - 12);
            for (int i = 0; i < shape.regionBases().length; i++)
            {
                // Parts above the allocator's top are clipped (observed row 13; documented regions never reach it).
                final long page = shape.regionBases()[i] >>> 12;
                if (page < topPage)
                {
                    allocatorConfig.reserve(page << 12, Math.min(shape.regionPages()[i], topPage - page));
                }
            }
            allocator = new IovaAllocator(allocatorConfig);
        }
        final MappingDomain domain = new MappingDomain(domains, type, id, table, allocator, width, verifier);
        if (null != inFlight)
        {
            domain.inFlightLog(inFlight);
        }
        return domain;
    }

    /**
     * The part of a domain's table configuration a walk needs: the address width (hence the levels) of the tables
     * of a domain of {@code width} bits. {@link #tableConfig} starts from it; {@link DirectoryReader} walks another
     * process's tables with it.
     *
     * @param width the domain's address width (its record's).
     * @return a new configuration with the table's address width.
     */
    static PageTableConfig readerConfig(final int width)
    {
        return new PageTableConfig().addressWidth(tableWidthFor(width));
    }

    static int tableWidthFor(final int width)
    {
        return width <= 39 ? 39 : width <= 48 ? 48 : 57;
    }
}
