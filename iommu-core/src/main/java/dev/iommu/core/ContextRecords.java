/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * Where the members write what a persistent emulator must find again after a restart: one call per change of a
 * domain, device, token or PASID sub-device, made before the member returns STATUS_SUCCESS and, for objects with a
 * monitor, under it (so records change in the order the objects do). {@link #NONE} for an emulator without a
 * persistent directory: every call does nothing. {@link PersistedContext} writes them to the context table.
 */
interface ContextRecords
{
    /** The records of an emulator that keeps nothing. */
    ContextRecords NONE = new ContextRecords()
    {
    };

    /**
     * A domain was created (before it is published).
     *
     * @param domain the domain.
     * @param shape  its shape (null for an unmanaged domain).
     * @return false when the record could not be written (the creation is undone: STATUS_INSUFFICIENT_RESOURCES).
     */
    default boolean domainCreated(final Domain domain, final DomainShape shape)
    {
        return true;
    }

    /**
     * ConfigureDomain changed an unmanaged domain's configuration.
     *
     * @param domain the domain.
     */
    default void domainConfigured(final UnmanagedDomain domain)
    {
    }

    /**
     * A domain was deleted.
     *
     * @param domain the domain.
     */
    default void domainDeleted(final Domain domain)
    {
    }

    /**
     * A DMA device was created, attached, detached, or its references changed (under its monitor).
     *
     * @param device the device.
     */
    default void deviceChanged(final DmaDevice device)
    {
    }

    /**
     * A DMA device was deleted.
     *
     * @param device the device.
     */
    default void deviceDeleted(final DmaDevice device)
    {
    }

    /**
     * A logical address token was reserved.
     *
     * @param token the token.
     */
    default void tokenReserved(final LogicalAddressToken token)
    {
    }

    /**
     * A logical address token was freed (its segments with it).
     *
     * @param token the token.
     */
    default void tokenFreed(final LogicalAddressToken token)
    {
    }

    /**
     * MapReservedLogicalRange mapped a segment of a token (under the token's monitor).
     *
     * @param token  the token.
     * @param offset the segment's offset in the token, in bytes.
     * @param length its length in bytes.
     */
    default void segmentMapped(final LogicalAddressToken token, final long offset, final long length)
    {
    }

    /**
     * UnmapReservedLogicalRange unmapped a segment of a token (under the token's monitor).
     *
     * @param token  the token.
     * @param offset the segment's offset in the token, in bytes.
     */
    default void segmentUnmapped(final LogicalAddressToken token, final long offset)
    {
    }

    /**
     * A PASID sub-device was created, attached or detached.
     *
     * @param device the sub-device.
     */
    default void pasidChanged(final PasidDevice device)
    {
    }

    /**
     * The ids of one kind of object given so far may reach a new end ({@link StableIds}).
     *
     * @param kind the key kind of the objects.
     * @param end  the last id that may be given before the next lease.
     */
    default void idsLeased(final long kind, final long end)
    {
    }

    /**
     * A PASID sub-device was deleted.
     *
     * @param device the sub-device.
     */
    default void pasidDeleted(final PasidDevice device)
    {
    }
}
