/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.callbacks;

import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.callbacks.NotificationCounters;
import dev.iommu.callbacks.NotificationPublisher;
import dev.iommu.callbacks.Notifications;
import dev.iommu.callbacks.PublishResult;
import org.agrona.concurrent.YieldingIdleStrategy;
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
 * {@code ThreadPoolExecutor} fed through a bounded {@code LinkedBlockingQueue}, one task object per event. Both
 * scores are delivered events: the baseline's producer parks on a full queue; a ring producer stays at most
 * {@link Producer#WINDOW} events ahead of its callback's count and yields while it is, so the ring never fills and
 * every event is shown to its callback (each measurement iteration fails if one was dropped, merged or skipped).
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
        final DeliveredCount[] shown = {new DeliveredCount(), new DeliveredCount()};
        Notifications notifications;
        NotificationPublisher publisher;
        long deliveredAtStart;
        long unhandledAtStart;
        long droppedAtStart;
        long healedAtStart;
        long allocatedAtStart;

        /** Starts the dispatcher and registers one callback per device. */
        @Setup(Level.Trial)
        public void setUp()
        {
            notifications = BenchNotifications.launch(agentThread, new YieldingIdleStrategy());
            publisher = notifications.publisher();
            for (int device = 0; device < shown.length; device++)
            {
                notifications.registerStateChangeCallback(
                    shown[device], null, device, IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES, () -> 0);
            }
        }

        /** Notes the counters and the dispatcher thread's allocation before an iteration. */
        @Setup(Level.Iteration)
        public void startIteration()
        {
            deliveredAtStart = counter(NotificationCounters.DELIVERED_TYPE_ID);
            unhandledAtStart = counter(NotificationCounters.UNHANDLED_TYPE_ID);
            droppedAtStart = counter(NotificationCounters.DROPPED_TYPE_ID);
            healedAtStart = counter(NotificationCounters.HEALED_TYPE_ID);
            allocatedAtStart = BenchNotifications.allocatedBytes(agentThread[0]);
        }

        /**
         * Prints the dispatcher thread's allocation per delivered event, and fails the run when an event was
         * dropped or not shown to its callback: the score must count delivered events only.
         */
        @TearDown(Level.Iteration)
        public void endIteration()
        {
            final long events = counter(NotificationCounters.DELIVERED_TYPE_ID) - deliveredAtStart;
            final long bytes = BenchNotifications.allocatedBytes(agentThread[0]) - allocatedAtStart;
            final long unhandled = counter(NotificationCounters.UNHANDLED_TYPE_ID) - unhandledAtStart;
            final long dropped = counter(NotificationCounters.DROPPED_TYPE_ID) - droppedAtStart;
            final long healed = counter(NotificationCounters.HEALED_TYPE_ID) - healedAtStart;
            System.out.printf("%n[dispatcher thread] events %d, allocated %d B, %.4f B/event; " +
                "unhandled %d, dropped %d, healed %d%n",
                events, bytes, events == 0 ? 0.0 : (double)bytes / events, unhandled, dropped, healed);
            if (0 != unhandled || 0 != dropped || 0 != healed)
            {
                throw new IllegalStateException("events were not delivered one by one: the score would not count " +
                    "delivered events");
            }
        }

        long counter(final int typeId)
        {
            return notifications.counters().get(typeId);
        }

        /** Stops the dispatcher. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            notifications.close();
        }
    }

    /**
     * Which device a producer thread publishes for, and how far it may run ahead of the deliveries to that device.
     */
    @State(Scope.Thread)
    public static class Producer
    {
        /**
         * Events a producer may have published and not yet seen delivered: with two producers at most half the
         * 16,384-record ring is in flight, so the ring never fills and no event is dropped or merged (a dropped
         * state change would be healed by showing the device's latest state, skipping the older records: the
         * score would then count records consumed, not events delivered).
         */
        static final long WINDOW = 4096;
        static final java.util.concurrent.atomic.AtomicInteger NEXT = new java.util.concurrent.atomic.AtomicInteger();
        int device;
        long published;
        long allowed;

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

    private static int publish(final Ring ring, final Producer producer)
    {
        if (producer.published >= producer.allowed)
        {
            awaitDeliveries(ring.shown[producer.device], producer);
        }
        int result;
        while (PublishResult.PUBLISHED != (result = ring.publisher.publishStateChange(producer.device, 1, 1)))
        {
            // Never taken while the window keeps the ring from filling (endIteration checks nothing was dropped).
            Thread.yield();
        }
        producer.published++;
        return result;
    }

    /**
     * Waits until at least half the window is free again, giving the core away (as the baseline's producer parks on
     * a full queue): the producer reads the dispatcher's count once per half window, not on every event.
     */
    private static void awaitDeliveries(final DeliveredCount shown, final Producer producer)
    {
        while (true)
        {
            final long allowed = shown.lvCount() + Producer.WINDOW;
            if (allowed - producer.published >= Producer.WINDOW / 2)
            {
                producer.allowed = allowed;
                return;
            }
            Thread.yield();
        }
    }
}
