/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.SplittableRandom;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * The V1 operations of one stress thread: all 13 members of {@code DMA_IOMMU_INTERFACE_V1}, called through the table
 * of {@code IoGetIommuInterfaceEx(1)} or of the legacy {@code IoGetIommuInterface(1)} at random. The thread owns a
 * device object reserved for V1 use and a domain from V1 CreateDomain(TRUE), and keeps a {@link PageModel} of it, so
 * that every status and every translation (through {@code IommuEmulator.dmaDeviceOf} of the device object) is
 * predicted exactly:
 * <ul>
 *     <li>MapLogicalRange at explicit addresses and UnmapLogicalRange; MapIdentityRange (contiguous or scattered
 *     frames) and UnmapIdentityRange; the V1 device attached with AttachDevice and detached with DetachDevice (wrong
 *     base, wrong domain and input-mapping range refused first); DeleteDomain (V1 or V2 table) and CreateDomain(TRUE)
 *     again, stale handles refused; CreateDomain(FALSE) STATUS_NOT_SUPPORTED on x64;</li>
 *     <li>SetDeviceFaultReporting: enabled (faults of the device's accesses reach the run's handler), disabled, and
 *     its refusals; on another thread's V2 device object (attached through V2) too;</li>
 *     <li>the x64 refusals: FlushDomain, FlushDomainByVaList and ConfigureDomain of an OS-managed domain
 *     STATUS_INVALID_PARAMETER_1, QueryInputMappings STATUS_UNSUCCESSFUL; the V1 map members on an allocator domain
 *     STATUS_NOT_SUPPORTED; bad permissions, MDLs and addresses;</li>
 *     <li>cross-table checks: V1 AttachDevice of a device object that has a V2 token (another thread's) is
 *     STATUS_INVALID_PARAMETER, and V1 DetachDevice of it STATUS_INVALID_PARAMETER_2; a V2 CreateDevice of the
 *     thread's own V1 device object while V1 holds it is STATUS_INVALID_PARAMETER, and while it does not, the token
 *     locks V1 out until DeleteDevice; the V1 device is unknown to the token-based members (AttachDeviceEx,
 *     DetachDeviceEx, DeleteDevice, QueryDeviceInfo, CreatePasidDevice: STATUS_INVALID_PARAMETER); V1 AttachDevice
 *     to a TranslateS1 domain is STATUS_ACCESS_DENIED and leaves no device, to a PassThrough domain translates as
 *     the identity; and, racing the other threads' delete and re-create of the shared devices, V1
 *     AttachDevice of a shared device object either finds a token (STATUS_INVALID_PARAMETER) or attaches, in which
 *     case the device translates through this thread's domain until DetachDevice.</li>
 * </ul>
 * The statuses above are the documented profile's; the run's {@link StressProfile} gives each profile's own (in the
 * observed one, for example, V1 SetDeviceFaultReporting is STATUS_NOT_SUPPORTED, AttachDevice moves a device attached
 * elsewhere and attaches to TranslateS1, a device object held by the other table is STATUS_NOT_SUPPORTED, and a
 * domain is never deleted under its device). The refusals and cross-table checks are {@link StressV1CrossOps}'s.
 */
final class StressV1Ops
{
    private static final long PAGE = StressChecks.PAGE;
    /** The pages of the V1 domain's window: 1 to 2^14 - 1. */
    static final long WINDOW_PAGES = 1L << 14;
    private static final int MAX_PAGES = 8;
    private static final int V1 = StressChecks.V1;
    private static final int V2 = StressChecks.V2;
    private static final int V3 = StressChecks.V3;

    private final StressRun run;
    private final StressWorker worker;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final IommuEmulator emulator;
    private final DmaIommuInterfaceV1 exTable;
    private final DmaIommuInterfaceV1 legacyTable;
    private final DmaIommuInterfaceV2 v2;
    private final PhysicalDeviceObject pdo;
    private final StressProfile profile;
    private final PageModel model;
    private final DeviceFaultConfiguration faults;
    private final Ref<IommuDmaDomain> domainOut = new Ref<>();
    private IommuDmaDomain domain;
    private boolean attached;
    private final StressV1CrossOps crossOps;

    StressV1Ops(final StressRun run, final StressWorker worker, final StressChecks checks,
        final SplittableRandom random, final int index)
    {
        this.run = run;
        this.worker = worker;
        this.checks = checks;
        this.random = random;
        this.emulator = run.emulator();
        this.exTable = run.v1();
        this.legacyTable = run.legacyV1();
        this.v2 = run.iommu();
        this.pdo = run.v1Pdo(index);
        this.faults = new DeviceFaultConfiguration().faultHandler(run.faultHandler()).faultContext(pdo);
        this.profile = checks.profile();
        this.model = new PageModel(WINDOW_PAGES, profile);
        checks.check(V1, "CreateDomain", NtStatus.STATUS_SUCCESS, v1().createDomain(true, domainOut), "setup", -1);
        domain = domainOut.get();
        checks.buildTables(V2, v2, domain, WINDOW_PAGES);
        checks.check(V1, "AttachDevice", NtStatus.STATUS_SUCCESS, v1().attachDevice(domain, pdo, 0, 1), "setup", -1);
        attached = true;
        crossOps = new StressV1CrossOps(run, worker, checks, random, this);
    }

    /**
     * The thread's V1 domain now.
     */
    IommuDmaDomain domain()
    {
        return domain;
    }

    /**
     * Whether the thread's V1 device object is attached to its V1 domain.
     */
    boolean attached()
    {
        return attached;
    }

    PageModel model()
    {
        return model;
    }

    PhysicalDeviceObject pdo()
    {
        return pdo;
    }

    /**
     * One V1 operation, chosen at random.
     */
    void step()
    {
        switch (random.nextInt(12))
        {
            case 0:
            case 1:
                map();
                break;
            case 2:
                mapIdentity();
                break;
            case 3:
            case 4:
                unmap();
                break;
            case 5:
            case 6:
            case 7:
                translate();
                break;
            case 8:
                device();
                break;
            case 9:
                domainLifecycle();
                break;
            case 10:
                crossOps.refusal();
                break;
            default:
                crossOps.crossCheck();
                break;
        }
    }

    /**
     * The table of a V1 call: {@code IoGetIommuInterfaceEx(1)}'s or the legacy one's, at random.
     */
    DmaIommuInterfaceV1 v1()
    {
        return random.nextBoolean() ? exTable : legacyTable;
    }

    static Mdl mdl(final long[] frames)
    {
        return new Mdl().describe(frames, frames.length * PAGE);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Mappings
    // ------------------------------------------------------------------------------------------------------------

    private void map()
    {
        checks.count(StressWorker.Call.V1_MAP);
        final long page = 1 + random.nextLong(WINDOW_PAGES - MAX_PAGES - 1);
        final long[] frames = checks.frames(1 + random.nextInt(MAX_PAGES));
        final int permissions = random.nextInt(4);
        checks.check(V1, "MapLogicalRange", model.map(page, frames, permissions, false),
            v1().mapLogicalRange(domain, permissions, mdl(frames), page * PAGE), "V1 domain", page * PAGE);
    }

    private void mapIdentity()
    {
        checks.count(StressWorker.Call.V1_MAP);
        final long[] frames = identityFrames();
        final int permissions = random.nextInt(4);
        checks.check(V1, "MapIdentityRange", model.mapIdentity(frames, permissions),
            v1().mapIdentityRange(domain, permissions, mdl(frames)), "V1 domain", frames[0] * PAGE);
    }

    /**
     * Frames inside the window: a contiguous run from a page picked near the mapped ones, or scattered ones (which
     * may repeat a frame: a clash).
     */
    private long[] identityFrames()
    {
        final long[] frames = new long[1 + random.nextInt(MAX_PAGES)];
        final long first = model.pick(random, MAX_PAGES);
        final boolean contiguous = random.nextBoolean();
        for (int i = 0; i < frames.length; i++)
        {
            frames[i] = contiguous ? first + i : 1 + random.nextLong(WINDOW_PAGES - 1);
        }
        return frames;
    }

    private void unmap()
    {
        checks.count(StressWorker.Call.V1_UNMAP);
        if (random.nextBoolean())
        {
            final long[] frames = identityFrames();
            checks.check(V1, "UnmapIdentityRange", model.unmapIdentity(frames),
                v1().unmapIdentityRange(domain, mdl(frames)), "V1 domain", frames[0] * PAGE);
            return;
        }
        final long page = model.pick(random, MAX_PAGES);
        final int pages = 1 + random.nextInt(MAX_PAGES);
        checks.check(V1, "UnmapLogicalRange", model.unmap(page, pages, false),
            v1().unmapLogicalRange(domain, page * PAGE, pages), "V1 domain", page * PAGE);
    }

    private void translate()
    {
        checks.count(StressWorker.Call.V1_TRANSLATE);
        final IommuDmaDevice device = emulator.dmaDeviceOf(pdo);
        if ((null != device) != attached)
        {
            checks.fail("dmaDeviceOf", pdo.name(), -1, attached ? "no device for an attached V1 device object" :
                "a device for a detached V1 device object: " + device);
        }
        final long page = model.pick(random, 0);
        final long iova = page * PAGE + random.nextInt((int)PAGE);
        checks.expectEntry(device, IommuEmulator.NO_PASID, iova, 1 + random.nextInt(3),
            attached ? model.entry(page) : -1);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Device and domain lifecycle
    // ------------------------------------------------------------------------------------------------------------

    private void device()
    {
        checks.count(StressWorker.Call.V1_DEVICE);
        final int choice = random.nextInt(3);
        if (choice == 0)
        {
            toggleAttachment();
            return;
        }
        if (choice == 1)
        {
            // Attached here: refused, or moved there (and then detached from there, which deletes the V1 device).
            final IommuDmaDomain other = worker.explicitDomain();
            final int attach = attached ? profile.v1AttachElsewhere() : NtStatus.STATUS_SUCCESS;
            checks.check(V1, "AttachDevice", attach, v1().attachDevice(other, pdo, 0, 1), "V1 device, another domain",
                -1);
            final boolean there = attach == NtStatus.STATUS_SUCCESS;
            checks.check(V1, "DetachDevice", there ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_2,
                v1().detachDevice(other, pdo, 0), "V1 device, another domain", -1);
            attached &= !there;
            return;
        }
        faultReporting();
    }

    private void toggleAttachment()
    {
        if (attached)
        {
            checks.check(V1, "DetachDevice", NtStatus.STATUS_INVALID_PARAMETER_2, v1().detachDevice(domain, pdo, 1),
                "V1 device, wrong base", -1);
            checks.check(V1, "DetachDevice", NtStatus.STATUS_SUCCESS, v1().detachDevice(domain, pdo, 0),
                "V1 device", -1);
            attached = false;
            if (null != emulator.dmaDeviceOf(pdo))
            {
                checks.fail("DetachDevice", pdo.name(), -1, "the device object still has a device");
            }
            return;
        }
        checks.check(V1, "DetachDevice", NtStatus.STATUS_INVALID_PARAMETER_2, v1().detachDevice(domain, pdo, 0),
            "V1 device, not attached", -1);
        checks.check(V1, "AttachDevice", NtStatus.STATUS_INVALID_PARAMETER_3, v1().attachDevice(domain, pdo, 0, 2),
            "V1 device, two input mappings", -1);
        if (random.nextBoolean())
        {
            // Refused: the device the attach made is gone again, and the device object free. Or attached (no type
            // check), and detached again.
            final int status = profile.v1AttachToStage1();
            checks.check(V1, "AttachDevice", status, v1().attachDevice(worker.stage1Domain(), pdo, 0, 1),
                "V1 device to TranslateS1", -1);
            if (status == NtStatus.STATUS_SUCCESS)
            {
                checks.check(V1, "DetachDevice", NtStatus.STATUS_SUCCESS,
                    v1().detachDevice(worker.stage1Domain(), pdo, 0), "V1 device from TranslateS1", -1);
            }
            if (null != emulator.dmaDeviceOf(pdo))
            {
                checks.fail("AttachDevice", pdo.name(), -1, "a refused or undone attach left a device");
            }
        }
        else
        {
            // The PassThrough pool domain (never deleted; the device object is not restricted): the identity.
            final IommuDmaDomain passThrough = run.sharedPoolDomain(2);
            checks.check(V1, "AttachDevice", NtStatus.STATUS_SUCCESS, v1().attachDevice(passThrough, pdo, 0, 1),
                "V1 device to PassThrough", -1);
            final long iova = random.nextLong(1L << 40);
            checks.expectTranslation(emulator.dmaDeviceOf(pdo), IommuEmulator.NO_PASID, iova, 1 + random.nextInt(3),
                iova, 3);
            checks.check(V1, "DetachDevice", NtStatus.STATUS_SUCCESS, v1().detachDevice(passThrough, pdo, 0),
                "V1 device from PassThrough", -1);
        }
        checks.check(V1, "AttachDevice", NtStatus.STATUS_SUCCESS, v1().attachDevice(domain, pdo, 0, 1),
            "V1 device", -1);
        attached = true;
    }

    private void faultReporting()
    {
        final int notAttached = NtStatus.STATUS_INVALID_PARAMETER_1;
        switch (random.nextInt(5))
        {
            case 0:
                checks.check(V1, "SetDeviceFaultReporting", profile.v1SetDeviceFaultReporting(
                    attached ? NtStatus.STATUS_SUCCESS : notAttached),
                    v1().setDeviceFaultReporting(pdo, 0, true, faults), "V1 device, enable", -1);
                break;
            case 1:
                checks.check(V1, "SetDeviceFaultReporting", profile.v1SetDeviceFaultReporting(
                    attached ? NtStatus.STATUS_SUCCESS : notAttached),
                    v1().setDeviceFaultReporting(pdo, 0, false, null), "V1 device, disable", -1);
                break;
            case 2:
            {
                final DeviceFaultConfiguration none = random.nextBoolean() ? null : new DeviceFaultConfiguration();
                checks.check(V1, "SetDeviceFaultReporting", profile.v1SetDeviceFaultReporting(
                    NtStatus.STATUS_INVALID_PARAMETER_4),
                    v1().setDeviceFaultReporting(pdo, 0, true, none), "V1 device, no handler", -1);
                break;
            }
            case 3:
                checks.check(V1, "SetDeviceFaultReporting", profile.v1SetDeviceFaultReporting(
                    attached ? NtStatus.STATUS_INVALID_PARAMETER_2 : notAttached),
                    v1().setDeviceFaultReporting(pdo, 1, true, faults), "V1 device, wrong base", -1);
                break;
            default:
                // Another thread's device, attached through V2 (base 0) for the whole run.
                checks.check(V1, "SetDeviceFaultReporting", profile.v1SetDeviceFaultReporting(
                    NtStatus.STATUS_SUCCESS), v1().setDeviceFaultReporting(
                    run.ownPdo(random.nextInt(run.ownDevices())), 0, false, null), "V2 device, disable", -1);
                break;
        }
    }

    private void domainLifecycle()
    {
        checks.count(StressWorker.Call.V1_DOMAIN);
        if (random.nextInt(3) == 0)
        {
            checks.check(V1, "CreateDomain", NtStatus.STATUS_NOT_SUPPORTED, v1().createDomain(false, domainOut),
                "caller-owned domain on x64", -1);
            checks.check(V1, "CreateDomain", NtStatus.STATUS_INVALID_PARAMETER_2, v1().createDomain(true, null),
                "no DomainOut", -1);
            return;
        }
        final boolean viaV2 = random.nextInt(4) == 0;
        if (attached && !profile.deleteDomainRefusesAttachedDevices())
        {
            // The profile would delete the domain under the device: a correct driver detaches first.
            checks.check(V1, "DetachDevice", NtStatus.STATUS_SUCCESS, v1().detachDevice(domain, pdo, 0),
                "V1 device, before DeleteDomain", -1);
            attached = false;
        }
        final int status = viaV2 ? v2.deleteDomain(domain) : v1().deleteDomain(domain);
        checks.check(viaV2 ? V2 : V1, "DeleteDomain", attached ? NtStatus.STATUS_RESOURCE_IN_USE :
            NtStatus.STATUS_SUCCESS, status, "V1 domain", -1);
        if (attached)
        {
            return;
        }
        final IommuDmaDomain deleted = domain;
        model.clear();
        checks.check(V1, "CreateDomain", NtStatus.STATUS_SUCCESS, v1().createDomain(true, domainOut), "V1 domain", -1);
        domain = domainOut.get();
        checks.buildTables(V2, v2, domain, WINDOW_PAGES);
        final int invalid = NtStatus.STATUS_INVALID_PARAMETER;
        switch (random.nextInt(4))
        {
            case 0:
                checks.check(V1, "DeleteDomain", invalid, v1().deleteDomain(deleted), "deleted domain", -1);
                break;
            case 1:
                checks.check(V1, "MapLogicalRange", invalid, v1().mapLogicalRange(deleted, 3, mdl(checks.frames(1)),
                    PAGE), "deleted domain", PAGE);
                break;
            case 2:
                checks.check(V1, "AttachDevice", invalid, v1().attachDevice(deleted, pdo, 0, 1), "deleted domain",
                    -1);
                break;
            default:
                checks.check(V1, "FlushDomain", invalid, v1().flushDomain(deleted), "deleted domain", -1);
                break;
        }
        if (random.nextBoolean())
        {
            checks.check(V1, "AttachDevice", NtStatus.STATUS_SUCCESS, v1().attachDevice(domain, pdo, 0, 1),
                "V1 device", -1);
            attached = true;
        }
    }

    /**
     * Detaches the V1 device and deletes the V1 domain.
     */
    void cleanUp()
    {
        if (attached)
        {
            checks.check(V1, "DetachDevice", NtStatus.STATUS_SUCCESS, v1().detachDevice(domain, pdo, 0), "cleanup",
                -1);
            attached = false;
        }
        checks.check(V1, "DeleteDomain", NtStatus.STATUS_SUCCESS, v1().deleteDomain(domain), "cleanup", -1);
        model.clear();
    }
}
