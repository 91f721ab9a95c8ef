/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.Arrays;
import java.util.SplittableRandom;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.DmaTranslation;
import dev.iommu.core.IommuEmulator;

/**
 * One stress thread's maps in the {@link StressSlotDomain}, where every thread races for the same addresses:
 * physically contiguous maps of whole aligned 2 MiB slots (MapLogicalRangeEx of a contiguous range, or
 * MapIdentityRangeEx), which the documented profile maps with one 2 MiB leaf, and maps of 1 to 8 pages at the start
 * of the small slots (contiguous or a PFN array, 4 KiB leaves). Two threads about to map one slot meet first
 * ({@link StressSlotDomain#rendezvous}) so that their leaf claims race.
 * <ul>
 *     <li>A map of a slot the thread does not hold is STATUS_SUCCESS or the profile's clash status, nothing else;
 *     after a success the thread must win the slot's owner word: if another thread holds it, both maps succeeded
 *     (a leaf claimed twice) and the run fails.</li>
 *     <li>On a slot it holds, everything is exact: another map of it is the clash status; every access translates
 *     to the thread's own frames (a 2 MiB page where the profile makes large leaves); an unmap of one page inside
 *     a 2 MiB leaf is STATUS_CONFLICTING_ADDRESSES and leaves it whole (with 4 KiB leaves, it unmaps that page);
 *     the owner gives the slot back and unmaps it (or identity-unmaps it), STATUS_SUCCESS.</li>
 * </ul>
 */
final class StressSlotOps
{
    private static final long PAGE = StressChecks.PAGE;
    private static final int MAX_PAGES = 8;

    private final StressRun run;
    private final StressSlotDomain slots;
    private final StressWorker worker;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final IommuEmulator emulator;
    private final StressProfile profile;
    private final int index;
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
    private final LongRef out = new LongRef();
    /** Per slot held: the physical address its first page maps to, or -1. */
    private final long[] held = new long[StressSlotDomain.SLOTS];
    /** Per slot held: its pages, and whether it was identity-mapped, and its permissions. */
    private final int[] heldPages = new int[StressSlotDomain.SLOTS];
    private final boolean[] heldIdentity = new boolean[StressSlotDomain.SLOTS];
    private final int[] heldPermissions = new int[StressSlotDomain.SLOTS];
    /** The next 2 MiB of this thread's own physical range (a large explicit map's output). */
    private long nextLarge;
    /** Per small slot held: its frames (not contiguous when mapped from a PFN array). */
    private final long[][] heldFrames = new long[StressSlotDomain.SLOTS][];

    StressSlotOps(final StressRun run, final StressWorker worker, final StressChecks checks,
        final SplittableRandom random, final int index)
    {
        this.run = run;
        this.slots = run.slotDomain();
        this.worker = worker;
        this.checks = checks;
        this.random = random;
        this.emulator = run.emulator();
        this.profile = checks.profile();
        this.index = index;
        this.nextLarge = (long)(index + 1) << 41;
        Arrays.fill(held, -1);
    }

    /**
     * One operation on a slot chosen at random: a claim of a slot this thread does not hold, else one on its own.
     */
    void step()
    {
        checks.count(StressWorker.Call.SLOT);
        final int start = random.nextInt(StressSlotDomain.SLOTS);
        final int mine = next(start, true);
        if (mine >= 0 && random.nextBoolean())
        {
            switch (random.nextInt(6))
            {
                case 0:
                    mapAgain(mine);
                    break;
                case 1:
                    translate(mine);
                    break;
                case 2:
                    if (StressSlotDomain.large(mine))
                    {
                        unmapPart(mine);
                        break;
                    }
                    release(mine);
                    break;
                default:
                    release(mine);
                    break;
            }
            return;
        }
        // Join a thread waiting at a slot; else claim a free slot (else another thread's: the clash).
        final int waiting = slots.waitingSlot();
        if (waiting >= 0 && held[waiting] < 0)
        {
            claim(waiting);
            return;
        }
        final int free = next(start, false);
        if (free >= 0)
        {
            claim(free);
        }
    }

    /**
     * The first slot from {@code start} on that this thread holds ({@code mine}), or else that no thread holds (or
     * failing that, one this thread does not hold); -1 when there is none.
     */
    private int next(final int start, final boolean mine)
    {
        int fallback = -1;
        for (int i = 0; i < StressSlotDomain.SLOTS; i++)
        {
            final int slot = (start + i) % StressSlotDomain.SLOTS;
            if (mine && held[slot] >= 0 || !mine && held[slot] < 0 && slots.owner(slot) == 0)
            {
                return slot;
            }
            if (!mine && held[slot] < 0 && fallback < 0)
            {
                fallback = slot;
            }
        }
        return fallback;
    }

    private void claim(final int slot)
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        final long address = StressSlotDomain.address(slot);
        final int permissions = 1 + random.nextInt(3);
        final boolean identity;
        final long first;
        final int pages;
        long[] frames = null;
        if (StressSlotDomain.large(slot))
        {
            identity = random.nextInt(3) == 0;
            pages = (int)(StressSlotDomain.SLOT / PAGE);
            first = identity ? address : nextLarge;
            physical.useContiguousRange(first, StressSlotDomain.SLOT);
        }
        else
        {
            identity = false;
            pages = 1 + random.nextInt(MAX_PAGES);
            frames = checks.frames(pages);
            first = frames[0] * PAGE;
            if (random.nextBoolean())
            {
                physical.useContiguousRange(first, pages * PAGE);
            }
            else
            {
                physical.usePfnArray(frames, pages);
            }
        }
        final String call = identity ? "MapIdentityRangeEx" : "MapLogicalRangeEx";
        slots.rendezvous(slot);
        final int status = identity ? iommu.mapIdentityRangeEx(slots.domain(), permissions, physical) :
            iommu.mapLogicalRangeEx(slots.domain(), permissions, physical, new LongRef(address), null, null, out);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            // Another thread's map is there (or was, a moment ago): the clash, and nothing else.
            checks.check(worker.table(), call, profile.mapClash(), status, "slot " + slot, address);
            return;
        }
        checks.check(worker.table(), call, NtStatus.STATUS_SUCCESS, status, "slot " + slot, address);
        if (!slots.claim(slot, index))
        {
            final int other = slots.owner(slot) - 1;
            checks.fail(call, "slot " + slot, address, "succeeded, but " + (other < 0 ? "another thread" :
                "thread " + other) + "'s map of the slot succeeded too: a leaf was claimed twice");
        }
        if (!slots.awaitPreviousUnmap(slot, run))
        {
            return;
        }
        if (StressSlotDomain.large(slot) && !identity)
        {
            nextLarge += StressSlotDomain.SLOT;
        }
        held[slot] = first;
        heldPages[slot] = pages;
        heldIdentity[slot] = identity;
        heldPermissions[slot] = permissions;
        heldFrames[slot] = frames;
        // Every page of a small map (a leaf another thread's failed claim cleared shows), one of a large one.
        for (int page = 0; page < (StressSlotDomain.large(slot) ? 1 : pages); page++)
        {
            translate(slot, StressSlotDomain.large(slot) ? random.nextInt(pages) : page);
        }
    }

    /**
     * A map of a slot this thread holds: exactly the clash, and its own mapping stays.
     */
    private void mapAgain(final int slot)
    {
        final long address = StressSlotDomain.address(slot);
        physical.useContiguousRange(nextLarge, StressSlotDomain.large(slot) ? StressSlotDomain.SLOT : PAGE);
        checks.check(worker.table(), "MapLogicalRangeEx", profile.mapClash(), worker.iommu().mapLogicalRangeEx(
            slots.domain(), 3, physical, new LongRef(address), null, null, out), "own slot " + slot, address);
        translate(slot);
    }

    /**
     * An access to a page of a slot this thread holds: its own frame, with its permissions; in a large slot, a
     * 2 MiB page where the profile makes large leaves.
     */
    private void translate(final int slot)
    {
        translate(slot, random.nextInt(heldPages[slot]));
    }

    private void translate(final int slot, final int page)
    {
        final long iova = StressSlotDomain.address(slot) + page * PAGE + random.nextInt((int)PAGE);
        final long frame = null == heldFrames[slot] ? held[slot] / PAGE + page : heldFrames[slot][page];
        final int access = 1 + random.nextInt(3);
        checks.expectTranslation(slots.device(), IommuEmulator.NO_PASID, iova, access,
            frame * PAGE + (iova & (PAGE - 1)), heldPermissions[slot]);
        if (StressSlotDomain.large(slot) && (heldPermissions[slot] & access) == access)
        {
            final long size = DmaTranslation.pageSize(emulator.translate(slots.device(), iova, access));
            final long expected = profile.largeLeaves() ? StressSlotDomain.SLOT : PAGE;
            if (size != expected)
            {
                checks.fail("translate", "own slot " + slot, iova, "page size " + size + ", expected " + expected);
            }
        }
    }

    /**
     * UnmapLogicalRange of one page inside a large slot this thread holds: with a 2 MiB leaf
     * STATUS_CONFLICTING_ADDRESSES, the slot whole; with 4 KiB leaves that page goes (and the slot is given back).
     */
    private void unmapPart(final int slot)
    {
        final long address = StressSlotDomain.address(slot) + (1 + random.nextInt(heldPages[slot] - 1)) * PAGE;
        if (profile.largeLeaves())
        {
            checks.check(worker.table(), "UnmapLogicalRange", NtStatus.STATUS_CONFLICTING_ADDRESSES,
                worker.iommu().unmapLogicalRange(slots.domain(), address, 1), "own slot " + slot, address);
            translate(slot);
            return;
        }
        checks.check(worker.table(), "UnmapLogicalRange", NtStatus.STATUS_SUCCESS,
            worker.iommu().unmapLogicalRange(slots.domain(), address, 1), "own slot " + slot, address);
        checks.expectTranslation(slots.device(), IommuEmulator.NO_PASID, address, 1, -1, 0);
        release(slot);
    }

    /**
     * Gives a slot back and unmaps it (identity-unmaps an identity map), STATUS_SUCCESS.
     */
    private void release(final int slot)
    {
        final DmaIommuInterfaceV2 iommu = worker.iommu();
        final long address = StressSlotDomain.address(slot);
        slots.release(slot);
        if (heldIdentity[slot] && random.nextBoolean())
        {
            physical.useContiguousRange(address, StressSlotDomain.SLOT);
            checks.check(worker.table(), "UnmapIdentityRangeEx", NtStatus.STATUS_SUCCESS,
                iommu.unmapIdentityRangeEx(slots.domain(), physical), "own slot " + slot, address);
        }
        else
        {
            checks.check(worker.table(), "UnmapLogicalRange", NtStatus.STATUS_SUCCESS,
                iommu.unmapLogicalRange(slots.domain(), address, heldPages[slot]), "own slot " + slot, address);
        }
        slots.unmapped(slot);
        held[slot] = -1;
        heldFrames[slot] = null;
    }

    /**
     * Gives back every slot this thread holds.
     */
    void cleanUp()
    {
        for (int slot = 0; slot < StressSlotDomain.SLOTS; slot++)
        {
            if (held[slot] >= 0)
            {
                release(slot);
            }
        }
    }
}
