/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.DomainConfigurationArch;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * The V3 operations of one stress thread: the five PASID members of {@code DMA_IOMMU_INTERFACE_V3}, and the V2 members
 * no other group calls (identity maps, the x64 refusals of flush, configure and input mappings, the fault-reporting
 * stub), through the V3 table or, for V2 members, the V2 table at random. The thread owns a device object reserved
 * for V3 use, whose device it creates with a PasidTaggedDma configuration (sometimes DefaultPasidOnly or none, to see
 * CreatePasidDevice refused), a Translate domain without allocator with a {@link PageModel}, and a TranslateS1
 * domain. Every status and every translation is predicted exactly:
 * <ul>
 *     <li>CreatePasidDevice (up to {@link #MAX_SUB_DEVICES} sub-devices), AttachPasidDevice to the thread's
 *     Translate or TranslateS1 domain, to its V2 explicit-address domain (whose model is the worker's), or to the
 *     shared, never-mapped pool domains (PassThrough refused with STATUS_INVALID_PARAMETER_1), attached twice
 *     STATUS_UNSUCCESSFUL, DetachPasidDevice, DeletePasidDevice (attached STATUS_RESOURCE_IN_USE, then the stale
 *     handle refused);</li>
 *     <li>translations of PASID-tagged accesses ({@code translate(device, pasid, iova, access)}) through the domain
 *     the sub-device of that PASID is attached to, untagged and PASID 0 accesses through the parent's domain, and
 *     another PASID not present;</li>
 *     <li>PASIDs unique among the live sub-devices of all threads: each one is registered in a map the run shares
 *     (no two live sub-devices ever report the same ASID);</li>
 *     <li>the parent attached to and detached from the Translate domain (TranslateS1 STATUS_ACCESS_DENIED), deleted
 *     (in use while attached, registered or with sub-devices) and created again; QueryDeviceInfo and its refusals;
 *     its state-change registration (one per device; the first call, before Register returns, reports the types
 *     available now); a DMA Guard restriction of its device object, which QueryAvailableDomainTypes reports and
 *     which refuses AttachDeviceEx and AttachPasidDevice of a type it removes (STATUS_ACCESS_DENIED);</li>
 *     <li>DeleteDomain of either domain (in use while a device or sub-device is attached) and CreateDomainEx
 *     again.</li>
 * </ul>
 */
final class StressV3Ops
{
    /** The most sub-devices one thread keeps alive. */
    static final int MAX_SUB_DEVICES = 4;

    private static final long PAGE = StressChecks.PAGE;
    private static final long WINDOW_PAGES = 1L << 14;
    private static final int MAX_PAGES = 8;
    private static final int V3 = StressChecks.V3;
    private static final int NONE = -1;
    /** Attach targets: the worker's explicit domain, the Translate and TranslateS1 domains, the pool domains. */
    private static final int EXPLICIT = 0;
    private static final int TRANSLATE = 1;
    private static final int STAGE1 = 2;
    private static final int POOL_ALLOCATOR = 3;
    private static final int POOL_PLAIN = 4;
    private static final int POOL_PASS_THROUGH = 5;
    private static final int TARGETS = 6;

    private final StressRun run;
    private final StressWorker worker;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final int index;
    private final DmaIommuInterfaceV3 v3;
    private final DmaIommuInterfaceV2 v2;
    private final PhysicalDeviceObject pdo;
    private final ConcurrentHashMap<Integer, Integer> asidOwners;
    private final PageModel model = new PageModel(WINDOW_PAGES);
    private final List<SubDevice> subDevices = new ArrayList<>();
    private final Ref<IommuDmaDomain> domainOut = new Ref<>();
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
    private IommuDmaDevice parent;
    private IommuPasidConfigurationType parentConfig;
    private boolean suppressPasidFaults;
    private boolean parentAttached;
    private boolean registered;
    /** The DMA Guard restriction this thread set on its device object: -1 for none. */
    private int restriction = -1;
    private final IommuInterfaceStateChangeCallback callback;
    /** The first call of the last registration: what it said, -1 before it came. */
    private volatile int firstCall = -1;
    private IommuDmaDomain translateDomain;
    private IommuDmaDomain stage1Domain;
    private int table;

    StressV3Ops(final StressRun run, final StressWorker worker, final StressChecks checks,
        final SplittableRandom random, final int index)
    {
        this.run = run;
        this.worker = worker;
        this.checks = checks;
        this.random = random;
        this.index = index;
        this.v3 = run.v3();
        this.v2 = run.iommu();
        this.pdo = run.pasidPdo(index);
        this.asidOwners = run.asidOwners();
        this.callback = (final IommuInterfaceStateChange change, final Object context) ->
        {
            if (firstCall == -1)
            {
                firstCall = change.availableDomainTypes();
            }
        };
        table = V3;
        translateDomain = createDomain(IommuDmaDomainType.TRANSLATE);
        stage1Domain = createDomain(IommuDmaDomainType.TRANSLATE_S1);
        createParent(IommuPasidConfigurationType.PASID_TAGGED_DMA, false);
    }

    IommuDmaDomain stage1Domain()
    {
        return stage1Domain;
    }

    /**
     * One V3 operation, chosen at random.
     */
    void step()
    {
        table = V3;
        switch (random.nextInt(14))
        {
            case 0:
            case 1:
                createSubDevice();
                break;
            case 2:
                deleteSubDevice();
                break;
            case 3:
            case 4:
                attachSubDevice();
                break;
            case 5:
                detachSubDevice();
                break;
            case 6:
            case 7:
            case 8:
                translate();
                break;
            case 9:
                map();
                break;
            case 10:
                unmap();
                break;
            case 11:
                parent();
                break;
            case 12:
                domains();
                break;
            default:
                refusal();
                break;
        }
    }

    /**
     * The table for a V2 member: V3's or V2's, at random (tallied as such).
     */
    private DmaIommuInterfaceV2 v2Member()
    {
        table = random.nextBoolean() ? V3 : StressChecks.V2;
        return table == V3 ? v3 : v2;
    }

    private void check(final String call, final int expected, final int actual, final String object)
    {
        checks.check(table, call, expected, actual, object, -1);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sub-devices
    // ------------------------------------------------------------------------------------------------------------

    private void createSubDevice()
    {
        checks.count(StressWorker.Call.V3_PASID);
        if (subDevices.size() >= MAX_SUB_DEVICES)
        {
            deleteSubDevice();
            return;
        }
        final Ref<IommuDmaPasidDevice> out = new Ref<>();
        final IntRef asid = new IntRef();
        final boolean tagged = parentConfig == IommuPasidConfigurationType.PASID_TAGGED_DMA;
        check("CreatePasidDevice", tagged ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1,
            v3.createPasidDevice(parent, out, asid), "parent configured " + parentConfig);
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
        checks.expectEntry(parent, pasid, PAGE * model.pick(random, 0), 1 + random.nextInt(3), -1);
    }

    private void deleteSubDevice()
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
                check("AttachPasidDevice", invalid, v3.attachPasidDevice(translateDomain, sub.handle),
                    "deleted sub-device");
                break;
            default:
                check("DetachPasidDevice", invalid, v3.detachPasidDevice(sub.handle), "deleted sub-device");
                break;
        }
        checks.expectEntry(parent, sub.pasid, PAGE * model.pick(random, 0), 1, -1);
    }

    private void attachSubDevice()
    {
        checks.count(StressWorker.Call.V3_ATTACH);
        if (subDevices.isEmpty())
        {
            createSubDevice();
            return;
        }
        final SubDevice sub = subDevices.get(random.nextInt(subDevices.size()));
        final int target = random.nextInt(TARGETS);
        final int type = target == STAGE1 ? IommuDmaDomainType.TRANSLATE_S1.mask() :
            IommuDmaDomainType.TRANSLATE.mask();
        final int expected = target == POOL_PASS_THROUGH ? NtStatus.STATUS_INVALID_PARAMETER_1 :
            sub.target != NONE ? NtStatus.STATUS_UNSUCCESSFUL :
            (available() & type) == 0 ? NtStatus.STATUS_ACCESS_DENIED : NtStatus.STATUS_SUCCESS;
        check("AttachPasidDevice", expected, v3.attachPasidDevice(domain(target), sub.handle),
            "sub-device, PASID " + sub.pasid + ", target " + target);
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            sub.target = target;
        }
    }

    private void detachSubDevice()
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
                return worker.explicitDomain();
            case TRANSLATE:
                return translateDomain;
            case STAGE1:
                return stage1Domain;
            case POOL_ALLOCATOR:
                return run.sharedPoolDomain(0);
            case POOL_PLAIN:
                return run.sharedPoolDomain(1);
            default:
                return run.sharedPoolDomain(2);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Translations
    // ------------------------------------------------------------------------------------------------------------

    private void translate()
    {
        checks.count(StressWorker.Call.V3_TRANSLATE);
        final int access = 1 + random.nextInt(3);
        final int choice = random.nextInt(8);
        if (choice < 5 && !subDevices.isEmpty())
        {
            final SubDevice sub = subDevices.get(random.nextInt(subDevices.size()));
            if (sub.target == EXPLICIT)
            {
                worker.expectExplicit(parent, sub.pasid, worker.explicitIova(), access);
                return;
            }
            final long page = model.pick(random, 0);
            checks.expectEntry(parent, sub.pasid, page * PAGE + random.nextInt((int)PAGE), access,
                sub.target == TRANSLATE ? model.entry(page) : -1);
            return;
        }
        final long page = model.pick(random, 0);
        final long iova = page * PAGE + random.nextInt((int)PAGE);
        if (choice < 7)
        {
            // Untagged, or the default PASID 0: the parent's own domain.
            checks.expectEntry(parent, choice == 5 ? IommuEmulator.NO_PASID : 0, iova, access,
                parentAttached ? model.entry(page) : -1);
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
        checks.expectEntry(parent, pasid, iova, access, -1);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The Translate domain's mappings (V2 members, through either table)
    // ------------------------------------------------------------------------------------------------------------

    private void map()
    {
        checks.count(StressWorker.Call.V3_MAP);
        final DmaIommuInterfaceV2 iommu = v2Member();
        final int permissions = random.nextInt(4);
        if (random.nextBoolean())
        {
            final long page = 1 + random.nextLong(WINDOW_PAGES - MAX_PAGES - 1);
            final long[] frames = checks.frames(1 + random.nextInt(MAX_PAGES));
            describe(frames, random.nextBoolean());
            final boolean clash = model.anyMapped(page, frames.length);
            final LongRef out = new LongRef();
            check("MapLogicalRangeEx", clash ? NtStatus.STATUS_IN_USE : NtStatus.STATUS_SUCCESS, iommu
                .mapLogicalRangeEx(translateDomain, permissions, physical, new LongRef(page * PAGE), null, null, out),
                "V3 Translate domain");
            if (!clash)
            {
                if (out.get() != page * PAGE)
                {
                    checks.fail("MapLogicalRangeEx", "V3 Translate domain", page * PAGE, "LogicalAddressOut 0x" +
                        Long.toHexString(out.get()));
                }
                model.map(page, frames, permissions);
            }
            return;
        }
        final long[] frames = identityFrames();
        describe(frames, isRun(frames) && random.nextBoolean());
        final boolean clash = model.identityClash(frames);
        check("MapIdentityRangeEx", clash ? NtStatus.STATUS_IN_USE : NtStatus.STATUS_SUCCESS,
            iommu.mapIdentityRangeEx(translateDomain, permissions, physical), "V3 Translate domain");
        if (!clash)
        {
            model.mapIdentity(frames, permissions);
        }
    }

    private void unmap()
    {
        checks.count(StressWorker.Call.V3_MAP);
        final DmaIommuInterfaceV2 iommu = v2Member();
        if (random.nextBoolean())
        {
            final long page = model.pick(random, MAX_PAGES);
            final int pages = 1 + random.nextInt(MAX_PAGES);
            final boolean mapped = model.anyMapped(page, pages);
            check("UnmapLogicalRange", mapped ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER,
                iommu.unmapLogicalRange(translateDomain, page * PAGE, pages), "V3 Translate domain");
            model.unmap(page, pages);
            return;
        }
        final long[] frames = identityFrames();
        describe(frames, isRun(frames) && random.nextBoolean());
        final boolean mapped = model.identityMapped(frames);
        check("UnmapIdentityRangeEx", mapped ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_2,
            iommu.unmapIdentityRangeEx(translateDomain, physical), "V3 Translate domain");
        if (mapped)
        {
            model.unmapIdentity(frames);
        }
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
            physical.useContiguousRange(frames[0] * PAGE, frames.length * PAGE);
        }
        else
        {
            physical.usePfnArray(frames, frames.length);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The parent device and the domains
    // ------------------------------------------------------------------------------------------------------------

    private void parent()
    {
        checks.count(StressWorker.Call.V3_DEVICE);
        switch (random.nextInt(6))
        {
            case 0:
                if (parentAttached)
                {
                    check("AttachDeviceEx", NtStatus.STATUS_INVALID_PARAMETER,
                        v3.attachDeviceEx(translateDomain, parent), "attached parent");
                    check("DetachDeviceEx", NtStatus.STATUS_SUCCESS, v3.detachDeviceEx(parent), "parent");
                    parentAttached = false;
                    return;
                }
                check("DetachDeviceEx", NtStatus.STATUS_INVALID_PARAMETER_1, v3.detachDeviceEx(parent),
                    "detached parent");
                check("AttachDeviceEx", NtStatus.STATUS_ACCESS_DENIED, v3.attachDeviceEx(stage1Domain, parent),
                    "parent to TranslateS1");
                parentAttached = (available() & IommuDmaDomainType.TRANSLATE.mask()) != 0;
                check("AttachDeviceEx", parentAttached ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_ACCESS_DENIED,
                    v3.attachDeviceEx(translateDomain, parent), "parent, available 0x" +
                    Integer.toHexString(available()));
                break;
            case 1:
            {
                final IntRef types = new IntRef();
                v3.queryAvailableDomainTypes(parent, types);
                check("QueryAvailableDomainTypes", NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS, "parent");
                final int expected = available();
                if (types.get() != expected)
                {
                    checks.fail("QueryAvailableDomainTypes", "parent", -1, "0x" + Integer.toHexString(types.get()) +
                        ", expected 0x" + Integer.toHexString(expected));
                }
                break;
            }
            case 2:
                recreateParent();
                break;
            case 3:
                restrict();
                break;
            case 4:
                registration();
                break;
            default:
                queryDeviceInfo();
                break;
        }
    }

    /**
     * The types the policy offers the parent now: Translate, TranslateS1 (PASIDs) and PassThrough (DMA Guard off, an
     * internal device), masked by this thread's restriction.
     */
    private int available()
    {
        final int all = IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.PASS_THROUGH.mask() |
            IommuDmaDomainType.TRANSLATE_S1.mask();
        return restriction == -1 ? all : all & restriction;
    }

    private void restrict()
    {
        final int[] choices = {-1, IommuDmaDomainType.TRANSLATE.mask(), IommuDmaDomainType.TRANSLATE_S1.mask(),
            IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.TRANSLATE_S1.mask(),
            IommuDmaDomainType.PASS_THROUGH.mask()};
        restriction = choices[random.nextInt(choices.length)];
        run.restrict(pdo, restriction);
    }

    /**
     * RegisterInterfaceStateChangeCallback and Unregister on the parent, exactly: one registration per device; the
     * first call comes before Register returns, with the types available now.
     */
    private void registration()
    {
        if (registered)
        {
            check("UnregisterInterfaceStateChangeCallback", NtStatus.STATUS_SUCCESS,
                v3.unregisterInterfaceStateChangeCallback(callback, parent), "parent");
            registered = false;
            check("UnregisterInterfaceStateChangeCallback", NtStatus.STATUS_UNSUCCESSFUL,
                v3.unregisterInterfaceStateChangeCallback(callback, parent), "parent, not registered");
            return;
        }
        firstCall = -1;
        final IommuInterfaceStateChangeFields fields = new IommuInterfaceStateChangeFields().availableDomainTypes(true);
        check("RegisterInterfaceStateChangeCallback", NtStatus.STATUS_SUCCESS,
            v3.registerInterfaceStateChangeCallback(callback, null, parent, fields), "parent");
        registered = true;
        if (firstCall != available())
        {
            checks.fail("RegisterInterfaceStateChangeCallback", "parent", -1, "the first call said 0x" +
                Integer.toHexString(firstCall) + " before Register returned, expected 0x" +
                Integer.toHexString(available()));
        }
        check("RegisterInterfaceStateChangeCallback", NtStatus.STATUS_UNSUCCESSFUL,
            v3.registerInterfaceStateChangeCallback(callback, null, parent, fields), "parent, registered");
    }

    private void recreateParent()
    {
        if (random.nextInt(3) == 0)
        {
            releaseSubDevices();
        }
        final boolean inUse = parentAttached || registered || !subDevices.isEmpty();
        check("DeleteDevice", inUse ? NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_SUCCESS,
            v3.deleteDevice(parent), "parent");
        if (inUse)
        {
            return;
        }
        final IommuDmaDevice deleted = parent;
        final int choice = random.nextInt(6);
        createParent(choice < 4 ? IommuPasidConfigurationType.PASID_TAGGED_DMA :
            choice == 4 ? IommuPasidConfigurationType.DEFAULT_PASID_ONLY : null, random.nextBoolean());
        final int invalid = NtStatus.STATUS_INVALID_PARAMETER;
        if (random.nextBoolean())
        {
            check("QueryDeviceInfo", invalid, v3.queryDeviceInfo(deleted, IommuDmaDeviceInformation.SIZE_X64,
                new IntRef(), new IommuDmaDeviceInformation()), "deleted parent");
        }
        else
        {
            check("CreatePasidDevice", invalid, v3.createPasidDevice(deleted, new Ref<>(), new IntRef()),
                "deleted parent");
        }
        checks.expectEntry(deleted, 0, PAGE, 1, -1);
    }

    private void createParent(final IommuPasidConfigurationType config, final boolean suppress)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        check("CreateDevice", NtStatus.STATUS_SUCCESS, v3.createDevice(pdo, null == config ? null :
            new IommuDeviceCreationConfiguration().pasid(config, suppress), out), "parent " + config);
        parent = out.get();
        parentConfig = config;
        suppressPasidFaults = null != config && suppress;
    }

    private void queryDeviceInfo()
    {
        final IommuDmaDeviceInformation info = new IommuDmaDeviceInformation();
        final IntRef written = new IntRef().set(-1);
        switch (random.nextInt(5))
        {
            case 0:
                check("QueryDeviceInfo", NtStatus.STATUS_SUCCESS, v3.queryDeviceInfo(parent,
                    IommuDmaDeviceInformation.SIZE_X64 + random.nextInt(4), written, info), "parent");
                expectInfo(info, written, null != parentConfig,
                    parentConfig == IommuPasidConfigurationType.PASID_TAGGED_DMA, suppressPasidFaults);
                break;
            case 1:
                check("QueryDeviceInfo", NtStatus.STATUS_BUFFER_TOO_SMALL, v3.queryDeviceInfo(parent,
                    random.nextInt(IommuDmaDeviceInformation.SIZE_X64), written, info), "parent, small buffer");
                if (written.get() != 0)
                {
                    checks.fail("QueryDeviceInfo", "parent", -1, "BytesWritten " + written.get() + " on failure");
                }
                break;
            case 2:
                check("QueryDeviceInfo", NtStatus.STATUS_INVALID_PARAMETER_3, v3.queryDeviceInfo(parent,
                    IommuDmaDeviceInformation.SIZE_X64, null, info), "parent, no BytesWritten");
                break;
            case 3:
                check("QueryDeviceInfo", NtStatus.STATUS_INVALID_PARAMETER_4, v3.queryDeviceInfo(parent,
                    IommuDmaDeviceInformation.SIZE_X64, written, null), "parent, no Buffer");
                break;
            default:
                // Another thread's V2 device, created without a configuration.
                check("QueryDeviceInfo", NtStatus.STATUS_SUCCESS, v3.queryDeviceInfo(run.ownDevice(random.nextInt(
                    run.ownDevices())), IommuDmaDeviceInformation.SIZE_X64, written, info), "V2 device");
                expectInfo(info, written, false, false, false);
                break;
        }
    }

    private void expectInfo(final IommuDmaDeviceInformation info, final IntRef written, final boolean defaultPasid,
        final boolean tagged, final boolean suppressed)
    {
        if (written.get() != IommuDmaDeviceInformation.SIZE_X64 || info.defaultPasidEnabled() != defaultPasid ||
            info.pasidTaggedDmaEnabled() != tagged || info.pasidFaultsSuppressed() != suppressed)
        {
            checks.fail("QueryDeviceInfo", "device", -1, "wrote " + written.get() + " bytes: default " +
                info.defaultPasidEnabled() + ", tagged " + info.pasidTaggedDmaEnabled() + ", suppressed " +
                info.pasidFaultsSuppressed() + "; expected " + defaultPasid + ", " + tagged + ", " + suppressed);
        }
    }

    private void domains()
    {
        checks.count(StressWorker.Call.V3_DOMAIN);
        final boolean stage1 = random.nextBoolean();
        boolean inUse = !stage1 && parentAttached;
        for (final SubDevice sub : subDevices)
        {
            inUse |= sub.target == (stage1 ? STAGE1 : TRANSLATE);
        }
        final IommuDmaDomain domain = stage1 ? stage1Domain : translateDomain;
        check("DeleteDomain", inUse ? NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_SUCCESS,
            v2Member().deleteDomain(domain), stage1 ? "TranslateS1 domain" : "V3 Translate domain");
        if (inUse)
        {
            return;
        }
        table = V3;
        if (stage1)
        {
            stage1Domain = createDomain(IommuDmaDomainType.TRANSLATE_S1);
        }
        else
        {
            model.clear();
            translateDomain = createDomain(IommuDmaDomainType.TRANSLATE);
        }
        if (!subDevices.isEmpty())
        {
            final SubDevice sub = subDevices.get(random.nextInt(subDevices.size()));
            check("AttachPasidDevice", NtStatus.STATUS_INVALID_PARAMETER, v3.attachPasidDevice(domain, sub.handle),
                "deleted domain");
        }
    }

    private IommuDmaDomain createDomain(final IommuDmaDomainType type)
    {
        check("CreateDomainEx", NtStatus.STATUS_SUCCESS, v3.createDomainEx(type, 0, null, null, domainOut),
            type.name());
        return domainOut.get();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Refusals
    // ------------------------------------------------------------------------------------------------------------

    private void refusal()
    {
        checks.count(StressWorker.Call.V3_REFUSAL);
        final int notManaged = NtStatus.STATUS_INVALID_PARAMETER_1;
        final IommuDmaDomain domain = random.nextBoolean() ? translateDomain : stage1Domain;
        final DmaIommuInterfaceV2 iommu = v2Member();
        physical.useContiguousRange(PAGE, PAGE);
        switch (random.nextInt(8))
        {
            case 0:
                check("FlushDomain", notManaged, iommu.flushDomain(domain), "library-owned domain");
                break;
            case 1:
                check("FlushDomainByVaList", notManaged, iommu.flushDomainByVaList(domain, random.nextBoolean(), 2,
                    new long[]{PAGE, 2 * PAGE}), "library-owned domain");
                break;
            case 2:
                check("ConfigureDomain", notManaged, iommu.configureDomain(domain,
                    new DomainConfiguration().type(DomainConfigurationArch.X64)), "library-owned domain");
                break;
            case 3:
                check("QueryInputMappings", NtStatus.STATUS_UNSUCCESSFUL, iommu.queryInputMappings(pdo,
                    new InputMappingElement[]{new InputMappingElement()}, InputMappingElement.SIZE_X64, new IntRef()),
                    "x64 device object");
                break;
            case 4:
                check("SetDeviceFaultReportingEx", NtStatus.STATUS_NOT_IMPLEMENTED, iommu.setDeviceFaultReportingEx(
                    parent, 0, random.nextBoolean(), new DeviceFaultConfiguration().faultHandler(run.faultHandler())),
                    "parent");
                break;
            case 5:
            {
                table = V3;
                final boolean tagged = parentConfig == IommuPasidConfigurationType.PASID_TAGGED_DMA;
                check("CreatePasidDevice", NtStatus.STATUS_INVALID_PARAMETER_1, v3.createPasidDevice(
                    run.ownDevice(random.nextInt(run.ownDevices())), new Ref<>(), new IntRef()), "V2 device");
                check("CreatePasidDevice", tagged ? NtStatus.STATUS_INVALID_PARAMETER_2 : notManaged,
                    v3.createPasidDevice(parent, null, new IntRef()), "parent, no PasidDeviceOut");
                check("CreatePasidDevice", tagged ? NtStatus.STATUS_INVALID_PARAMETER_3 : notManaged,
                    v3.createPasidDevice(parent, new Ref<>(), null), "parent, no AsidOut");
                break;
            }
            case 6:
                check("MapLogicalRangeEx", notManaged, iommu.mapLogicalRangeEx(stage1Domain, 3, physical,
                    new LongRef(PAGE), null, null, new LongRef()), "TranslateS1 domain");
                check("UnmapLogicalRange", notManaged, iommu.unmapLogicalRange(stage1Domain, PAGE, 1),
                    "TranslateS1 domain");
                check("MapIdentityRangeEx", notManaged, iommu.mapIdentityRangeEx(stage1Domain, 3, physical),
                    "TranslateS1 domain");
                check("UnmapIdentityRangeEx", notManaged, iommu.unmapIdentityRangeEx(stage1Domain, physical),
                    "TranslateS1 domain");
                check("ReserveLogicalAddressRange", notManaged, iommu.reserveLogicalAddressRange(stage1Domain, PAGE,
                    new LongRef(PAGE), null, null, new Ref<IommuDmaLogicalAddressToken>()), "TranslateS1 domain");
                break;
            default:
                check("CreateDomainEx", NtStatus.STATUS_INVALID_PARAMETER_3, iommu.createDomainEx(
                    IommuDmaDomainType.TRANSLATE_S1, 0, new IommuDmaLogicalAllocatorConfig().buddy(39), null,
                    domainOut), "TranslateS1 with an allocator");
                check("CreateDomainEx", NtStatus.STATUS_NOT_SUPPORTED, iommu.createDomainEx(
                    IommuDmaDomainType.UNMANAGED, 0, null, null, domainOut), "Unmanaged on x64");
                break;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Teardown
    // ------------------------------------------------------------------------------------------------------------

    private void releaseSubDevices()
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

    /**
     * Detaches and deletes the sub-devices, detaches and deletes the parent, deletes the two domains. Runs before
     * the worker's own clean-up (a sub-device may be attached to the worker's explicit domain).
     */
    void cleanUp()
    {
        table = V3;
        releaseSubDevices();
        if (parentAttached)
        {
            check("DetachDeviceEx", NtStatus.STATUS_SUCCESS, v3.detachDeviceEx(parent), "cleanup");
            parentAttached = false;
        }
        if (registered)
        {
            check("UnregisterInterfaceStateChangeCallback", NtStatus.STATUS_SUCCESS,
                v3.unregisterInterfaceStateChangeCallback(callback, parent), "cleanup");
            registered = false;
        }
        run.restrict(pdo, -1);
        check("DeleteDevice", NtStatus.STATUS_SUCCESS, v3.deleteDevice(parent), "cleanup");
        check("DeleteDomain", NtStatus.STATUS_SUCCESS, v3.deleteDomain(translateDomain), "cleanup");
        check("DeleteDomain", NtStatus.STATUS_SUCCESS, v3.deleteDomain(stage1Domain), "cleanup");
        model.clear();
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
