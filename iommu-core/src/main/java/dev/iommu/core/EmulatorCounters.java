/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.atomic.AtomicLong;

import dev.iommu.callbacks.NotificationCounters;
import dev.iommu.ptw.SoftwareIotlb;
import dev.iommu.ptw.TableArena;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The emulator's gauges, published beside the notification counters in the same Agrona counters buffer (a file when
 * a counters directory is configured, so that {@code iommu stat} in another process can show them). They are
 * sampled by {@link #refresh()}, never updated on the map, unmap or translate paths, which therefore stay free of
 * shared writes.
 */
final class EmulatorCounters
{
    /** Table pages in use, roots included. */
    static final int TABLE_PAGES_TYPE_ID = 2001;
    /** The table-page limit. */
    static final int TABLE_PAGE_CAPACITY_TYPE_ID = 2002;
    /** Live domains. */
    static final int DOMAINS_TYPE_ID = 2003;
    /** Live DMA device tokens. */
    static final int DEVICES_TYPE_ID = 2004;
    /** Software IOTLB hits, summed over live domains. */
    static final int IOTLB_HITS_TYPE_ID = 2005;
    /** Software IOTLB misses, summed over live domains. */
    static final int IOTLB_MISSES_TYPE_ID = 2006;
    /** Device faults reported to fault handlers. */
    static final int FAULTS_TYPE_ID = 2007;
    /** Type id of the count of objects a launch on a persistent directory restored. */
    static final int RESTORED_TYPE_ID = 2008;
    /** Type id of the count of repairs the launch's recovery made ({@link RecoveryReport#repairs()}). */
    static final int REPAIRS_TYPE_ID = 2009;

    private final TableArena arena;
    private final DomainTable domains;
    private final DeviceTable devices;
    private final AtomicLong faults = new AtomicLong();
    private final AtomicCounter tablePages;
    private final AtomicCounter tablePageCapacity;
    private final AtomicCounter liveDomains;
    private final AtomicCounter liveDevices;
    private final AtomicCounter iotlbHits;
    private final AtomicCounter iotlbMisses;
    private final AtomicCounter faultsReported;
    private final AtomicCounter restored;
    private final AtomicCounter repairs;

    EmulatorCounters(
        final NotificationCounters counters, final TableArena arena, final DomainTable domains,
        final DeviceTable devices, final boolean hitsCounted)
    {
        this.arena = arena;
        this.domains = domains;
        this.devices = devices;
        tablePages = counters.newCounter("table pages in use", TABLE_PAGES_TYPE_ID);
        tablePageCapacity = counters.newCounter("table page capacity", TABLE_PAGE_CAPACITY_TYPE_ID);
        liveDomains = counters.newCounter("domains", DOMAINS_TYPE_ID);
        liveDevices = counters.newCounter("dma devices", DEVICES_TYPE_ID);
        iotlbHits = counters.newCounter(
            hitsCounted ? "iotlb hits" : "iotlb hits (not counted: iotlbHitCounting off)", IOTLB_HITS_TYPE_ID);
        iotlbMisses = counters.newCounter("iotlb misses", IOTLB_MISSES_TYPE_ID);
        faultsReported = counters.newCounter("faults reported", FAULTS_TYPE_ID);
        restored = counters.newCounter("objects restored at launch (persistent directory)", RESTORED_TYPE_ID);
        repairs = counters.newCounter("recovery repairs at launch (persistent directory)", REPAIRS_TYPE_ID);
        tablePageCapacity.setRelease(arena.capacity());
    }

    /**
     * Publishes what the launch restored and repaired (once, before the emulator serves calls).
     *
     * @param report the launch's report.
     */
    void recovered(final RecoveryReport report)
    {
        restored.setRelease(report.domains() + report.devices() + report.tokens() + report.pasidDevices());
        repairs.setRelease(report.repairs());
    }

    void onFault()
    {
        faults.incrementAndGet();
    }

    /**
     * Samples every gauge (release stores: a reader in another process sees whole values).
     */
    void refresh()
    {
        tablePages.setRelease(arena.pagesInUse());
        liveDomains.setRelease(domains.liveCount());
        liveDevices.setRelease(devices.liveCount());
        final long[] sums = new long[2];
        domains.forEachLive((final Domain domain) ->
        {
            if (domain instanceof MappingDomain)
            {
                final SoftwareIotlb iotlb = ((MappingDomain)domain).table().iotlb();
                if (null != iotlb)
                {
                    sums[0] += iotlb.hits();
                    sums[1] += iotlb.misses();
                }
            }
        });
        iotlbHits.setRelease(sums[0]);
        iotlbMisses.setRelease(sums[1]);
        faultsReported.setRelease(faults.get());
    }
}
