/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;

/**
 * Builds an emulator's objects again from its persistent directory, before it serves any call: the domains over
 * their tables (attached from the arena), the free list swept from their roots, the calls left in flight made whole
 * or undone, the tokens and their segments, each allocator rebuilt from what its tables map, the devices and PASID
 * sub-devices attached as they were. What it had to repair is counted in the {@link RecoveryReport}. A record it
 * cannot trust (damaged, of a newer layout, naming a device the platform does not have, a table that does not walk)
 * stops the launch with a {@link PersistenceException}: nothing is served from state that may be wrong.
 */
final class EmulatorRestore
{
    private final PersistedContext context;
    private final TableArena arena;
    private final DomainFactory factory;
    private final DomainTable domains;
    private final DeviceTable devices;
    private final PasidMembers pasids;
    private final Platform platform;
    private final InFlightRepair inFlight;

    private final Map<Long, MappingDomain> mappingDomains = new HashMap<>();
    private final Map<Long, List<long[]>> excluded = new HashMap<>();
    private int tokensDropped;
    private int segmentsDropped;
    private int devicesDetached;
    private int pasidDevicesDropped;
    private int tokens;
    private int deviceCount;
    private int pasidCount;
    private long iovaBlocks;

    EmulatorRestore(final PersistedContext context, final TableArena arena, final DomainFactory factory,
        final DomainTable domains, final DeviceTable devices, final PasidMembers pasids, final Platform platform,
        final InFlightRepair inFlight)
    {
        this.context = context;
        this.arena = arena;
        this.factory = factory;
        this.domains = domains;
        this.devices = devices;
        this.pasids = pasids;
        this.platform = platform;
        this.inFlight = inFlight;
    }

    /**
     * Runs the restore.
     *
     * @param cleanShutdown whether the previous owner closed the directory.
     * @return what was restored and repaired.
     * @throws PersistenceException when a record or a table cannot be trusted.
     */
    RecoveryReport run(final boolean cleanShutdown)
    {
        domains.advanceIdsTo(context.idsLeased(ContextRecordDescriptor.DOMAIN));
        domains.advanceTokenIdsTo(context.idsLeased(ContextRecordDescriptor.TOKEN));
        devices.advanceIdsTo(context.idsLeased(ContextRecordDescriptor.DEVICE));
        final List<ContextRecordCodec.DomainRecord> domainRecords = new ArrayList<>();
        for (final Map.Entry<Long, byte[]> entry : context.recordsOf(ContextRecordDescriptor.DOMAIN))
        {
            domainRecords.add(
                ContextRecordCodec.domain(ContextRecordDescriptor.idOf(entry.getKey()), entry.getValue()));
        }
        // 1. The tables: every domain's tables attached from its root, the pages they reach marked.
        final BitSet inUse = new BitSet(arena.capacity() + 1);
        final Map<Long, RadixPageTable> tables = new HashMap<>();
        for (final ContextRecordCodec.DomainRecord record : domainRecords)
        {
            if (null != record.shape())
            {
                tables.put(record.id(), attach(record, inUse));
            }
        }
        // 2. The free list: every page no table reached is free (after a crash always; after a clean close only when
        // the count disagrees, which a clean close cannot leave).
        final long countedInUse = arena.pagesInUse();
        long reclaimed = 0;
        if (!cleanShutdown || arena.needsRebuild() || countedInUse != inUse.cardinality())
        {
            reclaimed = Math.max(0, countedInUse - inUse.cardinality());
            arena.rebuildFreeList(inUse);
        }
        // 3. The calls in flight: each map undone, each unmap completed, on the attached tables.
        final InFlightRepair.Outcome repaired = inFlight.repair(tables);
        // 4. The domains, then what lives in them.
        for (final ContextRecordCodec.DomainRecord record : domainRecords)
        {
            restoreDomain(record, tables.get(record.id()));
        }
        restoreTokens();
        for (final MappingDomain domain : mappingDomains.values())
        {
            if (domain.hasAllocator())
            {
                iovaBlocks += rebuildAllocator(domain);
            }
        }
        restoreDevices();
        restorePasidDevices();
        // Everything repaired is in the files now: the next recovery need not repeat it.
        inFlight.clear();
        return new RecoveryReport(true, cleanShutdown, domainRecords.size(), deviceCount, tokens, pasidCount,
            inUse.cardinality(), reclaimed, iovaBlocks, repaired.mapsUndone(), repaired.unmapsCompleted(),
            tokensDropped, segmentsDropped, devicesDetached, pasidDevicesDropped);
    }

    /**
     * Rebuilds a domain's allocator and block ledger from what its tables map, leaving alone the ranges of its
     * reserved regions and tokens.
     *
     * @return the blocks restored.
     */
    private long rebuildAllocator(final MappingDomain domain)
    {
        final List<long[]> ranges = excluded.getOrDefault(domain.id(), List.of());
        final long[] starts = new long[ranges.size()];
        final long[] ends = new long[ranges.size()];
        for (int i = 0; i < starts.length; i++)
        {
            starts[i] = ranges.get(i)[0];
            ends[i] = ranges.get(i)[1];
        }
        try
        {
            return AllocatedSpaceRebuild.rebuild(domain.table(), domain.allocator(), domain.ledger(), starts, ends)
                .blocks();
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            throw new PersistenceException("the allocator of domain#" + domain.id() + " cannot be rebuilt from its " +
                "tables: " + ex.getMessage(), ex);
        }
    }

    private RadixPageTable attach(final ContextRecordCodec.DomainRecord record, final BitSet inUse)
    {
        try
        {
            return RadixPageTable.attach(arena, factory.tableConfig(record.shape().addressWidth()), record.rootPage(),
                inUse);
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            throw new PersistenceException("the tables of domain#" + record.id() + " (root page " +
                record.rootPage() + ") cannot be attached: " + ex.getMessage(), ex);
        }
    }

    private void restoreDomain(final ContextRecordCodec.DomainRecord record, final RadixPageTable table)
    {
        final Domain domain;
        try
        {
            domain = factory.restore(record.id(), record.type(), record.shape(), table);
        }
        catch (final IllegalStateException ex)
        {
            throw new PersistenceException(ex.getMessage(), ex);
        }
        if (domain instanceof MappingDomain)
        {
            mappingDomains.put(domain.id(), (MappingDomain)domain);
            final DomainShape shape = record.shape();
            final List<long[]> ranges = excluded.computeIfAbsent(domain.id(), id -> new ArrayList<>());
            for (int i = 0; i < shape.regionBases().length; i++)
            {
                ranges.add(new long[] {shape.regionBases()[i],
                    shape.regionBases()[i] + (shape.regionPages()[i] << 12)});
            }
            for (int i = 0; i < shape.identityBases().length; i++)
            {
                ranges.add(new long[] {shape.identityBases()[i],
                    shape.identityBases()[i] + (shape.identityPages()[i] << 12)});
            }
        }
        else if (null != record.configuration())
        {
            ((UnmanagedDomain)domain).configure(record.configuration());
        }
    }

    private void restoreTokens()
    {
        final Map<Long, LogicalAddressToken> byId = new HashMap<>();
        for (final Map.Entry<Long, byte[]> entry : context.recordsOf(ContextRecordDescriptor.TOKEN))
        {
            final ContextRecordCodec.TokenRecord record =
                ContextRecordCodec.token(ContextRecordDescriptor.idOf(entry.getKey()), entry.getValue());
            final MappingDomain domain = mappingDomains.get(record.domainId());
            if (null == domain || inFlight.tokenFreed(record.domainId(), record.base()))
            {
                context.dropRecord(entry.getKey());
                tokensDropped++;
                continue;
            }
            byId.put(record.id(), restoreToken(domain, record));
        }
        for (final Map.Entry<Long, Long> segment : context.segments())
        {
            final long key = segment.getKey();
            final LogicalAddressToken token = byId.get(ContextRecordDescriptor.segmentTokenId(key));
            final long offset = ContextRecordDescriptor.segmentOffset(key, segment.getValue());
            if (null == token ||
                inFlight.segmentRepaired(token.domain().id(), token.logicalAddressBase() + offset))
            {
                context.dropSegment(key);
                segmentsDropped++;
                continue;
            }
            synchronized (token)
            {
                token.segments().put(offset, ContextRecordDescriptor.segmentLength(segment.getValue()));
                token.segmentMapped();
            }
        }
    }

    private LogicalAddressToken restoreToken(final MappingDomain domain, final ContextRecordCodec.TokenRecord record)
    {
        final long base = record.base();
        final long pages = record.size() >>> 12;
        if (record.allocated())
        {
            final long block = Long.highestOneBit(pages) == pages ? pages : Long.highestOneBit(pages) << 1;
            final long restored = domain.allocator().restoreBlock(base, block);
            if (restored != base)
            {
                throw new PersistenceException("token#" + record.id() + " of domain#" + domain.id() + " at 0x" +
                    Long.toHexString(base) + ": its allocator block cannot be restored (result " + restored + ")");
            }
            excluded.get(domain.id()).add(new long[] {base, base + (block << 12)});
        }
        else
        {
            excluded.get(domain.id()).add(new long[] {base, base + record.size()});
            if (domain.hasAllocator())
            {
                // The observed profile's explicit reservation inside a reserved region marks the region in use.
                final int region = domain.allocator().reservedRegionAt(base);
                if (region >= 0)
                {
                    domain.allocator().markReservedInUse(region);
                }
            }
        }
        if (record.protectedRange())
        {
            domain.protectedRanges().add(base, base + record.size());
        }
        domain.addToken();
        final LogicalAddressToken token = new LogicalAddressToken(domain, record.id(), base, record.size(),
            record.allocated(), record.protectedRange());
        domains.tokenReserved(token, false);
        tokens++;
        return token;
    }

    private void restoreDevices()
    {
        for (final Map.Entry<Long, byte[]> entry : context.recordsOf(ContextRecordDescriptor.DEVICE))
        {
            final ContextRecordCodec.DeviceRecord record =
                ContextRecordCodec.device(ContextRecordDescriptor.idOf(entry.getKey()), entry.getValue());
            final PhysicalDeviceObject pdo = deviceObject(record.name());
            if (null == pdo)
            {
                throw new PersistenceException("device#" + record.id() + " of the persisted context is device object " +
                    "'" + record.name() + "', which this platform does not have");
            }
            final DmaDevice device;
            try
            {
                device = devices.restore(record.id(), pdo, record.pasidConfig(), record.suppress(), record.v1(),
                    record.attachBase());
            }
            catch (final IllegalStateException ex)
            {
                throw new PersistenceException(ex.getMessage(), ex);
            }
            synchronized (device)
            {
                for (int i = 1; i < record.references(); i++)
                {
                    device.retain();
                }
                if (record.domainId() != 0)
                {
                    final Domain domain = domains.byId(record.domainId());
                    if (null != domain && domain.attach())
                    {
                        device.domain(domain);
                    }
                    else
                    {
                        devicesDetached++;
                        context.deviceChanged(device);
                    }
                }
            }
            deviceCount++;
        }
    }

    private PhysicalDeviceObject deviceObject(final String name)
    {
        try
        {
            return platform.device(name);
        }
        catch (final IllegalArgumentException ex)
        {
            // The platform has no device object of that name (the caller refuses the record).
            return null;
        }
    }

    private void restorePasidDevices()
    {
        for (final Map.Entry<Long, byte[]> entry : context.recordsOf(ContextRecordDescriptor.PASID))
        {
            final ContextRecordCodec.PasidRecord record = ContextRecordCodec.pasid(entry.getKey(), entry.getValue());
            final DmaDevice parent = devices.byId(record.parentId());
            if (null == parent)
            {
                context.dropRecord(entry.getKey());
                pasidDevicesDropped++;
                continue;
            }
            final Domain domain = record.domainId() == 0 ? null : domains.byId(record.domainId());
            try
            {
                synchronized (parent)
                {
                    pasids.restore(parent, record.pasid(), domain);
                }
            }
            catch (final IllegalStateException ex)
            {
                throw new PersistenceException(ex.getMessage(), ex);
            }
            pasidCount++;
        }
    }
}
