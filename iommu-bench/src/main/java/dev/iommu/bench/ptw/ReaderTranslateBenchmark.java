/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.ptw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.PtwResult;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;
import dev.iommu.ptw.TableReader;
import dev.iommu.ptw.Translation;
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

/**
 * Translate in another process vs in the owner: a table in an arena file with {@code pages} 4 KiB pages mapped
 * (visited in a fixed shuffle), translated by its owner (through its software IOTLB of 4,096 entries, and by a plain
 * walk) and by a {@link TableReader} over a second, read-only mapping of the file, which is what another process
 * has (same memory, same instructions: the reader's walk starts at the root, without the owner's IOTLB or
 * paging-structure cache).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class ReaderTranslateBenchmark
{
    private static final long BASE = 1L << 32;

    /** Mapped pages visited. */
    @Param({"1024", "65536"})
    public int pages;

    private Path file;
    private TableArena owner;
    private TableArena view;
    private RadixPageTable table;
    private TableReader reader;
    private long[] addresses;
    private int next;

    /**
     * Maps the pages (one map each, scattered outputs), opens the read-only view, shuffles the addresses.
     *
     * @throws IOException when the temporary file cannot be made.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        file = Files.createTempFile("iommu-reader", ".arena");
        owner = TableArena.createFile(file, 1024);
        table = RadixPageTable.create(owner, new PageTableConfig());
        addresses = new long[pages];
        for (int i = 0; i < pages; i++)
        {
            final long iova = BASE + i * 4096L;
            if (table.map(iova, (0x40000L + i * 3L) << 12, 4096, PtwPermissions.READ_WRITE) != PtwResult.OK)
            {
                throw new IllegalStateException("map failed at page " + i);
            }
            addresses[i] = iova + ((i * 64L) & 4095);
        }
        final Random random = new Random(20261130);
        for (int i = pages - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final long swap = addresses[i];
            addresses[i] = addresses[j];
            addresses[j] = swap;
        }
        view = TableArena.openReader(file);
        reader = TableReader.attach(view, new PageTableConfig(), table.rootPage());
    }

    /**
     * Closes both mappings and deletes the file.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        view.close();
        owner.close();
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
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
    public long ownerThroughIotlb()
    {
        final long iova = nextAddress();
        return Translation.outputAddress(table.translate(iova), iova);
    }

    /**
     * @return the output address (consumed by JMH).
     */
    @Benchmark
    public long ownerWalk()
    {
        final long iova = nextAddress();
        return Translation.outputAddress(table.walk(iova), iova);
    }

    /**
     * @return the output address (consumed by JMH).
     */
    @Benchmark
    public long reader()
    {
        final long iova = nextAddress();
        return Translation.outputAddress(reader.translate(iova), iova);
    }
}
