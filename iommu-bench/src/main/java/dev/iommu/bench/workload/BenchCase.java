/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.workload;

import dev.iommu.bench.adapter.DmaMapper;
import dev.iommu.bench.cli.Operation;
import dev.iommu.core.IotlbInvalidation;

/**
 * One measured case of a workload: its variant, thread count, whether the threads share one domain, the library's
 * IOTLB mode and address width for it, and what each thread does.
 */
public final class BenchCase
{
    /**
     * Makes one thread's operation over its mapper.
     */
    @FunctionalInterface
    public interface OperationFactory
    {
        /**
         * @param mapper the thread's mapper.
         * @param thread the thread's index.
         * @return the operation.
         */
        Operation create(DmaMapper mapper, int thread);
    }

    private final String workload;
    private final String variant;
    private final int threads;
    private final boolean sharedDomain;
    private final IotlbInvalidation iotlbMode;
    private final int addressWidth;
    private final OperationFactory operations;

    BenchCase(
        final String workload,
        final String variant,
        final int threads,
        final boolean sharedDomain,
        final IotlbInvalidation iotlbMode,
        final int addressWidth,
        final OperationFactory operations)
    {
        this.workload = workload;
        this.variant = variant;
        this.threads = threads;
        this.sharedDomain = sharedDomain;
        this.iotlbMode = iotlbMode;
        this.addressWidth = addressWidth;
        this.operations = operations;
    }

    /** @return the workload's name. */
    public String workload()
    {
        return workload;
    }

    /** @return the variant. */
    public String variant()
    {
        return variant;
    }

    /** @return the number of threads. */
    public int threads()
    {
        return threads;
    }

    /** @return true when all threads map into one domain. */
    public boolean sharedDomain()
    {
        return sharedDomain;
    }

    /** @return the library's IOTLB invalidation mode for this case. */
    public IotlbInvalidation iotlbMode()
    {
        return iotlbMode;
    }

    /** @return the domains' address width. */
    public int addressWidth()
    {
        return addressWidth;
    }

    /** @return what each thread does. */
    public OperationFactory operations()
    {
        return operations;
    }
}
