/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.workload;

import java.util.ArrayList;
import java.util.List;

import dev.iommu.bench.adapter.DmaMapper;
import dev.iommu.bench.cli.Operation;
import dev.iommu.core.IotlbInvalidation;

/**
 * The seven workloads of {@code iommu bench}, each as a list of {@link BenchCase}s: what one thread does per
 * operation, on which kind of domain, with how many threads. Every operation body is allocation-free on the
 * library's mapper.
 */
public final class Workloads
{
    /** Workload names, in the order they run. */
    public static final List<String> NAMES = List.of(
        "request-response", "scatter-gather", "mixed", "fragmentation", "bulk", "threads", "translate-heavy");

    private static final long PAGE = 4096;
    private static final long GIB = 1L << 30;

    private Workloads()
    {
    }

    /**
     * The cases of the named workloads.
     *
     * @param names   workload names from {@link #NAMES}.
     * @param threads the thread counts of the {@code threads} workload.
     * @param quick   smaller working sets (the {@code --quick} run).
     * @return the cases, in running order.
     */
    public static List<BenchCase> cases(final List<String> names, final List<Integer> threads, final boolean quick)
    {
        final List<BenchCase> cases = new ArrayList<>();
        for (final String name : NAMES)
        {
            if (!names.contains(name))
            {
                continue;
            }
            switch (name)
            {
                case "request-response":
                    cases.add(new BenchCase(name, "strict", 1, false, IotlbInvalidation.STRICT, 48,
                        (mapper, thread) -> new RequestResponse(mapper, thread)));
                    cases.add(new BenchCase(name, "deferred", 1, false, IotlbInvalidation.DEFERRED, 48,
                        (mapper, thread) -> new RequestResponse(mapper, thread)));
                    break;
                case "scatter-gather":
                    for (final int pages : new int[]{16, 32, 256})
                    {
                        cases.add(new BenchCase(name, (pages * 4) + "KiB", 1, false, IotlbInvalidation.STRICT, 48,
                            (mapper, thread) -> new ScatterGather(mapper, thread, pages)));
                    }
                    break;
                case "mixed":
                    cases.add(new BenchCase(name, "4KiB-4MiB", 1, false, IotlbInvalidation.STRICT, 48,
                        (mapper, thread) -> new MixedSizes(mapper, thread)));
                    break;
                case "fragmentation":
                    for (final int percent : new int[]{50, 75, 90})
                    {
                        final long window = quick ? 1L << 28 : 1L << 32;
                        cases.add(new BenchCase(name, percent + "%", 1, false, IotlbInvalidation.STRICT, 39,
                            (mapper, thread) -> new Fragmentation(mapper, thread, window, percent)));
                    }
                    break;
                case "bulk":
                    cases.add(new BenchCase(name, "1GiB-4KiB", 1, false, IotlbInvalidation.STRICT, 48,
                        (mapper, thread) -> new Bulk(mapper, GIB + PAGE)));
                    cases.add(new BenchCase(name, "1GiB-2MiB", 1, false, IotlbInvalidation.STRICT, 48,
                        (mapper, thread) -> new Bulk(mapper, GIB + (2L << 20))));
                    cases.add(new BenchCase(name, "1GiB-1GiB", 1, false, IotlbInvalidation.STRICT, 48,
                        (mapper, thread) -> new Bulk(mapper, GIB)));
                    break;
                case "threads":
                    for (final boolean shared : new boolean[]{false, true})
                    {
                        for (final int n : threads)
                        {
                            cases.add(new BenchCase(name, shared ? "shared-domain" : "separate-domains", n, shared,
                                IotlbInvalidation.STRICT, 48, (mapper, thread) -> new RequestResponse(mapper, thread)));
                        }
                    }
                    break;
                default:
                    cases.add(new BenchCase(name, quick ? "16Ki-pages" : "64Ki-pages", 1, false,
                        IotlbInvalidation.STRICT, 48,
                        (mapper, thread) -> new TranslateHeavy(mapper, thread, quick ? 256 : 1024)));
                    break;
            }
        }
        return cases;
    }

    /** A 64-bit xorshift generator: no allocation, no shared state. */
    static long next(final long x)
    {
        long y = x;
        y ^= y << 13;
        y ^= y >>> 7;
        y ^= y << 17;
        return y;
    }

    /**
     * Allocate, map one page, translate it twice, unmap: what a NIC or NVMe driver does per request.
     */
    static final class RequestResponse implements Operation
    {
        private final DmaMapper mapper;
        private final long[] frames = new long[1];
        private long failures;

        RequestResponse(final DmaMapper mapper, final int thread)
        {
            this.mapper = mapper;
            frames[0] = 0x10_0000L + thread;
        }

        @Override
        public void runOnce()
        {
            final long iova = mapper.map(frames, 1, DmaMapper.READ_WRITE);
            if (iova < 0)
            {
                failures++;
                return;
            }
            check(mapper.translate(iova, DmaMapper.READ), frames[0] * PAGE);
            check(mapper.translate(iova + 64, DmaMapper.WRITE), frames[0] * PAGE + 64);
            mapper.unmap(iova, 1);
        }

        @Override
        public long failures()
        {
            return failures;
        }
    }

    /**
     * Scattered pages into one range, translate every page, unmap.
     */
    static final class ScatterGather implements Operation
    {
        private final DmaMapper mapper;
        private final long[] frames;
        private final int pages;
        private long failures;

        ScatterGather(final DmaMapper mapper, final int thread, final int pages)
        {
            this.mapper = mapper;
            this.pages = pages;
            this.frames = new long[pages];
            long x = 0x9E37_79B9_7F4A_7C15L + thread;
            for (int i = 0; i < pages; i++)
            {
                x = next(x);
                frames[i] = (x >>> 24) & 0xFF_FFFFL;
            }
        }

        @Override
        public void runOnce()
        {
            final long iova = mapper.map(frames, pages, DmaMapper.READ_WRITE);
            if (iova < 0)
            {
                failures++;
                return;
            }
            for (int i = 0; i < pages; i++)
            {
                check(mapper.translate(iova + i * PAGE, DmaMapper.READ), frames[i] * PAGE);
            }
            mapper.unmap(iova, pages);
        }

        @Override
        public long failures()
        {
            return failures;
        }
    }

    /**
     * Sizes from 4 KiB to 4 MiB (log-uniform), 32 to 128 outstanding per thread, completed in random order.
     */
    static final class MixedSizes implements Operation
    {
        private static final int MAX_OUTSTANDING = 128;
        private final DmaMapper mapper;
        private final long[] iovas = new long[MAX_OUTSTANDING];
        private final long[] sizes = new long[MAX_OUTSTANDING];
        private final long[] frames = new long[1024];
        private int outstanding;
        private int target = 64;
        private long random;
        private long failures;

        MixedSizes(final DmaMapper mapper, final int thread)
        {
            this.mapper = mapper;
            this.random = 0x2545_F491_4F6C_DD1DL + thread;
            for (int i = 0; i < frames.length; i++)
            {
                frames[i] = 0x20_0000L + i;
            }
        }

        @Override
        public void runOnce()
        {
            random = next(random);
            if ((random & 1023) == 0)
            {
                target = 32 + (int)((random >>> 10) % 97);
            }
            if (outstanding < target)
            {
                final int pages = 1 << (int)((random >>> 20) % 11);
                final int count = Math.max(1, pages - (int)((random >>> 40) % Math.max(1, pages / 2)));
                final long iova = mapper.map(frames, count, DmaMapper.READ_WRITE);
                if (iova < 0)
                {
                    failures++;
                    return;
                }
                iovas[outstanding] = iova;
                sizes[outstanding++] = count;
            }
            else
            {
                final int i = (int)((random >>> 33) % outstanding);
                mapper.unmap(iovas[i], sizes[i]);
                outstanding--;
                iovas[i] = iovas[outstanding];
                sizes[i] = sizes[outstanding];
            }
        }

        @Override
        public long failures()
        {
            return failures;
        }

        @Override
        public void finish()
        {
            while (outstanding > 0)
            {
                outstanding--;
                mapper.unmap(iovas[outstanding], sizes[outstanding]);
            }
        }
    }

    /**
     * A long-lived working set filling a share of a constrained window (a 32-bit device: every mapping below
     * 4 GiB); each operation completes a random mapping and requests a new one of a random size in the window.
     */
    static final class Fragmentation implements Operation
    {
        private final DmaMapper mapper;
        private final long maxAddress;
        private final long[] iovas;
        private final int[] sizes;
        private final long[] frames = new long[64];
        private int live;
        private long random;
        private long failures;

        Fragmentation(final DmaMapper mapper, final int thread, final long window, final int percent)
        {
            this.mapper = mapper;
            this.maxAddress = window - 1;
            this.random = 0x6A09_E667_F3BC_C909L + thread;
            for (int i = 0; i < frames.length; i++)
            {
                frames[i] = 0x30_0000L + i;
            }
            final long targetPages = window / PAGE * percent / 100;
            final int capacity = (int)Math.min(Integer.MAX_VALUE - 8, targetPages);
            iovas = new long[capacity];
            sizes = new int[capacity];
            long mapped = 0;
            while (mapped < targetPages)
            {
                random = next(random);
                final int count = 1 + (int)((random >>> 20) & 63);
                final long iova = mapper.map(frames, count, DmaMapper.READ_WRITE, maxAddress);
                if (iova < 0)
                {
                    break;
                }
                iovas[live] = iova;
                sizes[live++] = count;
                mapped += count;
            }
        }

        @Override
        public void runOnce()
        {
            random = next(random);
            if (live > 0)
            {
                final int i = (int)((random >>> 33) % live);
                final long iova = iovas[i];
                final int count = sizes[i];
                random = next(random);
                final int wanted = 1 + (int)((random >>> 20) & 63);
                mapper.unmap(iova, count);
                final long next = mapper.map(frames, wanted, DmaMapper.READ_WRITE, maxAddress);
                if (next < 0)
                {
                    failures++;
                    live--;
                    iovas[i] = iovas[live];
                    sizes[i] = sizes[live];
                    return;
                }
                iovas[i] = next;
                sizes[i] = wanted;
            }
        }

        @Override
        public long failures()
        {
            return failures;
        }

        @Override
        public void finish()
        {
            while (live > 0)
            {
                live--;
                mapper.unmap(iovas[live], sizes[live]);
            }
        }
    }

    /**
     * Map and unmap 1 GiB of contiguous physical memory; the physical alignment decides the leaf size the library
     * can use (4 KiB, 2 MiB or 1 GiB).
     */
    static final class Bulk implements Operation
    {
        private final DmaMapper mapper;
        private final long physical;
        private long failures;

        Bulk(final DmaMapper mapper, final long physical)
        {
            this.mapper = mapper;
            this.physical = physical;
        }

        @Override
        public void runOnce()
        {
            final long iova = mapper.mapContiguous(physical, GIB, DmaMapper.READ_WRITE);
            if (iova < 0)
            {
                failures++;
                return;
            }
            check(mapper.translate(iova + GIB - PAGE, DmaMapper.READ), physical + GIB - PAGE);
            mapper.unmap(iova, GIB / PAGE);
        }

        @Override
        public long failures()
        {
            return failures;
        }
    }

    /**
     * Random device translations over a working set much larger than the IOTLB.
     */
    static final class TranslateHeavy implements Operation
    {
        private static final int PAGES_EACH = 64;
        private final DmaMapper mapper;
        private final long[] iovas;
        private final long[] frames = new long[PAGES_EACH];
        private long random;

        TranslateHeavy(final DmaMapper mapper, final int thread, final int mappings)
        {
            this.mapper = mapper;
            this.random = 0xBB67_AE85_84CA_A73BL + thread;
            for (int i = 0; i < PAGES_EACH; i++)
            {
                frames[i] = 0x40_0000L + i;
            }
            iovas = new long[mappings];
            for (int i = 0; i < mappings; i++)
            {
                iovas[i] = mapper.map(frames, PAGES_EACH, DmaMapper.READ_WRITE);
                if (iovas[i] < 0)
                {
                    throw new IllegalStateException("translate-heavy: working set map failed: " + iovas[i]);
                }
            }
        }

        @Override
        public void runOnce()
        {
            random = next(random);
            final int mapping = (int)((random >>> 33) % iovas.length);
            final int page = (int)(random & (PAGES_EACH - 1));
            check(mapper.translate(iovas[mapping] + page * PAGE, DmaMapper.READ), frames[page] * PAGE);
        }

        @Override
        public void finish()
        {
            for (final long iova : iovas)
            {
                mapper.unmap(iova, PAGES_EACH);
            }
        }
    }

    private static void check(final long translated, final long expected)
    {
        if (translated != expected)
        {
            throw new IllegalStateException("translation returned " + translated + ", expected " + expected);
        }
    }
}
