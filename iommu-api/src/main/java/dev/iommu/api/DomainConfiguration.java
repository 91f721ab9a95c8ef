/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code DOMAIN_CONFIGURATION} (spec section 3.13). What ConfigureDomain hands to an unmanaged domain. Only the
 * member named by type is valid; drivers may only pass ARM64 configurations. Its x64 size is 0x28 bytes.
 */
public final class DomainConfiguration
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x28;

    private DomainConfigurationArch type;
    private final DomainConfigurationArm64 arm64 = new DomainConfigurationArm64();
    private final DomainConfigurationX64 x64 = new DomainConfigurationX64();

    /**
     * {@code Type}: which member is valid.
     *
     * @return the value.
     */
    public DomainConfigurationArch type()
    {
        return type;
    }

    /**
     * Sets {@code Type}.
     *
     * @param type the new value.
     * @return this.
     */
    public DomainConfiguration type(final DomainConfigurationArch type)
    {
        this.type = type;
        return this;
    }

    /**
     * {@code Arm64}: the ARM64 configuration.
     *
     * @return the value.
     */
    public DomainConfigurationArm64 arm64()
    {
        return arm64;
    }

    /**
     * {@code X64}: the x64 configuration.
     *
     * @return the value.
     */
    public DomainConfigurationX64 x64()
    {
        return x64;
    }
}
