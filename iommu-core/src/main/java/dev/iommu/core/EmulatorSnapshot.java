/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Everything observable about an emulator's objects at one moment, all the way down, for tests that check that a
 * refused call changed nothing and that nothing leaked: page-table pages in use, live domains, DMA devices, PASID
 * sub-devices and state-change registrations, and for every live domain its attached devices, outstanding tokens,
 * protected ranges (tokens and reserved regions), allocator free bytes (cached blocks included), mapped pages and
 * table pages; for every live device the domain it is attached to and its PASID sub-devices.
 * <p>
 * Taken by {@link IommuEmulator#snapshot()}. Exact when no call is in flight; while other threads call the
 * interface the parts are each read atomically but not together. Immutable; two snapshots are {@link #equals equal}
 * when every part is, and {@link #difference} names the parts that are not.
 */
public final class EmulatorSnapshot
{
    /**
     * One live domain.
     *
     * @param id                the domain's id ({@code domain#id} in verifier reports).
     * @param attachedDevices   devices attached to it.
     * @param outstandingTokens logical address tokens reserved in it.
     * @param protectedRanges   protected ranges (tokens and reserved regions); 0 for a domain without tables.
     * @param iovaFreeBytes     its allocator's free bytes, cached blocks included; -1 without an allocator.
     * @param mappedPages       4 KiB pages mapped in its tables; 0 for a domain without tables.
     * @param tablePages        table pages its tables hold (root included); 0 for a domain without tables.
     */
    public record DomainState(
        long id, int attachedDevices, int outstandingTokens, int protectedRanges, long iovaFreeBytes,
        long mappedPages, long tablePages)
    {
    }

    /**
     * One live DMA device.
     *
     * @param id                   the device's id ({@code device#id} in verifier reports).
     * @param domainId             the id of the domain it is attached to, 0 when detached.
     * @param pasidDevices         its live PASID sub-devices.
     * @param stateChangeRegistered whether a state-change callback is registered for it.
     */
    public record DeviceState(long id, long domainId, int pasidDevices, boolean stateChangeRegistered)
    {
    }

    private final long tablePagesInUse;
    private final int liveDomains;
    private final int liveDevices;
    private final int livePasidDevices;
    private final List<DomainState> domains;
    private final List<DeviceState> devices;

    private EmulatorSnapshot(
        final long tablePagesInUse, final int liveDomains, final int liveDevices, final int livePasidDevices,
        final List<DomainState> domains, final List<DeviceState> devices)
    {
        this.tablePagesInUse = tablePagesInUse;
        this.liveDomains = liveDomains;
        this.liveDevices = liveDevices;
        this.livePasidDevices = livePasidDevices;
        this.domains = Collections.unmodifiableList(domains);
        this.devices = Collections.unmodifiableList(devices);
    }

    static EmulatorSnapshot of(final IommuEmulator emulator)
    {
        final List<DomainState> domains = new ArrayList<>();
        emulator.handles().domains().forEachLive((final Domain domain) -> domains.add(stateOf(domain)));
        domains.sort(Comparator.comparingLong(DomainState::id));
        final List<DeviceState> devices = new ArrayList<>();
        emulator.handles().devices().forEachLive((final DmaDevice device) ->
        {
            synchronized (device)
            {
                final Domain domain = device.domain();
                devices.add(new DeviceState(device.id(), null == domain ? 0 : domain.id(), device.pasidDeviceCount(),
                    device.stateChangeRegistered()));
            }
        });
        devices.sort(Comparator.comparingLong(DeviceState::id));
        return new EmulatorSnapshot(emulator.tablePagesInUse(), emulator.liveDomains(), emulator.liveDevices(),
            emulator.livePasidDevices(), domains, devices);
    }

    private static DomainState stateOf(final Domain domain)
    {
        if (domain instanceof MappingDomain)
        {
            final MappingDomain mapping = (MappingDomain)domain;
            return new DomainState(domain.id(), domain.attachedDevices(), domain.outstandingTokens(),
                mapping.protectedRanges().size(), mapping.hasAllocator() ? mapping.allocator().freeBytes() : -1,
                mapping.table().countMapped(0, mapping.limit()), mapping.table().tablePages());
        }
        return new DomainState(domain.id(), domain.attachedDevices(), domain.outstandingTokens(), 0, -1, 0, 0);
    }

    /**
     * @return page-table pages in use over all domains (root pages included).
     */
    public long tablePagesInUse()
    {
        return tablePagesInUse;
    }

    /**
     * @return live domains.
     */
    public int liveDomains()
    {
        return liveDomains;
    }

    /**
     * @return live DMA devices.
     */
    public int liveDevices()
    {
        return liveDevices;
    }

    /**
     * @return live PASID sub-devices.
     */
    public int livePasidDevices()
    {
        return livePasidDevices;
    }

    /**
     * @return every live domain, by id.
     */
    public List<DomainState> domains()
    {
        return domains;
    }

    /**
     * @return every live DMA device, by id.
     */
    public List<DeviceState> devices()
    {
        return devices;
    }

    /**
     * The parts in which {@code other} differs from this snapshot, for an assertion message.
     *
     * @param other the later snapshot.
     * @return an empty string when the snapshots are equal, else one line per differing part ("was -> now").
     */
    public String difference(final EmulatorSnapshot other)
    {
        Objects.requireNonNull(other, "other");
        final StringBuilder out = new StringBuilder();
        differs(out, "table pages in use", tablePagesInUse, other.tablePagesInUse);
        differs(out, "live domains", liveDomains, other.liveDomains);
        differs(out, "live devices", liveDevices, other.liveDevices);
        differs(out, "live PASID devices", livePasidDevices, other.livePasidDevices);
        differs(out, "domains", domains, other.domains);
        differs(out, "devices", devices, other.devices);
        return out.toString();
    }

    private static void differs(final StringBuilder out, final String part, final Object was, final Object now)
    {
        if (!was.equals(now))
        {
            out.append(part).append(": ").append(was).append(" -> ").append(now).append('\n');
        }
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof EmulatorSnapshot))
        {
            return false;
        }
        final EmulatorSnapshot that = (EmulatorSnapshot)o;
        return tablePagesInUse == that.tablePagesInUse && liveDomains == that.liveDomains &&
            liveDevices == that.liveDevices && livePasidDevices == that.livePasidDevices &&
            domains.equals(that.domains) && devices.equals(that.devices);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(tablePagesInUse, liveDomains, liveDevices, livePasidDevices, domains, devices);
    }

    @Override
    public String toString()
    {
        return "EmulatorSnapshot{tablePagesInUse=" + tablePagesInUse + ", liveDomains=" + liveDomains +
            ", liveDevices=" + liveDevices + ", livePasidDevices=" + livePasidDevices + ", domains=" + domains +
            ", devices=" + devices + '}';
    }
}
