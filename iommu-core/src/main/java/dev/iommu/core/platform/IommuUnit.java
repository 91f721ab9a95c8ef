/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

import dev.iommu.ptw.PageSizes;

/**
 * One emulated IOMMU (a VT-d remapping unit, an AMD-Vi IOMMU, an SMMU) and its capabilities. Immutable; built
 * by {@link Platform.Builder#iommu}.
 */
public final class IommuUnit
{
    private final String name;
    private final long mmioBase;
    private final int addressWidth;
    private final int pageSizes;
    private final int pasidWidth;
    private final boolean deviceIdLookup;
    private final int pciSegment;

    IommuUnit(
        final String name,
        final long mmioBase,
        final int addressWidth,
        final int pageSizes,
        final int pasidWidth,
        final boolean deviceIdLookup,
        final int pciSegment)
    {
        if (null == name || name.isEmpty())
        {
            throw new IllegalArgumentException("an IOMMU unit needs a name");
        }
        if (addressWidth != 39 && addressWidth != 48 && addressWidth != 57)
        {
            throw new IllegalArgumentException(
                "IOMMU " + name + ": address width " + addressWidth + " is not one of 39, 48, 57");
        }
        if (!PageSizes.isValid(pageSizes))
        {
            throw new IllegalArgumentException("IOMMU " + name + ": page sizes 0x" + Integer.toHexString(pageSizes)
                + " are not a valid set (4 KiB required)");
        }
        if (pasidWidth < 0 || pasidWidth > 20)
        {
            throw new IllegalArgumentException("IOMMU " + name + ": PASID width " + pasidWidth + " not in 0..20");
        }
        if (pciSegment < 0 || pciSegment > 0xFFFF)
        {
            throw new IllegalArgumentException("IOMMU " + name + ": PCI segment " + pciSegment + " not in 0..65535");
        }
        this.name = name;
        this.mmioBase = mmioBase;
        this.addressWidth = addressWidth;
        this.pageSizes = pageSizes;
        this.pasidWidth = pasidWidth;
        this.deviceIdLookup = deviceIdLookup;
        this.pciSegment = pciSegment;
    }

    /**
     * The unit's name, unique on its platform.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The MMIO base address, reported in fault records as {@code IommuBaseAddress}.
     *
     * @return the base address.
     */
    public long mmioBase()
    {
        return mmioBase;
    }

    /**
     * The input (device address) width the unit translates: 39, 48 or 57 bits (3, 4 or 5 table levels).
     *
     * @return the width in bits.
     */
    public int addressWidth()
    {
        return addressWidth;
    }

    /**
     * The leaf sizes the unit supports, a {@link PageSizes} bit set.
     *
     * @return the page sizes.
     */
    public int pageSizes()
    {
        return pageSizes;
    }

    /**
     * The PASID width in bits; 0 when the unit does not support PASIDs.
     *
     * @return the PASID width.
     */
    public int pasidWidth()
    {
        return pasidWidth;
    }

    /**
     * Whether the unit supports PASIDs (and so stage-1 translate domains).
     *
     * @return true when {@link #pasidWidth()} is not 0.
     */
    public boolean supportsPasid()
    {
        return pasidWidth != 0;
    }

    /**
     * Whether the unit's driver implements the device-id lookup ({@code GetDeviceId}); when it does not,
     * CreateDevice returns STATUS_UNSUCCESSFUL (spec 2.28).
     *
     * @return true when the lookup is implemented.
     */
    public boolean implementsDeviceIdLookup()
    {
        return deviceIdLookup;
    }

    /**
     * The PCI segment the unit serves, reported in x64 fault records.
     *
     * @return the segment.
     */
    public int pciSegment()
    {
        return pciSegment;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "IommuUnit{" + name + ", width=" + addressWidth + ", pasid=" + pasidWidth + "}";
    }
}
