/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.IommuEmulator;

/**
 * The PASID sub-devices of one stress thread's V3 parent and what its device sees, exactly:
 * <ul>
 *     <li>CreatePasidDevice (up to {@link #MAX_SUB_DEVICES} sub-devices; refused with STATUS_INVALID_PARAMETER_1
 *     when the parent is not PASID-tagged), AttachPasidDevice to the thread's Translate or TranslateS1 domain, to
 *     its V2 explicit-address domain (whose model is the worker's), or to the shared, never-mapped pool domains
 *     (PassThrough refused with STATUS_INVALID_PARAMETER_1, a type the DMA Guard restriction removes with
 *     STATUS_ACCESS_DENIED), attached twice STATUS_UNSUCCESSFUL, DetachPasidDevice, DeletePasidDevice (attached
 *     STATUS_RESOURCE_IN_USE, then the stale handle refused);</li>
 *     <li>PASIDs unique among the live sub-devices of all threads: each one is registered in a map the run shares
 *     (no two live sub-devices ever report the same ASID);</li>
 *     <li>translations of PASID-tagged accesses ({@code translate(device, pasid, iova, access)}) through the domain
 *     the sub-device of that PASID is attached to, untagged and PASID 0 accesses through the parent's domain, and
 *     another PASID not present;</li>
 *     <li>explicit and identity maps and unmaps in the Translate domain (V2 members, through the V3 or V2 table),
 *     predicted by its {@link PageModel}.</li>
 * </ul>
 * The parent and the domains are {@link StressV3ParentOps}'s; it asks this group which sub-devices hold them.
 */
final class StressV3PasidOps
{
    /** The most sub-devices one thread keeps alive. */
    static final int MAX_SUB_DEVICES = 4;
    /** Attach targets: the worker's explicit domain, the Translate and TranslateS1 domains, the pool domains. */
    static final int EXPLICIT = 0;
    static final int TRANSLATE = 1;
    static final int STAGE1 = 2;
    static final int POOL_ALLOCATOR = 3;
    static final int POOL_PLAIN = 4;
    static final int POOL_PASS_THROUGH = 5;

    /** No target: not attached. */
    static final int NONE = -1;

    private static final int TARGETS = 6;
    private static final long PAGE = StressChecks.PAGE;
    private static final long WINDOW_PAGES = StressV3State.WINDOW_PAGES;
    private static final int MAX_PAGES = 8;

    private final StressV3State state;
    private final StressRun run;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final int index;
    private final DmaIommuInterfaceV3 v3;
    private final PageModel model;
    private final ConcurrentHashMap<Integer, Integer> asidOwners;
    private final List<SubDevice> subDevices = new ArrayList<>();

    StressV3PasidOps(final StressV3State state)
    {
        this.state = state;
        this.run = state.run;
        this.checks = state.checks;
        this.random = state.random;
        this.index = state.index;
        this.v3 = state.v3;
        this.model = state.model;
        this.asidOwners = run.asidOwners();
    }

    private void check(final String call, final int expected, final int actual, final String object)
    {
        state.check(call, expected, actual, object);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sub-devices
    // ------------------------------------------------------------------------------------------------------------

    void create()
    {
        checks.count(StressWorker.Call.V3_PASID);
        if (subDevices.size() >= MAX_SUB_DEVICES)
        {
            delete();
            return;
        }
        final Ref<IommuDmaPasidDevice> out = new Ref<>();
        final IntRef asid = new IntRef();
        final boolean tagged = state.parentTagged();
        check("CreatePasidDevice", tagged ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1,
            v3.createPasidDevice(state.parent, out, asid), "parent configured " + state.parentConfig);
        if (!tagged)
        {
            return;
        }
        final int pasid = asid.get();
        if (pasid < 1 || pasid >= 1 << StressRun.PASID_WIDTH)
        {
            checks.fail("CreatePasidDevice", "parent", -1, "ASID " + pasid + " outside [1, 2^20)");
        }
        final Integer before = asidOwners.putIfAbsent(pasid, index);
        if (null != before)
        {
            checks.fail("CreatePasidDevice", "parent", -1, "ASID " + pasid + " is also the ASID of a live " +
                "sub-device of thread " + before);
        }
        subDevices.add(new SubDevice(out.get(), pasid));
        checks.expectEntry(state.parent, pasid, PAGE * model.pick(random, 0), 1 + random.nextInt(3), -1);
    }

    void delete()
    {
        checks.count(StressWorker.Call.V3_PASID);
        if (subDevices.isEmpty())
        {
            return;
        }
        final int at = random.nextInt(subDevices.size());
        final SubDevice sub = subDevices.get(at);
        final boolean idle = sub.target == NONE;
        if (idle)
        {
            // Given up before the call: once deleted, another thread may get the ASID at once.
            asidOwners.remove(sub.pasid, index);
        }
        check("DeletePasidDevice", idle ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_RESOURCE_IN_USE,
            v3.deletePasidDevice(sub.handle), "sub-device, PASID " + sub.pasid);
        if (!idle)
        {
            return;
        }
        subDevices.remove(at);
        final int invalid = NtStatus.STATUS_INVALID_PARAMETER;
        switch (random.nextInt(3))
        {
            case 0:
                check("DeletePasidDevice", invalid, v3.deletePasidDevice(sub.handle), "deleted sub-device");
                break;
            case 1:
                check("AttachPasidDevice", invalid, v3.attachPasidDevice(state.translateDomain, sub.handle),
                    "deleted sub-device");
                break;
            default:
                check("DetachPasidDevice", invalid, v3.detachPasidDevice(sub.handle), "deleted sub-device");
                break;
        }
        checks.expectEntry(state.parent, sub.pasid, PAGE * model.pick(random, 0), 1, -1);
    }

    void attach()
    {
        checks.count(StressWorker.Call.V3_ATTACH);
        if (subDevices.isEmpty())
        {
            create();
            return;
        }
        final SubDevice sub = subDevices.get(random.nextInt(subDevices.size()));
        final int target = random.nextInt(TARGETS);
        final IommuDmaDomainType type = target == STAGE1 ? IommuDmaDomainType.TRANSLATE_S1 :
            target == POOL_PASS_THROUGH ? IommuDmaDomainType.PASS_THROUGH : IommuDmaDomainType.TRANSLATE;
        final int expected = state.profile.attachPasidDevice(state.available(), type, sub.target == target,
            sub.target != NONE && sub.target != target);
        check("AttachPasidDevice", expected, v3.attachPasidDevice(domain(target), sub.handle),
            "sub-device, PASID " + sub.pasid + ", target " + target);
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            sub.target = target;
        }
    }

    void detach()
    {
        checks.count(StressWorker.Call.V3_ATTACH);
        if (subDevices.isEmpty())
        {
            return;
        }
        final SubDevice sub = subDevices.get(random.nextInt(subDevices.size()));
        check("DetachPasidDevice", sub.target != NONE ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1,
            v3.detachPasidDevice(sub.handle), "sub-device, PASID " + sub.pasid);
        sub.target = NONE;
    }

    private IommuDmaDomain domain(final int target)
    {
        switch (target)
        {
            case EXPLICIT:
                return state.worker.explicitDomain();
            case TRANSLATE:
                return state.translateDomain;
            case STAGE1:
                return state.stage1Domain;
            case POOL_ALLOCATOR:
                return run.sharedPoolDomain(0);
            case POOL_PLAIN:
                return run.sharedPoolDomain(1);
            default:
                return run.sharedPoolDomain(2);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // What the parent group asks
    // ------------------------------------------------------------------------------------------------------------

    boolean isEmpty()
    {
        return subDevices.isEmpty();
    }

    /**
     * Whether a sub-device is attached to a target ({@link #TRANSLATE}, {@link #STAGE1}, ...).
     */
    boolean anyAttachedTo(final int target)
    {
        boolean attached = false;
        for (final SubDevice sub : subDevices)
        {
            attached |= sub.target == target;
        }
        return attached;
    }

    /**
     * AttachPasidDevice of one sub-device, if there is one, to a domain just deleted: STATUS_INVALID_PARAMETER.
     */
    void attachToDeleted(final IommuDmaDomain deleted)
    {
        if (!subDevices.isEmpty())
        {
            final SubDevice sub = subDevices.get(random.nextInt(subDevices.size()));
            check("AttachPasidDevice", NtStatus.STATUS_INVALID_PARAMETER, v3.attachPasidDevice(deleted, sub.handle),
                "deleted domain");
        }
    }

    /**
     * Detaches and deletes every sub-device, giving up their ASIDs.
     */
    void release()
    {
        for (final SubDevice sub : subDevices)
        {
            if (sub.target != NONE)
            {
                check("DetachPasidDevice", NtStatus.STATUS_SUCCESS, v3.detachPasidDevice(sub.handle),
                    "sub-device, PASID " + sub.pasid);
            }
            asidOwners.remove(sub.pasid, index);
            check("DeletePasidDevice", NtStatus.STATUS_SUCCESS, v3.deletePasidDevice(sub.handle),
                "sub-device, PASID " + sub.pasid);
        }
        subDevices.clear();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Translations
    // ------------------------------------------------------------------------------------------------------------

    void translate()
    {
        checks.count(StressWorker.Call.V3_TRANSLATE);
        final int access = 1 + random.nextInt(3);
        final int choice = random.nextInt(8);
        if (choice < 5 && !subDevices.isEmpty())
        {
            final SubDevice sub = subDevices.get(random.nextInt(subDevices.size()));
            if (sub.target == EXPLICIT)
            {
                state.worker.expectExplicit(state.parent, sub.pasid, state.worker.explicitIova(), access);
                return;
            }
            final long page = model.pick(random, 0);
            checks.expectEntry(state.parent, sub.pasid, page * PAGE + random.nextInt((int)PAGE), access,
                sub.target == TRANSLATE ? model.entry(page) : -1);
            return;
        }
        final long page = model.pick(random, 0);
        final long iova = page * PAGE + random.nextInt((int)PAGE);
        if (choice < 7)
        {
            // Untagged, or the default PASID 0: the parent's own domain.
            checks.expectEntry(state.parent, choice == 5 ? IommuEmulator.NO_PASID : 0, iova, access,
                state.parentOn == TRANSLATE ? model.entry(page) : -1);
            return;
        }
        // A PASID none of this parent's sub-devices has (maybe another thread's): nothing.
        int pasid = 1 + random.nextInt(4 * MAX_SUB_DEVICES * run.threads());
        for (final SubDevice sub : subDevices)
        {
            if (sub.pasid == pasid)
            {
                pasid = (1 << StressRun.PASID_WIDTH) - 1;
            }
        }
        checks.expectEntry(state.parent, pasid, iova, access, -1);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The Translate domain's mappings (V2 members, through either table)
    // ------------------------------------------------------------------------------------------------------------

    void map()
    {
        checks.count(StressWorker.Call.V3_MAP);
        final DmaIommuInterfaceV2 iommu = state.v2Member();
        final int permissions = random.nextInt(4);
        if (random.nextBoolean())
        {
            final long page = 1 + random.nextLong(WINDOW_PAGES - MAX_PAGES - 1);
            final long[] frames = checks.frames(1 + random.nextInt(MAX_PAGES));
            describe(frames, random.nextBoolean());
            final LongRef out = new LongRef();
            final int expected = model.map(page, frames, permissions, false);
            check("MapLogicalRangeEx", expected,
                iommu.mapLogicalRangeEx(state.translateDomain, permissions, state.physical, new LongRef(page * PAGE),
                null, null, out), "V3 Translate domain");
            if (expected == NtStatus.STATUS_SUCCESS && out.get() != page * PAGE)
            {
                checks.fail("MapLogicalRangeEx", "V3 Translate domain", page * PAGE, "LogicalAddressOut 0x" +
                    Long.toHexString(out.get()));
            }
            return;
        }
        final long[] frames = identityFrames();
        describe(frames, isRun(frames) && random.nextBoolean());
        check("MapIdentityRangeEx", model.mapIdentity(frames, permissions),
            iommu.mapIdentityRangeEx(state.translateDomain, permissions, state.physical), "V3 Translate domain");
    }

    void unmap()
    {
        checks.count(StressWorker.Call.V3_MAP);
        final DmaIommuInterfaceV2 iommu = state.v2Member();
        if (random.nextBoolean())
        {
            final long page = model.pick(random, MAX_PAGES);
            final int pages = 1 + random.nextInt(MAX_PAGES);
            check("UnmapLogicalRange", model.unmap(page, pages, false),
                iommu.unmapLogicalRange(state.translateDomain, page * PAGE, pages), "V3 Translate domain");
            return;
        }
        final long[] frames = identityFrames();
        describe(frames, isRun(frames) && random.nextBoolean());
        check("UnmapIdentityRangeEx", model.unmapIdentity(frames),
            iommu.unmapIdentityRangeEx(state.translateDomain, state.physical), "V3 Translate domain");
    }

    private long[] identityFrames()
    {
        final long[] frames = new long[1 + random.nextInt(MAX_PAGES)];
        final long first = model.pick(random, MAX_PAGES);
        final boolean contiguous = random.nextInt(4) != 0;
        for (int i = 0; i < frames.length; i++)
        {
            frames[i] = contiguous ? first + i : 1 + random.nextLong(WINDOW_PAGES - 1);
        }
        return frames;
    }

    private static boolean isRun(final long[] frames)
    {
        for (int i = 1; i < frames.length; i++)
        {
            if (frames[i] != frames[0] + i)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Describes the frames as a contiguous range (they must be consecutive) or as a PFN array.
     */
    private void describe(final long[] frames, final boolean contiguous)
    {
        if (contiguous)
        {
            state.physical.useContiguousRange(frames[0] * PAGE, frames.length * PAGE);
        }
        else
        {
            state.physical.usePfnArray(frames, frames.length);
        }
    }

    private static final class SubDevice
    {
        final IommuDmaPasidDevice handle;
        final int pasid;
        int target = NONE;

        SubDevice(final IommuDmaPasidDevice handle, final int pasid)
        {
            this.handle = handle;
            this.pasid = pasid;
        }
    }
}
