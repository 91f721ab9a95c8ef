/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes the current thread has allocated so far, from the JVM's per-thread counter, so that the example can
 * show what its driver and device threads allocate per packet (map, unmap and translate included).
 */
final class ThreadAllocation
{
    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private ThreadAllocation()
    {
    }

    private static com.sun.management.ThreadMXBean threads()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (bean instanceof com.sun.management.ThreadMXBean)
        {
            final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
            if (threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled())
            {
                return threads;
            }
        }
        return null;
    }

    /**
     * Bytes allocated by the calling thread since it started.
     *
     * @return the count, or -1 when this JVM does not measure it.
     */
    static long currentThreadAllocatedBytes()
    {
        return null == THREADS ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }
}
