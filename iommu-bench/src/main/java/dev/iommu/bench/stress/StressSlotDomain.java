/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * A domain without allocator that all stress threads race to map the same addresses in (their {@link StressSlotOps}),
 * with a device attached for the whole run. Its address space is cut into slots of 2 MiB: in a <em>large</em> slot a
 * thread maps the whole aligned 2 MiB of a physically contiguous range (MapLogicalRangeEx at the slot's address, or
 * MapIdentityRangeEx of the slot itself), which the documented profile makes one 2 MiB leaf; in a <em>small</em> slot
 * it maps 1 to 8 pages at the slot's start (contiguous or a PFN array: 4 KiB leaves in a level-0 table that stays).
 * Any two maps of a slot overlap, so at most one may succeed until its owner unmaps.
 * <p>
 * The owner word of each slot says which thread's map is there: a thread whose map succeeded claims the word from 0
 * (a compare-and-set that must succeed: if it fails, two maps of one slot both succeeded, which is the run's
 * failure); the owner gives the word back before it unmaps, so a later map's success always finds it free.
 * Ordering: the claim is a CAS after the map returned and the release a volatile store before the unmap starts, so
 * a map that succeeded after the owner's unmap (which it can only do once the unmap cleared the leaves) reads the
 * word after the release.
 */
final class StressSlotDomain
{
    /** The size of a slot: one 2 MiB leaf. */
    static final long SLOT = 2L << 20;
    /** Slots 0 and 1 are large, 2 and 3 small. */
    static final int LARGE_SLOTS = 2;
    /** All slots. */
    static final int SLOTS = 4;
    /** The address of slot 0: 1 GiB, so that every slot has its own level-1 entry in one level-1 table. */
    private static final long BASE = 1L << 30;
    /** How long a thread waits at a slot for a second one to race it. */
    private static final long RENDEZVOUS_NS = 500_000;

    private final IommuDmaDomain domain;
    private final IommuDmaDevice device;
    private final AtomicIntegerArray owners = new AtomicIntegerArray(SLOTS);
    /** Per slot: 1 while its last owner's unmap has not returned (set before the owner word is cleared). */
    private final AtomicIntegerArray unmapping = new AtomicIntegerArray(SLOTS);
    private final AtomicIntegerArray rendezvous = new AtomicIntegerArray(SLOTS);
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * Creates the domain and the device and attaches it.
     */
    StressSlotDomain(final DmaIommuInterfaceV2 iommu, final PhysicalDeviceObject pdo, final StressTeardown setup)
    {
        final Ref<IommuDmaDomain> domainOut = new Ref<>();
        setup.expect(NtStatus.STATUS_SUCCESS, iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null,
            domainOut), "CreateDomainEx slots");
        domain = domainOut.get();
        final Ref<IommuDmaDevice> deviceOut = new Ref<>();
        setup.expect(NtStatus.STATUS_SUCCESS, iommu.createDevice(pdo, null, deviceOut), "CreateDevice slots");
        device = deviceOut.get();
        setup.expect(NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(domain, device), "AttachDeviceEx slots");
    }

    IommuDmaDomain domain()
    {
        return domain;
    }

    IommuDmaDevice device()
    {
        return device;
    }

    static long address(final int slot)
    {
        return BASE + slot * SLOT;
    }

    static boolean large(final int slot)
    {
        return slot < LARGE_SLOTS;
    }

    /**
     * The thread (its index plus 1) whose map is in a slot, or 0.
     */
    int owner(final int slot)
    {
        return owners.get(slot);
    }

    /**
     * Claims a slot for a thread whose map there succeeded.
     *
     * @return false when another thread holds it: its map succeeded too.
     */
    boolean claim(final int slot, final int thread)
    {
        // A CAS after the map returned: a map can only succeed once the previous owner's unmap cleared the leaves,
        // and that owner's release (a volatile store) came before its unmap, so the word reads 0 here unless another
        // map of the slot succeeded and claimed it.
        return owners.compareAndSet(slot, 0, thread + 1);
    }

    /**
     * Gives a slot back, before its owner unmaps it; {@link #unmapped} follows when the unmap returned.
     */
    void release(final int slot)
    {
        // Both volatile stores before the unmap: ordered before the unmap's clearing of the leaves (see claim and
        // awaitPreviousUnmap).
        unmapping.set(slot, 1);
        owners.set(slot, 0);
    }

    /**
     * The owner that gave a slot back ({@link #release}) has seen its unmap return.
     */
    void unmapped(final int slot)
    {
        unmapping.set(slot, 0);
    }

    /**
     * After a map of a slot succeeded and {@link #claim} won it: waits until the previous owner's unmap returned.
     * The map could succeed as soon as that unmap cleared the leaves, but the unmap invalidates the IOTLB only
     * afterwards, before it returns: until then a device may still reach the previous owner's pages through the
     * IOTLB, as on a real IOMMU when a driver reuses an address before its unmap completed. A device model that
     * checks exact translations has to wait for the unmap, as a driver would.
     * <p>
     * Ordering: the previous owner stored 1 (volatile) before its unmap cleared the leaf this map claimed (a
     * getAndSet), and this map's leaf CAS read that clear; so this load sees that 1 or the 0 stored after the unmap
     * returned, never the 0 of an earlier cycle. A spin on a volatile flag, not a sleep: the owner's next step is
     * to store the 0 (unless its thread failed: then the run stops, and so does the wait).
     *
     * @return false when the run stopped first.
     */
    boolean awaitPreviousUnmap(final int slot, final StressRun run)
    {
        while (unmapping.get(slot) != 0)
        {
            if (run.stopping())
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /**
     * The slot a thread waits at for a partner ({@link #rendezvous}), or -1: a thread about to claim a slot joins it.
     */
    int waitingSlot()
    {
        return waiting.get() - 1;
    }

    /**
     * A contention amplifier, not a synchronisation: a thread about to map a slot waits up to
     * {@value #RENDEZVOUS_NS} ns for a second one to come, and the two leave together (within a cache-line
     * transfer of each other), so that their leaf claims (the compare-and-set of a 2 MiB leaf, or of the 4 KiB leaves
     * of a level-0 table) meet. Whether a partner comes changes no outcome the run checks.
     * <p>
     * The slot's word: 0 free, 1 a thread waits, 2 a partner came; the waiting thread sees 2 and sets 0 (both go).
     */
    void rendezvous(final int slot)
    {
        if (rendezvous.compareAndSet(slot, 0, 1))
        {
            waiting.set(slot + 1);
            final long until = System.nanoTime() + RENDEZVOUS_NS;
            while (rendezvous.get(slot) == 1)
            {
                if (System.nanoTime() > until && rendezvous.compareAndSet(slot, 1, 0))
                {
                    waiting.compareAndSet(slot + 1, 0);
                    return;
                }
                Thread.onSpinWait();
            }
            waiting.compareAndSet(slot + 1, 0);
            rendezvous.set(slot, 0);
            return;
        }
        if (rendezvous.compareAndSet(slot, 1, 2))
        {
            final long until = System.nanoTime() + RENDEZVOUS_NS;
            while (rendezvous.get(slot) == 2 && System.nanoTime() < until)
            {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * After every worker gave back its slots: none is owned; the device detached and deleted, the domain deleted.
     */
    void cleanUp(final DmaIommuInterfaceV2 iommu, final StressTeardown teardown)
    {
        for (int slot = 0; slot < SLOTS; slot++)
        {
            teardown.leakCheck(owners.get(slot) == 0, "slot " + slot + " still owned by thread " +
                (owners.get(slot) - 1));
        }
        teardown.expect(NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(device), "DetachDeviceEx slots");
        teardown.expect(NtStatus.STATUS_SUCCESS, iommu.deleteDevice(device), "DeleteDevice slots");
        teardown.expect(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(domain), "DeleteDomain slots");
    }
}
