/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iova;

import java.util.Arrays;
import java.util.SplittableRandom;

import dev.iommu.bench.baseline.RangeAllocator;

/**
 * Fragmentation run with constrained callers: a 48-bit allocator whose low 4 GiB (the window of 32-bit devices) is
 * filled to a target occupancy by 32-bit-constrained allocations of 1 to 256 pages (log-uniform), aged by random
 * replacement at that occupancy, then measured: each measured request frees a random block and allocates a new
 * random size with max = 0xFFFFFFFF. Unconstrained traffic runs alongside (a second population above 4 GiB).
 * Reports, per occupancy, the failure rate of constrained requests and their p99, p999 and worst latency.
 * Arguments: allocator name, measured requests per occupancy.
 */
public final class IovaFragmentationRun
{
    private static final long LIMIT_32 = 0xFFFF_FFFFL;
    private static final long WINDOW_PAGES = (LIMIT_32 + 1) >>> 12;

    private IovaFragmentationRun()
    {
    }

    /**
     * @param args allocator, measured requests per occupancy.
     */
    public static void main(final String[] args)
    {
        final String name = args.length > 0 ? args[0] : "buddy";
        final int measured = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        for (final int percent : new int[] {50, 75, 90})
        {
            run(name, percent, measured);
        }
    }

    private static void run(final String name, final int percent, final int measured)
    {
        final RangeAllocator allocator = RangeAllocators.create(name, 48);
        final SplittableRandom random = new SplittableRandom(percent);
        final int capacity = (int)(WINDOW_PAGES * percent / 100);
        final long[] addresses = new long[capacity];
        final long[] pages = new long[capacity];
        final long target = WINDOW_PAGES * percent / 100;
        long occupied = 0;
        int count = 0;
        while (occupied < target)
        {
            final long n = size(random);
            final long a = allocator.allocate(n, 0, LIMIT_32);
            if (a < 0)
            {
                break;
            }
            addresses[count] = a;
            pages[count] = n;
            count++;
            occupied += rounded(n);
        }
        final long[] other = new long[4096];
        final long[] otherPages = new long[4096];
        for (int i = 0; i < other.length; i++)
        {
            otherPages[i] = size(random);
            other[i] = allocator.allocate(otherPages[i], 0, -1);
        }
        final long[] latencies = new long[measured];
        long failures = 0;
        for (int phase = 0; phase < 2; phase++)
        {
            // Phase 0 ages the space at the target occupancy; phase 1 measures.
            for (int r = 0; r < measured; r++)
            {
                final int victim = random.nextInt(count);
                if (addresses[victim] > 0)
                {
                    allocator.free(addresses[victim], pages[victim]);
                }
                final long n = size(random);
                final long start = System.nanoTime();
                final long a = allocator.allocate(n, 0, LIMIT_32);
                final long elapsed = System.nanoTime() - start;
                addresses[victim] = a;
                pages[victim] = n;
                final int o = random.nextInt(other.length);
                allocator.free(other[o], otherPages[o]);
                otherPages[o] = size(random);
                other[o] = allocator.allocate(otherPages[o], 0, -1);
                if (phase == 1)
                {
                    latencies[r] = elapsed;
                    if (a < 0)
                    {
                        failures++;
                    }
                }
            }
        }
        Arrays.sort(latencies);
        System.out.printf("%s occupancy %d%% (%d blocks below 4 GiB): %d constrained requests after %d of aging, " +
            "failed %.4f%%, p50 %d ns, p99 %d ns, p999 %d ns, worst %d ns%n", name, percent, count, measured, measured,
            100.0 * failures / measured, latencies[measured / 2], latencies[(int)(measured * 0.99)],
            latencies[(int)(measured * 0.999)], latencies[measured - 1]);
    }

    private static long size(final SplittableRandom random)
    {
        final int k = random.nextInt(9);
        return 1 + random.nextInt(1 << k);
    }

    private static long rounded(final long pages)
    {
        return pages == 1 ? 1 : Long.highestOneBit(pages - 1) << 1;
    }
}
