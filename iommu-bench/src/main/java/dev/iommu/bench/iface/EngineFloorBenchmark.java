/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.iface;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

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

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.Ref;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaAllocatorConfig;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;

/**
 * Where the interface's time goes: the engine parts a MapLogicalRangeEx + UnmapLogicalRange pair is built from,
 * called directly, one thread. {@code allocateMapUnmapFree} is the floor (the buddy allocator and the radix page
 * table with the emulator's settings: 48 bits, a 4,096-entry IOTLB, strict invalidation); the other benchmarks add
 * one piece of what {@code MappingDomain} does around it, reproduced here because those classes are package-private
 * in iommu-core: the two enter/exit pairs of its {@code OperationGate} on a shared stripe (four {@code getAndAdd}s,
 * also priced alone) and, priced alone, on the owner's slot (two volatile stores and two release stores).
 * {@code translateTable} is the translate floor; {@code translateTableWithChecks} adds the two volatile liveness
 * loads the emulator's translate makes around it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class EngineFloorBenchmark
{
    private static final long PAGE = 4096;
    private static final long OUTPUT = 0x12345L << 12;
    private static final int STRIPES = 8;
    private static final int PAD = 16;
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle LEAF = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle DIR = MethodHandles.arrayElementVarHandle(long[][].class);
    private static final VarHandle ROOT = MethodHandles.arrayElementVarHandle(long[][][].class);

    private TableArena arena;
    private RadixPageTable table;
    private IovaAllocator allocator;
    private final long[] counts = new long[STRIPES * PAD + PAD];
    private final long[] ownerCount = new long[3 * PAD];
    private volatile boolean open = true;
    private volatile boolean alive = true;
    private long mappedIova;
    private final long[] workingSet = new long[1024];
    private int next;
    private final long[] frames = {0x12345};
    private final long[][][] ledgerRoot = new long[1 << 13][][];
    private IommuEmulator emulator;
    private DmaIommuInterfaceV2 iommu;
    private IommuDmaDomain domain;
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
    private final LongRef addressOut = new LongRef();

    /**
     * Builds the table and the allocator as the emulator does, and maps 1024 pages as the interface benchmark does.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        arena = TableArena.allocateDirect(65536);
        table = RadixPageTable.create(arena, new PageTableConfig());
        allocator = new IovaAllocator(new IovaAllocatorConfig().addressWidth(48).explicitAllowed(false));
        for (int i = 0; i < 1024; i++)
        {
            final long iova = allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
            table.map(iova, (0x40000L + i * 3L) << 12, PAGE, PtwPermissions.READ_WRITE);
            workingSet[i] = iova;
            if (i == 512)
            {
                mappedIova = iova + 0x40;
            }
        }
        final Platform platform = Platform.builder()
            .architecture(Architecture.X64)
            .iommu("iommu0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 0, true, 0)
            .pci("dev0", 0, 1, 0, 0, "iommu0", false)
            .build();
        emulator = IommuEmulator.launch(new EmulatorContext().platform(platform)
            .dispatcherThread(false));
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        emulator.ioGetIommuInterfaceEx(2, 0, ex);
        iommu = ex.v2();
        final Ref<IommuDmaDomain> out = new Ref<>();
        iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, new IommuDmaLogicalAllocatorConfig().buddy(48),
            null, out);
        domain = out.get();
        physical.usePfnArray(frames, 1);
        for (int i = 0; i < 1024; i++)
        {
            iommu.mapLogicalRangeEx(domain, IommuPermissions.READ_WRITE, physical, null, null, null, addressOut);
        }
    }

    /**
     * Releases the table memory.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        arena.close();
        emulator.close();
    }

    /**
     * The emulator's MapLogicalRangeEx + UnmapLogicalRange called through its V2 table (no adapter), reused
     * arguments.
     *
     * @return the address.
     */
    @Benchmark
    public long emulatorDirect()
    {
        iommu.mapLogicalRangeEx(domain, IommuPermissions.READ_WRITE, physical, null, null, null, addressOut);
        final long iova = addressOut.get();
        return iova + iommu.unmapLogicalRange(domain, iova, 1);
    }

    private long[] ledgerLeaf(final long page)
    {
        final long leafIndex = page >>> 9;
        long[][] dir = (long[][])ROOT.getAcquire(ledgerRoot, (int)(leafIndex >>> 14));
        if (null == dir)
        {
            dir = new long[1 << 14][];
            ROOT.setRelease(ledgerRoot, (int)(leafIndex >>> 14), dir);
        }
        long[] leaf = (long[])DIR.getAcquire(dir, (int)(leafIndex & ((1 << 14) - 1)));
        if (null == leaf)
        {
            leaf = new long[512];
            DIR.setRelease(dir, (int)(leafIndex & ((1 << 14) - 1)), leaf);
        }
        return leaf;
    }

    /**
     * The floor with the gate pairs and the block ledger's accesses as MappingDomain makes them for one page: open
     * (a release store), find and order (two acquire loads, each after a leaf lookup of two acquire loads), release
     * (a volatile load and a CAS).
     *
     * @return the address.
     */
    @Benchmark
    public long withGatePairsAndLedger()
    {
        int stripe = enter();
        final long iova = allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        table.mapScatter(iova, frames, 0, 1, PtwPermissions.READ_WRITE);
        final long page = iova >>> 12;
        LEAF.setRelease(ledgerLeaf(page), (int)(page & 511), 1L << 6);
        exit(stripe);
        stripe = enter();
        final long found = (long)LEAF.getAcquire(ledgerLeaf(page), (int)(page & 511));
        final long order = (long)LEAF.getAcquire(ledgerLeaf(page), (int)(page & 511)) & 63;
        table.unmap(iova, PAGE);
        final long[] leaf = ledgerLeaf(page);
        final long entry = (long)LEAF.getVolatile(leaf, (int)(page & 511));
        LEAF.compareAndSet(leaf, (int)(page & 511), entry, 0L);
        final long result = iova + allocator.free(iova, 1 + order) + found;
        exit(stripe);
        return result;
    }

    private int enter()
    {
        final int stripe = PAD + (((int)Thread.currentThread().getId() & (STRIPES - 1)) * PAD);
        COUNT.getAndAdd(counts, stripe, 1L);
        if (!open)
        {
            COUNT.getAndAdd(counts, stripe, -1L);
            return -1;
        }
        return stripe;
    }

    private void exit(final int stripe)
    {
        COUNT.getAndAdd(counts, stripe, -1L);
    }

    /**
     * The floor: allocate one page, map it, unmap it (strict IOTLB invalidation), free it.
     *
     * @return the address.
     */
    @Benchmark
    public long allocateMapUnmapFree()
    {
        final long iova = allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        table.map(iova, OUTPUT, PAGE, PtwPermissions.READ_WRITE);
        table.unmap(iova, PAGE);
        return iova + allocator.free(iova, 1);
    }

    /**
     * The floor with the page given as a frame array ({@code mapScatter}), the path a PFN-array map takes.
     *
     * @return the address.
     */
    @Benchmark
    public long allocateMapScatterUnmapFree()
    {
        final long iova = allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        table.mapScatter(iova, frames, 0, 1, PtwPermissions.READ_WRITE);
        table.unmap(iova, PAGE);
        return iova + allocator.free(iova, 1);
    }

    /**
     * The floor with the striped gate entered and left around the map and around the unmap, as MappingDomain does.
     *
     * @return the address.
     */
    @Benchmark
    public long withGatePairs()
    {
        int stripe = enter();
        final long iova = allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        table.map(iova, OUTPUT, PAGE, PtwPermissions.READ_WRITE);
        exit(stripe);
        stripe = enter();
        table.unmap(iova, PAGE);
        final long result = iova + allocator.free(iova, 1);
        exit(stripe);
        return result;
    }

    /**
     * The gate pairs as the gate's owner thread makes them: a volatile store in (one fence) and a release store out,
     * twice, with the two volatile loads of {@code open}.
     *
     * @return the slot sum.
     */
    @Benchmark
    public long ownerGatePairsOnly()
    {
        int slot = enterOwner();
        exitOwner(slot);
        final int first = slot;
        slot = enterOwner();
        exitOwner(slot);
        return first + slot;
    }

    private int enterOwner()
    {
        final long inside = (long)COUNT.get(ownerCount, PAD);
        COUNT.setVolatile(ownerCount, PAD, inside + 1);
        if (!open)
        {
            COUNT.setRelease(ownerCount, PAD, inside);
            return -1;
        }
        return PAD;
    }

    private void exitOwner(final int slot)
    {
        COUNT.setRelease(ownerCount, slot, (long)COUNT.get(ownerCount, slot) - 1L);
    }

    /**
     * The gate pairs alone (four {@code getAndAdd}s and two volatile loads), to price them.
     *
     * @return the stripe sum.
     */
    @Benchmark
    public long gatePairsOnly()
    {
        int stripe = enter();
        exit(stripe);
        final int first = stripe;
        stripe = enter();
        exit(stripe);
        return first + stripe;
    }

    /**
     * Translate floor: the page table's translate (IOTLB hit), without the device and domain resolution.
     *
     * @return the translation.
     */
    @Benchmark
    public long translateTable()
    {
        return table.translate(mappedIova, PtwPermissions.READ);
    }

    /**
     * Translate floor over the 1024 mapped pages in turn (the interface benchmark's working set): mostly IOTLB
     * misses and four-level walks.
     *
     * @return the translation.
     */
    @Benchmark
    public long translateTableWorkingSet()
    {
        final int i = next;
        next = (i + 1) & 1023;
        return table.translate(workingSet[i] + (i & 0xFFF), PtwPermissions.READ);
    }

    /**
     * The translate floor plus what the emulator adds around it: two volatile liveness loads.
     *
     * @return the translation.
     */
    @Benchmark
    public long translateTableWithChecks()
    {
        if (!alive)
        {
            return -1;
        }
        final long t = table.translate(mappedIova, PtwPermissions.READ);
        return alive ? t : -1;
    }
}
