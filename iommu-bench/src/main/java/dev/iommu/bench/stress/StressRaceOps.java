/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.SplittableRandom;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * The V2 refusals and lifecycle races of one stress thread, through the table of the worker's current operation:
 * bad input to the worker's own domains (exact statuses), and attach, detach, delete and re-create, registration
 * and domain-type queries of the shared devices and pool domains, racing the other threads (each status one
 * {@link AllowedStatuses#racing} accepts).
 */
final class StressRaceOps
{
    private static final long PAGE = StressChecks.PAGE;

    private final StressRun run;
    private final StressWorker worker;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final IommuEmulator emulator;
    private final IommuDmaDomain allocatorDomain;
    private final IommuDmaDomain explicitDomain;
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
    private final LongRef out = new LongRef();
    /**
     * How far the table pages in use may drop while this thread makes a refused call: other threads may each delete
     * several domains meanwhile (a V1 or V3 Translate domain's window of tables, 2^14 pages: 32 leaf tables and 3
     * above), budgeted at eight per other thread.
     */
    private final long grossDrop;

    StressRaceOps(final StressRun run, final StressWorker worker, final StressChecks checks,
        final SplittableRandom random)
    {
        this.run = run;
        this.worker = worker;
        this.checks = checks;
        this.random = random;
        this.emulator = run.emulator();
        this.allocatorDomain = worker.allocatorDomain();
        this.explicitDomain = worker.explicitDomain();
        this.grossDrop = 64 + 8L * (StressV3State.WINDOW_PAGES / 512 + 3) * (run.threads() - 1);
    }

    void badInput()
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        checks.count(StressWorker.Call.BAD_INPUT);
        final long pagesBefore = emulator.tablePagesInUse();
        physical.useContiguousRange(0x1000, PAGE);
        final StressProfile profile = checks.profile();
        switch (random.nextInt(7))
        {
            case 0:
                check("UnmapLogicalRange", NtStatus.STATUS_INVALID_PARAMETER_2,
                    iommu.unmapLogicalRange(allocatorDomain, 0x1001, 1), "allocator domain", 0x1001);
                break;
            case 1:
                reservedPermissionBits(iommu);
                break;
            case 2:
                check("MapLogicalRangeEx", profile.explicitOnAllocator(), iommu.mapLogicalRangeEx(
                    allocatorDomain, 1, physical, new LongRef(0x10000), null, null, out), "allocator domain", 0x10000);
                break;
            case 3:
                check("MapLogicalRangeEx", NtStatus.STATUS_NOT_SUPPORTED,
                    iommu.mapLogicalRangeEx(explicitDomain, 1, physical, null, null, null, out), "explicit domain", -1);
                break;
            case 4:
                check("MapLogicalRangeEx", profile.minAboveMax(), iommu.mapLogicalRangeEx(
                    allocatorDomain, 1, physical, null, new LongRef(0x20000), new LongRef(0x10000), out),
                    "allocator domain", -1);
                break;
            case 5:
                // Far past the window: no table was ever built there (observed 4 UnmapLogicalRange row 4), and
                // nothing is mapped (documented).
                check("UnmapLogicalRange", NtStatus.STATUS_INVALID_PARAMETER,
                    iommu.unmapLogicalRange(explicitDomain, 1L << 40, 1), "explicit domain", 1L << 40);
                break;
            default:
                check("ReserveLogicalAddressRange", NtStatus.STATUS_INVALID_PARAMETER_2,
                    iommu.reserveLogicalAddressRange(
                        explicitDomain, 100, new LongRef(0x10000), null, null, new Ref<>()),
                    "explicit domain", 0x10000);
                break;
        }
        final long pagesAfter = emulator.tablePagesInUse();
        if (pagesAfter < pagesBefore - grossDrop)
        {
            // Other threads free tables concurrently (each may delete a domain with a window of tables, built
            // ahead where the profile builds them); a refused call itself frees none (checked by the conformance
            // tests exactly); here only a gross change is a violation.
            checks.fail("bad input", "emulator", -1, "table pages dropped from " + pagesBefore + " to " + pagesAfter);
        }
    }

    /**
     * MapLogicalRangeEx with a reserved permission bit on the allocator domain: refused (_2) where the profile
     * validates permissions; else mapped without a leaf (the bit is not kept), and unmapped again at once.
     */
    private void reservedPermissionBits(final DmaIommuInterfaceV2 iommu)
    {
        final StressProfile profile = checks.profile();
        final int expected = profile.permissionsValidated() ? NtStatus.STATUS_INVALID_PARAMETER_2 :
            NtStatus.STATUS_SUCCESS;
        check("MapLogicalRangeEx", expected, iommu.mapLogicalRangeEx(allocatorDomain, 0x4, physical, null, null,
            null, out), "allocator domain", -1);
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            final long iova = out.get();
            checks.expectTranslation(worker.allocatorDevice(), IommuEmulator.NO_PASID, iova, 1, -1, 0);
            check("UnmapLogicalRange", NtStatus.STATUS_SUCCESS, iommu.unmapLogicalRange(allocatorDomain, iova, 1),
                "allocator domain", iova);
        }
    }

    void lifecycle()
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        checks.count(StressWorker.Call.LIFECYCLE);
        final int slot = random.nextInt(run.sharedSlots());
        final IommuDmaDevice device = run.sharedDevice(slot);
        final IommuDmaDomain domain = run.sharedPoolDomain(random.nextInt(run.sharedPoolDomains()));
        switch (random.nextInt(8))
        {
            case 0:
            case 1:
                allowed("AttachDeviceEx", iommu.attachDeviceEx(domain, device), "shared device", slot);
                break;
            case 2:
            case 3:
                allowed("DetachDeviceEx", iommu.detachDeviceEx(device), "shared device", slot);
                break;
            case 4:
            {
                final int status = iommu.deleteDevice(device);
                allowed("DeleteDevice", status, "shared device", slot);
                if (status == NtStatus.STATUS_SUCCESS)
                {
                    recreateShared(slot, device);
                }
                break;
            }
            case 5:
                allowed("RegisterInterfaceStateChangeCallback", iommu.registerInterfaceStateChangeCallback(
                    run.callback(slot), null, device, new IommuInterfaceStateChangeFields().availableDomainTypes(true)),
                    "shared device", slot);
                break;
            case 6:
                allowed("UnregisterInterfaceStateChangeCallback",
                    iommu.unregisterInterfaceStateChangeCallback(run.callback(slot), device), "shared device", slot);
                break;
            default:
            {
                final IntRef types = new IntRef();
                iommu.queryAvailableDomainTypes(device, types);
                allowed("QueryAvailableDomainTypes", NtStatus.STATUS_SUCCESS, "shared device", slot);
                if ((types.get() & ~0xF) != 0)
                {
                    checks.fail("QueryAvailableDomainTypes", "shared device " + slot, -1, "bits " + types.get());
                }
                break;
            }
        }
    }

    /**
     * Creates the token of a shared device object again after this thread deleted it. Another thread's V1
     * AttachDevice may hold the device object for a moment (the profile's {@link StressProfile#deviceObjectTaken()}:
     * one device per device object): retried until it lets go.
     */
    private void recreateShared(final int slot, final IommuDmaDevice deleted)
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        final Ref<IommuDmaDevice> created = new Ref<>();
        final PhysicalDeviceObject pdo = run.sharedPdo(slot);
        final long giveUp = System.nanoTime() + 10_000_000_000L;
        while (true)
        {
            final int create = iommu.createDevice(pdo, null, created);
            allowed("CreateDevice", create, "shared device", slot);
            if (create == NtStatus.STATUS_SUCCESS)
            {
                run.replaceSharedDevice(slot, deleted, created.get());
                return;
            }
            if (create != checks.profile().deviceObjectTaken() || System.nanoTime() > giveUp)
            {
                checks.fail("CreateDevice", "shared device " + slot, -1, "could not create it again: " +
                    NtStatus.name(create));
            }
            Thread.yield();
        }
    }

    private void check(
        final String call, final int expected, final int actual, final String object, final long address)
    {
        checks.check(worker.table(), call, expected, actual, object, address);
    }

    private void allowed(final String call, final int status, final String object, final int slot)
    {
        checks.allowed(worker.table(), call, status, object + " " + slot);
    }
}
