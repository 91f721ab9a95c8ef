/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.SplittableRandom;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.DmaTranslation;
import dev.iommu.core.IommuEmulator;

/**
 * One stress thread's calls on the {@link StressDoomedDomain}: maps (contiguous or PFN arrays), unmaps and device
 * accesses in its own window, racing the thread whose turn it is to detach the device or delete the domain; and
 * that turn itself. A {@link PageModel} of the window in the current domain predicts every status exactly; the one
 * departure a racing delete may cause is STATUS_INVALID_PARAMETER from a call on the deleted domain, accepted only
 * when the domain was provably replaced (then the model starts again, empty, on the next one: DeleteDomain drops
 * plain mappings). An access made while the device stayed attached to the current domain all along (the epoch even
 * and unchanged) is exact; one that raced a detach is exact or a fault, never another translation.
 * <p>
 * The turn (one thread at a time) is exact too: where the profile refuses it, DeleteDomain with the device attached
 * is STATUS_RESOURCE_IN_USE; DetachDeviceEx and AttachDeviceEx STATUS_SUCCESS; the replacement's CreateDomainEx and
 * DeleteDomain STATUS_SUCCESS while the others map; afterwards, a map, an unmap and a DeleteDomain of the deleted
 * domain are STATUS_INVALID_PARAMETER.
 */
final class StressDoomedOps
{
    private static final long PAGE = StressChecks.PAGE;
    private static final int MAX_PAGES = 8;

    private final StressDoomedDomain doomed;
    private final StressWorker worker;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final IommuEmulator emulator;
    private final long firstPage;
    private final PageModel model;
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
    private final LongRef out = new LongRef();
    /** The domain the model is of. */
    private IommuDmaDomain modelDomain;

    StressDoomedOps(final StressRun run, final StressWorker worker, final StressChecks checks,
        final SplittableRandom random, final int index)
    {
        this.doomed = run.doomedDomain();
        this.worker = worker;
        this.checks = checks;
        this.random = random;
        this.emulator = run.emulator();
        this.firstPage = (index + 1) * StressDoomedDomain.WINDOW_PAGES;
        this.model = new PageModel(StressDoomedDomain.WINDOW_PAGES, checks.profile());
    }

    /**
     * One operation, chosen at random.
     */
    void step()
    {
        checks.count(StressWorker.Call.DOOMED);
        switch (random.nextInt(16))
        {
            case 0:
                if (!turn())
                {
                    stale();
                }
                break;
            case 1:
                stale();
                break;
            case 2:
            case 3:
            case 4:
            case 5:
                map();
                break;
            case 6:
            case 7:
            case 8:
                unmap();
                break;
            default:
                translate();
                break;
        }
    }

    /**
     * The current domain, with the model moved to it (empty) when it changed.
     */
    private IommuDmaDomain domain()
    {
        final IommuDmaDomain domain = doomed.current();
        if (domain != modelDomain)
        {
            model.clear();
            modelDomain = domain;
        }
        return domain;
    }

    private void map()
    {
        final IommuDmaDomain domain = domain();
        final long page = model.pick(random, MAX_PAGES);
        final long[] frames = checks.frames(1 + random.nextInt(MAX_PAGES));
        if (random.nextBoolean())
        {
            physical.useContiguousRange(frames[0] * PAGE, frames.length * PAGE);
        }
        else
        {
            physical.usePfnArray(frames, frames.length);
        }
        final int permissions = random.nextInt(4);
        final long address = (firstPage + page) * PAGE;
        final int expected = model.map(page, frames, permissions, false);
        exactUnlessDeleted("MapLogicalRangeEx", expected, worker.iommu().mapLogicalRangeEx(domain, permissions,
            physical, new LongRef(address), null, null, out), domain, address);
    }

    private void unmap()
    {
        final IommuDmaDomain domain = domain();
        final long page = model.pick(random, MAX_PAGES);
        final int pages = 1 + random.nextInt(MAX_PAGES);
        final long address = (firstPage + page) * PAGE;
        final int expected = model.unmap(page, pages, false);
        exactUnlessDeleted("UnmapLogicalRange", expected, worker.iommu().unmapLogicalRange(domain, address, pages),
            domain, address);
    }

    /**
     * The predicted status; or STATUS_INVALID_PARAMETER when the domain was deleted under the call, which the
     * replacement being published shows (and the model of the deleted domain goes).
     */
    private void exactUnlessDeleted(final String call, final int expected, final int actual,
        final IommuDmaDomain domain, final long address)
    {
        if (actual != expected && actual == NtStatus.STATUS_INVALID_PARAMETER && doomed.current() != domain)
        {
            checks.record(worker.table(), call, actual, "doomed domain, deleted under the call", address);
            domain();
            return;
        }
        checks.check(worker.table(), call, expected, actual, "doomed domain", address);
    }

    /**
     * An access to a page of the window: exact while the device stayed attached to the current domain; racing a
     * detach or a replacement, exact or a fault.
     */
    private void translate()
    {
        final long before = doomed.epoch();
        domain();
        final long page = model.pick(random, 0);
        final long iova = (firstPage + page) * PAGE + random.nextInt((int)PAGE);
        final int access = 1 + random.nextInt(3);
        final long translation = emulator.translate(doomed.device(), iova, access);
        final boolean steady = (before & 1) == 0 && doomed.epoch() == before;
        final long entry = model.entry(page);
        final String problem = mismatch(translation, entry, access, iova);
        if (null != problem && (steady || !DmaTranslation.isFault(translation)))
        {
            checks.fail("translate", steady ? "doomed device" : "doomed device, racing a detach", iova, problem);
        }
    }

    /**
     * What is wrong with a translation against a model entry, or null when it is the one expected.
     */
    private static String mismatch(final long translation, final long entry, final int access, final long iova)
    {
        final int reason = DmaTranslation.faultReason(translation);
        if (entry < 0)
        {
            return reason == DmaTranslation.FAULT_NOT_PRESENT ? null : "expected not present, got " +
                Long.toHexString(translation);
        }
        if ((entry & access) != access)
        {
            return reason == DmaTranslation.FAULT_PERMISSION ? null : "expected a permission fault, got " +
                Long.toHexString(translation);
        }
        final long expected = ((entry >>> 2) * PAGE) | (iova & (PAGE - 1));
        return !DmaTranslation.isFault(translation) && DmaTranslation.outputAddress(translation, iova) == expected ?
            null : "expected 0x" + Long.toHexString(expected) + ", got " + Long.toHexString(translation);
    }

    /**
     * This thread's turn, if no other thread has it: detach the device and attach it again, or replace the domain.
     *
     * @return false when another thread has the turn.
     */
    private boolean turn()
    {
        if (!doomed.beginTurn())
        {
            return false;
        }
        try
        {
            final DmaIommuInterfaceV2 iommu = worker.iommu();
            final IommuDmaDomain domain = domain();
            final int table = worker.table();
            if (checks.profile().deleteDomainRefusesAttachedDevices())
            {
                checks.check(table, "DeleteDomain", NtStatus.STATUS_RESOURCE_IN_USE, iommu.deleteDomain(domain),
                    "doomed domain, device attached", -1);
            }
            if (random.nextBoolean())
            {
                checks.check(table, "DetachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(doomed.device()),
                    "doomed device", -1);
                checks.check(table, "AttachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(domain,
                    doomed.device()), "doomed device", -1);
                return true;
            }
            final Ref<IommuDmaDomain> next = new Ref<>();
            checks.check(table, "CreateDomainEx", NtStatus.STATUS_SUCCESS, doomed.createDomain(iommu, next),
                "next doomed domain", -1);
            checks.check(table, "DetachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(doomed.device()),
                "doomed device", -1);
            doomed.publish(next.get());
            checks.check(table, "DeleteDomain", NtStatus.STATUS_SUCCESS, iommu.deleteDomain(domain),
                "doomed domain, others mapping", -1);
            doomed.deleted(domain);
            checks.check(table, "AttachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(next.get(),
                doomed.device()), "doomed device", -1);
            return true;
        }
        finally
        {
            doomed.endTurn();
        }
    }

    /**
     * A call on the domain deleted last: STATUS_INVALID_PARAMETER, whatever it is.
     */
    private void stale()
    {
        final IommuDmaDomain deleted = doomed.lastDeleted();
        if (null == deleted)
        {
            return;
        }
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        final int invalid = NtStatus.STATUS_INVALID_PARAMETER;
        final long address = (firstPage + 1) * PAGE;
        switch (random.nextInt(3))
        {
            case 0:
                physical.useContiguousRange(checks.frames(1)[0] * PAGE, PAGE);
                checks.check(worker.table(), "MapLogicalRangeEx", invalid, iommu.mapLogicalRangeEx(deleted, 3,
                    physical, new LongRef(address), null, null, out), "deleted doomed domain", address);
                break;
            case 1:
                checks.check(worker.table(), "UnmapLogicalRange", invalid, iommu.unmapLogicalRange(deleted, address,
                    1), "deleted doomed domain", address);
                break;
            default:
                checks.check(worker.table(), "DeleteDomain", invalid, iommu.deleteDomain(deleted),
                    "deleted doomed domain", -1);
                break;
        }
    }
}
