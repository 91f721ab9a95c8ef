/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_MAP_PHYSICAL_ADDRESS_TYPE} (spec section 3.7). How an {@link IommuMapPhysicalAddress}
 * describes the physical memory to map.
 */
public enum IommuMapPhysicalAddressType implements SpecConstant
{
    /**
     * {@code MapPhysicalAddressTypeMdl} = 0: Described by an {@link Mdl}.
     */
    MDL(0, "MapPhysicalAddressTypeMdl"),
    /**
     * {@code MapPhysicalAddressTypeContiguousRange} = 1: Physically contiguous: base and size in bytes.
     */
    CONTIGUOUS_RANGE(1, "MapPhysicalAddressTypeContiguousRange"),
    /**
     * {@code MapPhysicalAddressTypePfn} = 2: An array of page frame numbers.
     */
    PFN(2, "MapPhysicalAddressTypePfn"),
    /**
     * {@code MapPhysicalAddressTypeMax} = 3: Not a description type: the bound, invalid as an argument.
     */
    MAX(3, "MapPhysicalAddressTypeMax");

    private static final IommuMapPhysicalAddressType[] VALUES = values();

    private final int value;
    private final String specName;

    IommuMapPhysicalAddressType(final int value, final String specName)
    {
        this.value = value;
        this.specName = specName;
    }

    /** {@inheritDoc} */
    @Override
    public int value()
    {
        return value;
    }

    /** {@inheritDoc} */
    @Override
    public String specName()
    {
        return specName;
    }

    /**
     * The constant with a given numeric value.
     *
     * @param value the C enumeration value.
     * @return the constant, or null when none has that value.
     */
    public static IommuMapPhysicalAddressType fromValue(final int value)
    {
        return SpecConstant.fromValue(VALUES, value);
    }
}
