/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.io.File;
import java.io.PrintStream;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.PageSizes;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;

/**
 * A stress run: N {@link StressWorker}s calling every kind of V2 member on one emulator for a bounded time or number
 * of operations, then a clean-up that must bring the emulator back to empty (no table page, domain, device or
 * registration left). The first violated invariant stops the run with a {@link StressFailure}.
 */
public final class StressRun
{
    private static final int SHARED_SLOTS = 4;
    private static final int SHARED_POOL_DOMAINS = 3;

    private final int threads;
    private final long durationNs;
    private final long maxOperations;
    private final long seed;
    private final PrintStream out;
    private final Platform platform;
    private final IommuEmulator emulator;
    private final DmaIommuInterfaceV2 iommu;
    private final IommuDmaDevice[] ownDevices;
    private final AtomicReferenceArray<IommuDmaDevice> sharedDevices = new AtomicReferenceArray<>(SHARED_SLOTS);
    private final IommuInterfaceStateChangeCallback[] callbacks = new IommuInterfaceStateChangeCallback[SHARED_SLOTS];
    private final IommuDmaDomain[] pool = new IommuDmaDomain[SHARED_POOL_DOMAINS];
    private final IommuDmaDomain sharedDomain;
    private final ConcurrentHashMap<Long, Integer> sharedOwners = new ConcurrentHashMap<>();
    private final AtomicLong callbackCalls = new AtomicLong();
    private final AtomicLong progress = new AtomicLong();
    private volatile boolean stopping;
    private long deadline;

    /**
     * Sets up the platform, the emulator and the shared objects.
     *
     * @param threads       worker threads, at least 1.
     * @param durationNs    how long the workers run.
     * @param maxOperations the most operations per worker.
     * @param seed          the seed of every worker's random choices.
     * @param counters      the directory to publish counters in (for {@code iommu stat}), or null.
     * @param out           where progress and the summary go.
     */
    public StressRun(
        final int threads,
        final long durationNs,
        final long maxOperations,
        final long seed,
        final File counters,
        final PrintStream out)
    {
        this.threads = threads;
        this.durationNs = durationNs;
        this.maxOperations = maxOperations;
        this.seed = seed;
        this.out = out;
        final Platform.Builder builder = Platform.builder().architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALL, 20, true, 0)
            .limits(new ResourceLimits(4 * threads + 16, 4 * threads + 16, 1 << 18, 16, 64));
        for (int i = 0; i < 2 * threads; i++)
        {
            builder.pci("own" + i, 1, i / 8, i % 8, 0, "vtd0", false);
        }
        for (int i = 0; i < SHARED_SLOTS; i++)
        {
            builder.pci("shared" + i, 2, i, 0, 0, "vtd0", i % 2 == 1);
        }
        platform = builder.build();
        emulator = IommuEmulator.launch(new EmulatorContext().platform(platform).countersDirectory(counters)
            .dispatcherThread(true));
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        expect(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(2, 0, ex), "IoGetIommuInterfaceEx");
        iommu = ex.v2();
        ownDevices = new IommuDmaDevice[2 * threads];
        for (int i = 0; i < ownDevices.length; i++)
        {
            ownDevices[i] = createDevice(platform.device("own" + i));
        }
        for (int i = 0; i < SHARED_SLOTS; i++)
        {
            sharedDevices.set(i, createDevice(platform.device("shared" + i)));
            callbacks[i] = (final IommuInterfaceStateChange change, final Object context) ->
                callbackCalls.incrementAndGet();
        }
        sharedDomain = createDomain(IommuDmaDomainType.TRANSLATE, true);
        pool[0] = createDomain(IommuDmaDomainType.TRANSLATE, true);
        pool[1] = createDomain(IommuDmaDomainType.TRANSLATE, false);
        pool[2] = createDomain(IommuDmaDomainType.PASS_THROUGH, false);
    }

    /**
     * Runs the workers, then cleans up and checks that nothing leaked.
     *
     * @return the summary.
     * @throws StressFailure at the first violated invariant.
     */
    public StressSummary execute()
    {
        final StressWorker[] workers = new StressWorker[threads];
        for (int i = 0; i < threads; i++)
        {
            workers[i] = new StressWorker(this, i, seed);
        }
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CyclicBarrier start = new CyclicBarrier(threads);
        final Thread[] running = new Thread[threads];
        final long started = System.nanoTime();
        deadline = started + durationNs;
        for (int i = 0; i < threads; i++)
        {
            final StressWorker worker = workers[i];
            running[i] = new Thread(() ->
            {
                try
                {
                    start.await();
                    worker.run();
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                    stopping = true;
                }
            }, "stress-" + i);
            running[i].start();
        }
        long lastReport = started;
        while (true)
        {
            boolean alive = false;
            for (final Thread thread : running)
            {
                alive |= thread.isAlive();
            }
            if (!alive)
            {
                break;
            }
            final long now = System.nanoTime();
            if (now - lastReport >= 1_000_000_000L)
            {
                lastReport = now;
                out.printf("  %5.1f s  %,d operations%n", (now - started) / 1e9, progress.get());
            }
            joinQuietly(running[0], 100);
        }
        final long elapsed = System.nanoTime() - started;
        final Throwable thrown = failure.get();
        if (null != thrown)
        {
            if (thrown instanceof StressFailure)
            {
                throw (StressFailure)thrown;
            }
            throw new StressFailure(seed, -1, -1, "worker", "thread", -1, "unexpected " + thrown);
        }
        for (final StressWorker worker : workers)
        {
            worker.cleanUp();
        }
        final long[] calls = new long[StressWorker.Call.values().length];
        long operations = 0;
        for (final StressWorker worker : workers)
        {
            operations += worker.operations();
            for (int c = 0; c < calls.length; c++)
            {
                calls[c] += worker.calls()[c];
            }
        }
        cleanUpShared();
        return new StressSummary(threads, operations, elapsed, calls, callbackCalls.get(), seed);
    }

    private void cleanUpShared()
    {
        for (int i = 0; i < SHARED_SLOTS; i++)
        {
            final IommuDmaDevice device = sharedDevices.get(i);
            final int unregister = iommu.unregisterInterfaceStateChangeCallback(callbacks[i], device);
            leakCheck(unregister == NtStatus.STATUS_SUCCESS || unregister == NtStatus.STATUS_UNSUCCESSFUL,
                "unregister shared " + i + ": " + NtStatus.name(unregister));
            final int detach = iommu.detachDeviceEx(device);
            leakCheck(detach == NtStatus.STATUS_SUCCESS || detach == NtStatus.STATUS_INVALID_PARAMETER_1,
                "detach shared " + i + ": " + NtStatus.name(detach));
            expect(NtStatus.STATUS_SUCCESS, iommu.deleteDevice(device), "DeleteDevice shared " + i);
        }
        for (final IommuDmaDevice device : ownDevices)
        {
            expect(NtStatus.STATUS_SUCCESS, iommu.deleteDevice(device), "DeleteDevice own");
        }
        leakCheck(sharedOwners.isEmpty(), sharedOwners.size() + " shared pages still owned");
        expect(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(sharedDomain), "DeleteDomain shared");
        for (final IommuDmaDomain domain : pool)
        {
            expect(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(domain), "DeleteDomain pool");
        }
        leakCheck(emulator.tablePagesInUse() == 0, emulator.tablePagesInUse() + " table pages leaked");
        leakCheck(emulator.liveDomains() == 0, emulator.liveDomains() + " domains leaked");
        leakCheck(emulator.liveDevices() == 0, emulator.liveDevices() + " devices leaked");
    }

    /**
     * Closes the emulator.
     */
    public void close()
    {
        emulator.close();
    }

    // ------------------------------------------------------------------------------------------------------------
    // What workers share
    // ------------------------------------------------------------------------------------------------------------

    boolean keepGoing(final long operations)
    {
        return !stopping && operations < maxOperations && ((operations & 63) != 0 || System.nanoTime() < deadline);
    }

    void progress()
    {
        progress.incrementAndGet();
    }

    IommuEmulator emulator()
    {
        return emulator;
    }

    DmaIommuInterfaceV2 iommu()
    {
        return iommu;
    }

    IommuDmaDevice ownDevice(final int index)
    {
        return ownDevices[index];
    }

    IommuDmaDomain sharedDomain()
    {
        return sharedDomain;
    }

    ConcurrentHashMap<Long, Integer> sharedOwners()
    {
        return sharedOwners;
    }

    int sharedSlots()
    {
        return SHARED_SLOTS;
    }

    IommuDmaDevice sharedDevice(final int slot)
    {
        return sharedDevices.get(slot);
    }

    PhysicalDeviceObject sharedPdo(final int slot)
    {
        return platform.device("shared" + slot);
    }

    void replaceSharedDevice(final int slot, final IommuDmaDevice old, final IommuDmaDevice created)
    {
        sharedDevices.compareAndSet(slot, old, created);
    }

    IommuInterfaceStateChangeCallback callback(final int slot)
    {
        return callbacks[slot];
    }

    int sharedPoolDomains()
    {
        return SHARED_POOL_DOMAINS;
    }

    IommuDmaDomain sharedPoolDomain(final int index)
    {
        return pool[index];
    }

    void changePolicy(final SplittableRandom random)
    {
        final int slot = random.nextInt(SHARED_SLOTS);
        final int types = random.nextBoolean() ? IommuDmaDomainType.TRANSLATE.mask() :
            IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.PASS_THROUGH.mask();
        platform.policy().restrict(platform.device("shared" + slot), types);
    }

    private IommuDmaDevice createDevice(final PhysicalDeviceObject pdo)
    {
        final Ref<IommuDmaDevice> device = new Ref<>();
        expect(NtStatus.STATUS_SUCCESS, iommu.createDevice(pdo, null, device), "CreateDevice " + pdo.name());
        return device.get();
    }

    private IommuDmaDomain createDomain(final IommuDmaDomainType type, final boolean allocator)
    {
        final Ref<IommuDmaDomain> domain = new Ref<>();
        expect(NtStatus.STATUS_SUCCESS, iommu.createDomainEx(
            type, 0, allocator ? new IommuDmaLogicalAllocatorConfig().buddy(39) : null, null, domain),
            "CreateDomainEx");
        return domain.get();
    }

    private void expect(final int expected, final int actual, final String what)
    {
        if (expected != actual)
        {
            throw new StressFailure(seed, -1, -1, what, "setup or cleanup", -1,
                "expected " + NtStatus.name(expected) + ", got " + NtStatus.name(actual));
        }
    }

    private void leakCheck(final boolean ok, final String what)
    {
        if (!ok)
        {
            throw new StressFailure(seed, -1, -1, "leak check", "emulator", -1, what);
        }
    }

    private static void joinQuietly(final Thread thread, final long millis)
    {
        try
        {
            thread.join(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
