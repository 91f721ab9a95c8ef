/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaAllocatorConfig;
import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;

/**
 * Test-side access (jcstress module, in the production package) to one documented-profile Translate domain
 * without allocator, past the handle lookups and argument rules of the members: V1 MapLogicalRange of one page
 * ({@code MappingDomain.mapAt}), an explicit ReserveLogicalAddressRange of one page
 * ({@code DocumentedTokens.reserve}) and DeleteDomain from the point where it kills the domain (kill under the
 * domain's monitor, then {@code DomainTable.retire}: close the gate, drain, destroy the tables). The domain's
 * guards are the real ones or one broken variant. Statuses come back as small codes: {@link #SUCCESS},
 * {@link #INVALID_PARAMETER}, {@link #IN_USE}, {@link #OTHER}.
 */
public final class DomainProbe
{
    /** STATUS_SUCCESS. */
    public static final int SUCCESS = 0;
    /** STATUS_INVALID_PARAMETER (a map on a deleted domain). */
    public static final int INVALID_PARAMETER = 1;
    /** STATUS_IN_USE (a map or reservation refused for an overlap). */
    public static final int IN_USE = 2;
    /** Any other status. */
    public static final int OTHER = 3;

    private static final int WIDTH = 39;
    private static final int READ_WRITE = 3;
    private static final long PAGE_SIZE = 4096;

    private final DomainTable owner = new DomainTable(1);
    private final RadixPageTable table;
    private final MappingDomain domain;
    private final IovaAllocator allocator;
    private final long[] frames = {0x12_3456L};

    private DomainProbe(final TableArena arena, final OperationGate gate, final ProtectedRanges protectedRanges)
    {
        this(arena, gate, protectedRanges, null, null);
    }

    private DomainProbe(final TableArena arena, final OperationGate gate, final ProtectedRanges protectedRanges,
        final IovaAllocator allocator, final BlockLedger ledger)
    {
        table = RadixPageTable.create(arena, new PageTableConfig().addressWidth(WIDTH).iotlbEntries(0));
        if (null == table || !owner.acquire())
        {
            throw new IllegalStateException("no table page or domain left");
        }
        this.allocator = allocator;
        domain = new MappingDomain(owner, IommuDmaDomainType.TRANSLATE, owner.nextId(), table, allocator, WIDTH,
            Verifier.off(), gate, protectedRanges, ledger);
        owner.publish(domain);
    }

    /**
     * A domain with a buddy allocator (the allocator picks map addresses) and the real guards and block ledger.
     *
     * @param arena where its tables live.
     * @return the probe.
     */
    public static DomainProbe allocating(final TableArena arena)
    {
        return new DomainProbe(arena, new OperationGate(), new ProtectedRanges(), allocator(),
            new BlockLedger(WIDTH - 12));
    }

    /**
     * A domain with a buddy allocator whose block ledger takes pages off a shared count with a plain read and write,
     * not a CAS (broken).
     *
     * @param arena where its tables live.
     * @return the probe.
     */
    public static DomainProbe allocatingWithoutLedgerCas(final TableArena arena)
    {
        return new DomainProbe(arena, new OperationGate(), new ProtectedRanges(), allocator(),
            new BlockLedgerWithoutCas(WIDTH - 12));
    }

    private static IovaAllocator allocator()
    {
        return new IovaAllocator(new IovaAllocatorConfig().addressWidth(WIDTH).explicitAllowed(false));
    }

    /**
     * MapLogicalRangeEx of {@code pages} pages (read|write) at an address the allocator picks.
     *
     * @param pages the number of pages.
     * @return the address, or -1 when the map failed.
     */
    public long mapAllocated(final int pages)
    {
        final long[] many = new long[pages];
        for (int i = 0; i < pages; i++)
        {
            many[i] = frames[0] + i;
        }
        final LongRef out = new LongRef();
        final int status = domain.mapLogical(READ_WRITE, 0, many, pages, null, null, null, out);
        return status == NtStatus.STATUS_SUCCESS ? out.get() : -1;
    }

    /**
     * UnmapLogicalRange of one page.
     *
     * @param address page-aligned logical address.
     * @return a status code.
     */
    public int unmapPage(final long address)
    {
        return code(domain.unmapLogical(address, 1));
    }

    /**
     * @return bytes free in the allocator, its cached blocks included (quiescent callers only).
     */
    public long freeBytes()
    {
        return allocator.freeBytes();
    }

    /**
     * A domain with the real guards.
     *
     * @param arena where its tables live.
     * @return the probe.
     */
    public static DomainProbe documented(final TableArena arena)
    {
        return new DomainProbe(arena, new OperationGate(), new ProtectedRanges());
    }

    /**
     * A domain with the real guards whose operation gate has no owner's slot: every call counts itself in on a
     * shared stripe (getAndAdd), the path of every thread but the first that maps into a domain.
     *
     * @param arena where its tables live.
     * @return the probe.
     */
    public static DomainProbe documentedStripedGate(final TableArena arena)
    {
        return new DomainProbe(arena, new OperationGate(false), new ProtectedRanges());
    }

    /**
     * A domain whose operation gate counts a call in with a release store, not a full fence (broken).
     *
     * @param arena     where its tables live.
     * @param ownerSlot whether the mapping thread counts itself in on the owner's slot (else on a shared stripe).
     * @return the probe.
     */
    public static DomainProbe withReleaseIncrementGate(final TableArena arena, final boolean ownerSlot)
    {
        return new DomainProbe(arena, new OperationGateWithReleaseIncrement(ownerSlot), new ProtectedRanges());
    }

    /**
     * A domain whose maps skip the protected-range re-check after claiming their leaves (broken).
     *
     * @param arena where its tables live.
     * @return the probe.
     */
    public static DomainProbe withoutMapRecheck(final TableArena arena)
    {
        return new DomainProbe(arena, new OperationGate(), new ProtectedRangesWithoutMapRecheck());
    }

    /**
     * V1 MapLogicalRange of one page at {@code address} (read|write).
     *
     * @param address page-aligned logical address.
     * @return a status code.
     */
    public int mapPage(final long address)
    {
        return code(domain.mapAt(address, READ_WRITE, frames, 1));
    }

    /**
     * ReserveLogicalAddressRange of one page at an explicit {@code address}.
     *
     * @param address page-aligned logical address.
     * @return a status code.
     */
    public int reservePage(final long address)
    {
        return code(DocumentedTokens.reserve(domain, PAGE_SIZE, new LongRef(address), null, null,
            new Ref<IommuDmaLogicalAddressToken>()));
    }

    /**
     * DeleteDomain from the kill on, as {@code DomainMembers.deleteDomain} does it.
     *
     * @return a status code.
     */
    public int delete()
    {
        synchronized (domain)
        {
            if (!domain.isAlive())
            {
                return INVALID_PARAMETER;
            }
            domain.kill();
        }
        owner.retire(domain);
        return SUCCESS;
    }

    /**
     * @return table pages the domain's table holds (0 once deleted).
     */
    public long tablePages()
    {
        return table.tablePages();
    }

    /**
     * @param address a page.
     * @return 1 when the page is mapped, else 0 (the domain must not be deleted).
     */
    public int mappedPages(final long address)
    {
        return (int)table.countMapped(address, PAGE_SIZE);
    }

    /**
     * @return the protected ranges (reservations) of the domain.
     */
    public int protectedRanges()
    {
        return domain.protectedRanges().size();
    }

    /**
     * Frees the tables of a domain that was not deleted (arbiters, after the race).
     */
    public void destroy()
    {
        if (domain.isAlive())
        {
            table.destroy();
        }
    }

    private static int code(final int status)
    {
        switch (status)
        {
            case NtStatus.STATUS_SUCCESS:
                return SUCCESS;
            case NtStatus.STATUS_INVALID_PARAMETER:
                return INVALID_PARAMETER;
            case NtStatus.STATUS_IN_USE:
                return IN_USE;
            default:
                return OTHER;
        }
    }
}
