/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

/**
 * Receives map and unmap notifications ({@link MappingDescriptor}), for embedders that shadow mappings. Called on
 * the dispatching thread, one call at a time, never while a library lock is held.
 */
public interface MappingListener
{
    /**
     * A range was mapped.
     *
     * @param domainId        the domain.
     * @param address         the logical (device) address.
     * @param length          the length in bytes.
     * @param physicalAddress the physical address mapped at address.
     * @param permissions     {@code IommuPermissions} bits.
     */
    void onMap(long domainId, long address, long length, long physicalAddress, int permissions);

    /**
     * A range was unmapped.
     *
     * @param domainId the domain.
     * @param address  the logical (device) address.
     * @param length   the length in bytes.
     */
    void onUnmap(long domainId, long address, long length);
}
