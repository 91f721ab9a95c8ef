/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * Marks an interface-table method with its slot in the C function table (spec 1.2): the slot index (its
 * offset inside the union on x64 is {@code index * 8}), the member name and its callback type as wdm.h
 * spells them. Readable at run time, so that an embedder can build the table in ABI order.
 */
@java.lang.annotation.Documented
@java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
@java.lang.annotation.Target(java.lang.annotation.ElementType.METHOD)
public @interface TableSlot
{
    /**
     * The zero-based index of the member in its table.
     *
     * @return the slot index.
     */
    int index();

    /**
     * The member name, for example {@code MapLogicalRangeEx}.
     *
     * @return the member name.
     */
    String member();

    /**
     * The callback type, for example {@code PIOMMU_MAP_LOGICAL_RANGE_EX}.
     *
     * @return the C type name.
     */
    String type();
}
