/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * Receives the coalesced mapped ranges of {@link RadixPageTable#forEachMappedRange(MappedRangeConsumer)}.
 */
@FunctionalInterface
public interface MappedRangeConsumer
{
    /**
     * One maximal range of consecutive input addresses mapped to consecutive output addresses with the same
     * permissions.
     *
     * @param iova        first input address.
     * @param output      first output address.
     * @param length      bytes.
     * @param permissions {@link PtwPermissions} bits.
     */
    void accept(long iova, long output, long length, int permissions);
}
