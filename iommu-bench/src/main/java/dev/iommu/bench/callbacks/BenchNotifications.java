/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.callbacks;

import dev.iommu.callbacks.Notifications;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.lang.management.ManagementFactory;

/**
 * Shared set-up of the notification benchmarks: a busy-spinning agent-thread dispatcher, and per-thread allocation
 * measurement of that thread (JMH's gc profiler measures the benchmark threads).
 */
final class BenchNotifications
{
    /** Agrona needs this in the forked benchmark JVM (the jar manifest only reaches the launcher JVM). */
    static final String AGRONA_FLAG = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private BenchNotifications()
    {
    }

    static Notifications launch(final Thread[] agentThread)
    {
        return launch(agentThread, new BusySpinIdleStrategy());
    }

    static Notifications launch(final Thread[] agentThread, final IdleStrategy idleStrategy)
    {
        return Notifications.launch(new Notifications.Context()
            .ringCapacity(1024 * 1024)
            .idleStrategy(idleStrategy)
            .threadFactory(runnable ->
            {
                final Thread thread = new Thread(runnable);
                thread.setDaemon(true);
                agentThread[0] = thread;
                return thread;
            }));
    }

    static long allocatedBytes(final Thread thread)
    {
        return THREADS.getThreadAllocatedBytes(thread.getId());
    }
}
