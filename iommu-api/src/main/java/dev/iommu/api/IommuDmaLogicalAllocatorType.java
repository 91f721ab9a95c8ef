/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_DMA_LOGICAL_ALLOCATOR_TYPE} (spec section 3.4). The kind of logical (IOVA) allocator a
 * translate domain is created with.
 */
public enum IommuDmaLogicalAllocatorType implements SpecConstant
{
    /**
     * {@code IommuDmaLogicalAllocatorNone} = 0: The configuration describes no allocator.
     */
    NONE(0, "IommuDmaLogicalAllocatorNone"),
    /**
     * {@code IommuDmaLogicalAllocatorBuddy} = 1: The system buddy allocator: power-of-two blocks, no
     * explicit addresses.
     */
    BUDDY(1, "IommuDmaLogicalAllocatorBuddy"),
    /**
     * {@code IommuDmaLogicalAllocatorMax} = 2: Not an allocator type: the bound, invalid as an argument.
     */
    MAX(2, "IommuDmaLogicalAllocatorMax");

    private static final IommuDmaLogicalAllocatorType[] VALUES = values();

    private final int value;
    private final String specName;

    IommuDmaLogicalAllocatorType(final int value, final String specName)
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
    public static IommuDmaLogicalAllocatorType fromValue(final int value)
    {
        return SpecConstant.fromValue(VALUES, value);
    }
}
