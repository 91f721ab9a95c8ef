/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The settings of one {@link RadixPageTable}. A mutable builder, read once when the table is created.
 */
public final class PageTableConfig
{
    private int addressWidth = 48;
    private int allowedPageSizes = PageSizes.ALLOW_ALL;
    private int iotlbEntries = 4096;
    private IotlbMode iotlbMode = IotlbMode.STRICT;
    private boolean iotlbHitCounting;
    private int deferredBatchSize = 64;
    private long deferredMaxDelayNs = 1_000_000L;
    private NanoClock clock = SystemNanoClock.INSTANCE;

    /**
     * @param bits 39, 48 or 57: 3, 4 or 5 levels.
     * @return this.
     */
    public PageTableConfig addressWidth(final int bits)
    {
        if (bits != 39 && bits != 48 && bits != 57)
        {
            throw new IllegalArgumentException("address width must be 39, 48 or 57: " + bits);
        }
        addressWidth = bits;
        return this;
    }

    /**
     * @param sizes a set of {@link PageSizes} ALLOW_ bits; 4 KiB is always added.
     * @return this.
     */
    public PageTableConfig allowedPageSizes(final int sizes)
    {
        if ((sizes & ~PageSizes.ALLOW_ALL) != 0)
        {
            throw new IllegalArgumentException("unknown page size bits: " + sizes);
        }
        allowedPageSizes = sizes | PageSizes.ALLOW_4K;
        return this;
    }

    /**
     * @param entries IOTLB entries: 0 (no IOTLB) or a power of two up to 2^20.
     * @return this.
     */
    public PageTableConfig iotlbEntries(final int entries)
    {
        if (entries < 0 || entries > (1 << 20) || (entries & (entries - 1)) != 0)
        {
            throw new IllegalArgumentException("IOTLB entries must be 0 or a power of two <= 2^20: " + entries);
        }
        iotlbEntries = entries;
        return this;
    }

    /**
     * @param on count IOTLB hits ({@link SoftwareIotlb#hits()}). Off by default: the count is a store on every hit,
     *           a dependency from one translation to the next that costs a tight translate loop about a third of its
     *           speed (BENCHMARKS.md); misses are always counted.
     * @return this.
     */
    public PageTableConfig iotlbHitCounting(final boolean on)
    {
        iotlbHitCounting = on;
        return this;
    }

    /**
     * @return whether IOTLB hits are counted.
     */
    public boolean iotlbHitCounting()
    {
        return iotlbHitCounting;
    }

    /**
     * @param mode the IOTLB invalidation mode.
     * @return this.
     */
    public PageTableConfig iotlbMode(final IotlbMode mode)
    {
        if (null == mode)
        {
            throw new IllegalArgumentException("mode");
        }
        iotlbMode = mode;
        return this;
    }

    /**
     * @param batchSize deferred mode: flush after this many unmaps (at least 1).
     * @param maxDelayNs deferred mode: flush once the oldest pending unmap is this old (at least 0).
     * @return this.
     */
    public PageTableConfig deferredFlush(final int batchSize, final long maxDelayNs)
    {
        if (batchSize < 1 || maxDelayNs < 0)
        {
            throw new IllegalArgumentException("batch size >= 1 and delay >= 0");
        }
        deferredBatchSize = batchSize;
        deferredMaxDelayNs = maxDelayNs;
        return this;
    }

    /**
     * @param clock the clock of deferred flushes (tests inject one).
     * @return this.
     */
    public PageTableConfig clock(final NanoClock clock)
    {
        if (null == clock)
        {
            throw new IllegalArgumentException("clock");
        }
        this.clock = clock;
        return this;
    }

    /**
     * @return the address width in bits.
     */
    public int addressWidth()
    {
        return addressWidth;
    }

    /**
     * @return the allowed page sizes.
     */
    public int allowedPageSizes()
    {
        return allowedPageSizes;
    }

    /**
     * @return IOTLB entries.
     */
    public int iotlbEntries()
    {
        return iotlbEntries;
    }

    /**
     * @return the IOTLB mode.
     */
    public IotlbMode iotlbMode()
    {
        return iotlbMode;
    }

    /**
     * @return the deferred batch size.
     */
    public int deferredBatchSize()
    {
        return deferredBatchSize;
    }

    /**
     * @return the deferred delay in nanoseconds.
     */
    public long deferredMaxDelayNs()
    {
        return deferredMaxDelayNs;
    }

    /**
     * @return the clock.
     */
    public NanoClock clock()
    {
        return clock;
    }
}
