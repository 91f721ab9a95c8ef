/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.persist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import java.util.stream.Stream;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.bench.adapter.LibraryDmaMapperFactory;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import dev.iommu.ptw.PageSizes;

/**
 * Builds the persistent directory {@link ReopenBenchmark} reopens, in a JVM of its own (so that the benchmark's JVM
 * has not touched Chronicle Map or the restore code before its first measured launch): an emulator with one domain
 * with the buddy allocator (48 bits) holding {@value #ALLOCATOR_PAGES} live 4 KiB pages in MapLogicalRangeEx calls of
 * 1 to 16 pages (a fixed pseudo-random sequence, contiguous physical ranges), and one explicit domain (no allocator)
 * with {@value #EXPLICIT_MAPS} maps of 1 to 16 pages at explicit addresses and {@value #TOKENS} reserved ranges of
 * 16 pages, each with one mapped segment; a device attached to each domain. Then the emulator is closed (a clean
 * directory). With a second directory argument, every file of the directory is first copied there while the
 * emulator is still open and between calls: a directory whose owner looks killed (its arena not marked clean, its
 * Chronicle Map files recovered at the next open).
 *
 * <p>Usage: {@code ReopenFixture <clean-directory> [<crashed-copy-directory>]}. Prints what it built.
 */
public final class ReopenFixture
{
    /** Live 4 KiB pages of the allocator domain. */
    public static final int ALLOCATOR_PAGES = 1 << 20;
    /** Explicit-address maps of the explicit domain. */
    public static final int EXPLICIT_MAPS = 1024;
    /** Reserved ranges (tokens) of the explicit domain, one mapped segment each. */
    public static final int TOKENS = 16;
    /** Table pages the platform allows: the allocator domain needs about 2,060, the explicit one about 1,050. */
    public static final int MAX_TABLE_PAGES = 16384;

    private static final long PAGE = 4096;

    private ReopenFixture()
    {
    }

    /**
     * The platform of the fixture, the same at every launch: one 48-bit IOMMU, two PCI functions.
     *
     * @return the platform.
     */
    public static Platform platform()
    {
        return Platform.builder()
            .architecture(Architecture.X64)
            .iommu("iommu0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 0, true, 0)
            .limits(new ResourceLimits(8, 8, MAX_TABLE_PAGES, 16, 16))
            .pci("dev0", 0, 1, 0, 0, "iommu0", false)
            .pci("dev1", 0, 1, 0, 1, "iommu0", false)
            .build();
    }

    /**
     * The context every launch on a fixture directory uses.
     *
     * @param directory the persistent directory.
     * @return the context (not concluded).
     */
    public static EmulatorContext context(final Path directory)
    {
        return new EmulatorContext().platform(platform()).persistentDirectory(directory).dispatcherThread(false);
    }

    /**
     * Builds the directory (and its crashed copy).
     *
     * @param args the clean directory, and optionally the directory of the crashed copy.
     */
    public static void main(final String[] args)
    {
        if (args.length < 1 || args.length > 2)
        {
            System.err.println("usage: ReopenFixture <clean-directory> [<crashed-copy-directory>]");
            System.exit(2);
        }
        final long start = System.nanoTime();
        final Path directory = Path.of(args[0]);
        final IommuEmulator emulator = IommuEmulator.launch(context(directory));
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        check(emulator.ioGetIommuInterfaceEx(2, 0, ex), "IoGetIommuInterfaceEx");
        final DmaIommuInterfaceV2 iommu = ex.v2();
        final Platform platform = emulator.platform();
        final IommuDmaDomain allocated = domain(iommu, platform, "dev0",
            new IommuDmaLogicalAllocatorConfig().buddy(48));
        final IommuDmaDomain explicit = domain(iommu, platform, "dev1", null);
        final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
        final LongRef address = new LongRef();
        final Random random = new Random(20261130);
        long frame = 0x100000;
        int maps = 0;
        for (int mapped = 0; mapped < ALLOCATOR_PAGES; maps++)
        {
            final int pages = Math.min(1 + random.nextInt(16), ALLOCATOR_PAGES - mapped);
            physical.useContiguousRange(frame * PAGE, pages * PAGE);
            check(iommu.mapLogicalRangeEx(allocated, IommuPermissions.READ_WRITE, physical, null, null, null,
                address), "MapLogicalRangeEx");
            mapped += pages;
            frame += pages;
        }
        final LongRef explicitAddress = new LongRef();
        long explicitPages = 0;
        for (int i = 0; i < EXPLICIT_MAPS; i++)
        {
            final int pages = 1 + random.nextInt(16);
            physical.useContiguousRange(frame * PAGE, pages * PAGE);
            check(iommu.mapLogicalRangeEx(explicit, IommuPermissions.READ_WRITE, physical,
                explicitAddress.set(0x1_0000_0000L + i * (1L << 21)), null, null, address), "MapLogicalRangeEx");
            frame += pages;
            explicitPages += pages;
        }
        for (int i = 0; i < TOKENS; i++)
        {
            final Ref<IommuDmaLogicalAddressToken> token = new Ref<>();
            check(iommu.reserveLogicalAddressRange(explicit, 16 * PAGE,
                explicitAddress.set(0x40_0000_0000L + i * (1L << 30)), null, null, token),
                "ReserveLogicalAddressRange");
            physical.useContiguousRange(frame * PAGE, 16 * PAGE);
            check(iommu.mapReservedLogicalRange(token.get(), 0, IommuPermissions.READ_WRITE, physical,
                new IommuDmaLogicalAddressTokenMappedSegment()), "MapReservedLogicalRange");
            frame += 16;
        }
        final long tablePages = emulator.tablePagesInUse();
        if (args.length == 2)
        {
            copyFiles(directory, Path.of(args[1]));
        }
        emulator.close();
        LibraryDmaMapperFactory.flushToDisk(directory);
        if (args.length == 2)
        {
            LibraryDmaMapperFactory.flushToDisk(Path.of(args[1]));
        }
        System.out.printf("fixture: %d allocator pages in %d maps, %d explicit pages in %d maps, %d tokens, " +
            "%d table pages, %.1f s%n", ALLOCATOR_PAGES, maps, explicitPages, EXPLICIT_MAPS, TOKENS, tablePages,
            (System.nanoTime() - start) / 1e9);
    }

    private static IommuDmaDomain domain(final DmaIommuInterfaceV2 iommu, final Platform platform,
        final String device, final IommuDmaLogicalAllocatorConfig allocator)
    {
        final Ref<IommuDmaDevice> dmaDevice = new Ref<>();
        final Ref<IommuDmaDomain> domain = new Ref<>();
        check(iommu.createDevice(platform.device(device), null, dmaDevice), "CreateDevice");
        check(iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, allocator, null, domain), "CreateDomainEx");
        check(iommu.attachDeviceEx(domain.get(), dmaDevice.get()), "AttachDeviceEx");
        return domain.get();
    }

    /**
     * Copies every regular file of {@code from} into {@code to} (created when missing), replacing what is there.
     *
     * @param from the directory.
     * @param to   the copy.
     */
    public static void copyFiles(final Path from, final Path to)
    {
        try (Stream<Path> files = Files.list(from))
        {
            Files.createDirectories(to);
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                if (Files.isRegularFile(file))
                {
                    Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
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
