/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.FaultInformation;
import dev.iommu.api.FaultInformationX64;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.dma.FrameAllocator;
import dev.iommu.core.dma.GuestMemory;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * The guest driver of the {@link EmulatedNic}, the embedder's side of the example: it acquires the
 * {@code DMA_IOMMU_INTERFACE_V2} with IoGetIommuInterfaceEx, creates the DMA device of its PCI function and a
 * Translate domain with a buddy allocator, attaches them, registers a state-change callback and a fault handler,
 * allocates guest frames for the rings and packet buffers, maps the rings once, and runs one
 * {@link NicDriverQueue} per queue pair on its own thread (those map and unmap each packet buffer). {@link #close()}
 * undoes everything in the order the interface requires.
 */
final class NicDriver
{
    /** Address width of the domain's buddy allocator: 512 GiB of device addresses. */
    static final int ALLOCATOR_ADDRESS_WIDTH = 39;
    /** Each queue maps its packet buffers in its own window of this many bytes, from (queue + 1) windows up. */
    static final long QUEUE_WINDOW_BYTES = 1L << 30;

    private final IommuEmulator emulator;
    private final PhysicalDeviceObject pci;
    private final GuestMemory memory;
    private final FrameAllocator frames;
    private final EmulatedNic nic;
    private final ExampleConfig config;
    private final RunFailures failures;
    private final PrintStream out;
    private final List<DescriptorRing> mappedRings = new ArrayList<>();
    private final List<long[]> frameRuns = new ArrayList<>();
    private final NicDriverQueue[] queues;
    private final Thread[] threads;
    private final IommuInterfaceStateChangeCallback stateChangeCallback = this::onStateChange;
    private final AtomicInteger stateChanges = new AtomicInteger();
    private final AtomicInteger faultReports = new AtomicInteger();
    private volatile int availableDomainTypes;
    private volatile long reportedFaultAddress = -1;
    private volatile String reportedFaultType = "";

    private DmaIommuInterfaceV2 iommu;
    private IommuDmaDevice device;
    private IommuDmaDomain domain;
    private boolean attached;
    private boolean callbackRegistered;
    private boolean faultReporting;

    NicDriver(
        final IommuEmulator emulator,
        final PhysicalDeviceObject pci,
        final GuestMemory memory,
        final FrameAllocator frames,
        final EmulatedNic nic,
        final ExampleConfig config,
        final RunFailures failures,
        final PrintStream out)
    {
        this.emulator = emulator;
        this.pci = pci;
        this.memory = memory;
        this.frames = frames;
        this.nic = nic;
        this.config = config;
        this.failures = failures;
        this.out = out;
        this.queues = new NicDriverQueue[nic.queues()];
        this.threads = new Thread[nic.queues()];
    }

    /**
     * The guest frames a driver of {@code queues} queue pairs with rings of {@code ringSize} needs.
     *
     * @param queues   queue pairs.
     * @param ringSize descriptors per ring.
     * @return frames.
     */
    static int framesNeeded(final int queues, final int ringSize)
    {
        return queues * (2 * DescriptorRing.framesFor(ringSize) + 2 * ringSize * 2);
    }

    /**
     * Brings the device up: interface, DMA device, domain, callbacks, rings; then programs the NIC.
     *
     * @return false when a call failed (recorded in the failures; {@link #close()} undoes what was done).
     */
    boolean open()
    {
        try
        {
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            check(emulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_2, 0, ex), "IoGetIommuInterfaceEx");
            iommu = ex.v2();
            final Ref<IommuDmaDevice> deviceOut = new Ref<>();
            check(iommu.createDevice(pci, null, deviceOut), "CreateDevice");
            device = deviceOut.get();
            final Ref<IommuDmaDomain> domainOut = new Ref<>();
            final IommuDmaLogicalAllocatorConfig buddy =
                new IommuDmaLogicalAllocatorConfig().buddy(ALLOCATOR_ADDRESS_WIDTH);
            check(iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, buddy, null, domainOut), "CreateDomainEx");
            domain = domainOut.get();
            check(iommu.attachDeviceEx(domain, device), "AttachDeviceEx");
            attached = true;
            final IommuInterfaceStateChangeFields watch =
                new IommuInterfaceStateChangeFields().availableDomainTypes(true);
            check(iommu.registerInterfaceStateChangeCallback(stateChangeCallback, null, device, watch),
                "RegisterInterfaceStateChangeCallback");
            callbackRegistered = true;
            final DeviceFaultConfiguration faults = new DeviceFaultConfiguration().faultHandler(this::onFault);
            check(emulator.setDeviceFaultReporting(device, true, faults), "SetDeviceFaultReporting");
            faultReporting = true;

            nic.connect(device);
            for (int q = 0; q < queues.length; q++)
            {
                queues[q] = openQueue(q);
            }
            return true;
        }
        catch (final IllegalStateException e)
        {
            failures.fail(e.getMessage());
            return false;
        }
    }

    private NicDriverQueue openQueue(final int queue)
    {
        final int size = config.ringSize();
        final DescriptorRing txRing = mapRing(size, "TX ring " + queue);
        final DescriptorRing rxRing = mapRing(size, "RX ring " + queue);
        final DmaBuffer[] txBuffers = buffers(size);
        final DmaBuffer[] rxBuffers = buffers(size);
        nic.queue(queue).programRings(txRing.deviceBase(), rxRing.deviceBase(), size);
        return new NicDriverQueue(
            queue, iommu, domain, memory, nic.queue(queue), failures, txRing, rxRing, txBuffers, rxBuffers,
            (queue + 1) * QUEUE_WINDOW_BYTES, QUEUE_WINDOW_BYTES, config.packetsOf(queue), config.durationNs(),
            0 == queue ? config.faultSequence() : -1, 0 == queue ? config.corruptAt() : -1);
    }

    private DescriptorRing mapRing(final int size, final String name)
    {
        final DescriptorRing ring = new DescriptorRing(allocateFrames(DescriptorRing.framesFor(size)), size);
        final LongRef deviceAddress = new LongRef();
        check(iommu.mapLogicalRangeEx(domain, IommuPermissions.READ_WRITE,
            new IommuMapPhysicalAddress().useContiguousRange(ring.physicalBase(), ring.mappedBytes()),
            null, null, null, deviceAddress), "MapLogicalRangeEx (" + name + ")");
        ring.deviceBase(deviceAddress.get());
        mappedRings.add(ring);
        return ring;
    }

    /**
     * Buffers of two frames each; all first frames are taken before all second frames, so that a buffer's two
     * frames are far apart in guest physical memory and only the IOMMU makes them contiguous for the device.
     */
    private DmaBuffer[] buffers(final int count)
    {
        final long[] firstFrames = new long[count];
        for (int i = 0; i < count; i++)
        {
            firstFrames[i] = allocateFrames(1);
        }
        final DmaBuffer[] buffers = new DmaBuffer[count];
        for (int i = 0; i < count; i++)
        {
            buffers[i] = new DmaBuffer(firstFrames[i], allocateFrames(1));
        }
        return buffers;
    }

    private long allocateFrames(final int count)
    {
        final long address = frames.allocate(count);
        if (address < 0)
        {
            throw new IllegalStateException("guest memory has no run of " + count + " free frames");
        }
        frameRuns.add(new long[]{address, count});
        return address;
    }

    private static void check(final int status, final String call)
    {
        if (status != NtStatus.STATUS_SUCCESS)
        {
            throw new IllegalStateException(call + " returned " + NtStatus.name(status) + " (" +
                NtStatus.hex(status) + ")");
        }
    }

    /** Starts one driver thread per queue pair. */
    void start()
    {
        for (int q = 0; q < queues.length; q++)
        {
            threads[q] = new Thread(queues[q], "nic-driver-" + q);
            threads[q].setDaemon(true);
            threads[q].start();
        }
    }

    /**
     * Waits for the driver threads to finish their traffic (or stop at a failure).
     *
     * @param timeoutMs how long to wait in all.
     * @return true when every queue delivered everything it sent.
     * @throws InterruptedException when interrupted while waiting.
     */
    boolean awaitDone(final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        boolean done = true;
        for (int q = 0; q < queues.length; q++)
        {
            threads[q].join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            if (threads[q].isAlive())
            {
                failures.fail("queue " + q + ": the driver did not finish within " + timeoutMs + " ms (stalled)");
                threads[q].join();
            }
            done &= queues[q].isDone();
        }
        return done;
    }

    /**
     * Waits (bounded) until the fault handler has run {@code count} times: faults reach it through the
     * notifications' dispatcher thread, a little after the device's access faulted.
     *
     * @param count     the reports expected.
     * @param timeoutMs the bound.
     * @return the reports seen.
     */
    int awaitFaultReports(final int count, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (faultReports.get() < count && System.nanoTime() - deadline < 0)
        {
            Thread.yield();
        }
        return faultReports.get();
    }

    private void onStateChange(final IommuInterfaceStateChange change, final Object context)
    {
        availableDomainTypes = change.availableDomainTypes();
        stateChanges.incrementAndGet();
    }

    private void onFault(final Object context, final FaultInformation fault)
    {
        final FaultInformationX64 x64 = fault.x64();
        reportedFaultAddress = x64.faultAddress();
        reportedFaultType = x64.type().specName();
        faultReports.incrementAndGet();
        out.printf("  fault handler: %s at device address 0x%x on %s%n", reportedFaultType, reportedFaultAddress,
            pci.name());
    }

    /**
     * Takes the device down after the device threads stopped: unmaps every buffer and ring, turns fault reporting
     * off, detaches, deletes the domain, unregisters the callback, deletes the device, frees the frames. Every step
     * is tried; the first that fails is recorded.
     */
    void close()
    {
        for (final NicDriverQueue queue : queues)
        {
            if (null != queue)
            {
                queue.unmapAll();
            }
        }
        for (final DescriptorRing ring : mappedRings)
        {
            step(iommu.unmapLogicalRange(domain, ring.deviceBase(), ring.mappedBytes() / GuestMemory.FRAME_SIZE),
                "UnmapLogicalRange (ring)");
        }
        mappedRings.clear();
        if (faultReporting)
        {
            step(emulator.setDeviceFaultReporting(device, false, null), "SetDeviceFaultReporting(off)");
        }
        if (attached)
        {
            step(iommu.detachDeviceEx(device), "DetachDeviceEx");
        }
        if (null != domain)
        {
            step(iommu.deleteDomain(domain), "DeleteDomain");
        }
        if (callbackRegistered)
        {
            step(iommu.unregisterInterfaceStateChangeCallback(stateChangeCallback, device),
                "UnregisterInterfaceStateChangeCallback");
        }
        if (null != device)
        {
            step(iommu.deleteDevice(device), "DeleteDevice");
        }
        for (final long[] run : frameRuns)
        {
            frames.free(run[0], (int)run[1]);
        }
        frameRuns.clear();
    }

    private void step(final int status, final String call)
    {
        if (status != NtStatus.STATUS_SUCCESS)
        {
            failures.fail("teardown: " + call + " returned " + NtStatus.name(status));
        }
    }

    /**
     * Adds what the driver saw to a result (after the threads ended).
     *
     * @param result the result to fill.
     */
    void collect(final ExampleResult result)
    {
        for (final NicDriverQueue queue : queues)
        {
            if (null == queue)
            {
                continue;
            }
            result.packetsSent += queue.sent();
            result.packetsDelivered += queue.delivered();
            result.packetsResent += queue.resent();
            result.bytesDelivered += queue.bytes();
            result.maps += queue.maps();
            result.unmaps += queue.unmaps();
            result.driverDmaErrors += queue.dmaErrors();
            result.allocatedBytes += queue.allocatedBytes();
            if (queue.earlyUnmappedAddress() >= 0)
            {
                result.expectedFaultAddress = queue.earlyUnmappedAddress();
            }
        }
        result.faultsReported = faultReports.get();
        result.reportedFaultAddress = reportedFaultAddress;
        result.reportedFaultType = reportedFaultType;
        result.stateChangeCalls = stateChanges.get();
        result.availableDomainTypes = availableDomainTypes;
    }
}
