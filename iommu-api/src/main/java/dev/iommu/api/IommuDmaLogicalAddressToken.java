/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_DMA_LOGICAL_ADDRESS_TOKEN} (spec 3.8): a contiguous reserved logical range whose page tables
 * already exist, so mapping into it cannot fail for want of memory. Owned by the interface: returned by
 * ReserveLogicalAddressRange, freed by FreeReservedLogicalAddressRange. Its x64 size is 0x10 bytes.
 */
public interface IommuDmaLogicalAddressToken
{
    /** The size of the C structure on x64, in bytes. */
    int SIZE_X64 = 0x10;

    /**
     * {@code LogicalAddressBase}: the start of the reserved logical range.
     *
     * @return the logical base address.
     */
    long logicalAddressBase();

    /**
     * {@code Size}: the length of the reserved range in bytes.
     *
     * @return the size in bytes.
     */
    long size();
}
