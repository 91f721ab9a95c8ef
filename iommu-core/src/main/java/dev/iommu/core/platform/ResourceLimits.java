/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

/**
 * How much of each resource the emulated machine has, so that every STATUS_INSUFFICIENT_RESOURCES path can be
 * reached: DMA device tokens, domains, page-table pages (all domains together), ASIDs for unmanaged domains,
 * and PASID sub-devices. Immutable.
 */
public final class ResourceLimits
{
    /** Defaults: 4096 devices, 4096 domains, 16384 table pages (64 MiB), 256 ASIDs, 4096 PASID devices. */
    public static final ResourceLimits DEFAULTS = new ResourceLimits(4096, 4096, 16384, 256, 4096);

    private final int maxDmaDevices;
    private final int maxDomains;
    private final int maxTablePages;
    private final int maxUnmanagedAsids;
    private final int maxPasidDevices;

    /**
     * Limits with the given values.
     *
     * @param maxDmaDevices     DMA device tokens alive at once.
     * @param maxDomains        domains alive at once.
     * @param maxTablePages     4 KiB page-table pages in use at once, over all domains.
     * @param maxUnmanagedAsids unmanaged domains alive at once (each holds an ASID).
     * @param maxPasidDevices   PASID sub-devices alive at once.
     * @throws IllegalArgumentException when a limit is below 1.
     */
    public ResourceLimits(
        final int maxDmaDevices,
        final int maxDomains,
        final int maxTablePages,
        final int maxUnmanagedAsids,
        final int maxPasidDevices)
    {
        requirePositive("maxDmaDevices", maxDmaDevices);
        requirePositive("maxDomains", maxDomains);
        requirePositive("maxTablePages", maxTablePages);
        requirePositive("maxUnmanagedAsids", maxUnmanagedAsids);
        requirePositive("maxPasidDevices", maxPasidDevices);
        this.maxDmaDevices = maxDmaDevices;
        this.maxDomains = maxDomains;
        this.maxTablePages = maxTablePages;
        this.maxUnmanagedAsids = maxUnmanagedAsids;
        this.maxPasidDevices = maxPasidDevices;
    }

    /**
     * DMA device tokens alive at once.
     *
     * @return the limit.
     */
    public int maxDmaDevices()
    {
        return maxDmaDevices;
    }

    /**
     * Domains alive at once.
     *
     * @return the limit.
     */
    public int maxDomains()
    {
        return maxDomains;
    }

    /**
     * Page-table pages in use at once, over all domains.
     *
     * @return the limit.
     */
    public int maxTablePages()
    {
        return maxTablePages;
    }

    /**
     * Unmanaged domains alive at once.
     *
     * @return the limit.
     */
    public int maxUnmanagedAsids()
    {
        return maxUnmanagedAsids;
    }

    /**
     * PASID sub-devices alive at once.
     *
     * @return the limit.
     */
    public int maxPasidDevices()
    {
        return maxPasidDevices;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "ResourceLimits{devices=" + maxDmaDevices + ", domains=" + maxDomains + ", tablePages=" +
            maxTablePages + ", unmanagedAsids=" + maxUnmanagedAsids + ", pasidDevices=" + maxPasidDevices + "}";
    }

    private static void requirePositive(final String name, final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException(name + " must be at least 1: " + value);
        }
    }
}
