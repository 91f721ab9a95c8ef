/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * A pointer to a handle ({@code T*}), for the out-parameters that return a handle, such as
 * {@code PIOMMU_DMA_DOMAIN *DomainOut}. Reusable, so that a steady-state call allocates nothing.
 *
 * @param <T> the handle type.
 */
public final class Ref<T>
{
    private T value;

    /**
     * The handle last stored.
     *
     * @return the handle, or null.
     */
    public T get()
    {
        return value;
    }

    /**
     * Stores a handle.
     *
     * @param value the handle.
     */
    public void set(final T value)
    {
        this.value = value;
    }

    /**
     * Stores null.
     *
     * @return this.
     */
    public Ref<T> clear()
    {
        value = null;
        return this;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "Ref{" + value + "}";
    }
}
