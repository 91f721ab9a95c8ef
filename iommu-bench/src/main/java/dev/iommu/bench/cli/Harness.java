/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

import org.HdrHistogram.Histogram;

/**
 * Measures one implementation on one workload variant with N threads, in three phases that every thread
 * enters together (a barrier): warm-up; throughput, untimed per operation, with the bytes each thread allocated
 * (HotSpot's per-thread allocation counter); latency, each operation timed with {@code System.nanoTime} into a
 * histogram. Throughput and latency are separate phases so that the cost of reading the clock twice per
 * operation does not lower the throughput figure.
 */
public final class Harness
{
    private static final long LATENCY_MAX_NS = 10_000_000_000L;

    private final long warmupNs;
    private final long throughputNs;
    private final long latencyNs;

    /**
     * A harness with phase lengths.
     *
     * @param warmupNs     the warm-up phase.
     * @param throughputNs the throughput phase.
     * @param latencyNs    the latency phase.
     */
    public Harness(final long warmupNs, final long throughputNs, final long latencyNs)
    {
        this.warmupNs = warmupNs;
        this.throughputNs = throughputNs;
        this.latencyNs = latencyNs;
    }

    /**
     * The planned length of one measurement.
     *
     * @return nanoseconds.
     */
    public long plannedNs()
    {
        return warmupNs + throughputNs + latencyNs;
    }

    /**
     * Runs the three phases.
     *
     * @param workload       the workload's name.
     * @param variant        the variant.
     * @param implementation the implementation's name.
     * @param threads        the number of threads.
     * @param operations     makes the operation of thread {@code i}; called on that thread.
     * @return the result.
     * @throws IllegalStateException when a thread fails; its exception is the cause.
     */
    public WorkloadResult measure(
        final String workload,
        final String variant,
        final String implementation,
        final int threads,
        final IntFunction<Operation> operations)
    {
        final Phase phase = new Phase(threads + 1);
        final long[] counts = new long[threads];
        final long[] allocated = new long[threads];
        final long[] failures = new long[threads];
        final Histogram[] latencies = new Histogram[threads];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int index = t;
            final Thread worker = new Thread(() ->
            {
                try
                {
                    final Operation op = operations.apply(index);
                    final Histogram histogram = new Histogram(LATENCY_MAX_NS, 3);
                    phase.await();
                    while (phase.is(Phase.WARMUP))
                    {
                        op.runOnce();
                    }
                    phase.await();
                    final long bytesBefore = allocatedBytes();
                    long count = 0;
                    while (phase.is(Phase.THROUGHPUT))
                    {
                        op.runOnce();
                        count++;
                    }
                    allocated[index] = allocatedBytes() - bytesBefore;
                    counts[index] = count;
                    phase.await();
                    while (phase.is(Phase.LATENCY))
                    {
                        final long start = System.nanoTime();
                        op.runOnce();
                        histogram.recordValue(Math.min(LATENCY_MAX_NS, System.nanoTime() - start));
                    }
                    latencies[index] = histogram;
                    failures[index] = op.failures();
                    op.finish();
                }
                catch (final Throwable e)
                {
                    failure.compareAndSet(null, e);
                    phase.abort();
                }
            }, "bench-" + workload + "-" + index);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        final long elapsedNs = phase.drive(warmupNs, throughputNs, latencyNs);
        for (final Thread worker : workers)
        {
            join(worker);
        }
        if (null != failure.get())
        {
            throw new IllegalStateException(workload + "/" + variant + " on " + implementation + " failed: " +
                failure.get(), failure.get());
        }
        long totalOps = 0;
        long totalBytes = 0;
        long totalFailures = 0;
        final Histogram merged = new Histogram(LATENCY_MAX_NS, 3);
        for (int t = 0; t < threads; t++)
        {
            totalOps += counts[t];
            totalBytes += allocated[t];
            totalFailures += failures[t];
            merged.add(latencies[t]);
        }
        return new WorkloadResult(workload, variant, implementation, threads, totalOps,
            totalOps * 1e9 / elapsedNs, merged, totalOps == 0 ? 0 : (double)totalBytes / totalOps, totalFailures);
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + thread.getName(), e);
        }
    }

    /**
     * The phase all threads are in, advanced by the driving thread; workers poll it between operations.
     */
    private static final class Phase
    {
        static final int SETUP = 0;
        static final int WARMUP = 1;
        static final int THROUGHPUT = 2;
        static final int LATENCY = 3;
        static final int DONE = 4;

        private final CyclicBarrier barrier;
        private volatile int current = SETUP;
        private volatile boolean aborted;

        Phase(final int parties)
        {
            barrier = new CyclicBarrier(parties);
        }

        boolean is(final int phase)
        {
            return current == phase;
        }

        void await()
        {
            if (aborted)
            {
                throw new IllegalStateException("another thread failed");
            }
            try
            {
                barrier.await();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            catch (final BrokenBarrierException e)
            {
                throw new IllegalStateException("another thread failed", e);
            }
        }

        void abort()
        {
            aborted = true;
            current = DONE;
            barrier.reset();
        }

        /**
         * Runs the phases for their lengths; returns the measured length of the throughput phase.
         */
        long drive(final long warmupNs, final long throughputNs, final long latencyNs)
        {
            try
            {
                current = WARMUP;
                await();
                hold(warmupNs);
                current = THROUGHPUT;
                await();
                final long start = System.nanoTime();
                hold(throughputNs);
                current = LATENCY;
                final long elapsed = System.nanoTime() - start;
                await();
                hold(latencyNs);
                current = DONE;
                return elapsed;
            }
            catch (final IllegalStateException e)
            {
                current = DONE;
                return 1;
            }
        }

        private void hold(final long ns)
        {
            final long deadline = System.nanoTime() + ns;
            for (long left = ns; left > 0 && !aborted; left = deadline - System.nanoTime())
            {
                LockSupport.parkNanos(left);
            }
        }
    }
}
