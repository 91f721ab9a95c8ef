/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * A domain without allocator that the stress threads map and unmap in, each in a window of its own, while one of
 * them at a time detaches its device and re-attaches it, or replaces the domain: creates the next one, detaches the
 * device, publishes the next domain, deletes this one under the other threads' calls, and attaches the device to the
 * next ({@link StressDoomedOps}).
 * <p>
 * What the other threads may rely on: a call on a domain handle that returned STATUS_INVALID_PARAMETER because the
 * domain was deleted under it finds {@link #current()} changed (the replacement is published before DeleteDomain
 * starts, and the call's sight of the deleted domain is ordered after DeleteDomain's volatile writes); and an
 * access made while {@link #epoch()} was even and unchanged around it went through the current domain, the device
 * attached all along (the epoch is odd from before the detach to after the re-attach: a seqlock).
 */
final class StressDoomedDomain
{
    /** The pages of each thread's window: page 0 of it unused. */
    static final long WINDOW_PAGES = 64;

    private final AtomicReference<IommuDmaDomain> current = new AtomicReference<>();
    private final AtomicReference<IommuDmaDomain> lastDeleted = new AtomicReference<>();
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicBoolean replacing = new AtomicBoolean();
    private final IommuDmaDevice device;
    private final long windows;
    private final StressProfile profile;

    /**
     * Creates the first domain (its windows' tables built where the profile builds them ahead) and the device, and
     * attaches it.
     */
    StressDoomedDomain(final DmaIommuInterfaceV2 iommu, final PhysicalDeviceObject pdo, final int threads,
        final StressProfile profile, final StressTeardown setup)
    {
        this.windows = (threads + 1) * WINDOW_PAGES;
        this.profile = profile;
        final Ref<IommuDmaDomain> domainOut = new Ref<>();
        setup.expect(NtStatus.STATUS_SUCCESS, createDomain(iommu, domainOut), "CreateDomainEx doomed");
        current.set(domainOut.get());
        final Ref<IommuDmaDevice> deviceOut = new Ref<>();
        setup.expect(NtStatus.STATUS_SUCCESS, iommu.createDevice(pdo, null, deviceOut), "CreateDevice doomed");
        device = deviceOut.get();
        setup.expect(NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(current.get(), device), "AttachDeviceEx doomed");
    }

    /**
     * CreateDomainEx of a Translate domain without allocator, and where the profile builds tables ahead, a map with
     * permission 0 over every thread's window.
     *
     * @return the first status that is not STATUS_SUCCESS, or STATUS_SUCCESS.
     */
    int createDomain(final DmaIommuInterfaceV2 iommu, final Ref<IommuDmaDomain> domainOut)
    {
        final int status = iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, domainOut);
        if (status != NtStatus.STATUS_SUCCESS || !profile.buildsTablesAhead())
        {
            return status;
        }
        return iommu.mapLogicalRangeEx(domainOut.get(), 0, new IommuMapPhysicalAddress().useContiguousRange(0,
            windows * StressChecks.PAGE), new LongRef(0), null, null, new LongRef());
    }

    /**
     * The domain the threads map in now.
     */
    IommuDmaDomain current()
    {
        return current.get();
    }

    /**
     * Publishes the next domain (before the current one is deleted).
     */
    void publish(final IommuDmaDomain next)
    {
        // Volatile store before DeleteDomain: a call that finds the domain deleted (through DeleteDomain's own
        // volatile writes, its gate and its handle table) reads this store after it.
        current.set(next);
    }

    /**
     * The domain most recently deleted, or null.
     */
    IommuDmaDomain lastDeleted()
    {
        return lastDeleted.get();
    }

    void deleted(final IommuDmaDomain domain)
    {
        lastDeleted.set(domain);
    }

    IommuDmaDevice device()
    {
        return device;
    }

    /**
     * Even while the device is attached to {@link #current()}; odd from before a detach to after the re-attach.
     */
    long epoch()
    {
        return epoch.get();
    }

    /**
     * Takes the turn to detach or replace (false: another thread has it), and makes the epoch odd.
     */
    boolean beginTurn()
    {
        if (!replacing.compareAndSet(false, true))
        {
            return false;
        }
        // Seqlock write side: odd (a full fence) before the detach; a reader that sees the same even value before
        // and after its access (volatile reads) made the access while no turn changed the device's domain.
        epoch.incrementAndGet();
        return true;
    }

    /**
     * Makes the epoch even again and gives the turn back.
     */
    void endTurn()
    {
        epoch.incrementAndGet();
        replacing.set(false);
    }

    /**
     * After every worker cleaned up: detaches and deletes the device, deletes the domain.
     */
    void cleanUp(final DmaIommuInterfaceV2 iommu, final StressTeardown teardown)
    {
        teardown.expect(NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(device), "DetachDeviceEx doomed");
        teardown.expect(NtStatus.STATUS_SUCCESS, iommu.deleteDevice(device), "DeleteDevice doomed");
        teardown.expect(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(current.get()), "DeleteDomain doomed");
    }
}
