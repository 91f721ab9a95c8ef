/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_PASID_CONFIGURATION_TYPE} (spec section 3.9). How a device created with a PASID
 * configuration may use PASIDs.
 */
public enum IommuPasidConfigurationType implements SpecConstant
{
    /**
     * {@code PasidConfigTypeDefaultPasidOnly} = 0: Untagged DMA through the default PASID only; the PASID
     * capability is not enabled.
     */
    DEFAULT_PASID_ONLY(0, "PasidConfigTypeDefaultPasidOnly"),
    /**
     * {@code PasidConfigTypePasidTaggedDma} = 1: PASID-tagged DMA and PASID sub-devices allowed; the
     * default PASID is enabled too.
     */
    PASID_TAGGED_DMA(1, "PasidConfigTypePasidTaggedDma"),
    /**
     * {@code PasidConfigTypeMax} = 2: Not a PASID configuration type: the bound, invalid as an argument.
     */
    MAX(2, "PasidConfigTypeMax");

    private static final IommuPasidConfigurationType[] VALUES = values();

    private final int value;
    private final String specName;

    IommuPasidConfigurationType(final int value, final String specName)
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
    public static IommuPasidConfigurationType fromValue(final int value)
    {
        return SpecConstant.fromValue(VALUES, value);
    }
}
