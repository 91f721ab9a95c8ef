/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.IommuEmulator;

/**
 * One stress thread. It owns an allocator domain and an explicit-address domain, each with a device of its own
 * attached, and keeps a model of what it mapped in them, so that every status and every device-side translation
 * there is predicted exactly. It also maps into a domain all threads share (a shared page-owner map checks that no
 * two live blocks overlap). Its other operations are in groups of their own, sharing its {@link StressChecks}
 * (exact and racing statuses, translations, the tally of every status per member and table):
 * <ul>
 *     <li>{@link StressTokenOps}: logical address tokens and their segments in the two domains (exact);</li>
 *     <li>{@link StressRaceOps}: bad input (exact) and lifecycle calls racing the other threads on the shared
 *     devices and pool domains (each status one the member may return there);</li>
 *     <li>{@link StressV1Ops}: every V1 member, on a V1 device object and domain of the thread's own (exact), and
 *     V1 against V2 tokens (racing too);</li>
 *     <li>{@link StressV3Ops}: the PASID members, and the V2 members the mix above does not call (exact);</li>
 *     <li>{@link StressSlotOps}: contiguous 2 MiB maps (large leaves) and identity maps of the same addresses
 *     racing the other threads' (at most one succeeds), exact on the slots the thread holds;</li>
 *     <li>{@link StressDoomedOps}: maps, unmaps and accesses in a domain that another thread detaches the device
 *     from and deletes under them (exact unless provably deleted), and that turn itself.</li>
 * </ul>
 * The V2 operations of this class and of the first two groups go through the V2 table or, one time in four, the V3
 * table (whose first 22 members are V2's); explicit maps go through V1 MapLogicalRange one time in four. Of 150
 * choices, 100 are the V2 mix, 15 V1, 15 V3, 10 the slots and 10 the doomed domain.
 */
final class StressWorker implements Runnable
{
    private static final long PAGE = 4096;
    /** The address width of the allocator domains. */
    static final int ALLOCATOR_WIDTH = 39;
    /** The pages of the explicit domain's window: 1 to 2^18 - 16. */
    static final long EXPLICIT_WINDOW_PAGES = 1L << 18;

    private final StressRun run;
    private final int index;
    private final SplittableRandom random;
    private final DmaIommuInterfaceV2 v2;
    private final DmaIommuInterfaceV2 v3;
    private final DmaIommuInterfaceV1 v1;
    private final IommuEmulator emulator;
    private final StressChecks checks;
    private final StressProfile profile;
    private final StressTokenOps tokenOps;
    private final StressRaceOps raceOps;
    private final StressV1Ops v1Ops;
    private final StressV3Ops v3Ops;
    private final StressSlotOps slotOps;
    private final StressDoomedOps doomedOps;
    private DmaIommuInterfaceV2 iommu;
    private int table = StressChecks.V2;
    private final IommuDmaDomain allocatorDomain;
    private final IommuDmaDomain explicitDomain;
    private final IommuDmaDevice allocatorDevice;
    private final IommuDmaDevice explicitDevice;
    private final ConcurrentHashMap<Long, Integer> sharedOwners;

    private final StressAllocatorOps allocatorOps;
    private final PageModel explicit;
    private final LongRef out = new LongRef();
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();

    /** What a worker does, for the summary. */
    enum Call
    {
        MAP_ALLOCATED, MAP_SHARED, MAP_EXPLICIT, UNMAP, TRANSLATE, RESERVE, MAP_RESERVED, UNMAP_RESERVED, FREE_TOKEN,
        BAD_INPUT, LIFECYCLE, POLICY,
        V1_MAP, V1_UNMAP, V1_TRANSLATE, V1_DEVICE, V1_DOMAIN, V1_REFUSAL, V1_CROSS,
        V3_PASID, V3_ATTACH, V3_TRANSLATE, V3_MAP, V3_DEVICE, V3_DOMAIN, V3_REFUSAL,
        SLOT, DOOMED
    }

    StressWorker(final StressRun run, final int index, final long seed)
    {
        this.run = run;
        this.index = index;
        this.random = new SplittableRandom(seed * 31 + index);
        this.v2 = run.iommu();
        this.v3 = run.v3();
        this.v1 = run.v1();
        this.iommu = v2;
        this.emulator = run.emulator();
        this.sharedOwners = run.sharedOwners();
        this.profile = run.profile();
        this.checks = new StressChecks(seed, index, emulator, profile);
        this.explicit = new PageModel(EXPLICIT_WINDOW_PAGES, profile);
        final Ref<IommuDmaDomain> domain = new Ref<>();
        check("CreateDomainEx", NtStatus.STATUS_SUCCESS, iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
            new IommuDmaLogicalAllocatorConfig().buddy(ALLOCATOR_WIDTH), null, domain), "setup", -1);
        allocatorDomain = domain.get();
        check("CreateDomainEx", NtStatus.STATUS_SUCCESS,
            iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, domain), "setup", -1);
        explicitDomain = domain.get();
        checks.buildTables(table, iommu, explicitDomain, EXPLICIT_WINDOW_PAGES);
        allocatorDevice = run.ownDevice(2 * index);
        explicitDevice = run.ownDevice(2 * index + 1);
        check("AttachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(allocatorDomain, allocatorDevice),
            "setup", -1);
        check("AttachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(explicitDomain, explicitDevice),
            "setup", -1);
        tokenOps = new StressTokenOps(this, checks, random);
        allocatorOps = new StressAllocatorOps(run, this, checks, random, tokenOps);
        raceOps = new StressRaceOps(run, this, checks, random);
        v1Ops = new StressV1Ops(run, this, checks, random, index);
        v3Ops = new StressV3Ops(run, this, checks, random, index);
        slotOps = new StressSlotOps(run, this, checks, random, index);
        doomedOps = new StressDoomedOps(run, this, checks, random, index);
    }

    int index()
    {
        return index;
    }

    long[] calls()
    {
        return checks.calls();
    }

    long operations()
    {
        return checks.operation();
    }

    StressChecks checks()
    {
        return checks;
    }

    IommuDmaDomain allocatorDomain()
    {
        return allocatorDomain;
    }

    IommuDmaDomain explicitDomain()
    {
        return explicitDomain;
    }

    /**
     * The device attached to the allocator domain for the whole run.
     */
    IommuDmaDevice allocatorDevice()
    {
        return allocatorDevice;
    }

    /**
     * The thread's TranslateS1 domain (its V3 group's).
     */
    IommuDmaDomain stage1Domain()
    {
        return v3Ops.stage1Domain();
    }

    /**
     * The table of the current operation: V2's, or V3's (tallied as such).
     */
    DmaIommuInterfaceV2 iommu()
    {
        return iommu;
    }

    int table()
    {
        return table;
    }

    /**
     * Whether a range of the allocator domain overlaps a live mapping of this thread.
     */
    boolean allocatedOverlaps(final long from, final long to)
    {
        return allocatorOps.overlaps(from, to);
    }

    /**
     * The leaves of the explicit domain: this thread's explicit maps and its tokens' segments there.
     */
    PageModel explicitModel()
    {
        return explicit;
    }

    @Override
    public void run()
    {
        while (run.keepGoing(checks.operation()))
        {
            checks.nextOperation();
            table = random.nextInt(4) == 0 ? StressChecks.V3 : StressChecks.V2;
            iommu = table == StressChecks.V3 ? v3 : v2;
            final int choice = random.nextInt(150);
            if (choice < 14)
            {
                allocatorOps.map(false);
            }
            else if (choice < 20)
            {
                allocatorOps.map(true);
            }
            else if (choice < 32)
            {
                mapExplicit();
            }
            else if (choice < 48)
            {
                unmap();
            }
            else if (choice < 70)
            {
                translate();
            }
            else if (choice < 75)
            {
                tokenOps.reserve();
            }
            else if (choice < 81)
            {
                tokenOps.mapReserved();
            }
            else if (choice < 85)
            {
                tokenOps.unmapReserved();
            }
            else if (choice < 88)
            {
                tokenOps.freeToken();
            }
            else if (choice < 93)
            {
                raceOps.badInput();
            }
            else if (choice < 99)
            {
                raceOps.lifecycle();
            }
            else if (choice < 100)
            {
                checks.count(Call.POLICY);
                run.changePolicy(random);
            }
            else if (choice < 115)
            {
                v1Ops.step();
            }
            else if (choice < 130)
            {
                v3Ops.step();
            }
            else if (choice < 140)
            {
                slotOps.step();
            }
            else
            {
                doomedOps.step();
            }
            run.progress();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Explicit-address domain
    // ------------------------------------------------------------------------------------------------------------

    private void unmap()
    {
        checks.count(Call.UNMAP);
        if (!allocatorOps.unmap())
        {
            unmapExplicit();
        }
    }

    private void mapExplicit()
    {
        checks.count(Call.MAP_EXPLICIT);
        final long page = 1 + random.nextLong(EXPLICIT_WINDOW_PAGES - 16);
        final int pages = 1 + random.nextInt(8);
        final long[] frames = checks.frames(pages);
        final int permissions = random.nextInt(4);
        physical.usePfnArray(frames, pages);
        final int expected = explicit.map(page, frames, permissions,
            tokenOps.overlaps(explicitDomain, page * PAGE, (page + pages) * PAGE));
        if (random.nextInt(4) == 0)
        {
            // The same member through V1: MapLogicalRange of an MDL at the address.
            checks.check(StressChecks.V1, "MapLogicalRange", expected, v1.mapLogicalRange(explicitDomain,
                permissions, new Mdl().describe(frames, pages * PAGE), page * PAGE), "explicit domain", page * PAGE);
        }
        else
        {
            check("MapLogicalRangeEx", expected, iommu.mapLogicalRangeEx(
                explicitDomain, permissions, physical, new LongRef(page * PAGE), null, null, out),
                "explicit domain", page * PAGE);
        }
    }

    private void unmapExplicit()
    {
        final long page = 1 + random.nextLong(EXPLICIT_WINDOW_PAGES - 16);
        final Long near = explicit.mappedFrom(page);
        final long from = null != near && near < EXPLICIT_WINDOW_PAGES - 8 && random.nextInt(4) != 0 ? near : page;
        final int pages = 1 + random.nextInt(8);
        final int expected = explicit.unmap(from, pages,
            tokenOps.overlaps(explicitDomain, from * PAGE, (from + pages) * PAGE));
        check("UnmapLogicalRange", expected, iommu.unmapLogicalRange(explicitDomain, from * PAGE, pages),
            "explicit domain", from * PAGE);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Device-side translation
    // ------------------------------------------------------------------------------------------------------------

    private void translate()
    {
        checks.count(Call.TRANSLATE);
        final int access = 1 + random.nextInt(3);
        if (random.nextBoolean() && allocatorOps.translate(access))
        {
            return;
        }
        expectExplicit(explicitDevice, IommuEmulator.NO_PASID, explicitIova(), access);
    }

    /**
     * An address in the explicit domain's window, usually on or after a mapped page.
     */
    long explicitIova()
    {
        long page = 1 + random.nextLong(EXPLICIT_WINDOW_PAGES - 16);
        if (!explicit.isEmpty() && random.nextInt(4) != 0)
        {
            final Long mapped = explicit.mappedFrom(page);
            page = null == mapped ? explicit.firstMapped() : mapped;
        }
        return page * PAGE + random.nextInt((int)PAGE);
    }

    /**
     * Checks an access through the explicit domain against this thread's model of it (its pages and its tokens'
     * segments): of the explicit device, or of a PASID sub-device attached to the domain.
     */
    void expectExplicit(final IommuDmaDevice device, final int pasid, final long iova, final int access)
    {
        checks.expectEntry(device, pasid, iova, access, explicit.entry(iova / PAGE));
    }

    /**
     * Gives back everything this worker holds, checking each status, then detaches its devices and deletes its
     * domains.
     */
    void cleanUp()
    {
        table = StressChecks.V2;
        iommu = v2;
        v3Ops.cleanUp();
        v1Ops.cleanUp();
        slotOps.cleanUp();
        tokenOps.cleanUp();
        allocatorOps.cleanUp();
        for (final long page : explicit.mappedPages())
        {
            check("UnmapLogicalRange", NtStatus.STATUS_SUCCESS,
                iommu.unmapLogicalRange(explicitDomain, page * PAGE, 1), "cleanup", page * PAGE);
        }
        explicit.clear();
        check("DetachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(allocatorDevice), "cleanup", -1);
        check("DetachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(explicitDevice), "cleanup", -1);
        check("DeleteDomain", NtStatus.STATUS_SUCCESS, iommu.deleteDomain(allocatorDomain), "cleanup", -1);
        check("DeleteDomain", NtStatus.STATUS_SUCCESS, iommu.deleteDomain(explicitDomain), "cleanup", -1);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    private void check(
        final String call, final int expected, final int actual, final String object, final long address)
    {
        checks.check(table, call, expected, actual, object, address);
    }

    private void allowed(final String call, final int status, final String object, final int slot)
    {
        checks.allowed(table, call, status, object + " " + slot);
    }

    private void fail(final String call, final String object, final long address, final String detail)
    {
        checks.fail(call, object, address, detail);
    }
}
