/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.callbacks;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.FaultInformation;
import dev.iommu.api.FaultInformationArch;
import dev.iommu.api.FaultInformationType;
import dev.iommu.api.IommuDeviceFaultHandler;
import dev.iommu.api.IommuPermissions;
import dev.iommu.callbacks.NotificationPublisher;
import dev.iommu.callbacks.Notifications;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end latency of one fault, from publish to the entry of the fault handler, measured on the dispatching
 * thread with HdrHistogram (one-way, {@code System.nanoTime()} on both sides), with a busy-spinning dispatcher. The
 * JMH score (SampleTime) is the round trip: publish, then wait until the handler has run. Baseline: the same
 * handler run by a single-thread {@code ThreadPoolExecutor} fed through a {@code LinkedBlockingQueue}. One event in
 * flight at a time, so the figures are latency, not queueing.
 */
@BenchmarkMode(Mode.SampleTime)
@Fork(jvmArgsAppend = BenchNotifications.AGRONA_FLAG)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
public class NotificationLatencyBenchmark
{
    /** Shared histogram handling for both variants. */
    public abstract static class Measured
    {
        final Histogram oneWay = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        volatile long handled;
        long sent;
        boolean measuring;

        /**
         * Starts recording at the first measurement iteration (warm-up is discarded).
         *
         * @param params the iteration.
         */
        @Setup(Level.Iteration)
        public void startIteration(final IterationParams params)
        {
            if (!measuring && params.getType() == IterationType.MEASUREMENT)
            {
                measuring = true;
                oneWay.reset();
            }
        }

        void print(final String name)
        {
            System.out.printf(
                "%n[%s one-way publish->handler entry, ns] count %d p50 %d p90 %d p99 %d p99.9 %d max %d%n",
                name, oneWay.getTotalCount(), oneWay.getValueAtPercentile(50), oneWay.getValueAtPercentile(90),
                oneWay.getValueAtPercentile(99), oneWay.getValueAtPercentile(99.9), oneWay.getMaxValue());
        }

        void awaitHandled()
        {
            final long target = ++sent;
            while (handled < target)
            {
                Thread.onSpinWait();
            }
        }
    }

    /** The ring with a busy-spinning dispatcher thread. */
    @State(Scope.Benchmark)
    public static class Ring extends Measured
    {
        final Thread[] agentThread = new Thread[1];
        Notifications notifications;
        NotificationPublisher publisher;

        /** Starts the dispatcher and enables fault reporting for device 1. */
        @Setup(Level.Trial)
        public void setUp()
        {
            notifications = BenchNotifications.launch(agentThread);
            publisher = notifications.publisher();
            final IommuDeviceFaultHandler handler = new IommuDeviceFaultHandler()
            {
                public void onFault(final Object context, final FaultInformation faultInformation)
                {
                    final long now = System.nanoTime();
                    oneWay.recordValue(Math.max(0, now - faultInformation.x64().faultAddress()));
                    handled = handled + 1;
                }
            };
            notifications.setDeviceFaultReporting(1, true, new DeviceFaultConfiguration().faultHandler(handler));
        }

        /** Prints the one-way percentiles and stops the dispatcher. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            print("ring");
            notifications.close();
        }
    }

    /** The baseline executor. */
    @State(Scope.Benchmark)
    public static class Executor extends Measured
    {
        ThreadPoolExecutor executor;

        /** Starts the executor. */
        @Setup(Level.Trial)
        public void setUp()
        {
            executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
            executor.prestartAllCoreThreads();
        }

        /**
         * Prints the one-way percentiles and stops the executor.
         *
         * @throws InterruptedException if interrupted.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            print("executor");
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }

        void submit(final long publishedAt)
        {
            executor.execute(() ->
            {
                final long now = System.nanoTime();
                final FaultInformation info = new FaultInformation().type(FaultInformationArch.X64);
                info.x64().faultAddress(publishedAt).type(FaultInformationType.TRANSLATION_FAULT);
                oneWay.recordValue(Math.max(0, now - info.x64().faultAddress()));
                handled = handled + 1;
            });
        }
    }

    /**
     * Publishes one fault (its address is the publish time) and waits until the handler ran.
     *
     * @param ring the ring.
     */
    @Benchmark
    public void ringRoundTrip(final Ring ring)
    {
        ring.publisher.publishFault(
            1, 7, System.nanoTime(), IommuPermissions.WRITE, FaultInformationType.TRANSLATION_FAULT.value(), false,
            FaultInformationArch.X64.value(), 1, 0, 0, 0xFED0_0000L);
        ring.awaitHandled();
    }

    /**
     * Baseline: submits one fault task to the executor and waits until it ran.
     *
     * @param executor the executor.
     */
    @Benchmark
    public void executorRoundTrip(final Executor executor)
    {
        executor.submit(System.nanoTime());
        executor.awaitHandled();
    }
}
