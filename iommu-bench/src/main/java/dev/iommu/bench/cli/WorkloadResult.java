/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import org.HdrHistogram.Histogram;

/**
 * What one implementation did on one workload variant: throughput from an untimed run, latency percentiles
 * from a run that timed every operation, bytes allocated per operation, and failed requests (for workloads
 * where a request may be refused, such as fragmentation).
 */
public final class WorkloadResult
{
    private final String workload;
    private final String variant;
    private final String implementation;
    private final int threads;
    private final long operations;
    private final double opsPerSecond;
    private final Histogram latencyNs;
    private final double bytesPerOp;
    private final long failures;

    /**
     * A result.
     *
     * @param workload       the workload's name.
     * @param variant        the variant within the workload (for example {@code strict} or {@code 128KiB}).
     * @param implementation the implementation's name (this library or a baseline).
     * @param threads        the threads that ran it.
     * @param operations     the operations counted in the throughput run.
     * @param opsPerSecond   operations per second, all threads together.
     * @param latencyNs      one sample per operation of the latency run, in nanoseconds.
     * @param bytesPerOp     bytes allocated per operation on the running threads.
     * @param failures       requests refused (no space, bounds unsatisfiable).
     */
    public WorkloadResult(
        final String workload,
        final String variant,
        final String implementation,
        final int threads,
        final long operations,
        final double opsPerSecond,
        final Histogram latencyNs,
        final double bytesPerOp,
        final long failures)
    {
        this.workload = workload;
        this.variant = variant;
        this.implementation = implementation;
        this.threads = threads;
        this.operations = operations;
        this.opsPerSecond = opsPerSecond;
        this.latencyNs = latencyNs;
        this.bytesPerOp = bytesPerOp;
        this.failures = failures;
    }

    /**
     * The workload's name.
     *
     * @return the name.
     */
    public String workload()
    {
        return workload;
    }

    /**
     * The variant within the workload.
     *
     * @return the variant.
     */
    public String variant()
    {
        return variant;
    }

    /**
     * The implementation's name.
     *
     * @return the name.
     */
    public String implementation()
    {
        return implementation;
    }

    /**
     * The threads that ran the workload.
     *
     * @return the thread count.
     */
    public int threads()
    {
        return threads;
    }

    /**
     * The operations counted in the throughput run.
     *
     * @return the count.
     */
    public long operations()
    {
        return operations;
    }

    /**
     * Operations per second, all threads together.
     *
     * @return the throughput.
     */
    public double opsPerSecond()
    {
        return opsPerSecond;
    }

    /**
     * The latency samples in nanoseconds.
     *
     * @return the histogram.
     */
    public Histogram latencyNs()
    {
        return latencyNs;
    }

    /**
     * A latency percentile in nanoseconds.
     *
     * @param percentile for example 99.9.
     * @return the latency at that percentile.
     */
    public long latencyAt(final double percentile)
    {
        return latencyNs.getValueAtPercentile(percentile);
    }

    /**
     * Bytes allocated per operation on the running threads.
     *
     * @return bytes per operation.
     */
    public double bytesPerOp()
    {
        return bytesPerOp;
    }

    /**
     * Requests refused.
     *
     * @return the count.
     */
    public long failures()
    {
        return failures;
    }

    /**
     * The key that pairs this result with the baselines' results of the same workload, variant and threads.
     *
     * @return the key.
     */
    public String caseKey()
    {
        return workload + "/" + variant + "/" + threads;
    }
}
