/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code FAULT_INFORMATION} (spec section 3.12). What a device fault handler receives. Only the member named by
 * type is valid; the instance is only valid during the call. Its x64 size is 0x38 bytes.
 */
public final class FaultInformation
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x38;

    private FaultInformationArch type;
    private boolean isStage1;
    private final FaultInformationArm64 arm64 = new FaultInformationArm64();
    private final FaultInformationX64 x64 = new FaultInformationX64();

    /**
     * {@code Type}: which member is valid.
     *
     * @return the value.
     */
    public FaultInformationArch type()
    {
        return type;
    }

    /**
     * Sets {@code Type}.
     *
     * @param type the new value.
     * @return this.
     */
    public FaultInformation type(final FaultInformationArch type)
    {
        this.type = type;
        return this;
    }

    /**
     * {@code IsStage1}: the fault came from stage-1 translation.
     *
     * @return the value.
     */
    public boolean isStage1()
    {
        return isStage1;
    }

    /**
     * Sets {@code IsStage1}.
     *
     * @param isStage1 the new value.
     * @return this.
     */
    public FaultInformation isStage1(final boolean isStage1)
    {
        this.isStage1 = isStage1;
        return this;
    }

    /**
     * {@code Arm64}: the ARM64 record.
     *
     * @return the value.
     */
    public FaultInformationArm64 arm64()
    {
        return arm64;
    }

    /**
     * {@code X64}: the x64 record.
     *
     * @return the value.
     */
    public FaultInformationX64 x64()
    {
        return x64;
    }
}
