/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * A pointer to a 64-bit integer ({@code PULONGLONG}, {@code PIOMMU_DMA_LOGICAL_ADDRESS}): an out-parameter,
 * or an optional input where null means "not supplied" (spec 1.6). Reusable, so that a steady-state call
 * allocates nothing.
 */
public final class LongRef
{
    private long value;

    /**
     * A holder of 0.
     */
    public LongRef()
    {
    }

    /**
     * A holder of a value.
     *
     * @param value the initial value.
     */
    public LongRef(final long value)
    {
        this.value = value;
    }

    /**
     * The value last stored.
     *
     * @return the value.
     */
    public long get()
    {
        return value;
    }

    /**
     * Stores a value.
     *
     * @param value the value.
     * @return this.
     */
    public LongRef set(final long value)
    {
        this.value = value;
        return this;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "LongRef{0x" + Long.toHexString(value) + "}";
    }
}
