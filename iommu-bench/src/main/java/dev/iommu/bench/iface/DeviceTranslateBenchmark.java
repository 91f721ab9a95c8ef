/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iface;

import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.DmaTranslation;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import dev.iommu.ptw.PageSizes;

/**
 * The device side as an embedder calls it: {@link IommuEmulator#translate(IommuDmaDevice, long, int)} of a device
 * attached to a Translate domain, over {@code pages} one-page mappings made by MapLogicalRangeEx (1: one page again
 * and again, an IOTLB hit; 1,024 and 65,536: a working set visited in a fixed shuffled order), on one thread and on
 * two (a device and a domain each). Baseline in the same run: the same addresses looked up in a
 * {@code ConcurrentHashMap<Long, Long>} page map, as a Java device model would keep one. Unlike
 * {@link InterfaceBenchmark}, no adapter sits on either side. Average time per translation (per thread).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class DeviceTranslateBenchmark
{
    private static final long PAGE = 4096;
    private static final int DEVICES = 4;

    /**
     * One emulator with {@value #DEVICES} PCI devices behind one IOMMU, shared by the threads.
     */
    @State(Scope.Benchmark)
    public static class Emulator
    {
        IommuEmulator emulator;
        DmaIommuInterfaceV2 iommu;
        Platform platform;
        int nextDevice;

        /**
         * Launches the emulator (no dispatcher thread) and acquires its V2 table.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            final Platform.Builder builder = Platform.builder()
                .architecture(Architecture.X64)
                .iommu("iommu0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 0, true, 0)
                .limits(new ResourceLimits(DEVICES, DEVICES, 1 << 16, 16, 16));
            for (int i = 0; i < DEVICES; i++)
            {
                builder.pci("dev" + i, 0, 1, i, 0, "iommu0", false);
            }
            platform = builder.build();
            emulator = IommuEmulator.launch(new EmulatorContext().platform(platform).dispatcherThread(false));
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            check(emulator.ioGetIommuInterfaceEx(2, 0, ex), "IoGetIommuInterfaceEx");
            iommu = ex.v2();
        }

        /**
         * Closes the emulator.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            emulator.close();
        }

        synchronized String takeDevice()
        {
            return "dev" + nextDevice++;
        }
    }

    /**
     * A device of the thread's own, attached to a Translate domain with {@code pages} one-page mappings, the same
     * pages in a {@code ConcurrentHashMap} page map, and the shuffled order both are visited in.
     */
    @State(Scope.Thread)
    public static class Device
    {
        /** Mapped pages visited (1: the IOTLB hit). */
        @Param({"1", "1024", "65536"})
        public int pages;

        IommuEmulator emulator;
        IommuDmaDevice device;
        final ConcurrentHashMap<Long, Long> pageMap = new ConcurrentHashMap<>();
        long[] addresses;
        int next;

        /**
         * Creates the device and the domain, attaches, maps, shuffles.
         *
         * @param shared the emulator.
         */
        @Setup(Level.Trial)
        public void setUp(final Emulator shared)
        {
            emulator = shared.emulator;
            final DmaIommuInterfaceV2 iommu = shared.iommu;
            final Ref<IommuDmaDevice> deviceOut = new Ref<>();
            final Ref<IommuDmaDomain> domainOut = new Ref<>();
            check(iommu.createDevice(shared.platform.device(shared.takeDevice()), null, deviceOut), "CreateDevice");
            check(iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().buddy(48), null, domainOut), "CreateDomainEx");
            check(iommu.attachDeviceEx(domainOut.get(), deviceOut.get()), "AttachDeviceEx");
            device = deviceOut.get();
            final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
            final LongRef address = new LongRef();
            final long[] frame = new long[1];
            addresses = new long[pages];
            for (int i = 0; i < pages; i++)
            {
                frame[0] = 0x40000 + i * 3L;
                physical.usePfnArray(frame, 1);
                check(iommu.mapLogicalRangeEx(domainOut.get(), IommuPermissions.READ_WRITE, physical, null, null,
                    null, address), "MapLogicalRangeEx");
                addresses[i] = address.get() + ((i * 64L) & (PAGE - 1));
                pageMap.put(address.get() / PAGE, frame[0] * PAGE);
            }
            final Random random = new Random(20261130);
            for (int i = pages - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final long swap = addresses[i];
                addresses[i] = addresses[j];
                addresses[j] = swap;
            }
        }

        long nextAddress()
        {
            final int i = next;
            next = i + 1 == pages ? 0 : i + 1;
            return addresses[i];
        }
    }

    private static void check(final int status, final String call)
    {
        if (status != NtStatus.STATUS_SUCCESS)
        {
            throw new IllegalStateException(call + " failed: " + NtStatus.name(status));
        }
    }

    private static long library(final Device d)
    {
        final long address = d.nextAddress();
        return DmaTranslation.outputAddress(d.emulator.translate(d.device, address, IommuPermissions.READ), address);
    }

    private static long pageMap(final Device d)
    {
        final long address = d.nextAddress();
        final Long page = d.pageMap.get(address / PAGE);
        return null == page ? -1 : page + (address & (PAGE - 1));
    }

    /**
     * The device-side translate, one thread.
     *
     * @param d the thread's device.
     * @return the physical address.
     */
    @Benchmark
    @Threads(1)
    public long translate(final Device d)
    {
        return library(d);
    }

    /**
     * The device-side translate, two threads, a device and a domain each.
     *
     * @param d the thread's device.
     * @return the physical address.
     */
    @Benchmark
    @Threads(2)
    public long translate2T(final Device d)
    {
        return library(d);
    }

    /**
     * Baseline: the same addresses in a {@code ConcurrentHashMap} page map, one thread.
     *
     * @param d the thread's device and page map.
     * @return the physical address.
     */
    @Benchmark
    @Threads(1)
    public long baselinePageMap(final Device d)
    {
        return pageMap(d);
    }

    /**
     * Baseline, two threads, a page map each.
     *
     * @param d the thread's device and page map.
     * @return the physical address.
     */
    @Benchmark
    @Threads(2)
    public long baselinePageMap2T(final Device d)
    {
        return pageMap(d);
    }
}
