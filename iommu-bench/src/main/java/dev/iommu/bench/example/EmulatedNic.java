/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.dma.GuestMemory;

/**
 * An emulated multi-queue network card on the PCI bus of the emulated platform, the device side of the example:
 * per queue pair, ring registers and doorbells the driver programs, and a {@link NicDmaEngine} on its own device
 * thread. Its DMA goes through the IOMMU: the engines translate every device address with
 * {@link IommuEmulator#translate} for the DMA device the driver created for this PCI function.
 */
final class EmulatedNic
{
    private final NicDmaEngine[] engines;
    private final Thread[] threads;
    private volatile boolean stopRequested;

    /**
     * A NIC with {@code queues} queue pairs.
     *
     * @param queues   queue pairs (one device thread each).
     * @param iommu    the IOMMU the NIC sits behind.
     * @param memory   guest memory.
     * @param failures where checks that fail are recorded.
     */
    EmulatedNic(final int queues, final IommuEmulator iommu, final GuestMemory memory, final RunFailures failures)
    {
        engines = new NicDmaEngine[queues];
        threads = new Thread[queues];
        for (int q = 0; q < queues; q++)
        {
            engines[q] = new NicDmaEngine(q, this, iommu, memory, failures);
            threads[q] = new Thread(engines[q], "nic-queue-" + q);
            threads[q].setDaemon(true);
        }
    }

    /**
     * Connects the PCI function to the IOMMU's view of it: the DMA device whose domain translates its accesses.
     *
     * @param dmaDevice the token CreateDevice returned for this function.
     */
    void connect(final IommuDmaDevice dmaDevice)
    {
        for (final NicDmaEngine engine : engines)
        {
            engine.dmaDevice(dmaDevice);
        }
    }

    /**
     * The queue pair a driver programs.
     *
     * @param queue the index.
     * @return its engine (registers and doorbells).
     */
    NicDmaEngine queue(final int queue)
    {
        return engines[queue];
    }

    /**
     * The number of queue pairs.
     *
     * @return the count.
     */
    int queues()
    {
        return engines.length;
    }

    /** Starts the device threads; the rings must be programmed. */
    void start()
    {
        for (final Thread thread : threads)
        {
            thread.start();
        }
    }

    /**
     * Asks the device threads to stop once idle, and waits for them.
     *
     * @param timeoutMs how long to wait for each.
     * @return true when every device thread ended.
     * @throws InterruptedException when interrupted while waiting.
     */
    boolean stop(final long timeoutMs) throws InterruptedException
    {
        stopRequested = true;
        boolean stopped = true;
        for (final Thread thread : threads)
        {
            thread.join(timeoutMs);
            stopped &= !thread.isAlive();
        }
        return stopped;
    }

    /**
     * Adds what the device threads counted to a result (after they ended).
     *
     * @param result the result to fill.
     */
    void collect(final ExampleResult result)
    {
        for (final NicDmaEngine engine : engines)
        {
            result.devicePackets += engine.packets();
            result.translations += engine.translations();
            result.deviceDmaFaults += engine.dmaFaults();
            result.deviceChecksumErrors += engine.checksumErrors();
            result.allocatedBytes += engine.allocatedBytes();
        }
    }

    boolean isStopRequested()
    {
        return stopRequested;
    }
}
