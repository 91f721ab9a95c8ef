/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * A pointer to a 32-bit integer ({@code PULONG}), for out-parameters such as {@code AvailableDomains},
 * {@code ReturnLength} and {@code AsidOut}. Reusable, so that a steady-state call allocates nothing.
 */
public final class IntRef
{
    private int value;

    /**
     * The value last stored.
     *
     * @return the value.
     */
    public int get()
    {
        return value;
    }

    /**
     * Stores a value.
     *
     * @param value the value.
     * @return this.
     */
    public IntRef set(final int value)
    {
        this.value = value;
        return this;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "IntRef{" + value + "}";
    }
}
