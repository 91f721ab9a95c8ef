/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iova;

import java.util.SplittableRandom;

import dev.iommu.bench.baseline.RangeAllocator;

/**
 * Aging run: fill a working set of blocks (sizes 1 to 1024 pages, log-uniform), then replace a random block
 * (free it, allocate a new random size) again and again, and compare the throughput of the last tenth of the run
 * with the first tenth. Arguments: allocator name ("buddy", "tree", "skiplist"), operations (replacements; each is
 * one free and one allocate), working-set blocks, address width.
 * <pre>
 *   java -cp iommu-bench.jar dev.iommu.bench.iova.IovaAgingRun buddy 100000000 1000000 48
 * </pre>
 */
public final class IovaAgingRun
{
    private IovaAgingRun()
    {
    }

    /**
     * @param args allocator, operations, working set, width.
     */
    public static void main(final String[] args)
    {
        final String name = args.length > 0 ? args[0] : "buddy";
        final long operations = args.length > 1 ? Long.parseLong(args[1]) : 100_000_000L;
        final int workingSet = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        final int width = args.length > 3 ? Integer.parseInt(args[3]) : 48;
        final RangeAllocator allocator = RangeAllocators.create(name, width);
        final SplittableRandom random = new SplittableRandom(7);
        final long[] addresses = new long[workingSet];
        final long[] pages = new long[workingSet];
        for (int i = 0; i < workingSet; i++)
        {
            pages[i] = IovaMixedBenchmark.randomSize(random);
            addresses[i] = allocator.allocate(pages[i], 0, -1);
        }
        final long tenth = operations / 10;
        final double[] opsPerSecond = new double[10];
        long failures = 0;
        for (int t = 0; t < 10; t++)
        {
            final long start = System.nanoTime();
            for (long op = 0; op < tenth; op++)
            {
                final int victim = random.nextInt(workingSet);
                if (addresses[victim] > 0)
                {
                    allocator.free(addresses[victim], pages[victim]);
                }
                final long size = IovaMixedBenchmark.randomSize(random);
                final long address = allocator.allocate(size, 0, -1);
                if (address < 0)
                {
                    failures++;
                }
                addresses[victim] = address;
                pages[victim] = size;
            }
            opsPerSecond[t] = tenth * 1e9 / (System.nanoTime() - start);
            System.out.printf("%s tenth %d: %.0f replacements/s%n", name, t + 1, opsPerSecond[t]);
        }
        System.out.printf("%s: %d replacements over %d blocks (width %d): first tenth %.0f/s, last tenth %.0f/s, " +
            "last/first %.3f, failed allocations %d%n", name, operations, workingSet, width, opsPerSecond[0],
            opsPerSecond[9], opsPerSecond[9] / opsPerSecond[0], failures);
    }
}
