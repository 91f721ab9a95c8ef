/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_DEVICE_CREATION_CONFIGURATION_TYPE} (spec section 3.9). The kind of one {@link
 * IommuDeviceCreationConfiguration} passed to CreateDevice.
 */
public enum IommuDeviceCreationConfigurationType implements SpecConstant
{
    /**
     * {@code IommuDeviceCreationConfigTypeNone} = 0: No type.
     */
    NONE(0, "IommuDeviceCreationConfigTypeNone"),
    /**
     * {@code IommuDeviceCreationConfigTypeAcpi} = 1: ACPI input mappings (ARM64 ACPI devices only).
     */
    ACPI(1, "IommuDeviceCreationConfigTypeAcpi"),
    /**
     * {@code IommuDeviceCreationConfigTypeDeviceId} = 2: A device id; wdm.h only defines the constant.
     */
    DEVICE_ID(2, "IommuDeviceCreationConfigTypeDeviceId"),
    /**
     * {@code IommuDeviceCreationConfigTypePasid} = 3: PASID parameters (V3).
     */
    PASID(3, "IommuDeviceCreationConfigTypePasid"),
    /**
     * {@code IommuDeviceCreationConfigTypeMax} = 4: Not a configuration type: the documented bound,
     * invalid as an argument.
     */
    MAX(4, "IommuDeviceCreationConfigTypeMax");

    private static final IommuDeviceCreationConfigurationType[] VALUES = values();

    private final int value;
    private final String specName;

    IommuDeviceCreationConfigurationType(final int value, final String specName)
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
    public static IommuDeviceCreationConfigurationType fromValue(final int value)
    {
        return SpecConstant.fromValue(VALUES, value);
    }
}
