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

import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static dev.iommu.api.NtStatus.STATUS_ACCESS_DENIED;
import static dev.iommu.api.NtStatus.STATUS_BUFFER_TOO_SMALL;
import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_NONE_MAPPED;
import static dev.iommu.api.NtStatus.STATUS_NOT_SUPPORTED;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The five V3 members in the observed-Windows profile (x64 build A): one case per row of section 7 of the
 * observed-behaviour record (CreatePasidDevice rows 0 to 6, DeletePasidDevice, AttachPasidDevice rows 1 to 8,
 * DetachPasidDevice, QueryDeviceInformation), each on a fresh observed emulator, asserting the status, the
 * out-parameters Windows writes, and what is left behind (live sub-devices, the domain's attachments, the parent's
 * deletability, the ASID handed out next). A PASID 0 handle (the parent's default sub-device, never handed out) is
 * forged in the package to reach the PASID 0 rows.
 */
class ObservedPasidConformanceTest
{
    private static final int NO_ASID = 0xFFFFFFFF;

    private static DynamicTest observed(final String name, final Consumer<V2Rig> body)
    {
        return on(name, V2Rig::observedX64, body);
    }

    private static DynamicTest narrow(final String name, final int maxPasidDevices, final Consumer<V2Rig> body)
    {
        return on(name, () -> narrowRig(maxPasidDevices), body);
    }

    private static DynamicTest on(final String name, final Supplier<V2Rig> rig, final Consumer<V2Rig> body)
    {
        return DynamicTest.dynamicTest(name, () ->
        {
            try (V2Rig r = rig.get())
            {
                assertNotNull(r.v3, "the platform offers V3");
                assertSame(BehaviourProfile.OBSERVED_WINDOWS, r.emulator.context().profile());
                body.accept(r);
            }
        });
    }

    /**
     * Observed x64: {@code vtd0} (20-bit PASIDs; device {@code nic}) and {@code narrow} (2 bits: PASIDs 1 to 3;
     * device {@code a}) and {@code flat} (no PASIDs; device {@code plain}), with a sub-device limit of its own.
     */
    private static V2Rig narrowRig(final int maxPasidDevices)
    {
        return new V2Rig(new EmulatorContext().profile(BehaviourProfile.OBSERVED_WINDOWS).platform(Platform.builder()
            .architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
            .iommu("narrow", 0xFED7_0000L, 48, PageSizes.ALLOW_ALL, 2, true, 2)
            .iommu("flat", 0xFED6_0000L, 48, PageSizes.ALLOW_ALL, 0, true, 3)
            .pci("nic", 0, 1, 0, 0, "vtd0", false)
            .pci("plain", 3, 1, 0, 0, "flat", false)
            .pci("a", 2, 1, 0, 0, "narrow", false)
            .dmaGuard(true)
            .limits(new ResourceLimits(64, 64, V2Rig.SMALL_TABLE_PAGES, 4, maxPasidDevices))
            .build()));
    }

    private static IommuDmaDevice device(final V2Rig r, final String name, final IommuPasidConfigurationType type,
        final boolean suppress)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.iommu.createDevice(r.platform.device(name),
            null == type ? null : new IommuDeviceCreationConfiguration().pasid(type, suppress), out),
            "CreateDevice " + name);
        return out.get();
    }

    private static IommuDmaDevice tagged(final V2Rig r, final String name)
    {
        return device(r, name, IommuPasidConfigurationType.PASID_TAGGED_DMA, false);
    }

    private static IntRef intRef(final int value)
    {
        final IntRef ref = new IntRef();
        ref.set(value);
        return ref;
    }

    private static IommuDmaPasidDevice sub(final V2Rig r, final IommuDmaDevice parent, final int expectedAsid)
    {
        final Ref<IommuDmaPasidDevice> out = new Ref<>();
        final IntRef asid = new IntRef();
        r.expect("CreatePasidDevice", STATUS_SUCCESS, () -> r.v3.createPasidDevice(parent, out, asid));
        assertNotNull(out.get(), "PasidDeviceOut");
        assertEquals(expectedAsid, asid.get(), "AsidOut");
        return out.get();
    }

    /** The parent's default sub-device (PASID 0), which no member hands out. */
    private static PasidDevice pasidZero(final IommuDmaDevice parent)
    {
        return new PasidDevice((DmaDevice)parent, 0);
    }

    private static IommuDmaDomain s1(final V2Rig r)
    {
        return r.domain(IommuDmaDomainType.TRANSLATE_S1);
    }

    private static void assertOutputsReset(final Ref<IommuDmaPasidDevice> out, final IntRef asid)
    {
        assertNull(out.get(), "*PasidDeviceOut = NULL");
        assertEquals(NO_ASID, asid.get(), "*AsidOut = 0xFFFFFFFF");
    }

    @TestFactory
    Stream<DynamicTest> observedPasid()
    {
        final List<DynamicTest> c = new ArrayList<>();
        createPasidDevice(c);
        deletePasidDevice(c);
        attachPasidDevice(c);
        detachPasidDevice(c);
        queryDeviceInformation(c);
        return c.stream();
    }

    @Test
    void namesFollowTheScheme()
    {
        final java.util.Set<String> members = ConformanceCases.assertNamesFollowTheScheme(observedPasid(), 25);
        assertEquals(java.util.Set.of("CreatePasidDevice", "DeletePasidDevice", "AttachPasidDevice",
            "DetachPasidDevice", "QueryDeviceInformation"), members);
    }

    // ------------------------------------------------------------------------------------------------------------
    // CreatePasidDevice rows 0 to 6
    // ------------------------------------------------------------------------------------------------------------

    private static void createPasidDevice(final List<DynamicTest> c)
    {
        c.add(observed("CreatePasidDevice_STATUS_INVALID_PARAMETER_1_row0OutputsWrittenBeforeAnyCheck", r ->
        {
            final IommuDmaDevice nic = device(r, "nic", null, false);
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final Ref<IommuDmaPasidDevice> out = new Ref<>();
            out.set(sub(r, gpu, 1));
            final IntRef asid = intRef(7);
            r.refused("no PASID configuration", STATUS_INVALID_PARAMETER_1,
                () -> r.v3.createPasidDevice(nic, out, asid));
            assertOutputsReset(out, asid);
        }));
        c.add(observed("CreatePasidDevice_STATUS_INVALID_PARAMETER_1_row2NotPasidTaggedDma", r ->
        {
            final IommuDmaDevice nic = device(r, "nic", IommuPasidConfigurationType.DEFAULT_PASID_ONLY, false);
            final Ref<IommuDmaPasidDevice> out = new Ref<>();
            final IntRef asid = intRef(3);
            r.refused("DefaultPasidOnly", STATUS_INVALID_PARAMETER_1, () -> r.v3.createPasidDevice(nic, out, asid));
            assertOutputsReset(out, asid);
            assertEquals(0, ((DmaDevice)nic).pasidDeviceCount());
        }));
        c.add(narrow("CreatePasidDevice_STATUS_INVALID_PARAMETER_1_row2IommuWithoutPasids", 64, r ->
        {
            // No PASID configuration can be created on an IOMMU without PASIDs (CreateDevice refuses it), so the
            // device behind "flat" comes without one: the same row.
            final IommuDmaDevice legacy = device(r, "plain", null, false);
            final Ref<IommuDmaPasidDevice> out = new Ref<>();
            final IntRef asid = intRef(3);
            r.refused("no PASIDs", STATUS_INVALID_PARAMETER_1, () -> r.v3.createPasidDevice(legacy, out, asid));
            assertOutputsReset(out, asid);
        }));
        c.add(narrow("CreatePasidDevice_STATUS_NONE_MAPPED_row3AsidSpaceExhausted", 64, r ->
        {
            final IommuDmaDevice a = tagged(r, "a");
            sub(r, a, 1);
            sub(r, a, 2);
            sub(r, a, 3);
            final Ref<IommuDmaPasidDevice> out = new Ref<>();
            final IntRef asid = intRef(9);
            r.refused("no ASID below 2^2", STATUS_NONE_MAPPED, () -> r.v3.createPasidDevice(a, out, asid));
            assertOutputsReset(out, asid);
            assertEquals(3, r.emulator.livePasidDevices());
        }));
        c.add(narrow("CreatePasidDevice_STATUS_NONE_MAPPED_row3BeforeTheSubDeviceLimit", 3, r ->
        {
            // ASIDs and the sub-device limit both exhausted: Windows allocates the ASID first.
            final IommuDmaDevice a = tagged(r, "a");
            sub(r, a, 1);
            sub(r, a, 2);
            sub(r, a, 3);
            r.refused("both exhausted", STATUS_NONE_MAPPED, () -> r.v3.createPasidDevice(a, new Ref<>(), new IntRef()));
        }));
        c.add(narrow("CreatePasidDevice_STATUS_INSUFFICIENT_RESOURCES_row4LimitAsidFreed", 2, r ->
        {
            final IommuDmaDevice a = tagged(r, "a");
            final IommuDmaPasidDevice first = sub(r, a, 1);
            final IommuDmaPasidDevice second = sub(r, a, 2);
            final Ref<IommuDmaPasidDevice> out = new Ref<>();
            final IntRef asid = intRef(9);
            r.refused("limit", STATUS_INSUFFICIENT_RESOURCES, () -> r.v3.createPasidDevice(a, out, asid));
            assertOutputsReset(out, asid);
            r.refused("again: the ASID taken was freed (else NONE_MAPPED)", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.v3.createPasidDevice(a, new Ref<>(), new IntRef()));
            r.expect("delete", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(second));
            sub(r, a, 2);
            r.expect("delete", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(first));
            sub(r, a, 1);
        }));
        c.add(observed("CreatePasidDevice_STATUS_SUCCESS_row6AddedToTheParent", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final Ref<IommuDmaPasidDevice> out = new Ref<>();
            final IntRef asid = new IntRef();
            r.expect("create", STATUS_SUCCESS, () -> r.v3.createPasidDevice(gpu, out, asid));
            assertEquals(1, asid.get(), "*AsidOut = the ASID");
            assertNotNull(out.get());
            assertSame(gpu, ((PasidDevice)out.get()).parent());
            assertEquals(1, ((DmaDevice)gpu).pasidDeviceCount(), "in the parent's list");
            r.refused("the parent has a sub-device", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(gpu));
            sub(r, gpu, 2);
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // DeletePasidDevice
    // ------------------------------------------------------------------------------------------------------------

    private static void deletePasidDevice(final List<DynamicTest> c)
    {
        c.add(observed("DeletePasidDevice_STATUS_NOT_SUPPORTED_pasidZero", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            r.refused("the default sub-device", STATUS_NOT_SUPPORTED, () -> r.v3.deletePasidDevice(pasidZero(gpu)));
        }));
        c.add(observed("DeletePasidDevice_STATUS_RESOURCE_IN_USE_attached", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu, 1);
            final IommuDmaDomain d = s1(r);
            r.expect("attach", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            r.refused("attached", STATUS_RESOURCE_IN_USE, () -> r.v3.deletePasidDevice(s));
        }));
        c.add(observed("DeletePasidDevice_STATUS_SUCCESS_unlinkedAsidFreed", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu, 1);
            r.expect("delete", STATUS_SUCCESS, () -> r.v3.deletePasidDevice(s));
            assertEquals(0, ((DmaDevice)gpu).pasidDeviceCount(), "unlinked");
            assertEquals(0, r.emulator.livePasidDevices());
            sub(r, gpu, 1);
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // AttachPasidDevice rows 1 to 8
    // ------------------------------------------------------------------------------------------------------------

    private static void attachPasidDevice(final List<DynamicTest> c)
    {
        c.add(observed("AttachPasidDevice_STATUS_NOT_SUPPORTED_row1PasidZero", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PASID 0, before the type", STATUS_NOT_SUPPORTED,
                () -> r.v3.attachPasidDevice(d, pasidZero(gpu)));
        }));
        c.add(observed("AttachPasidDevice_STATUS_ACCESS_DENIED_row2TranslateNotOfferedInPasidMode", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu, 1);
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("Translate: a PASID-mode parent is offered TranslateS1 instead", STATUS_ACCESS_DENIED,
                () -> r.v3.attachPasidDevice(d, s));
        }));
        c.add(observed("AttachPasidDevice_STATUS_ACCESS_DENIED_row2BeforeTheTypeCheck", r ->
        {
            final IommuDmaDevice ext = tagged(r, "ext");
            final IommuDmaPasidDevice s = sub(r, ext, 1);
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough withheld from an external device: ACCESS_DENIED, not _1", STATUS_ACCESS_DENIED,
                () -> r.v3.attachPasidDevice(d, s));
        }));
        c.add(observed("AttachPasidDevice_STATUS_ACCESS_DENIED_row2PolicyWithdrawsTranslateS1", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu, 1);
            final IommuDmaDomain d = s1(r);
            r.platform.policy().restrict(r.platform.device("gpu"), IommuDmaDomainType.PASS_THROUGH.mask());
            r.refused("restricted", STATUS_ACCESS_DENIED, () -> r.v3.attachPasidDevice(d, s));
        }));
        c.add(observed("AttachPasidDevice_STATUS_INVALID_PARAMETER_1_row4NotTranslateS1", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu, 1);
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough is offered but is not TranslateS1", STATUS_INVALID_PARAMETER_1,
                () -> r.v3.attachPasidDevice(d, s));
        }));
        c.add(observed("AttachPasidDevice_STATUS_SUCCESS_row5SameDomainNoOp", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu, 1);
            final IommuDmaDomain d = s1(r);
            r.expect("attach", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            r.refused("again: SUCCESS, nothing changes", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            assertEquals(1, ((Domain)d).attachedDevices(), "attached once");
            r.expect("one detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            r.expect("leaves the domain free", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(observed("AttachPasidDevice_STATUS_UNSUCCESSFUL_row6AnotherDomain", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu, 1);
            final IommuDmaDomain d = s1(r);
            final IommuDmaDomain other = s1(r);
            r.expect("attach", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            r.refused("another", STATUS_UNSUCCESSFUL, () -> r.v3.attachPasidDevice(other, s));
            assertSame(d, ((PasidDevice)s).domain(), "stays where it was");
        }));
        c.add(observed("AttachPasidDevice_STATUS_SUCCESS_row8DeleteDomainThenInUse", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu, 1);
            final IommuDmaDomain d = s1(r);
            r.expect("attach", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            assertSame(d, ((PasidDevice)s).domain());
            assertEquals(1, ((Domain)d).attachedDevices(), "in the domain's PASID list");
            r.refused("DeleteDomain", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDomain(d));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // DetachPasidDevice
    // ------------------------------------------------------------------------------------------------------------

    private static void detachPasidDevice(final List<DynamicTest> c)
    {
        c.add(observed("DetachPasidDevice_STATUS_NOT_SUPPORTED_pasidZero", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            r.refused("PASID 0", STATUS_NOT_SUPPORTED, () -> r.v3.detachPasidDevice(pasidZero(gpu)));
        }));
        c.add(observed("DetachPasidDevice_STATUS_INVALID_PARAMETER_1_notAttached", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu, 1);
            r.refused("not attached", STATUS_INVALID_PARAMETER_1, () -> r.v3.detachPasidDevice(s));
        }));
        c.add(observed("DetachPasidDevice_STATUS_SUCCESS_detached", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu, 1);
            final IommuDmaDomain d = s1(r);
            r.expect("attach", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(d, s));
            r.expect("detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(s));
            assertNull(((PasidDevice)s).domain());
            assertEquals(0, ((Domain)d).attachedDevices());
            r.refused("twice", STATUS_INVALID_PARAMETER_1, () -> r.v3.detachPasidDevice(s));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // QueryDeviceInformation
    // ------------------------------------------------------------------------------------------------------------

    private static void queryDeviceInformation(final List<DynamicTest> c)
    {
        c.add(observed("QueryDeviceInformation_STATUS_BUFFER_TOO_SMALL_sizeBelow3", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            for (int size = 0; size < 3; size++)
            {
                final int s = size;
                final IntRef written = intRef(99);
                final IommuDmaDeviceInformation info = new IommuDmaDeviceInformation();
                r.refused("size " + size, STATUS_BUFFER_TOO_SMALL,
                    () -> r.v3.queryDeviceInfo(gpu, s, written, info));
                assertEquals(0, written.get(), "*BytesWritten = 0");
                assertFalse(info.defaultPasidEnabled() || info.pasidTaggedDmaEnabled() || info.pasidFaultsSuppressed());
            }
        }));
        c.add(observed("QueryDeviceInformation_STATUS_SUCCESS_taggedSuppressed", r ->
            query(r, device(r, "gpu", IommuPasidConfigurationType.PASID_TAGGED_DMA, true), true, true, true)));
        c.add(observed("QueryDeviceInformation_STATUS_SUCCESS_defaultPasidOnly", r ->
            query(r, device(r, "gpu", IommuPasidConfigurationType.DEFAULT_PASID_ONLY, false), true, false, false)));
        c.add(observed("QueryDeviceInformation_STATUS_SUCCESS_noPasidConfigAllFalse", r ->
            query(r, device(r, "nic", null, false), false, false, false)));
    }

    private static void query(final V2Rig r, final IommuDmaDevice device, final boolean defaultPasid,
        final boolean tagged, final boolean suppressed)
    {
        final IntRef written = intRef(99);
        final IommuDmaDeviceInformation info = new IommuDmaDeviceInformation().defaultPasidEnabled(!defaultPasid)
            .pasidTaggedDmaEnabled(!tagged).pasidFaultsSuppressed(!suppressed);
        r.expect("query", STATUS_SUCCESS, () -> r.v3.queryDeviceInfo(device, 16, written, info));
        assertEquals(3, written.get(), "*BytesWritten = 3");
        assertEquals(defaultPasid, info.defaultPasidEnabled(), "DefaultPasidEnabled");
        assertEquals(tagged, info.pasidTaggedDmaEnabled(), "PasidTaggedDmaEnabled");
        assertEquals(suppressed, info.pasidFaultsSuppressed(), "PasidFaultsSuppressed");
        assertTrue(written.get() <= 16);
    }
}
