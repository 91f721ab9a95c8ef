/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iface;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
import org.openjdk.jmh.annotations.Warmup;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.DirectoryReader;
import dev.iommu.core.DmaTranslation;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import dev.iommu.ptw.PageSizes;

/**
 * Device-side translation of an emulator on a persistent directory, in the owner and in a {@link DirectoryReader}
 * (what another process has: the reader here maps the owner's files a second time, in the same JVM): a device
 * attached to a Translate domain with {@code pages} one-page mappings, visited in a fixed shuffled order. The owner
 * translates through its software IOTLB (4,096 entries); the reader reads the device's record in the context table
 * (Chronicle Map), walks the tables from the root and reads the record again, by device object and by the device's
 * stable id. Average time per translation; run with {@code -prof gc} for the allocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true", "-Dchronicle.announcer.disable=true"})
public class DirectoryReaderBenchmark
{
    private static final long PAGE = 4096;
    private static final long BASE = 1L << 32;

    /** Mapped pages visited. */
    @Param({"1024"})
    public int pages;

    private Path directory;
    private IommuEmulator emulator;
    private IommuDmaDevice device;
    private PhysicalDeviceObject deviceObject;
    private DirectoryReader reader;
    private long deviceId;
    private long[] addresses;
    private int next;

    /**
     * Launches the owner on a new directory, maps the pages one by one, attaches the device, opens the reader.
     *
     * @throws IOException when the directory cannot be made.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        directory = Files.createTempDirectory("iommu-directory-reader");
        final Platform platform = Platform.builder()
            .architecture(Architecture.X64)
            .iommu("iommu0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 0, true, 0)
            .pci("dev0", 0, 1, 0, 0, "iommu0", false)
            .limits(new ResourceLimits(4, 4, 1 << 12, 4, 4))
            .build();
        emulator = IommuEmulator.launch(new EmulatorContext().platform(platform).dispatcherThread(false)
            .persistentDirectory(directory));
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        check(emulator.ioGetIommuInterfaceEx(2, 0, ex), "IoGetIommuInterfaceEx");
        final DmaIommuInterfaceV2 iommu = ex.v2();
        final Ref<IommuDmaDevice> deviceOut = new Ref<>();
        final Ref<IommuDmaDomain> domainOut = new Ref<>();
        deviceObject = platform.device("dev0");
        check(iommu.createDevice(deviceObject, null, deviceOut), "CreateDevice");
        check(iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, domainOut), "CreateDomainEx");
        device = deviceOut.get();
        check(iommu.attachDeviceEx(domainOut.get(), device), "AttachDeviceEx");
        addresses = new long[pages];
        final LongRef out = new LongRef();
        for (int i = 0; i < pages; i++)
        {
            final long iova = BASE + i * PAGE;
            check(iommu.mapLogicalRangeEx(domainOut.get(), IommuPermissions.READ_WRITE,
                new IommuMapPhysicalAddress().useContiguousRange((0x40000L + i * 3L) * PAGE, PAGE),
                new LongRef(iova), null, null, out), "MapLogicalRangeEx");
            addresses[i] = iova + ((i * 64L) & (PAGE - 1));
        }
        final Random random = new Random(20261130);
        for (int i = pages - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final long swap = addresses[i];
            addresses[i] = addresses[j];
            addresses[j] = swap;
        }
        reader = DirectoryReader.open(directory, platform);
        deviceId = reader.deviceId(deviceObject);
        for (final long address : addresses)
        {
            if (emulator.translate(device, address, IommuPermissions.READ) !=
                reader.translate(deviceObject, address, IommuPermissions.READ))
            {
                throw new IllegalStateException("the reader disagrees with the owner at 0x" +
                    Long.toHexString(address));
            }
        }
    }

    /**
     * Closes the reader and the owner, deletes the directory.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        reader.close();
        emulator.close();
        try (Stream<Path> files = Files.walk(directory))
        {
            for (final Path file : (Iterable<Path>)files.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void check(final int status, final String what)
    {
        if (status != NtStatus.STATUS_SUCCESS)
        {
            throw new IllegalStateException(what + ": " + NtStatus.name(status));
        }
    }

    private long nextAddress()
    {
        final int i = next;
        next = i + 1 == pages ? 0 : i + 1;
        return addresses[i];
    }

    /**
     * @return the output address (consumed by JMH).
     */
    @Benchmark
    public long owner()
    {
        final long iova = nextAddress();
        return DmaTranslation.outputAddress(emulator.translate(device, iova, IommuPermissions.READ), iova);
    }

    /**
     * @return the output address (consumed by JMH).
     */
    @Benchmark
    public long readerByDeviceObject()
    {
        final long iova = nextAddress();
        return DmaTranslation.outputAddress(reader.translate(deviceObject, iova, IommuPermissions.READ), iova);
    }

    /**
     * @return the output address (consumed by JMH).
     */
    @Benchmark
    public long readerById()
    {
        final long iova = nextAddress();
        return DmaTranslation.outputAddress(reader.translate(deviceId, iova, IommuPermissions.READ), iova);
    }
}
