/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.SplittableRandom;

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
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * The calls of one stress thread's V3 parent device itself and of its two V3 domains, exactly:
 * <ul>
 *     <li>the parent, created on the thread's device object with a PasidTaggedDma configuration (sometimes
 *     DefaultPasidOnly or none, to see CreatePasidDevice refused), attached to and detached from the Translate domain
 *     (TranslateS1 STATUS_ACCESS_DENIED), deleted (in use while attached, registered or with sub-devices) and created
 *     again, the deleted handle refused; QueryDeviceInfo and its refusals; its state-change registration (one per
 *     device; the first call, before Register returns, reports the types available now); a DMA Guard restriction of
 *     its device object, which QueryAvailableDomainTypes reports and which refuses AttachDeviceEx of a type it
 *     removes (STATUS_ACCESS_DENIED);</li>
 *     <li>DeleteDomain of the Translate or TranslateS1 domain (in use while the parent or a sub-device is attached)
 *     and CreateDomainEx again;</li>
 *     <li>the x64 refusals and stubs of the V2 members no other group calls: FlushDomain, FlushDomainByVaList and
 *     ConfigureDomain of a library-owned domain, QueryInputMappings, SetDeviceFaultReportingEx, the map and token
 *     members on a TranslateS1 domain, CreateDomainEx of TranslateS1 with an allocator and of Unmanaged; and the
 *     refusals of CreatePasidDevice's arguments.</li>
 * </ul>
 * It asks {@link StressV3PasidOps} which sub-devices hold the parent and the domains.
 */
final class StressV3ParentOps
{
    private static final long PAGE = StressChecks.PAGE;

    private final StressV3State state;
    private final StressV3PasidOps pasidOps;
    private final StressRun run;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final DmaIommuInterfaceV3 v3;
    private final PhysicalDeviceObject pdo;
    private final IommuInterfaceStateChangeCallback callback;
    /** The first call of the last registration: what it said, -1 before it came. */
    private volatile int firstCall = -1;
    private boolean registered;

    StressV3ParentOps(final StressV3State state, final StressV3PasidOps pasidOps)
    {
        this.state = state;
        this.pasidOps = pasidOps;
        this.run = state.run;
        this.checks = state.checks;
        this.random = state.random;
        this.v3 = state.v3;
        this.pdo = state.pdo;
        this.callback = (final IommuInterfaceStateChange change, final Object context) ->
        {
            if (firstCall == -1)
            {
                firstCall = change.availableDomainTypes();
            }
        };
    }

    private void check(final String call, final int expected, final int actual, final String object)
    {
        state.check(call, expected, actual, object);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The parent device
    // ------------------------------------------------------------------------------------------------------------

    void parent()
    {
        checks.count(StressWorker.Call.V3_DEVICE);
        final IommuDmaDevice parent = state.parent;
        switch (random.nextInt(6))
        {
            case 0:
                if (state.parentOn != StressV3PasidOps.NONE)
                {
                    attachParent(state.parentOn);
                    check("DetachDeviceEx", NtStatus.STATUS_SUCCESS, v3.detachDeviceEx(parent), "parent");
                    state.parentOn = StressV3PasidOps.NONE;
                    return;
                }
                check("DetachDeviceEx", NtStatus.STATUS_INVALID_PARAMETER_1, v3.detachDeviceEx(parent),
                    "detached parent");
                attachParent(StressV3PasidOps.STAGE1);
                attachParent(StressV3PasidOps.TRANSLATE);
                break;
            case 1:
            {
                final IntRef types = new IntRef();
                v3.queryAvailableDomainTypes(parent, types);
                check("QueryAvailableDomainTypes", NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS, "parent");
                final int expected = state.available();
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
     * AttachDeviceEx of the parent to the Translate or TranslateS1 domain, as the profile answers for the parent's
     * mode, its available types and where it is attached now.
     */
    private void attachParent(final int target)
    {
        final IommuDmaDomainType type = target == StressV3PasidOps.STAGE1 ? IommuDmaDomainType.TRANSLATE_S1 :
            IommuDmaDomainType.TRANSLATE;
        final int on = state.parentOn;
        final int expected = state.profile.attachDeviceEx(state.available(), type, null != state.parentConfig,
            on == target, on != StressV3PasidOps.NONE && on != target);
        check("AttachDeviceEx", expected, v3.attachDeviceEx(state.parentDomain(target), state.parent),
            "parent to " + type + ", attached to " + on + ", available 0x" + Integer.toHexString(state.available()));
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            state.parentOn = target;
        }
    }

    private void restrict()
    {
        final int[] choices = {-1, IommuDmaDomainType.TRANSLATE.mask(), IommuDmaDomainType.TRANSLATE_S1.mask(),
            IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.TRANSLATE_S1.mask(),
            IommuDmaDomainType.PASS_THROUGH.mask()};
        state.restriction = choices[random.nextInt(choices.length)];
        run.restrict(pdo, state.restriction);
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
                v3.unregisterInterfaceStateChangeCallback(callback, state.parent), "parent");
            registered = false;
            check("UnregisterInterfaceStateChangeCallback", NtStatus.STATUS_UNSUCCESSFUL,
                v3.unregisterInterfaceStateChangeCallback(callback, state.parent), "parent, not registered");
            return;
        }
        firstCall = -1;
        final IommuInterfaceStateChangeFields fields = new IommuInterfaceStateChangeFields().availableDomainTypes(true);
        check("RegisterInterfaceStateChangeCallback", NtStatus.STATUS_SUCCESS,
            v3.registerInterfaceStateChangeCallback(callback, null, state.parent, fields), "parent");
        registered = true;
        if (firstCall != state.available())
        {
            checks.fail("RegisterInterfaceStateChangeCallback", "parent", -1, "the first call said 0x" +
                Integer.toHexString(firstCall) + " before Register returned, expected 0x" +
                Integer.toHexString(state.available()));
        }
        check("RegisterInterfaceStateChangeCallback", NtStatus.STATUS_UNSUCCESSFUL,
            v3.registerInterfaceStateChangeCallback(callback, null, state.parent, fields), "parent, registered");
    }

    private void recreateParent()
    {
        if (random.nextInt(3) == 0)
        {
            pasidOps.release();
        }
        final boolean inUse = state.parentOn != StressV3PasidOps.NONE || registered || !pasidOps.isEmpty();
        check("DeleteDevice", inUse ? NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_SUCCESS,
            v3.deleteDevice(state.parent), "parent");
        if (inUse)
        {
            return;
        }
        final IommuDmaDevice deleted = state.parent;
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

    /**
     * CreateDevice of the parent on the thread's device object, with a PASID configuration or none (null).
     */
    void createParent(final IommuPasidConfigurationType config, final boolean suppress)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        check("CreateDevice", NtStatus.STATUS_SUCCESS, v3.createDevice(pdo, null == config ? null :
            new IommuDeviceCreationConfiguration().pasid(config, suppress), out), "parent " + config);
        state.parent = out.get();
        state.parentConfig = config;
        state.faultReporting = false;
        state.suppressPasidFaults = null != config && suppress;
    }

    private void queryDeviceInfo()
    {
        final IommuDmaDevice parent = state.parent;
        final IommuDmaDeviceInformation info = new IommuDmaDeviceInformation();
        final IntRef written = new IntRef().set(-1);
        switch (random.nextInt(5))
        {
            case 0:
                check("QueryDeviceInfo", NtStatus.STATUS_SUCCESS, v3.queryDeviceInfo(parent,
                    IommuDmaDeviceInformation.SIZE_X64 + random.nextInt(4), written, info), "parent");
                expectInfo(info, written, null != state.parentConfig, state.parentTagged(), state.suppressPasidFaults);
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

    // ------------------------------------------------------------------------------------------------------------
    // The domains
    // ------------------------------------------------------------------------------------------------------------

    void domains()
    {
        checks.count(StressWorker.Call.V3_DOMAIN);
        final boolean stage1 = random.nextBoolean();
        final int target = stage1 ? StressV3PasidOps.STAGE1 : StressV3PasidOps.TRANSLATE;
        if (state.parentOn == target && !state.profile.deleteDomainRefusesAttachedDevices())
        {
            // The profile would delete the domain under the parent: a correct driver detaches first.
            check("DetachDeviceEx", NtStatus.STATUS_SUCCESS, v3.detachDeviceEx(state.parent),
                "parent, before DeleteDomain");
            state.parentOn = StressV3PasidOps.NONE;
        }
        final boolean inUse = state.parentOn == target || pasidOps.anyAttachedTo(target);
        final IommuDmaDomain domain = stage1 ? state.stage1Domain : state.translateDomain;
        check("DeleteDomain", inUse ? NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_SUCCESS,
            state.v2Member().deleteDomain(domain), stage1 ? "TranslateS1 domain" : "V3 Translate domain");
        if (inUse)
        {
            return;
        }
        state.useV3();
        if (stage1)
        {
            state.stage1Domain = state.createDomain(IommuDmaDomainType.TRANSLATE_S1);
        }
        else
        {
            state.model.clear();
            state.translateDomain = state.createDomain(IommuDmaDomainType.TRANSLATE);
        }
        pasidOps.attachToDeleted(domain);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Refusals
    // ------------------------------------------------------------------------------------------------------------

    void refusal()
    {
        checks.count(StressWorker.Call.V3_REFUSAL);
        final int notManaged = NtStatus.STATUS_INVALID_PARAMETER_1;
        final IommuDmaDomain stage1Domain = state.stage1Domain;
        final IommuDmaDomain domain = random.nextBoolean() ? state.translateDomain : stage1Domain;
        final DmaIommuInterfaceV2 iommu = state.v2Member();
        final IommuMapPhysicalAddress physical = state.physical;
        final Ref<IommuDmaDomain> domainOut = state.domainOut;
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
                check("QueryInputMappings", state.profile.queryInputMappings(), iommu.queryInputMappings(pdo,
                    new InputMappingElement[]{new InputMappingElement()}, InputMappingElement.SIZE_X64, new IntRef()),
                    "x64 device object");
                break;
            case 4:
            {
                final boolean enable = random.nextBoolean();
                final boolean withConfig = random.nextInt(4) != 0;
                final int expected = state.profile.setDeviceFaultReportingEx(enable, withConfig, state.faultReporting);
                check("SetDeviceFaultReportingEx", expected, iommu.setDeviceFaultReportingEx(state.parent, 0, enable,
                    withConfig ? new DeviceFaultConfiguration().faultHandler(run.faultHandler()) : null), "parent");
                if (expected == NtStatus.STATUS_SUCCESS)
                {
                    state.faultReporting = enable;
                }
                break;
            }
            case 5:
            {
                state.useV3();
                final boolean tagged = state.parentTagged();
                check("CreatePasidDevice", NtStatus.STATUS_INVALID_PARAMETER_1, v3.createPasidDevice(
                    run.ownDevice(random.nextInt(run.ownDevices())), new Ref<>(), new IntRef()), "V2 device");
                check("CreatePasidDevice", tagged ? NtStatus.STATUS_INVALID_PARAMETER_2 : notManaged,
                    v3.createPasidDevice(state.parent, null, new IntRef()), "parent, no PasidDeviceOut");
                check("CreatePasidDevice", tagged ? NtStatus.STATUS_INVALID_PARAMETER_3 : notManaged,
                    v3.createPasidDevice(state.parent, new Ref<>(), null), "parent, no AsidOut");
                break;
            }
            case 6:
                if (state.profile.stage1Maps())
                {
                    stage1Maps(iommu, stage1Domain);
                    break;
                }
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
            {
                final int withAllocator = state.profile.stage1WithAllocator();
                check("CreateDomainEx", withAllocator, iommu.createDomainEx(
                    IommuDmaDomainType.TRANSLATE_S1, 0, new IommuDmaLogicalAllocatorConfig().buddy(39), null,
                    domainOut), "TranslateS1 with an allocator");
                if (withAllocator == NtStatus.STATUS_SUCCESS)
                {
                    check("DeleteDomain", NtStatus.STATUS_SUCCESS, iommu.deleteDomain(domainOut.get()),
                        "TranslateS1 with an allocator");
                }
                check("CreateDomainEx", NtStatus.STATUS_NOT_SUPPORTED, iommu.createDomainEx(
                    IommuDmaDomainType.UNMANAGED, 0, null, null, domainOut), "Unmanaged on x64");
                break;
            }
        }
    }

    /**
     * The map, unmap and token members on the thread's TranslateS1 domain where they work there (observed 4
     * MapLogicalRangeEx row 1 and its siblings, observed 5 ReserveLogicalAddressRange row 2): page 1 mapped and
     * unmapped, identity-mapped and unmapped, reserved and freed, leaving the domain as empty as it was.
     */
    private void stage1Maps(final DmaIommuInterfaceV2 iommu, final IommuDmaDomain stage1Domain)
    {
        final IommuMapPhysicalAddress physical = state.physical;
        final int success = NtStatus.STATUS_SUCCESS;
        check("MapLogicalRangeEx", success, iommu.mapLogicalRangeEx(stage1Domain, 3, physical, new LongRef(PAGE),
            null, null, new LongRef()), "TranslateS1 domain");
        check("UnmapLogicalRange", success, iommu.unmapLogicalRange(stage1Domain, PAGE, 1), "TranslateS1 domain");
        check("MapIdentityRangeEx", success, iommu.mapIdentityRangeEx(stage1Domain, 3, physical),
            "TranslateS1 domain");
        check("UnmapIdentityRangeEx", success, iommu.unmapIdentityRangeEx(stage1Domain, physical),
            "TranslateS1 domain");
        final Ref<IommuDmaLogicalAddressToken> token = new Ref<>();
        check("ReserveLogicalAddressRange", success, iommu.reserveLogicalAddressRange(stage1Domain, PAGE,
            new LongRef(PAGE), null, null, token), "TranslateS1 domain");
        check("FreeReservedLogicalAddressRange", success, iommu.freeReservedLogicalAddressRange(token.get()),
            "TranslateS1 domain");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Teardown
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Detaches, unregisters and deletes the parent (its sub-devices already gone), lifts the restriction, and
     * deletes the two domains.
     */
    void cleanUp()
    {
        if (state.parentOn != StressV3PasidOps.NONE)
        {
            check("DetachDeviceEx", NtStatus.STATUS_SUCCESS, v3.detachDeviceEx(state.parent), "cleanup");
            state.parentOn = StressV3PasidOps.NONE;
        }
        if (registered)
        {
            check("UnregisterInterfaceStateChangeCallback", NtStatus.STATUS_SUCCESS,
                v3.unregisterInterfaceStateChangeCallback(callback, state.parent), "cleanup");
            registered = false;
        }
        run.restrict(pdo, -1);
        check("DeleteDevice", NtStatus.STATUS_SUCCESS, v3.deleteDevice(state.parent), "cleanup");
        check("DeleteDomain", NtStatus.STATUS_SUCCESS, v3.deleteDomain(state.translateDomain), "cleanup");
        check("DeleteDomain", NtStatus.STATUS_SUCCESS, v3.deleteDomain(state.stage1Domain), "cleanup");
        state.model.clear();
    }
}
