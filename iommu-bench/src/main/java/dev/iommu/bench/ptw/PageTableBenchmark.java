/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.ptw;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.iommu.ptw.PageSizes;
import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.PtwResult;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;
import dev.iommu.ptw.Translation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread costs of the radix page table against the baseline a Java developer would write instead: a
 * {@code ConcurrentHashMap<Long, Long>} from page number to entry. The table runs with its default settings
 * (48-bit, all page sizes, the default 4,096-entry IOTLB in strict mode, so every unmap also invalidates).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class PageTableBenchmark
{
    private static final long IOVA = 0x1234_5000L;
    private static final long OUTPUT = 0x8_0000_0000L;
    private static final long PAGE = IOVA >>> 12;

    private TableArena arena;
    private RadixPageTable table;
    private final long[] frames = new long[16];
    private final ConcurrentHashMap<Long, Long> baseline = new ConcurrentHashMap<>();

    /**
     * Build the table; map the translate target and pre-install the tables of the map targets.
     */
    @Setup(Level.Trial)
    public void setup()
    {
        arena = TableArena.allocateDirect(4096);
        table = RadixPageTable.create(arena, new PageTableConfig());
        for (int i = 0; i < frames.length; i++)
        {
            frames[i] = 0x40000 + i * 7L;
        }
        check(table.map(0x4000_0000L, OUTPUT, PageSizes.SIZE_4K, PtwPermissions.READ_WRITE));
        check(table.reserve(IOVA, 0x10000));
        baseline.put(0x4000_0000L >>> 12, OUTPUT);
    }

    /**
     * Release the arena.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        arena.close();
    }

    private static void check(final long result)
    {
        if (result < 0)
        {
            throw new IllegalStateException(PtwResult.name(result));
        }
    }

    /**
     * Map one 4 KiB page at an explicit address and unmap it.
     *
     * @return the unmapped count.
     */
    @Benchmark
    public long mapUnmap4k()
    {
        table.map(IOVA, OUTPUT, PageSizes.SIZE_4K, PtwPermissions.READ_WRITE);
        return table.unmap(IOVA, PageSizes.SIZE_4K);
    }

    /**
     * Baseline: put one page entry into a {@code ConcurrentHashMap<Long, Long>} and remove it.
     *
     * @return the removed value.
     */
    @Benchmark
    public Long baselineChmPutRemove()
    {
        baseline.put(PAGE, OUTPUT);
        return baseline.remove(PAGE);
    }

    /**
     * Map 16 scattered pages into one 64 KiB range and unmap it.
     *
     * @return the unmapped count.
     */
    @Benchmark
    public long scatter16MapUnmap()
    {
        table.mapScatter(IOVA, frames, 0, 16, PtwPermissions.READ);
        return table.unmap(IOVA, 0x10000);
    }

    /**
     * Baseline: 16 puts and 16 removes in a {@code ConcurrentHashMap<Long, Long>}.
     *
     * @return a removed value.
     */
    @Benchmark
    public Long baselineChmScatter16()
    {
        for (int i = 0; i < 16; i++)
        {
            baseline.put(PAGE + i, frames[i]);
        }
        Long last = null;
        for (int i = 0; i < 16; i++)
        {
            last = baseline.remove(PAGE + i);
        }
        return last;
    }

    /**
     * Translate an address whose translation is in the IOTLB.
     *
     * @return the translation.
     */
    @Benchmark
    public long translateIotlbHit()
    {
        return table.translate(0x4000_0123L);
    }

    /**
     * Translate by a table walk (bypassing the IOTLB), tables warm in the CPU caches: since issue 13 the walk starts
     * at the leaf table the paging-structure cache holds for the address, not at the root.
     *
     * @return the translation.
     */
    @Benchmark
    public long translateWalk()
    {
        return table.walk(0x4000_0123L);
    }

    /**
     * Baseline: look a page up in a {@code ConcurrentHashMap<Long, Long>}.
     *
     * @return the output address.
     */
    @Benchmark
    public long baselineChmGet()
    {
        final Long v = baseline.get(0x4000_0123L >>> 12);
        return v == null ? -1 : Translation.outputAddress(v, 0x123);
    }
}
