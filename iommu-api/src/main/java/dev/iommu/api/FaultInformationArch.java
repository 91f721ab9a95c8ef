/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code FAULT_INFORMATION_ARCH} (spec section 3.12). Which member of a {@link FaultInformation} is
 * valid.
 */
public enum FaultInformationArch implements SpecConstant
{
    /**
     * {@code FaultInformationInvalid} = 0: No valid member.
     */
    INVALID(0, "FaultInformationInvalid"),
    /**
     * {@code FaultInformationArm64} = 1: The {@link FaultInformationArm64} member is valid.
     */
    ARM64(1, "FaultInformationArm64"),
    /**
     * {@code FaultInformationX64} = 2: The {@link FaultInformationX64} member is valid.
     */
    X64(2, "FaultInformationX64");

    private static final FaultInformationArch[] VALUES = values();

    private final int value;
    private final String specName;

    FaultInformationArch(final int value, final String specName)
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
    public static FaultInformationArch fromValue(final int value)
    {
        return SpecConstant.fromValue(VALUES, value);
    }
}
