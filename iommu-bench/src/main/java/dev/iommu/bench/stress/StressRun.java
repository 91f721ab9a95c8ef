/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.io.File;
import java.io.PrintStream;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.iommu.api.DmaIommuInterface;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDeviceFaultHandler;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.BehaviourProfile;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;

/**
 * A stress run: N {@link StressWorker}s calling every member of the three tables ({@code DMA_IOMMU_INTERFACE_V1}
 * through {@code IoGetIommuInterfaceEx(1)} and the legacy {@code IoGetIommuInterface(1)}, V2 and V3 through
 * {@code IoGetIommuInterfaceEx(2)} and {@code (3)}) on one emulator for a bounded time or number of operations, then
 * a clean-up that must bring the emulator back to empty. The first violated invariant stops the run with a
 * {@link StressFailure}.
 * <p>
 * The platform: one x64 IOMMU with 48-bit addresses, every page size and {@value #PASID_WIDTH}-bit PASIDs (so that
 * TranslateS1 domains and PASID sub-devices exist); per thread two device objects for V2 tokens, one reserved for V1
 * (named by device object) and one for the V3 PASID parent; four shared device objects, two of them external. What
 * the threads share: the shared devices with their state-change callbacks, a pool of three domains, a domain they
 * all map into (a page-owner map checks that no two live blocks overlap), the DMA Guard policy, a fault handler
 * for V1 fault reporting, a map of the live PASID sub-devices' ASIDs (no two ever equal), the slots all race to map
 * with 2 MiB leaves ({@link StressSlotDomain}), and a domain deleted under their maps ({@link StressDoomedDomain}).
 * <p>
 * The invariants at the end: nothing left (no table page, domain, device, PASID sub-device, shared page or ASID;
 * the next sub-device gets PASID 1, so none leaked);
 * every status any member returned is one that member may return in the run's profile ({@link AllowedStatuses}, the
 * profile's layer), and every racing set accepted is inside it. The profile's own rules are predicted through a
 * {@link StressProfile} chosen once. With the DMA verifier on, its reports are counted per rule, and a rule the
 * run never triggers (the LEAKED_* rules after clean-up, ...) fails it. The summary says which members of each
 * table were called.
 */
public final class StressRun
{
    /** The PASID width of the platform's IOMMU: PASID support (TranslateS1 domains, sub-devices). */
    static final int PASID_WIDTH = 20;

    private static final int SHARED_SLOTS = 4;
    private static final int SHARED_POOL_DOMAINS = 3;

    private final int threads;
    private final StressProfile profile;
    private final StressVerifier verifier;
    private final long durationNs;
    private final long maxOperations;
    private final long seed;
    private final PrintStream out;
    private final Platform platform;
    private final IommuEmulator emulator;
    private final DmaIommuInterfaceV2 iommu;
    private final DmaIommuInterfaceV1 v1;
    private final DmaIommuInterfaceV1 legacyV1;
    private final DmaIommuInterfaceV3 v3;
    private final IommuDmaDevice[] ownDevices;
    private final AtomicReferenceArray<IommuDmaDevice> sharedDevices = new AtomicReferenceArray<>(SHARED_SLOTS);
    private final AtomicIntegerArray v1Claims = new AtomicIntegerArray(SHARED_SLOTS);
    private final IommuInterfaceStateChangeCallback[] callbacks = new IommuInterfaceStateChangeCallback[SHARED_SLOTS];
    private final IommuDmaDomain[] pool = new IommuDmaDomain[SHARED_POOL_DOMAINS];
    private final IommuDmaDomain sharedDomain;
    private final StressSlotDomain slotDomain;
    private final StressDoomedDomain doomedDomain;
    private final ConcurrentHashMap<Long, Integer> sharedOwners = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Integer> asidOwners = new ConcurrentHashMap<>();
    private final AtomicLong callbackCalls = new AtomicLong();
    private final AtomicLong faultCalls = new AtomicLong();
    private final IommuDeviceFaultHandler faultHandler = (context, fault) -> faultCalls.incrementAndGet();
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
        this(threads, durationNs, maxOperations, seed, counters, out, BehaviourProfile.DOCUMENTED, false);
    }

    /**
     * Sets up the platform, the emulator (in a behaviour profile, with or without the DMA verifier) and the shared
     * objects.
     *
     * @param threads       worker threads, at least 1.
     * @param durationNs    how long the workers run.
     * @param maxOperations the most operations per worker.
     * @param seed          the seed of every worker's random choices.
     * @param counters      the directory to publish counters in (for {@code iommu stat}), or null.
     * @param out           where progress and the summary go.
     * @param profile       the emulator's behaviour profile: the run checks that profile's own rules.
     * @param verifier      whether the DMA verifier runs (its reports counted per rule).
     */
    public StressRun(
        final int threads,
        final long durationNs,
        final long maxOperations,
        final long seed,
        final File counters,
        final PrintStream out,
        final BehaviourProfile profile,
        final boolean verifier)
    {
        this.threads = threads;
        this.profile = StressProfile.of(profile);
        this.verifier = verifier ? new StressVerifier() : null;
        this.durationNs = durationNs;
        this.maxOperations = maxOperations;
        this.seed = seed;
        this.out = out;
        platform = StressTeardown.platform(threads, SHARED_SLOTS);
        final EmulatorContext emulatorContext = new EmulatorContext().platform(platform)
            .countersDirectory(counters).dispatcherThread(true).profile(profile).largePages(true);
        if (verifier)
        {
            emulatorContext.verifier(true).verifierListener(this.verifier);
        }
        emulator = IommuEmulator.launch(emulatorContext);
        iommu = acquire(DmaIommuInterfaceEx.VERSION_2).v2();
        v1 = acquire(DmaIommuInterfaceEx.VERSION_1).v1();
        v3 = acquire(DmaIommuInterfaceEx.VERSION_3).v3();
        final DmaIommuInterface legacy = new DmaIommuInterface();
        teardown().expect(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterface(DmaIommuInterface.VERSION, legacy),
            "IoGetIommuInterface");
        legacyV1 = legacy.v1();
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
        slotDomain = new StressSlotDomain(iommu, platform.device("slots"), teardown());
        doomedDomain = new StressDoomedDomain(iommu, platform.device("doomed"), threads, this.profile, teardown());
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
            final int index = i;
            running[i] = new Thread(() ->
            {
                try
                {
                    start.await();
                    worker.run();
                }
                catch (final StressFailure ex)
                {
                    failure.compareAndSet(null, ex);
                    stopping = true;
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, new StressFailure(seed, index, worker.operations(), "worker",
                        "thread", -1, "unexpected " + ex + " at " + (ex.getStackTrace().length > 0 ?
                        ex.getStackTrace()[0] : "?")));
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
            StressTeardown.joinQuietly(running[0], 100);
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
        final StressTeardown teardown = new StressTeardown(this, seed, profile);
        teardown.cleanUpShared();
        final Map<String, int[]> seen = StressTeardown.seen(workers);
        teardown.checkStatuses(seen);
        final long[] reports = null == verifier ? null : teardown.closeAndAudit(emulator, verifier);
        return new StressSummary(threads, operations, elapsed, calls, callbackCalls.get(), faultCalls.get(),
            StressTeardown.uncalled(seen), seed, profile.profile(), reports);
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

    /**
     * Whether a worker failed and the run is stopping (a worker waiting on another one gives up then).
     */
    boolean stopping()
    {
        return stopping;
    }

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

    StressProfile profile()
    {
        return profile;
    }

    int threads()
    {
        return threads;
    }

    DmaIommuInterfaceV2 iommu()
    {
        return iommu;
    }

    /**
     * The V1 table of {@code IoGetIommuInterfaceEx(1)}.
     */
    DmaIommuInterfaceV1 v1()
    {
        return v1;
    }

    /**
     * The table of the legacy {@code IoGetIommuInterface(1)}.
     */
    DmaIommuInterfaceV1 legacyV1()
    {
        return legacyV1;
    }

    DmaIommuInterfaceV3 v3()
    {
        return v3;
    }

    IommuDmaDevice ownDevice(final int index)
    {
        return ownDevices[index];
    }

    /**
     * How many own devices there are (two per thread), each with a V2 token attached for the whole run.
     */
    int ownDevices()
    {
        return ownDevices.length;
    }

    PhysicalDeviceObject ownPdo(final int index)
    {
        return platform.device("own" + index);
    }

    /**
     * The device object a thread reserves for V1 (AttachDevice names devices by device object).
     */
    PhysicalDeviceObject v1Pdo(final int thread)
    {
        return platform.device("v1_" + thread);
    }

    /**
     * The device object of a thread's V3 PASID parent.
     */
    PhysicalDeviceObject pasidPdo(final int thread)
    {
        return platform.device("pasid" + thread);
    }

    /**
     * The ASIDs of all live PASID sub-devices, each with the thread that holds it.
     */
    ConcurrentHashMap<Integer, Integer> asidOwners()
    {
        return asidOwners;
    }

    IommuDeviceFaultHandler faultHandler()
    {
        return faultHandler;
    }

    IommuDmaDomain sharedDomain()
    {
        return sharedDomain;
    }

    StressSlotDomain slotDomain()
    {
        return slotDomain;
    }

    StressDoomedDomain doomedDomain()
    {
        return doomedDomain;
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

    /**
     * Per shared device object, the thread (plus 1) taking its turn to V1-attach it, or 0 (see
     * {@link StressV1CrossOps}).
     */
    AtomicIntegerArray v1Claims()
    {
        return v1Claims;
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

    /**
     * Restricts a device object to some domain types (-1: lifts it).
     */
    void restrict(final PhysicalDeviceObject pdo, final int types)
    {
        platform.policy().restrict(pdo, types);
    }

    void changePolicy(final SplittableRandom random)
    {
        final int slot = random.nextInt(SHARED_SLOTS);
        final int types = random.nextBoolean() ? IommuDmaDomainType.TRANSLATE.mask() :
            IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.PASS_THROUGH.mask();
        platform.policy().restrict(platform.device("shared" + slot), types);
    }

    private DmaIommuInterfaceEx acquire(final int version)
    {
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        teardown().expect(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(version, 0, ex),
            "IoGetIommuInterfaceEx(" + version + ")");
        if (ex.version() != version || ex.size() != DmaIommuInterfaceEx.sizeOf(version))
        {
            throw new StressFailure(seed, -1, -1, "IoGetIommuInterfaceEx(" + version + ")", "setup", -1,
                "Version " + ex.version() + ", Size 0x" + Long.toHexString(ex.size()));
        }
        return ex;
    }

    private IommuDmaDevice createDevice(final PhysicalDeviceObject pdo)
    {
        final Ref<IommuDmaDevice> device = new Ref<>();
        teardown().expect(NtStatus.STATUS_SUCCESS, iommu.createDevice(pdo, null, device),
            "CreateDevice " + pdo.name());
        return device.get();
    }

    private IommuDmaDomain createDomain(final IommuDmaDomainType type, final boolean allocator)
    {
        final Ref<IommuDmaDomain> domain = new Ref<>();
        teardown().expect(NtStatus.STATUS_SUCCESS, iommu.createDomainEx(
            type, 0, allocator ? new IommuDmaLogicalAllocatorConfig().buddy(39) : null, null, domain),
            "CreateDomainEx");
        return domain.get();
    }

    private StressTeardown teardown()
    {
        return new StressTeardown(this, seed, profile);
    }
}
