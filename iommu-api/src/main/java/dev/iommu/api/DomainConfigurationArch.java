/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code DOMAIN_CONFIGURATION_ARCH} (spec section 3.13). Which member of a {@link DomainConfiguration}
 * is valid.
 */
public enum DomainConfigurationArch implements SpecConstant
{
    /**
     * {@code DomainConfigurationArm64} = 0: An ARM64 SMMU stage-1 configuration (TTBR, MAIR).
     */
    ARM64(0, "DomainConfigurationArm64"),
    /**
     * {@code DomainConfigurationX64} = 1: An x64 configuration, reserved for the system: ConfigureDomain
     * refuses it with STATUS_NOT_SUPPORTED.
     */
    X64(1, "DomainConfigurationX64"),
    /**
     * {@code DomainConfigurationInvalid} = 2: Not a configuration architecture.
     */
    INVALID(2, "DomainConfigurationInvalid");

    private static final DomainConfigurationArch[] VALUES = values();

    private final int value;
    private final String specName;

    DomainConfigurationArch(final int value, final String specName)
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
    public static DomainConfigurationArch fromValue(final int value)
    {
        return SpecConstant.fromValue(VALUES, value);
    }
}
