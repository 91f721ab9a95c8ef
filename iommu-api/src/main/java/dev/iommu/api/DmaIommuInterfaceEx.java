/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code DMA_IOMMU_INTERFACE_EX} (spec 1.2): a size, a version, and a union of the three tables, filled by
 * {@link IommuInterfaceProvider#ioGetIommuInterfaceEx}. The callee writes {@code Size} and {@code Version}
 * (spec 5.1 item 2); {@code Size} is the natural x64 size for the version: 0x78, 0xC0 or 0xE8.
 * <p>
 * As in C, the union member read must match the version: {@link #v2()} is valid for version 2 and also for
 * version 3 (whose table begins with V2's 22 members); {@link #v1()} only for version 1, {@link #v3()} only
 * for version 3.
 */
public final class DmaIommuInterfaceEx
{
    /** {@code DMA_IOMMU_INTERFACE_EX_VERSION_1}. */
    public static final int VERSION_1 = 1;
    /** {@code DMA_IOMMU_INTERFACE_EX_VERSION_2}. */
    public static final int VERSION_2 = 2;
    /** {@code DMA_IOMMU_INTERFACE_EX_VERSION_3} (spec 5.1 item 5: 3). */
    public static final int VERSION_3 = 3;
    /** {@code DMA_IOMMU_INTERFACE_EX_VERSION_MIN}. */
    public static final int VERSION_MIN = VERSION_1;
    /** {@code DMA_IOMMU_INTERFACE_EX_VERSION_MAX} (spec 5.1 item 5: 3, since this library implements V3). */
    public static final int VERSION_MAX = VERSION_3;

    /** {@code Size} for version 1 on x64: 0x10 header and 13 pointers. */
    public static final long SIZE_V1 = 0x78;
    /** {@code Size} for version 2 on x64: 0x10 header and 22 pointers. */
    public static final long SIZE_V2 = 0xC0;
    /** {@code Size} for version 3 on x64: 0x10 header and 27 pointers. */
    public static final long SIZE_V3 = 0xE8;

    private long size;
    private int version;
    private Object table;

    /**
     * The x64 {@code Size} of the structure for a version.
     *
     * @param version 1, 2 or 3.
     * @return the size in bytes.
     * @throws IllegalArgumentException for any other version.
     */
    public static long sizeOf(final int version)
    {
        switch (version)
        {
            case VERSION_1:
                return SIZE_V1;
            case VERSION_2:
                return SIZE_V2;
            case VERSION_3:
                return SIZE_V3;
            default:
                throw new IllegalArgumentException("no DMA_IOMMU_INTERFACE_EX version " + version);
        }
    }

    /**
     * {@code Size}: the size in bytes of the interface structure, 0 before it is filled.
     *
     * @return the size.
     */
    public long size()
    {
        return size;
    }

    /**
     * {@code Version}: which union member is valid, 0 before the structure is filled.
     *
     * @return the version.
     */
    public int version()
    {
        return version;
    }

    /**
     * The V1 table.
     *
     * @return the table.
     * @throws IllegalStateException unless the version is 1.
     */
    public DmaIommuInterfaceV1 v1()
    {
        requireVersion(VERSION_1, VERSION_1);
        return (DmaIommuInterfaceV1)table;
    }

    /**
     * The V2 table (also the first 22 members of a V3 table).
     *
     * @return the table.
     * @throws IllegalStateException unless the version is 2 or 3.
     */
    public DmaIommuInterfaceV2 v2()
    {
        requireVersion(VERSION_2, VERSION_3);
        return (DmaIommuInterfaceV2)table;
    }

    /**
     * The V3 table.
     *
     * @return the table.
     * @throws IllegalStateException unless the version is 3.
     */
    public DmaIommuInterfaceV3 v3()
    {
        requireVersion(VERSION_3, VERSION_3);
        return (DmaIommuInterfaceV3)table;
    }

    /**
     * Fills the structure with a V1 table: version 1, size {@link #SIZE_V1}. Called by the provider.
     *
     * @param table the table.
     * @return this.
     */
    public DmaIommuInterfaceEx fillV1(final DmaIommuInterfaceV1 table)
    {
        return fill(VERSION_1, requireTable(table));
    }

    /**
     * Fills the structure with a V2 table: version 2, size {@link #SIZE_V2}. Called by the provider.
     *
     * @param table the table.
     * @return this.
     */
    public DmaIommuInterfaceEx fillV2(final DmaIommuInterfaceV2 table)
    {
        return fill(VERSION_2, requireTable(table));
    }

    /**
     * Fills the structure with a V3 table: version 3, size {@link #SIZE_V3}. Called by the provider.
     *
     * @param table the table.
     * @return this.
     */
    public DmaIommuInterfaceEx fillV3(final DmaIommuInterfaceV3 table)
    {
        return fill(VERSION_3, requireTable(table));
    }

    /**
     * Empties the structure: size 0, version 0, no table.
     *
     * @return this.
     */
    public DmaIommuInterfaceEx clear()
    {
        size = 0;
        version = 0;
        table = null;
        return this;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "DmaIommuInterfaceEx{size=0x" + Long.toHexString(size) + ", version=" + version + "}";
    }

    private DmaIommuInterfaceEx fill(final int version, final Object table)
    {
        this.size = sizeOf(version);
        this.version = version;
        this.table = table;
        return this;
    }

    private static Object requireTable(final Object table)
    {
        if (null == table)
        {
            throw new NullPointerException("table");
        }
        return table;
    }

    private void requireVersion(final int lowest, final int highest)
    {
        if (version < lowest || version > highest)
        {
            throw new IllegalStateException(
                "the union member for version " + lowest + " is not valid: Version is " + version);
        }
    }
}
