/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.callbacks;

import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.callbacks.NotificationPublisher;
import dev.iommu.callbacks.Notifications;
import dev.iommu.callbacks.PublishResult;
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

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Events per second from one producer and from two producers together, through the ring to a state-change
 * callback on a busy-spinning dispatcher thread; baseline: the same callback run by a single-thread
 * {@code ThreadPoolExecutor} fed through a bounded {@code LinkedBlockingQueue}, one task object per event. A
 * producer that finds the ring full yields and retries (the baseline's producer parks on a full queue), so the
 * score is the delivered rate.
 */
@BenchmarkMode(Mode.Throughput)
@Fork(jvmArgsAppend = BenchNotifications.AGRONA_FLAG)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NotificationThroughputBenchmark
{
    /** The ring and its dispatcher, shared by the producer threads. */
    @State(Scope.Benchmark)
    public static class Ring
    {
        final Thread[] agentThread = new Thread[1];
        Notifications notifications;
        NotificationPublisher publisher;
        long delivered;
        long deliveredAtStart;
        long allocatedAtStart;

        /** Starts the dispatcher and registers one callback per device. */
        @Setup(Level.Trial)
        public void setUp()
        {
            notifications = BenchNotifications.launch(agentThread);
            publisher = notifications.publisher();
            for (int device = 0; device < 2; device++)
            {
                notifications.registerStateChangeCallback(
                    new Counter(), null, device, IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES, () -> 0);
            }
        }

        /** Notes the dispatcher thread's allocation before an iteration. */
        @Setup(Level.Iteration)
        public void startIteration()
        {
            deliveredAtStart = delivered();
            allocatedAtStart = BenchNotifications.allocatedBytes(agentThread[0]);
        }

        /** Prints the dispatcher thread's allocation per delivered event. */
        @TearDown(Level.Iteration)
        public void endIteration()
        {
            final long events = delivered() - deliveredAtStart;
            final long bytes = BenchNotifications.allocatedBytes(agentThread[0]) - allocatedAtStart;
            System.out.printf("%n[dispatcher thread] events %d, allocated %d B, %.4f B/event%n",
                events, bytes, events == 0 ? 0.0 : (double)bytes / events);
        }

        long delivered()
        {
            return notifications.counters().get(dev.iommu.callbacks.NotificationCounters.DELIVERED_TYPE_ID);
        }

        /** Stops the dispatcher. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            notifications.close();
        }

        final class Counter implements IommuInterfaceStateChangeCallback
        {
            public void onStateChange(final IommuInterfaceStateChange stateChange, final Object context)
            {
                delivered += stateChange.availableDomainTypes();
            }
        }
    }

    /** Which device a producer thread publishes for. */
    @State(Scope.Thread)
    public static class Producer
    {
        static final java.util.concurrent.atomic.AtomicInteger NEXT = new java.util.concurrent.atomic.AtomicInteger();
        int device;

        /** Picks a device per thread. */
        @Setup(Level.Trial)
        public void setUp()
        {
            device = NEXT.getAndIncrement() & 1;
        }
    }

    /** The baseline: a single-thread executor behind a bounded LinkedBlockingQueue. */
    @State(Scope.Benchmark)
    public static class Executor
    {
        ThreadPoolExecutor executor;
        final IommuInterfaceStateChangeCallback callback = new IommuInterfaceStateChangeCallback()
        {
            long sum;

            public void onStateChange(final IommuInterfaceStateChange stateChange, final Object context)
            {
                sum += stateChange.availableDomainTypes();
            }
        };

        /** Starts the executor; a full queue makes the producer wait (put), as the ring makes it retry. */
        @Setup(Level.Trial)
        public void setUp()
        {
            final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>(16384);
            executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, queue, (task, pool) ->
            {
                try
                {
                    pool.getQueue().put(task);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            executor.prestartAllCoreThreads();
        }

        /** Stops the executor. */
        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }

        void submit(final long deviceId, final int presentFields, final int availableDomainTypes)
        {
            executor.execute(() -> callback.onStateChange(
                new IommuInterfaceStateChange().presentFields(presentFields).availableDomainTypes(availableDomainTypes),
                deviceId));
        }
    }

    private static int publish(final Ring ring, final Producer producer)
    {
        int result;
        while (PublishResult.PUBLISHED != (result = ring.publisher.publishStateChange(producer.device, 1, 1)))
        {
            // Ring full: give the core to the dispatcher, as the baseline's producer parks on a full queue.
            Thread.yield();
        }
        return result;
    }

    /**
     * One producer thread into the ring.
     *
     * @param ring     the ring.
     * @param producer the producer's device.
     * @return the publish result.
     */
    @Benchmark
    @Threads(1)
    public int ringOneProducer(final Ring ring, final Producer producer)
    {
        return publish(ring, producer);
    }

    /**
     * Two producer threads into the ring together (the score is their sum).
     *
     * @param ring     the ring.
     * @param producer the producer's device.
     * @return the publish result.
     */
    @Benchmark
    @Threads(2)
    public int ringTwoProducers(final Ring ring, final Producer producer)
    {
        return publish(ring, producer);
    }

    /**
     * Baseline: one producer thread into the executor.
     *
     * @param executor the executor.
     * @param producer the producer's device.
     */
    @Benchmark
    @Threads(1)
    public void executorOneProducer(final Executor executor, final Producer producer)
    {
        executor.submit(producer.device, 1, 1);
    }

    /**
     * Baseline: two producer threads into the executor together.
     *
     * @param executor the executor.
     * @param producer the producer's device.
     */
    @Benchmark
    @Threads(2)
    public void executorTwoProducers(final Executor executor, final Producer producer)
    {
        executor.submit(producer.device, 1, 1);
    }
}
