/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iova;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The machine's latency floor under SampleTime: a fixed amount of CPU work per invocation (no memory traffic, no
 * allocation), so every percentile above its median is the machine (interrupts, preemption, hypervisor), not the
 * code. Run beside {@link IovaMixedBenchmark} to read its tail percentiles.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Xms1g"})
public class SampleTimeNoiseFloorBenchmark
{
    /** Blackhole.consumeCPU tokens per invocation (about 100 and 500 ns here). */
    @Param({"50", "250"})
    public int tokens;

    /**
     * Burns a fixed amount of CPU.
     */
    @Benchmark
    public void fixedWork()
    {
        Blackhole.consumeCPU(tokens);
    }
}
