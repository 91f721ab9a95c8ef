/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.ptw;

import java.util.concurrent.TimeUnit;

import dev.iommu.ptw.PageSizes;
import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.PtwResult;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bulk map of 1 GiB: as 4 KiB leaves (score per entry: 262,144 entries per invocation) and as 2 MiB leaves (score
 * per 1 GiB map). The unmap that restores the empty table runs in the per-invocation tear-down, outside the time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class BulkMapBenchmark
{
    private static final long IOVA = 4L * PageSizes.SIZE_1G;
    private static final long OUTPUT = 16L * PageSizes.SIZE_1G;

    private TableArena arena;
    private RadixPageTable small;
    private RadixPageTable large;
    private int result;

    /**
     * Tables allowing only 4 KiB leaves and only 2 MiB leaves.
     */
    @Setup(Level.Trial)
    public void setup()
    {
        arena = TableArena.allocateDirect(2048);
        small = RadixPageTable.create(arena, new PageTableConfig().allowedPageSizes(PageSizes.ALLOW_4K));
        large = RadixPageTable.create(arena, new PageTableConfig().allowedPageSizes(PageSizes.ALLOW_2M));
    }

    /**
     * Unmap what the invocation mapped (frees its tables) and check it succeeded.
     */
    @TearDown(Level.Invocation)
    public void unmap()
    {
        if (result != PtwResult.OK)
        {
            throw new IllegalStateException(PtwResult.name(result));
        }
        small.unmap(IOVA, PageSizes.SIZE_1G);
        large.unmap(IOVA, PageSizes.SIZE_1G);
    }

    /**
     * Release the arena.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        arena.close();
    }

    /**
     * Map 1 GiB as 262,144 4 KiB leaves.
     *
     * @return the result code.
     */
    @Benchmark
    @OperationsPerInvocation(262_144)
    public int map1GiB4kPerEntry()
    {
        result = small.map(IOVA, OUTPUT, PageSizes.SIZE_1G, PtwPermissions.READ_WRITE);
        return result;
    }

    /**
     * Map 1 GiB as 512 2 MiB leaves.
     *
     * @return the result code.
     */
    @Benchmark
    public int map1GiB2m()
    {
        result = large.map(IOVA, OUTPUT, PageSizes.SIZE_1G, PtwPermissions.READ_WRITE);
        return result;
    }
}
