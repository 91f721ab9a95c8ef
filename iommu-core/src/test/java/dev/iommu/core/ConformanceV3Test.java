/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.FaultInformation;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static dev.iommu.core.ConformanceCases.arm;
import static dev.iommu.core.ConformanceCases.x64;
import static dev.iommu.api.IommuPermissions.READ;
import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.IommuPermissions.WRITE;
import static dev.iommu.api.NtStatus.STATUS_ACCESS_DENIED;
import static dev.iommu.api.NtStatus.STATUS_BUFFER_TOO_SMALL;
import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_NONE_MAPPED;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.contiguous;
import static dev.iommu.core.V2Rig.output;
import static dev.iommu.core.V2Rig.pfns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance table of the five {@code DMA_IOMMU_INTERFACE_V3} members (spec 2.30 to 2.34, 3.9, 3.10): one
 * case per documented status of CreatePasidDevice, DeletePasidDevice, AttachPasidDevice, DetachPasidDevice and
 * QueryDeviceInfo, one per choice {@link PasidRules} records for spec 5.7 (items 48 to 51) and 5.2 item 9, and the
 * device side of PASIDs ({@link IommuEmulator#translate(IommuDmaDevice, int, long, int)}: which domain a tagged or
 * untagged access walks, and which faults are reported). Each case is named {@code <Member>_<STATUS>_<what>} (a
 * choice: {@code <Member>_<STATUS>_CHOICE_<what>} or {@code <Member>_CHOICE_<what>}), runs on a fresh emulator,
 * asserts the exact status, and for a refusal asserts through {@link V2Rig#refused} that nothing changed all the
 * way down (live PASID sub-devices and per-device sub-device counts, domains' attached counts, tokens, IOVA, mapped
 * pages, watched translations), plus a check of its own where one is cheap (an ASID reused, a holder left empty).
 */
class ConformanceV3Test
{
    private static final long A = 0x10_0000L;
    private static final long B = 0x20_0000L;
    private static final long C = 0x30_0000L;
    private static final long FRAME = 0x4000;
    private static final int NO_PASID = IommuEmulator.NO_PASID;

    // ------------------------------------------------------------------------------------------------------------
    // Rigs and helpers
    // ------------------------------------------------------------------------------------------------------------

    private static DynamicTest narrow(final String name, final Consumer<V2Rig> body)
    {
        return on(name, () -> narrowRig(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)), body);
    }

    private static DynamicTest on(final String name, final Supplier<V2Rig> rig, final Consumer<V2Rig> body)
    {
        return DynamicTest.dynamicTest(name, () ->
        {
            try (V2Rig r = rig.get())
            {
                assertNotNull(r.v3, "the platform offers V3");
                body.accept(r);
            }
        });
    }

    /**
     * An x64 machine with IOMMUs of three PASID widths, all with the device-id lookup: {@code vtd0} (20 bits,
     * device {@code nic}), {@code narrow} (2 bits: PASIDs 1 to 3; devices {@code a} and {@code b}) and
     * {@code flat} (no PASIDs; device {@code plain}).
     */
    private static V2Rig narrowRig(final ResourceLimits limits)
    {
        return new V2Rig(Platform.builder()
            .architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
            .iommu("narrow", 0xFED7_0000L, 48, PageSizes.ALLOW_ALL, 2, true, 2)
            .iommu("flat", 0xFED6_0000L, 48, PageSizes.ALLOW_ALL, 0, true, 3)
            .pci("nic", 0, 1, 0, 0, "vtd0", false)
            .pci("a", 2, 1, 0, 0, "narrow", false)
            .pci("b", 2, 2, 0, 0, "narrow", false)
            .pci("plain", 3, 1, 0, 0, "flat", false)
            .dmaGuard(true)
            .limits(limits)
            .build());
    }

    private static IommuDeviceCreationConfiguration config(final IommuPasidConfigurationType type,
        final boolean suppressPasidFaults)
    {
        return new IommuDeviceCreationConfiguration().pasid(type, suppressPasidFaults);
    }

    private static IommuDmaDevice device(final V2Rig r, final String name,
        final IommuDeviceCreationConfiguration config)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.iommu.createDevice(r.platform.device(name), config, out),
            "CreateDevice " + name);
        return out.get();
    }

    /** A device created for PASID-tagged DMA, PASID faults reported. */
    private static IommuDmaDevice tagged(final V2Rig r, final String name)
    {
        return device(r, name, config(IommuPasidConfigurationType.PASID_TAGGED_DMA, false));
    }

    /** CreatePasidDevice, asserting success and the ASID. */
    private static IommuDmaPasidDevice sub(final V2Rig r, final IommuDmaDevice parent, final int expectedAsid)
    {
        final Ref<IommuDmaPasidDevice> out = new Ref<>();
        final IntRef asid = new IntRef();
        r.expect("CreatePasidDevice", STATUS_SUCCESS, () -> r.v3.createPasidDevice(parent, out, asid));
        assertNotNull(out.get(), "PasidDeviceOut");
        assertEquals(expectedAsid, asid.get(), "AsidOut");
        return out.get();
    }

    private static int createSub(final V2Rig r, final IommuDmaDevice parent)
    {
        return r.v3.createPasidDevice(parent, new Ref<>(), new IntRef());
    }

    private static void attachSub(final V2Rig r, final IommuDmaDomain domain, final IommuDmaPasidDevice sub)
    {
        r.expect("AttachPasidDevice", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(domain, sub));
    }

    /** A Translate domain with {@code frame} mapped at {@code iova} (one page, read-write, watched). */
    private static IommuDmaDomain mapped(final V2Rig r, final long iova, final long frame)
    {
        final IommuDmaDomain d = r.explicitDomain();
        r.mapAt(d, iova, frame, 1);
        return d;
    }

    /** The output address a read of {@code iova} tagged with {@code pasid} reaches, or -1 for a fault. */
    private static long seen(final V2Rig r, final IommuDmaDevice device, final int pasid, final long iova)
    {
        final long t = r.emulator.translate(device, pasid, iova, READ);
        return DmaTranslation.isFault(t) ? -1 : DmaTranslation.outputAddress(t, iova);
    }

    private static void assertNotPresent(final V2Rig r, final IommuDmaDevice device, final int pasid,
        final long iova, final String what)
    {
        final long t = r.emulator.translate(device, pasid, iova, READ);
        assertTrue(DmaTranslation.isFault(t), what + ": faults");
        assertEquals(DmaTranslation.FAULT_NOT_PRESENT, DmaTranslation.faultReason(t), what + ": not present");
    }

    private static int query(final V2Rig r, final IommuDmaDevice device, final IommuDmaDeviceInformation info)
    {
        return r.v3.queryDeviceInfo(device, IommuDmaDeviceInformation.SIZE_X64, new IntRef(), info);
    }

    private static IommuDmaDeviceInformation allTrue()
    {
        return new IommuDmaDeviceInformation().defaultPasidEnabled(true).pasidTaggedDmaEnabled(true)
            .pasidFaultsSuppressed(true);
    }

    private static void assertInfo(final IommuDmaDeviceInformation info, final boolean defaultPasid,
        final boolean tagged, final boolean suppressed)
    {
        assertEquals(defaultPasid, info.defaultPasidEnabled(), "DefaultPasidEnabled");
        assertEquals(tagged, info.pasidTaggedDmaEnabled(), "PasidTaggedDmaEnabled");
        assertEquals(suppressed, info.pasidFaultsSuppressed(), "PasidFaultsSuppressed");
    }

    /** What a device's fault handler saw: per fault, the domain, the address and IsStage1. */
    private static final class FaultLog
    {
        final List<IommuDmaDomain> domains = new ArrayList<>();
        final List<Long> addresses = new ArrayList<>();
        final List<Boolean> stage1 = new ArrayList<>();

        DeviceFaultConfiguration config()
        {
            return new DeviceFaultConfiguration().faultContext(this)
                .faultHandler((final Object context, final FaultInformation info) ->
                {
                    domains.add(info.x64().domainHandle());
                    addresses.add(info.x64().faultAddress());
                    stage1.add(info.isStage1());
                });
        }

        void deliver(final V2Rig r)
        {
            while (r.emulator.deliverNotifications() > 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> conformanceV3()
    {
        final List<DynamicTest> cases = new ArrayList<>();
        acquisition(cases);
        createPasidDevice(cases);
        deletePasidDevice(cases);
        attachPasidDevice(cases);
        detachPasidDevice(cases);
        queryDeviceInfo(cases);
        parentsAndDomains(cases);
        translateS1(cases);
        deviceSide(cases);
        faultReporting(cases);
        return cases.stream();
    }

    @Test
    void caseNamesAreUniqueAndFollowTheScheme()
    {
        ConformanceCases.assertNamesFollowTheScheme(conformanceV3(), 45);
    }

    /**
     * Spec 3.9: with SuppressPasidFaults FALSE, faults of PASID-tagged DMA are "fatal and reported", also when the
     * PASID reaches no domain (unknown, or its sub-device not attached): reported with a null DomainHandle. This
     * test found them silent ({@link DeviceDma} reported only faults that reached a domain).
     */
    @Test
    void pasidTaggedFaultsThatReachNoDomainAreReported()
    {
        try (V2Rig r = V2Rig.x64())
        {
            final IommuDmaDomain d = mapped(r, C, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
            sub(r, nic, 1);
            final FaultLog log = new FaultLog();
            r.expect("enable", STATUS_SUCCESS, () -> r.emulator.setDeviceFaultReporting(nic, true, log.config()));
            assertNotPresent(r, nic, 77, A, "unknown PASID");
            assertNotPresent(r, nic, 1, B, "PASID of a sub-device not attached");
            log.deliver(r);
            assertEquals(List.of(A, B), log.addresses,
                "SuppressPasidFaults is FALSE and reporting is on: PASID-tagged faults are reported");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // IoGetIommuInterfaceEx(3) (spec 1.1, 5.1 item 5)
    // ------------------------------------------------------------------------------------------------------------

    private static void acquisition(final List<DynamicTest> c)
    {
        c.add(x64("IoGetIommuInterfaceEx_STATUS_SUCCESS_CHOICE_v3TableViewsTheSameEmulator", r ->
        {
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            r.expect("version 3", STATUS_SUCCESS, () -> r.emulator.ioGetIommuInterfaceEx(3, 0, ex));
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("CreateDomainEx by V3", STATUS_SUCCESS,
                () -> ex.v3().createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, out));
            r.expect("DeleteDomain by V2", STATUS_SUCCESS, () -> r.iommu.deleteDomain(out.get()));
            assertEquals(0, r.emulator.liveDomains());
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // CreatePasidDevice (spec 2.30, 5.7 item 48)
    // ------------------------------------------------------------------------------------------------------------

    private static void createPasidDevice(final List<DynamicTest> c)
    {
        c.add(x64("CreatePasidDevice_STATUS_SUCCESS_firstAsidIsOne", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            sub(r, nic, 1);
            assertEquals(1, r.emulator.livePasidDevices());
        }));
        c.add(x64("CreatePasidDevice_STATUS_SUCCESS_CHOICE_lowestFreeFirstAndReusedAfterDelete", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            sub(r, nic, 1);
            final IommuDmaPasidDevice second = sub(r, nic, 2);
            sub(r, nic, 3);
            r.expect("delete 2", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(second));
            sub(r, nic, 2);
            sub(r, nic, 4);
            assertEquals(4, r.emulator.livePasidDevices());
        }));
        c.add(x64("CreatePasidDevice_STATUS_SUCCESS_CHOICE_oneSpaceAcrossDevices", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaDevice disk = tagged(r, "disk");
            final IommuDmaPasidDevice first = sub(r, nic, 1);
            sub(r, disk, 2);
            sub(r, nic, 3);
            r.expect("delete nic's 1", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(first));
            sub(r, disk, 1);
        }));
        c.add(x64("CreatePasidDevice_STATUS_SUCCESS_CHOICE_suppressedFaultsDevice", r ->
            sub(r, device(r, "nic", config(IommuPasidConfigurationType.PASID_TAGGED_DMA, true)), 1)));
        c.add(arm("CreatePasidDevice_STATUS_SUCCESS_arm64Smmu", r ->
            sub(r, device(r, "pci", config(IommuPasidConfigurationType.PASID_TAGGED_DMA, false)), 1)));
        c.add(x64("CreatePasidDevice_STATUS_INVALID_PARAMETER_1_noPasidConfig", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Ref<IommuDmaPasidDevice> out = new Ref<>();
            final IntRef asid = new IntRef().set(99);
            r.refused("no PASID config", STATUS_INVALID_PARAMETER_1, () -> r.v3.createPasidDevice(nic, out, asid));
            assertNull(out.get(), "PasidDeviceOut left empty");
            assertEquals(99, asid.get(), "AsidOut left alone");
        }));
        c.add(x64("CreatePasidDevice_STATUS_INVALID_PARAMETER_1_defaultPasidOnly", r ->
        {
            final IommuDmaDevice nic = device(r, "nic", config(IommuPasidConfigurationType.DEFAULT_PASID_ONLY, false));
            r.refused("DefaultPasidOnly", STATUS_INVALID_PARAMETER_1, () -> createSub(r, nic));
        }));
        c.add(narrow("CreatePasidDevice_STATUS_INVALID_PARAMETER_1_iommuWithoutPasids", r ->
        {
            final IommuDmaDevice plain = r.device("plain");
            r.refused("flat IOMMU", STATUS_INVALID_PARAMETER_1, () -> createSub(r, plain));
        }));
        c.add(x64("CreatePasidDevice_STATUS_INVALID_PARAMETER_1_CHOICE_configBeforeOutParameters", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("no config, no outs", STATUS_INVALID_PARAMETER_1, () -> r.v3.createPasidDevice(nic, null, null));
        }));
        c.add(x64("CreatePasidDevice_STATUS_INVALID_PARAMETER_CHOICE_nullToken", r ->
        {
            sub(r, tagged(r, "nic"), 1);
            r.refused("null", STATUS_INVALID_PARAMETER, () -> createSub(r, null));
        }));
        c.add(x64("CreatePasidDevice_STATUS_INVALID_PARAMETER_CHOICE_deletedToken", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            sub(r, tagged(r, "disk"), 1);
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> createSub(r, nic));
        }));
        c.add(x64("CreatePasidDevice_STATUS_INVALID_PARAMETER_CHOICE_foreignToken", r ->
        {
            try (V2Rig other = V2Rig.x64())
            {
                final IommuDmaDevice foreign = tagged(other, "nic");
                r.refused("other emulator", STATUS_INVALID_PARAMETER, () -> createSub(r, foreign));
                assertEquals(0, other.emulator.livePasidDevices());
            }
        }));
        c.add(x64("CreatePasidDevice_STATUS_INVALID_PARAMETER_CHOICE_forgedToken", r ->
            r.refused("forged", STATUS_INVALID_PARAMETER, () -> createSub(r, new IommuDmaDevice()
            {
            }))));
        c.add(x64("CreatePasidDevice_STATUS_INVALID_PARAMETER_CHOICE_v1AttachedDevice", r ->
        {
            r.expect("V1 AttachDevice", STATUS_SUCCESS,
                () -> r.v1.attachDevice(r.explicitDomain(), r.platform.device("disk"), 0, 1));
            final IommuDmaDevice v1 = r.emulator.dmaDeviceOf(r.platform.device("disk"));
            assertNotNull(v1);
            r.refused("not a token", STATUS_INVALID_PARAMETER, () -> createSub(r, v1));
        }));
        c.add(x64("CreatePasidDevice_STATUS_INVALID_PARAMETER_2_noPasidDeviceOut", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IntRef asid = new IntRef().set(99);
            r.refused("no PasidDeviceOut", STATUS_INVALID_PARAMETER_2, () -> r.v3.createPasidDevice(nic, null, asid));
            assertEquals(99, asid.get(), "AsidOut left alone");
            sub(r, nic, 1);
        }));
        c.add(x64("CreatePasidDevice_STATUS_INVALID_PARAMETER_3_noAsidOut", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final Ref<IommuDmaPasidDevice> out = new Ref<>();
            r.refused("no AsidOut", STATUS_INVALID_PARAMETER_3, () -> r.v3.createPasidDevice(nic, out, null));
            assertNull(out.get(), "PasidDeviceOut left empty");
            sub(r, nic, 1);
        }));
        c.add(narrow("CreatePasidDevice_STATUS_NONE_MAPPED_pasidWidthExhausted", r ->
        {
            final IommuDmaDevice a = tagged(r, "a");
            sub(r, a, 1);
            final IommuDmaPasidDevice second = sub(r, a, 2);
            sub(r, a, 3);
            final Ref<IommuDmaPasidDevice> out = new Ref<>();
            r.refused("2-bit PASIDs: 1 to 3 taken", STATUS_NONE_MAPPED,
                () -> r.v3.createPasidDevice(a, out, new IntRef()));
            assertNull(out.get());
            r.expect("delete 2", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(second));
            sub(r, a, 2);
        }));
        c.add(narrow("CreatePasidDevice_STATUS_NONE_MAPPED_CHOICE_narrowIommuSharesTheEmulatorWideSpace", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaDevice b = tagged(r, "b");
            sub(r, nic, 1);
            final IommuDmaPasidDevice second = sub(r, nic, 2);
            sub(r, nic, 3);
            r.refused("ids below 4 all taken", STATUS_NONE_MAPPED, () -> createSub(r, b));
            sub(r, nic, 4);
            r.expect("free 2", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(second));
            sub(r, b, 2);
        }));
        c.add(on("CreatePasidDevice_STATUS_INSUFFICIENT_RESOURCES_subDeviceLimit",
            () -> V2Rig.x64(new ResourceLimits(64, 64, V2Rig.SMALL_TABLE_PAGES, 4, 2)), r ->
            {
                final IommuDmaDevice nic = tagged(r, "nic");
                final IommuDmaDevice disk = tagged(r, "disk");
                final IommuDmaPasidDevice first = sub(r, nic, 1);
                sub(r, disk, 2);
                r.refused("third", STATUS_INSUFFICIENT_RESOURCES, () -> createSub(r, disk));
                r.expect("delete one", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(first));
                sub(r, disk, 1);
            }));
        c.add(on("CreatePasidDevice_STATUS_INSUFFICIENT_RESOURCES_CHOICE_limitBeforeExhaustedSpace",
            () -> narrowRig(new ResourceLimits(64, 64, V2Rig.SMALL_TABLE_PAGES, 4, 3)), r ->
            {
                final IommuDmaDevice a = tagged(r, "a");
                sub(r, a, 1);
                sub(r, a, 2);
                sub(r, a, 3);
                r.refused("limit and space both reached", STATUS_INSUFFICIENT_RESOURCES, () -> createSub(r, a));
            }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // DeletePasidDevice (spec 2.31, 1.5 rule 3)
    // ------------------------------------------------------------------------------------------------------------

    private static void deletePasidDevice(final List<DynamicTest> c)
    {
        c.add(x64("DeletePasidDevice_STATUS_SUCCESS_asidReleased", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            r.expect("delete", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(s));
            assertEquals(0, r.emulator.livePasidDevices());
            assertNotPresent(r, nic, 1, A, "PASID 1 is gone");
            sub(r, nic, 1);
        }));
        c.add(x64("DeletePasidDevice_STATUS_RESOURCE_IN_USE_stillAttached", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            attachSub(r, d, s);
            r.refused("attached", STATUS_RESOURCE_IN_USE, () -> r.v3.deletePasidDevice(s));
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A), "the sub-device still translates");
            r.expect("detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            r.expect("delete", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(s));
        }));
        c.add(x64("DeletePasidDevice_STATUS_RESOURCE_IN_USE_CHOICE_attachedToTranslateS1", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
            attachSub(r, d, s);
            r.refused("attached", STATUS_RESOURCE_IN_USE, () -> r.v3.deletePasidDevice(s));
        }));
        c.add(x64("DeletePasidDevice_STATUS_INVALID_PARAMETER_CHOICE_deletedTwice", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            r.expect("delete", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(s));
            sub(r, nic, 1);
            r.refused("twice", STATUS_INVALID_PARAMETER, () -> r.v3.deletePasidDevice(s));
            assertEquals(1, r.emulator.livePasidDevices(), "the new PASID 1 survives");
        }));
        c.add(x64("DeletePasidDevice_STATUS_INVALID_PARAMETER_CHOICE_nullSubDevice", r ->
        {
            sub(r, tagged(r, "nic"), 1);
            r.refused("null", STATUS_INVALID_PARAMETER, () -> r.v3.deletePasidDevice(null));
        }));
        c.add(x64("DeletePasidDevice_STATUS_INVALID_PARAMETER_CHOICE_foreignSubDevice", r ->
        {
            try (V2Rig other = V2Rig.x64())
            {
                final IommuDmaPasidDevice foreign = sub(other, tagged(other, "nic"), 1);
                sub(r, tagged(r, "nic"), 1);
                r.refused("other emulator", STATUS_INVALID_PARAMETER, () -> r.v3.deletePasidDevice(foreign));
                assertEquals(1, other.emulator.livePasidDevices());
            }
        }));
        c.add(x64("DeletePasidDevice_STATUS_INVALID_PARAMETER_CHOICE_forgedSubDevice", r ->
        {
            sub(r, tagged(r, "nic"), 1);
            r.refused("forged", STATUS_INVALID_PARAMETER, () -> r.v3.deletePasidDevice(new IommuDmaPasidDevice()
            {
            }));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // AttachPasidDevice (spec 2.32, 5.7 items 49 and 50)
    // ------------------------------------------------------------------------------------------------------------

    private static void attachPasidDevice(final List<DynamicTest> c)
    {
        c.add(x64("AttachPasidDevice_STATUS_SUCCESS_translate", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            assertEquals(-1, seen(r, nic, 1, A), "unattached: blocked");
            r.expect("attach", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A));
        }));
        c.add(x64("AttachPasidDevice_STATUS_SUCCESS_translateS1", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            r.expect("attach", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            assertNotPresent(r, nic, 1, A, "an S1 domain the library maps nothing into");
            r.refused("counts as attached", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("AttachPasidDevice_STATUS_SUCCESS_CHOICE_parentsOwnDomain", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = device(r, "nic", config(IommuPasidConfigurationType.PASID_TAGGED_DMA, false));
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            r.expect("sub-device joins", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            assertEquals(FRAME * PAGE, seen(r, nic, NO_PASID, A));
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A));
            r.expect("parent leaves", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
            r.refused("the sub-device still holds it", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("AttachPasidDevice_STATUS_SUCCESS_CHOICE_parentNotAttached", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            r.expect("attach", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A), "tagged works");
            assertEquals(-1, r.seen(nic, A), "untagged: the parent is blocked");
        }));
        c.add(x64("AttachPasidDevice_STATUS_SUCCESS_CHOICE_parentDetachLeavesSubDevice", r ->
        {
            final IommuDmaDomain dp = mapped(r, A, FRAME);
            final IommuDmaDomain ds = mapped(r, A, FRAME + 1);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(dp, nic));
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            attachSub(r, ds, s);
            r.expect("parent detaches", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
            assertEquals(-1, r.seen(nic, A));
            assertEquals((FRAME + 1) * PAGE, seen(r, nic, 1, A));
        }));
        c.add(x64("AttachPasidDevice_STATUS_SUCCESS_CHOICE_externalDeviceUnderDmaGuard", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice ext = tagged(r, "ext");
            final IommuDmaPasidDevice s = sub(r, ext, 1);
            r.expect("Translate is offered", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            assertEquals(FRAME * PAGE, seen(r, ext, 1, A));
        }));
        c.add(x64("AttachPasidDevice_STATUS_SUCCESS_CHOICE_twoSubDevicesOneDomain", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s1 = sub(r, nic, 1);
            final IommuDmaPasidDevice s2 = sub(r, nic, 2);
            attachSub(r, d, s1);
            r.expect("second", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s2));
            assertEquals(FRAME * PAGE, seen(r, nic, 2, A));
            r.expect("detach first", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s1));
            r.refused("the second still holds it", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("AttachPasidDevice_STATUS_INVALID_PARAMETER_1_passThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> r.v3.attachPasidDevice(d, s));
            assertEquals(-1, seen(r, nic, 1, 0x5000), "still blocked, not the identity");
            r.expect("not attached", STATUS_INVALID_PARAMETER_1, () -> r.v3.detachPasidDevice(s));
        }));
        c.add(arm("AttachPasidDevice_STATUS_INVALID_PARAMETER_1_unmanaged", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            final IommuDmaPasidDevice s =
                sub(r, device(r, "pci", config(IommuPasidConfigurationType.PASID_TAGGED_DMA, false)), 1);
            r.refused("Unmanaged", STATUS_INVALID_PARAMETER_1, () -> r.v3.attachPasidDevice(d, s));
        }));
        c.add(x64("AttachPasidDevice_STATUS_INVALID_PARAMETER_1_CHOICE_typeBeforeAlreadyAttached", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDomain pt = r.domain(IommuDmaDomainType.PASS_THROUGH);
            final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
            attachSub(r, d, s);
            r.refused("attached, to PassThrough", STATUS_INVALID_PARAMETER_1, () -> r.v3.attachPasidDevice(pt, s));
        }));
        c.add(x64("AttachPasidDevice_STATUS_UNSUCCESSFUL_alreadyAttachedSameDomain", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
            attachSub(r, d, s);
            r.refused("again", STATUS_UNSUCCESSFUL, () -> r.v3.attachPasidDevice(d, s));
            r.expect("one detach suffices", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            r.expect("domain free", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("AttachPasidDevice_STATUS_UNSUCCESSFUL_alreadyAttachedOtherDomain", r ->
        {
            final IommuDmaDomain d1 = mapped(r, A, FRAME);
            final IommuDmaDomain d2 = mapped(r, A, FRAME + 1);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            attachSub(r, d1, s);
            r.refused("attached elsewhere", STATUS_UNSUCCESSFUL, () -> r.v3.attachPasidDevice(d2, s));
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A), "still the first domain");
            r.expect("d2 has no device", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d2));
        }));
        c.add(x64("AttachPasidDevice_STATUS_UNSUCCESSFUL_CHOICE_alreadyAttachedBeforePolicy", r ->
        {
            final IommuDmaDomain d1 = mapped(r, A, FRAME);
            final IommuDmaDomain d2 = r.explicitDomain();
            final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
            attachSub(r, d1, s);
            r.platform.policy().restrict(r.platform.device("nic"), 0);
            r.refused("attached and withheld", STATUS_UNSUCCESSFUL, () -> r.v3.attachPasidDevice(d2, s));
        }));
        c.add(x64("AttachPasidDevice_STATUS_ACCESS_DENIED_policyWithholdsTranslateS1", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
            r.platform.policy().restrict(r.platform.device("nic"), IommuDmaDomainType.TRANSLATE.mask());
            r.refused("S1 withheld", STATUS_ACCESS_DENIED, () -> r.v3.attachPasidDevice(d, s));
            r.platform.policy().restrict(r.platform.device("nic"), -1);
            r.expect("lifted", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
        }));
        c.add(x64("AttachPasidDevice_STATUS_ACCESS_DENIED_policyWithholdsTranslate", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            r.platform.policy().restrict(r.platform.device("nic"), IommuDmaDomainType.TRANSLATE_S1.mask());
            r.refused("Translate withheld", STATUS_ACCESS_DENIED, () -> r.v3.attachPasidDevice(d, s));
            assertEquals(-1, seen(r, nic, 1, A), "still blocked");
        }));
        c.add(x64("AttachPasidDevice_STATUS_INVALID_PARAMETER_CHOICE_nullDomain", r ->
        {
            final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
            r.refused("null domain", STATUS_INVALID_PARAMETER, () -> r.v3.attachPasidDevice(null, s));
        }));
        c.add(x64("AttachPasidDevice_STATUS_INVALID_PARAMETER_CHOICE_nullSubDevice", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            sub(r, tagged(r, "nic"), 1);
            r.refused("null sub-device", STATUS_INVALID_PARAMETER, () -> r.v3.attachPasidDevice(d, null));
        }));
        c.add(x64("AttachPasidDevice_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            r.refused("deleted domain", STATUS_INVALID_PARAMETER, () -> r.v3.attachPasidDevice(d, s));
            r.expect("not attached", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(s));
        }));
        c.add(x64("AttachPasidDevice_STATUS_INVALID_PARAMETER_CHOICE_deletedSubDevice", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            r.expect("delete", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(s));
            r.refused("deleted sub-device", STATUS_INVALID_PARAMETER, () -> r.v3.attachPasidDevice(d, s));
            assertEquals(-1, seen(r, nic, 1, A));
            r.expect("no device counted", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("AttachPasidDevice_STATUS_INVALID_PARAMETER_CHOICE_foreignDomain", r ->
        {
            try (V2Rig other = V2Rig.x64())
            {
                final IommuDmaDomain foreign = other.explicitDomain();
                final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
                r.refused("other emulator", STATUS_INVALID_PARAMETER, () -> r.v3.attachPasidDevice(foreign, s));
                r.expect("foreign domain free", STATUS_SUCCESS, () -> other.iommu.deleteDomain(foreign));
            }
        }));
        c.add(x64("AttachPasidDevice_STATUS_INVALID_PARAMETER_CHOICE_foreignSubDevice", r ->
        {
            try (V2Rig other = V2Rig.x64())
            {
                final IommuDmaPasidDevice foreign = sub(other, tagged(other, "nic"), 1);
                final IommuDmaDomain d = mapped(r, A, FRAME);
                r.refused("other emulator", STATUS_INVALID_PARAMETER, () -> r.v3.attachPasidDevice(d, foreign));
                r.expect("foreign sub-device free", STATUS_SUCCESS, () -> other.v3.deletePasidDevice(foreign));
            }
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // DetachPasidDevice (spec 2.33)
    // ------------------------------------------------------------------------------------------------------------

    private static void detachPasidDevice(final List<DynamicTest> c)
    {
        c.add(x64("DetachPasidDevice_STATUS_SUCCESS_dmaFaultsAfterwards", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            attachSub(r, d, s);
            r.expect("detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            assertNotPresent(r, nic, 1, A, "detached");
            assertEquals(FRAME * PAGE, output(d, A), "the mapping stays in the domain");
            r.expect("domain free", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            r.expect("sub-device deletable", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(s));
        }));
        c.add(x64("DetachPasidDevice_STATUS_SUCCESS_CHOICE_parentUnaffected", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            attachSub(r, d, s);
            r.expect("detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            assertEquals(FRAME * PAGE, r.seen(nic, A), "the parent still translates");
            assertEquals(-1, seen(r, nic, 1, A));
        }));
        c.add(x64("DetachPasidDevice_STATUS_SUCCESS_CHOICE_reattachElsewhere", r ->
        {
            final IommuDmaDomain d1 = mapped(r, A, FRAME);
            final IommuDmaDomain d2 = mapped(r, A, FRAME + 1);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            attachSub(r, d1, s);
            r.expect("detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            r.expect("attach elsewhere", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d2, s));
            assertEquals((FRAME + 1) * PAGE, seen(r, nic, 1, A));
        }));
        c.add(x64("DetachPasidDevice_STATUS_INVALID_PARAMETER_1_neverAttached", r ->
        {
            final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
            r.refused("never attached", STATUS_INVALID_PARAMETER_1, () -> r.v3.detachPasidDevice(s));
        }));
        c.add(x64("DetachPasidDevice_STATUS_INVALID_PARAMETER_1_detachedTwice", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
            attachSub(r, d, s);
            r.expect("detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            r.refused("twice", STATUS_INVALID_PARAMETER_1, () -> r.v3.detachPasidDevice(s));
            r.expect("count not driven negative", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("DetachPasidDevice_STATUS_INVALID_PARAMETER_CHOICE_nullSubDevice", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            attachSub(r, d, sub(r, tagged(r, "nic"), 1));
            r.refused("null", STATUS_INVALID_PARAMETER, () -> r.v3.detachPasidDevice(null));
        }));
        c.add(x64("DetachPasidDevice_STATUS_INVALID_PARAMETER_CHOICE_deletedSubDevice", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            r.expect("delete", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(s));
            attachSub(r, mapped(r, A, FRAME), sub(r, nic, 1));
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> r.v3.detachPasidDevice(s));
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A), "the new PASID 1 stays attached");
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // QueryDeviceInfo (spec 2.34, 3.10, 5.7 item 51)
    // ------------------------------------------------------------------------------------------------------------

    private static void queryInfo(final List<DynamicTest> c, final String name,
        final IommuPasidConfigurationType type, final boolean suppress, final boolean defaultPasid,
        final boolean tagged)
    {
        c.add(x64(name, r ->
        {
            final IommuDmaDevice nic = device(r, "nic", null == type ? null : config(type, suppress));
            final IommuDmaDeviceInformation info = null == type ? allTrue() : new IommuDmaDeviceInformation();
            final IntRef written = new IntRef().set(99);
            r.expect("query", STATUS_SUCCESS,
                () -> r.v3.queryDeviceInfo(nic, IommuDmaDeviceInformation.SIZE_X64, written, info));
            assertEquals(3, written.get(), "BytesWritten");
            assertInfo(info, defaultPasid, tagged, suppress);
        }));
    }

    private static void queryDeviceInfo(final List<DynamicTest> c)
    {
        queryInfo(c, "QueryDeviceInfo_STATUS_SUCCESS_CHOICE_noPasidConfigAllFalse", null, false, false, false);
        queryInfo(c, "QueryDeviceInfo_STATUS_SUCCESS_defaultPasidOnly",
            IommuPasidConfigurationType.DEFAULT_PASID_ONLY, false, true, false);
        queryInfo(c, "QueryDeviceInfo_STATUS_SUCCESS_defaultPasidOnlySuppressed",
            IommuPasidConfigurationType.DEFAULT_PASID_ONLY, true, true, false);
        queryInfo(c, "QueryDeviceInfo_STATUS_SUCCESS_pasidTaggedDma",
            IommuPasidConfigurationType.PASID_TAGGED_DMA, false, true, true);
        queryInfo(c, "QueryDeviceInfo_STATUS_SUCCESS_pasidTaggedDmaSuppressed",
            IommuPasidConfigurationType.PASID_TAGGED_DMA, true, true, true);
        c.add(narrow("QueryDeviceInfo_STATUS_SUCCESS_CHOICE_iommuWithoutPasidsAllFalse", r ->
        {
            final IommuDmaDeviceInformation info = allTrue();
            r.expect("query", STATUS_SUCCESS, () -> query(r, r.device("plain"), info));
            assertInfo(info, false, false, false);
        }));
        c.add(x64("QueryDeviceInfo_STATUS_SUCCESS_CHOICE_largerSizeWritesThreeBytes", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IntRef written = new IntRef();
            final IommuDmaDeviceInformation info = new IommuDmaDeviceInformation();
            r.expect("Size 64", STATUS_SUCCESS, () -> r.v3.queryDeviceInfo(nic, 64, written, info));
            assertEquals(3, written.get());
            assertInfo(info, true, true, false);
        }));
        c.add(x64("QueryDeviceInfo_STATUS_SUCCESS_CHOICE_subDevicesDoNotChangeIt", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            attachSub(r, mapped(r, A, FRAME), sub(r, nic, 1));
            final IommuDmaDeviceInformation info = new IommuDmaDeviceInformation();
            r.expect("query", STATUS_SUCCESS, () -> query(r, nic, info));
            assertInfo(info, true, true, false);
        }));
        c.add(x64("QueryDeviceInfo_STATUS_BUFFER_TOO_SMALL_sizeTwo", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final IntRef written = new IntRef().set(99);
            final IommuDmaDeviceInformation info = allTrue();
            r.refused("Size 2", STATUS_BUFFER_TOO_SMALL, () -> r.v3.queryDeviceInfo(nic, 2, written, info));
            assertEquals(0, written.get(), "*BytesWritten = 0");
            assertInfo(info, true, true, true);
        }));
        c.add(x64("QueryDeviceInfo_STATUS_BUFFER_TOO_SMALL_sizeZero", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IntRef written = new IntRef().set(99);
            r.refused("Size 0", STATUS_BUFFER_TOO_SMALL,
                () -> r.v3.queryDeviceInfo(nic, 0, written, new IommuDmaDeviceInformation()));
            assertEquals(0, written.get(), "*BytesWritten = 0");
        }));
        c.add(x64("QueryDeviceInfo_STATUS_BUFFER_TOO_SMALL_CHOICE_sizeBeforeBuffer", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IntRef written = new IntRef().set(99);
            r.refused("Size 1, no buffer", STATUS_BUFFER_TOO_SMALL, () -> r.v3.queryDeviceInfo(nic, 1, written, null));
            assertEquals(0, written.get(), "*BytesWritten = 0");
        }));
        c.add(x64("QueryDeviceInfo_STATUS_INVALID_PARAMETER_3_noBytesWritten", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final IommuDmaDeviceInformation info = allTrue();
            r.refused("no BytesWritten", STATUS_INVALID_PARAMETER_3,
                () -> r.v3.queryDeviceInfo(nic, IommuDmaDeviceInformation.SIZE_X64, null, info));
            assertInfo(info, true, true, true);
        }));
        c.add(x64("QueryDeviceInfo_STATUS_INVALID_PARAMETER_3_CHOICE_beforeBufferTooSmall", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            r.refused("no BytesWritten, Size 1", STATUS_INVALID_PARAMETER_3,
                () -> r.v3.queryDeviceInfo(nic, 1, null, new IommuDmaDeviceInformation()));
        }));
        c.add(x64("QueryDeviceInfo_STATUS_INVALID_PARAMETER_4_noBuffer", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            r.refused("no Buffer", STATUS_INVALID_PARAMETER_4,
                () -> r.v3.queryDeviceInfo(nic, IommuDmaDeviceInformation.SIZE_X64, new IntRef(), null));
        }));
        c.add(x64("QueryDeviceInfo_STATUS_INVALID_PARAMETER_CHOICE_nullToken", r ->
        {
            tagged(r, "nic");
            final IommuDmaDeviceInformation info = allTrue();
            r.refused("null", STATUS_INVALID_PARAMETER, () -> query(r, null, info));
            assertInfo(info, true, true, true);
        }));
        c.add(x64("QueryDeviceInfo_STATUS_INVALID_PARAMETER_CHOICE_deletedToken", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> query(r, nic, new IommuDmaDeviceInformation()));
        }));
        c.add(x64("QueryDeviceInfo_STATUS_INVALID_PARAMETER_CHOICE_v1AttachedDevice", r ->
        {
            r.expect("V1 AttachDevice", STATUS_SUCCESS,
                () -> r.v1.attachDevice(r.explicitDomain(), r.platform.device("disk"), 0, 1));
            final IommuDmaDevice v1 = r.emulator.dmaDeviceOf(r.platform.device("disk"));
            r.refused("not a token", STATUS_INVALID_PARAMETER, () -> query(r, v1, new IommuDmaDeviceInformation()));
        }));
        c.add(x64("QueryDeviceInfo_STATUS_INVALID_PARAMETER_CHOICE_foreignToken", r ->
        {
            try (V2Rig other = V2Rig.x64())
            {
                final IommuDmaDevice foreign = tagged(other, "nic");
                r.refused("other emulator", STATUS_INVALID_PARAMETER,
                    () -> query(r, foreign, new IommuDmaDeviceInformation()));
            }
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // The parent device and the domains (spec 2.29, 2.3, 1.5 rules 2 to 4, 5.2 item 9, 5.3 item 14)
    // ------------------------------------------------------------------------------------------------------------

    private static void parentsAndDomains(final List<DynamicTest> c)
    {
        c.add(x64("DeleteDevice_STATUS_RESOURCE_IN_USE_CHOICE_pasidSubDevicesAlive", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            r.refused("sub-device alive", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(nic));
            r.expect("delete the sub-device", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(s));
            r.expect("now the device", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            assertEquals(0, r.emulator.liveDevices());
        }));
        c.add(x64("DeleteDevice_STATUS_RESOURCE_IN_USE_CHOICE_subDeviceAttachedParentNot", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            attachSub(r, d, sub(r, nic, 1));
            r.refused("attached sub-device", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(nic));
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A), "the token still works");
        }));
        c.add(x64("DeleteDomain_STATUS_RESOURCE_IN_USE_CHOICE_pasidSubDeviceAttached", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            attachSub(r, d, s);
            r.refused("sub-device attached", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDomain(d));
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A), "the sub-device still translates");
            r.expect("detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("DeleteDomain_STATUS_RESOURCE_IN_USE_CHOICE_pasidSubDeviceOnTranslateS1", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaPasidDevice s = sub(r, tagged(r, "nic"), 1);
            attachSub(r, d, s);
            r.refused("sub-device attached", STATUS_RESOURCE_IN_USE, () -> r.v3.deleteDomain(d));
            r.expect("detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            r.expect("delete", STATUS_SUCCESS, () -> r.v3.deleteDomain(d));
        }));
        c.add(x64("AttachDeviceEx_STATUS_ACCESS_DENIED_CHOICE_translateS1OnlyForPasidDevices", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.refused("parent to S1", STATUS_ACCESS_DENIED, () -> r.v3.attachDeviceEx(d, nic));
            r.expect("its sub-device may", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, sub(r, nic, 1)));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // TranslateS1 domains and the mapping members (spec 1.4, 5.3 item 15)
    // ------------------------------------------------------------------------------------------------------------

    /** A TranslateS1 domain with a sub-device of nic attached. */
    private static IommuDmaDomain s1WithSubDevice(final V2Rig r)
    {
        final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
        attachSub(r, d, sub(r, tagged(r, "nic"), 1));
        return d;
    }

    private static void translateS1(final List<DynamicTest> c)
    {
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_1_CHOICE_translateS1", r ->
        {
            final IommuDmaDomain d = s1WithSubDevice(r);
            r.refused("S1", STATUS_INVALID_PARAMETER_1, () -> r.v3.mapLogicalRangeEx(d, READ_WRITE,
                contiguous(FRAME * PAGE, 1), new LongRef(A), null, null, new LongRef()));
            assertNotPresent(r, r.emulator.dmaDeviceOf(r.platform.device("nic")), 1, A, "nothing mapped");
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_1_CHOICE_translateS1AllocatorForm", r ->
        {
            final IommuDmaDomain d = s1WithSubDevice(r);
            r.refused("S1", STATUS_INVALID_PARAMETER_1,
                () -> r.v3.mapLogicalRangeEx(d, READ, pfns(FRAME), null, null, null, new LongRef()));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_1_CHOICE_v1OnTranslateS1", r ->
        {
            final IommuDmaDomain d = s1WithSubDevice(r);
            r.refused("V1 map on S1", STATUS_INVALID_PARAMETER_1,
                () -> r.v1.mapLogicalRange(d, READ, new Mdl().describe(new long[]{FRAME}, PAGE), A));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_1_CHOICE_translateS1", r ->
        {
            final IommuDmaDomain d = s1WithSubDevice(r);
            r.refused("S1", STATUS_INVALID_PARAMETER_1, () -> r.v3.unmapLogicalRange(d, A, 1));
        }));
        c.add(x64("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_1_CHOICE_translateS1", r ->
        {
            final IommuDmaDomain d = s1WithSubDevice(r);
            r.refused("S1", STATUS_INVALID_PARAMETER_1, () -> r.v3.mapIdentityRangeEx(d, READ, pfns(FRAME)));
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_1_CHOICE_translateS1", r ->
        {
            final IommuDmaDomain d = s1WithSubDevice(r);
            r.refused("S1", STATUS_INVALID_PARAMETER_1,
                () -> r.v3.reserveLogicalAddressRange(d, PAGE, new LongRef(A), null, null, new Ref<>()));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // The device side: which domain a tagged or untagged access walks (spec 5.7 items 48 and 50)
    // ------------------------------------------------------------------------------------------------------------

    private static void deviceSide(final List<DynamicTest> c)
    {
        c.add(x64("DeviceDma_CHOICE_taggedWalksTheSubDevicesDomainOnly", r ->
        {
            final IommuDmaDomain dp = mapped(r, A, FRAME);
            final IommuDmaDomain ds = mapped(r, A, FRAME + 1);
            r.mapAt(ds, B, FRAME + 2, 1);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(dp, nic));
            attachSub(r, ds, sub(r, nic, 1));
            assertEquals((FRAME + 1) * PAGE, seen(r, nic, 1, A), "tagged A: the sub-device's frame");
            assertEquals((FRAME + 2) * PAGE, seen(r, nic, 1, B), "tagged B");
            assertNotPresent(r, nic, NO_PASID, B, "B is not in the parent's domain");
            assertEquals(-1, r.seen(nic, B), "untagged form too");
        }));
        c.add(x64("DeviceDma_CHOICE_untaggedWalksTheParentsDomainOnly", r ->
        {
            final IommuDmaDomain dp = mapped(r, A, FRAME);
            r.mapAt(dp, C, FRAME + 3, 1);
            final IommuDmaDomain ds = mapped(r, A, FRAME + 1);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(dp, nic));
            attachSub(r, ds, sub(r, nic, 1));
            assertEquals(FRAME * PAGE, seen(r, nic, NO_PASID, A), "untagged A: the parent's frame");
            assertEquals(FRAME * PAGE, r.seen(nic, A));
            assertEquals((FRAME + 3) * PAGE, seen(r, nic, NO_PASID, C));
            assertNotPresent(r, nic, 1, C, "C is not in the sub-device's domain");
        }));
        c.add(x64("DeviceDma_CHOICE_pasidZeroIsTheDefaultPasid", r ->
        {
            final IommuDmaDomain dp = mapped(r, A, FRAME);
            final IommuDmaDomain ds = mapped(r, A, FRAME + 1);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(dp, nic));
            attachSub(r, ds, sub(r, nic, 1));
            assertEquals(FRAME * PAGE, seen(r, nic, 0, A), "PASID 0 walks the parent's domain");
        }));
        c.add(x64("DeviceDma_CHOICE_unknownPasidFaultsNotPresent", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
            attachSub(r, d, sub(r, nic, 1));
            assertNotPresent(r, nic, 2, A, "PASID 2 never allocated");
            assertNotPresent(r, nic, 77, A, "PASID 77");
            assertNotPresent(r, nic, 1 << 20, A, "beyond 20 bits");
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A));
        }));
        c.add(x64("DeviceDma_CHOICE_anotherDevicesPasidFaults", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaDevice disk = tagged(r, "disk");
            attachSub(r, d, sub(r, nic, 1));
            assertNotPresent(r, disk, 1, A, "PASID 1 is nic's");
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A));
        }));
        c.add(x64("DeviceDma_CHOICE_unattachedSubDeviceFaults", r ->
        {
            mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            sub(r, nic, 1);
            assertNotPresent(r, nic, 1, A, "no domain");
        }));
        c.add(x64("DeviceDma_CHOICE_passThroughParentTaggedStillTranslated", r ->
        {
            final IommuDmaDomain pt = r.domain(IommuDmaDomainType.PASS_THROUGH);
            final IommuDmaDomain ds = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("parent to PassThrough", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(pt, nic));
            attachSub(r, ds, sub(r, nic, 1));
            assertEquals(B, seen(r, nic, NO_PASID, B), "untagged: the identity");
            assertEquals(FRAME * PAGE, seen(r, nic, 1, A), "tagged: the sub-device's tables");
            assertNotPresent(r, nic, 1, B, "tagged B is not mapped");
        }));
        c.add(x64("DeviceDma_CHOICE_deletedDeviceFaultsEveryPasid", r ->
        {
            final IommuDmaDomain d = mapped(r, A, FRAME);
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaPasidDevice s = sub(r, nic, 1);
            attachSub(r, d, s);
            r.expect("detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            r.expect("delete sub-device", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(s));
            r.expect("delete device", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            assertNotPresent(r, nic, 1, A, "deleted device, PASID 1");
            assertNotPresent(r, nic, NO_PASID, A, "deleted device, untagged");
        }));
        c.add(x64("DeviceDma_CHOICE_subDeviceDomainPermissions", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("read-only page", STATUS_SUCCESS,
                () -> r.v3.mapLogicalRangeEx(d, READ, pfns(FRAME), new LongRef(A), null, null, new LongRef()));
            final IommuDmaDevice nic = tagged(r, "nic");
            attachSub(r, d, sub(r, nic, 1));
            final long write = r.emulator.translate(nic, 1, A, WRITE);
            assertTrue(DmaTranslation.isFault(write));
            assertEquals(DmaTranslation.FAULT_PERMISSION, DmaTranslation.faultReason(write));
            final long read = r.emulator.translate(nic, 1, A, READ);
            assertFalse(DmaTranslation.isFault(read));
            assertEquals(READ, DmaTranslation.permissions(read));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Fault reporting of PASID-tagged DMA (spec 3.9 SuppressPasidFaults, 3.12, 5.6 items 46 and 47)
    // ------------------------------------------------------------------------------------------------------------

    private static void faultReporting(final List<DynamicTest> c)
    {
        c.add(x64("SetDeviceFaultReporting_STATUS_SUCCESS_CHOICE_pasidTaggedFaultReported", r ->
        {
            final IommuDmaDomain dp = mapped(r, A, FRAME);
            final IommuDmaDomain ds = mapped(r, A, FRAME + 1);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(dp, nic));
            attachSub(r, ds, sub(r, nic, 1));
            final FaultLog log = new FaultLog();
            r.expect("enable", STATUS_SUCCESS, () -> r.emulator.setDeviceFaultReporting(nic, true, log.config()));
            assertTrue(DmaTranslation.isFault(r.emulator.translate(nic, 1, B, READ)), "tagged fault");
            assertTrue(DmaTranslation.isFault(r.emulator.translate(nic, NO_PASID, C, READ)), "untagged fault");
            assertFalse(DmaTranslation.isFault(r.emulator.translate(nic, 1, A, READ)), "no fault, no report");
            log.deliver(r);
            assertEquals(List.of(B, C), log.addresses);
            assertSame(ds, log.domains.get(0), "the tagged fault names the sub-device's domain");
            assertSame(dp, log.domains.get(1), "the untagged fault names the parent's domain");
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_SUCCESS_CHOICE_suppressPasidFaults", r ->
        {
            final IommuDmaDomain dp = mapped(r, A, FRAME);
            final IommuDmaDomain ds = mapped(r, A, FRAME + 1);
            final IommuDmaDevice nic = device(r, "nic", config(IommuPasidConfigurationType.PASID_TAGGED_DMA, true));
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(dp, nic));
            attachSub(r, ds, sub(r, nic, 1));
            final FaultLog log = new FaultLog();
            r.expect("enable", STATUS_SUCCESS, () -> r.emulator.setDeviceFaultReporting(nic, true, log.config()));
            final long tagged = r.emulator.translate(nic, 1, B, READ);
            assertTrue(DmaTranslation.isFault(tagged), "the access still faults");
            assertEquals(DmaTranslation.FAULT_NOT_PRESENT, DmaTranslation.faultReason(tagged));
            assertTrue(DmaTranslation.isFault(r.emulator.translate(nic, NO_PASID, C, READ)), "untagged fault");
            log.deliver(r);
            assertEquals(List.of(C), log.addresses, "only the untagged fault is reported");
            assertSame(dp, log.domains.get(0));
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_SUCCESS_CHOICE_translateS1FaultIsStage1", r ->
        {
            final IommuDmaDomain dp = mapped(r, A, FRAME);
            final IommuDmaDomain ds = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("parent", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(dp, nic));
            attachSub(r, ds, sub(r, nic, 1));
            final FaultLog log = new FaultLog();
            r.expect("enable", STATUS_SUCCESS, () -> r.emulator.setDeviceFaultReporting(nic, true, log.config()));
            r.emulator.translate(nic, 1, A, READ);
            r.emulator.translate(nic, NO_PASID, C, READ);
            log.deliver(r);
            assertEquals(List.of(A, C), log.addresses);
            assertEquals(List.of(true, false), log.stage1, "IsStage1 for the S1 domain only");
            assertSame(ds, log.domains.get(0));
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_1_CHOICE_onlySubDeviceAttached", r ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            attachSub(r, mapped(r, A, FRAME), sub(r, nic, 1));
            final FaultLog log = new FaultLog();
            r.refused("the parent is not attached", STATUS_INVALID_PARAMETER_1,
                () -> r.emulator.setDeviceFaultReporting(nic, true, log.config()));
            r.emulator.translate(nic, 1, B, READ);
            log.deliver(r);
            assertEquals(List.of(), log.addresses, "reporting was not turned on");
        }));
    }
}
