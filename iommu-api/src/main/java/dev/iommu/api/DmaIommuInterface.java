/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * The deprecated {@code DMA_IOMMU_INTERFACE} (spec 1.1): a {@code ULONG Version} followed by exactly the 13 pointers
 * of {@link DmaIommuInterfaceV1}, filled by {@link IommuInterfaceProvider#ioGetIommuInterface}. It has no
 * {@code INTERFACE} header and no {@code Size}; only version 1 exists.
 */
public final class DmaIommuInterface
{
    /** {@code DMA_IOMMU_INTERFACE_VERSION} ({@code DMA_IOMMU_INTERFACE_VERSION_1}): 1. */
    public static final int VERSION = 1;

    private int version;
    private DmaIommuInterfaceV1 table;

    /**
     * {@code Version}: 1 once filled, 0 before.
     *
     * @return the version.
     */
    public int version()
    {
        return version;
    }

    /**
     * The 13 members.
     *
     * @return the table.
     * @throws IllegalStateException while the structure is not filled.
     */
    public DmaIommuInterfaceV1 v1()
    {
        if (version != VERSION)
        {
            throw new IllegalStateException("DMA_IOMMU_INTERFACE is not filled: Version is " + version);
        }
        return table;
    }

    /**
     * Fills the structure: version 1 and the table. Called by the provider.
     *
     * @param table the V1 table.
     * @return this.
     */
    public DmaIommuInterface fill(final DmaIommuInterfaceV1 table)
    {
        if (null == table)
        {
            throw new NullPointerException("table");
        }
        this.version = VERSION;
        this.table = table;
        return this;
    }

    /**
     * Empties the structure: version 0, no table.
     *
     * @return this.
     */
    public DmaIommuInterface clear()
    {
        version = 0;
        table = null;
        return this;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "DmaIommuInterface{version=" + version + "}";
    }
}
