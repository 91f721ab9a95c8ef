/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

/**
 * One thread's share of a workload: {@link #runOnce()} performs one operation (for example allocate, map,
 * translate twice, unmap) and must allocate nothing in steady state; the harness counts, times and checks it.
 */
public interface Operation
{
    /**
     * Performs one operation.
     */
    void runOnce();

    /**
     * Requests refused so far (no space, bounds unsatisfiable); 0 for workloads where nothing may be refused.
     *
     * @return the count.
     */
    default long failures()
    {
        return 0;
    }

    /**
     * Undoes what the operation left behind (outstanding mappings), after the measurement.
     */
    default void finish()
    {
    }
}
