/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.stream.Stream;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import dev.iommu.core.IotlbInvalidation;

/**
 * The library under test: one {@link IommuEmulator} (an x64 platform with one 48-bit IOMMU unit and
 * {@value #DEVICES} PCI functions behind it), driven through its {@code DMA_IOMMU_INTERFACE_V2} table. Each
 * {@link #create()} creates a device, a Translate domain with the buddy logical allocator, and attaches the device:
 * map is {@code MapLogicalRangeEx} with the allocator choosing the address, unmap is {@code UnmapLogicalRange},
 * translate is the device-side {@link IommuEmulator#translate}. A persistent factory
 * ({@link DmaMapperFactories#LIBRARY_PERSISTENT}) launches the same emulator with
 * {@link EmulatorContext#persistentDirectory} set to a fresh temporary directory, which {@link #close()} deletes.
 */
public final class LibraryDmaMapperFactory implements DmaMapperFactory
{
    /** The number of devices, so the number of domains alive at once. */
    public static final int DEVICES = 64;

    private final IommuEmulator emulator;
    private final DmaIommuInterfaceV2 iommu;
    private final Platform platform;
    private final int addressWidth;
    private final String name;
    private final ArrayDeque<String> freeDevices = new ArrayDeque<>();
    private final Path directory;
    private boolean closed;

    /**
     * A factory with strict IOTLB invalidation, the default IOTLB, large pages where aligned, and room for
     * 65536 page-table pages (256 MiB of tables).
     *
     * @param addressWidth the allocator's address width: 39 or 48.
     */
    public LibraryDmaMapperFactory(final int addressWidth)
    {
        this(addressWidth, IotlbInvalidation.STRICT, EmulatorContext.DEFAULT_IOTLB_ENTRIES, 65536);
    }

    /**
     * A factory.
     *
     * @param addressWidth  the allocator's address width: 39 or 48.
     * @param iotlbMode     STRICT (every unmap invalidates before it returns) or DEFERRED (batched).
     * @param iotlbEntries  software IOTLB entries per domain (a power of two, 0 for none).
     * @param maxTablePages page-table pages for all domains together.
     */
    public LibraryDmaMapperFactory(
        final int addressWidth, final IotlbInvalidation iotlbMode, final int iotlbEntries, final int maxTablePages)
    {
        this(addressWidth, iotlbMode, iotlbEntries, maxTablePages, false);
    }

    /**
     * A factory with or without the DMA verifier (its reports are counted, not kept). The mapper contract is the
     * documented one, so the emulator runs the documented profile.
     *
     * @param addressWidth  the allocator's address width: 39 or 48.
     * @param iotlbMode     STRICT (every unmap invalidates before it returns) or DEFERRED (batched).
     * @param iotlbEntries  software IOTLB entries per domain (a power of two, 0 for none).
     * @param maxTablePages page-table pages for all domains together.
     * @param verifier      whether the DMA verifier is on.
     */
    public LibraryDmaMapperFactory(
        final int addressWidth, final IotlbInvalidation iotlbMode, final int iotlbEntries, final int maxTablePages,
        final boolean verifier)
    {
        this(addressWidth, iotlbMode, iotlbEntries, maxTablePages, verifier, false);
    }

    /**
     * A factory, persistent or not. A persistent one keeps the emulator's state (page tables, context table,
     * in-flight log) in a fresh temporary directory, flushed to the disk once after launch so that the writeback of
     * the new files does not run beside the measurement; {@link #close()} closes the emulator and deletes it.
     *
     * @param addressWidth  the allocator's address width: 39 or 48.
     * @param iotlbMode     STRICT (every unmap invalidates before it returns) or DEFERRED (batched).
     * @param iotlbEntries  software IOTLB entries per domain (a power of two, 0 for none).
     * @param maxTablePages page-table pages for all domains together.
     * @param verifier      whether the DMA verifier is on.
     * @param persistent    whether the emulator keeps its state in a (temporary) persistent directory.
     */
    public LibraryDmaMapperFactory(
        final int addressWidth, final IotlbInvalidation iotlbMode, final int iotlbEntries, final int maxTablePages,
        final boolean verifier, final boolean persistent)
    {
        if (addressWidth != 39 && addressWidth != 48)
        {
            throw new IllegalArgumentException("address width must be 39 or 48: " + addressWidth);
        }
        this.addressWidth = addressWidth;
        this.name = persistent ? DmaMapperFactories.LIBRARY_PERSISTENT : verifier ?
            DmaMapperFactories.LIBRARY_VERIFIER : iotlbMode == IotlbInvalidation.DEFERRED ?
            DmaMapperFactories.LIBRARY_DEFERRED : DmaMapperFactories.LIBRARY;
        final Platform.Builder builder = Platform.builder()
            .architecture(Architecture.X64)
            .iommu("iommu0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 0, true, 0)
            .limits(new ResourceLimits(DEVICES * 2, DEVICES * 2, maxTablePages, 16, 16));
        for (int i = 0; i < DEVICES; i++)
        {
            final String name = "dev" + i;
            builder.pci(name, 0, 1, i >> 1, i & 1, "iommu0", false);
            freeDevices.add(name);
        }
        this.platform = builder.build();
        this.directory = persistent ? temporaryDirectory() : null;
        this.emulator = IommuEmulator.launch(new EmulatorContext()
            .platform(platform)
            .iotlbInvalidation(iotlbMode)
            .iotlbEntries(iotlbEntries)
            .verifier(verifier)
            .persistentDirectory(directory)
            .dispatcherThread(false));
        if (persistent)
        {
            flushToDisk(directory);
        }
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        check(emulator.ioGetIommuInterfaceEx(2, 0, ex), "IoGetIommuInterfaceEx");
        this.iommu = ex.v2();
    }

    /**
     * The emulator behind the mappers (for benchmarks that look inside).
     *
     * @return the emulator.
     */
    public IommuEmulator emulator()
    {
        return emulator;
    }

    /** {@inheritDoc} */
    @Override
    public String name()
    {
        return name;
    }

    /** {@inheritDoc} */
    @Override
    public synchronized DmaMapper create()
    {
        if (closed)
        {
            throw new IllegalStateException("factory closed");
        }
        final String name = freeDevices.poll();
        if (null == name)
        {
            throw new IllegalStateException("all " + DEVICES + " devices are in use");
        }
        final Ref<IommuDmaDevice> device = new Ref<>();
        final Ref<IommuDmaDomain> domain = new Ref<>();
        check(iommu.createDevice(platform.device(name), null, device), "CreateDevice");
        check(iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
            new IommuDmaLogicalAllocatorConfig().buddy(addressWidth), null, domain), "CreateDomainEx");
        check(iommu.attachDeviceEx(domain.get(), device.get()), "AttachDeviceEx");
        return new LibraryDmaMapper(this, emulator, iommu, domain.get(), device.get(), name);
    }

    synchronized void release(final IommuDmaDomain domain, final IommuDmaDevice device, final String name)
    {
        if (closed)
        {
            return;
        }
        check(iommu.detachDeviceEx(device), "DetachDeviceEx");
        check(iommu.deleteDomain(domain), "DeleteDomain");
        check(iommu.deleteDevice(device), "DeleteDevice");
        freeDevices.add(name);
    }

    /** {@inheritDoc} */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            emulator.close();
            if (null != directory)
            {
                deleteTree(directory);
            }
        }
    }

    /**
     * @return the persistent directory, or null for an emulator that keeps nothing.
     */
    public Path persistentDirectory()
    {
        return directory;
    }

    private static Path temporaryDirectory()
    {
        try
        {
            return Files.createTempDirectory("iommu-bench-persist-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Writes the dirty pages of every file of {@code directory} to the disk (fsync through a channel of its own).
     *
     * @param directory the directory.
     */
    public static void flushToDisk(final Path directory)
    {
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                if (Files.isRegularFile(file))
                {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
                    {
                        channel.force(true);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Deletes a directory and everything under it.
     *
     * @param directory the directory.
     */
    public static void deleteTree(final Path directory)
    {
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void check(final int status, final String call)
    {
        if (status != NtStatus.STATUS_SUCCESS)
        {
            throw new IllegalStateException(call + " failed: " + NtStatus.name(status));
        }
    }
}
