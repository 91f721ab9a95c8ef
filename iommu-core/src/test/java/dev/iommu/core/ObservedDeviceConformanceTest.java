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
import dev.iommu.api.FaultInformation;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDeviceCreationConfigurationType;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuInterfaceStateChangeFields;
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
import static dev.iommu.api.NtStatus.STATUS_ALREADY_REGISTERED;
import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_NOT_FOUND;
import static dev.iommu.api.NtStatus.STATUS_NOT_SUPPORTED;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static dev.iommu.core.V2Rig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device members in the observed-Windows profile (x64 build A, observed record section 3 and section 8 items
 * 3, 4, 5, 14, 15, 18): one case per row, on {@link V2Rig#observedX64()} (or a machine of its own where the row needs
 * one: an IOMMU without PASIDs, a device limit of two), each asserting the status and the state after, what Windows
 * leaves behind included. A refusal (and a no-op success) goes through {@link V2Rig#refused}: nothing changed all the
 * way down. Names follow {@link ConformanceCases#NAME_SCHEME}: {@code <Member>_<STATUS>_<row>}; a row where Windows'
 * behaviour is undefined and the documented answer is kept is a {@code CHOICE}.
 */
class ObservedDeviceConformanceTest
{
    private static final long A = 0x10_0000L;
    private static final long FRAME_1 = 0x4000;
    private static final long FRAME_2 = 0x5000;
    private static final int PASS_THROUGH = IommuDmaDomainType.PASS_THROUGH.mask();
    private static final int TRANSLATE = IommuDmaDomainType.TRANSLATE.mask();
    private static final int TRANSLATE_S1 = IommuDmaDomainType.TRANSLATE_S1.mask();

    // ------------------------------------------------------------------------------------------------------------
    // Rigs and helpers
    // ------------------------------------------------------------------------------------------------------------

    private static DynamicTest observed(final String name, final Consumer<V2Rig> body)
    {
        return on(name, V2Rig::observedX64, body);
    }

    private static DynamicTest on(final String name, final Supplier<V2Rig> rig, final Consumer<V2Rig> body)
    {
        return ConformanceCases.on(name, rig, body);
    }

    /**
     * An x64 machine in the observed profile: IOMMU {@code vtd0} (PASIDs) with device {@code nic}, IOMMU
     * {@code flat} (device-id lookup, no PASIDs) with device {@code plain}, at most {@code maxDevices} devices.
     */
    private static V2Rig flatRig(final int maxDevices)
    {
        return new V2Rig(new EmulatorContext().platform(Platform.builder()
            .architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
            .iommu("flat", 0xFED6_0000L, 48, PageSizes.ALLOW_ALL, 0, true, 3)
            .pci("nic", 0, 1, 0, 0, "vtd0", false)
            .pci("disk", 0, 2, 0, 0, "vtd0", false)
            .pci("gpu", 0, 3, 0, 0, "vtd0", false)
            .pci("plain", 3, 1, 0, 0, "flat", false)
            .dmaGuard(true)
            .limits(new ResourceLimits(maxDevices, 64, V2Rig.SMALL_TABLE_PAGES, 4, 64))
            .build()).profile(BehaviourProfile.OBSERVED_WINDOWS));
    }

    private static IommuDeviceCreationConfiguration pasid(final IommuPasidConfigurationType type)
    {
        return new IommuDeviceCreationConfiguration().pasid(type, false);
    }

    private static IommuDeviceCreationConfiguration typed(final IommuDeviceCreationConfigurationType type)
    {
        return new IommuDeviceCreationConfiguration().configType(type);
    }

    private static Ref<IommuDmaDevice> holding(final IommuDmaDevice device)
    {
        final Ref<IommuDmaDevice> ref = new Ref<>();
        ref.set(device);
        return ref;
    }

    private static IntRef intRef(final int value)
    {
        final IntRef ref = new IntRef();
        ref.set(value);
        return ref;
    }

    private static void ignore(final Object value)
    {
        // A callback that does nothing.
    }

    /** Links configurations into Windows' circular list (the last one back to the first) and returns the first. */
    private static IommuDeviceCreationConfiguration circular(final IommuDeviceCreationConfiguration... configs)
    {
        for (int i = 0; i < configs.length; i++)
        {
            configs[i].nextConfiguration(configs[(i + 1) % configs.length]);
        }
        return configs[0];
    }

    private static IommuDmaDevice create(final V2Rig r, final String name, final IommuDeviceCreationConfiguration c)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        r.expect("CreateDevice " + name, STATUS_SUCCESS, () -> r.iommu.createDevice(r.platform.device(name), c, out));
        return out.get();
    }

    /** A device in PASID mode (PasidTaggedDma). */
    private static IommuDmaDevice tagged(final V2Rig r, final String name)
    {
        return create(r, name, pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA));
    }

    private static int available(final V2Rig r, final IommuDmaDevice device)
    {
        final IntRef types = intRef(-1);
        r.iommu.queryAvailableDomainTypes(device, types);
        return types.get();
    }

    private static Domain domainOf(final IommuDmaDevice device)
    {
        return ((DmaDevice)device).domain();
    }

    private static int attachedTo(final IommuDmaDomain domain)
    {
        return ((Domain)domain).attachedDevices();
    }

    /** A Translate domain with frame {@code frame} mapped at {@link #A}. */
    private static IommuDmaDomain mapped(final V2Rig r, final long frame)
    {
        final IommuDmaDomain d = r.explicitDomain();
        r.mapAt(d, A, frame, 1);
        return d;
    }

    /** What a device's fault handler saw: the fault addresses. */
    private static final class FaultLog
    {
        final List<Long> addresses = new ArrayList<>();

        DeviceFaultConfiguration config()
        {
            return new DeviceFaultConfiguration().faultContext(this)
                .faultHandler((final Object context, final FaultInformation info) ->
                    addresses.add(info.x64().faultAddress()));
        }

        List<Long> deliver(final V2Rig r)
        {
            while (r.emulator.deliverNotifications() > 0)
            {
                Thread.onSpinWait();
            }
            return addresses;
        }
    }

    @TestFactory
    Stream<DynamicTest> observedDevices()
    {
        final List<DynamicTest> cases = new ArrayList<>();
        createDevice(cases);
        deleteDevice(cases);
        attachDeviceEx(cases);
        detachDeviceEx(cases);
        queryAvailableDomainTypes(cases);
        queryInputMappings(cases);
        setDeviceFaultReportingEx(cases);
        v1(cases);
        return cases.stream();
    }

    @Test
    void caseNamesAreUniqueAndFollowTheScheme()
    {
        ConformanceCases.assertNamesFollowTheScheme(observedDevices(), 50);
    }

    // ------------------------------------------------------------------------------------------------------------
    // CreateDevice (observed 3 CreateDevice rows 0-13)
    // ------------------------------------------------------------------------------------------------------------

    private static void createDevice(final List<DynamicTest> cases)
    {
        cases.add(observed("CreateDevice_STATUS_NOT_SUPPORTED_row1NullDeviceObjectRow0OutCleared", (r) ->
        {
            final IommuDmaDevice disk = r.device("disk");
            final Ref<IommuDmaDevice> out = holding(disk);
            r.refused("null PDO", STATUS_NOT_SUPPORTED, () -> r.iommu.createDevice(null, null, out));
            assertNull(out.get(), "row 0: *DmaDeviceOut = NULL before any check");
        }));
        cases.add(observed("CreateDevice_STATUS_NOT_FOUND_row2NotBehindAnIommu", (r) ->
        {
            final Ref<IommuDmaDevice> out = holding(r.device("disk"));
            r.refused("direct", STATUS_NOT_FOUND,
                () -> r.iommu.createDevice(r.platform.device("direct"), null, out));
            assertNull(out.get(), "row 0");
        }));
        cases.add(observed("CreateDevice_STATUS_UNSUCCESSFUL_row3NoDeviceIdLookup", (r) ->
        {
            final Ref<IommuDmaDevice> out = holding(r.device("disk"));
            r.refused("legacy", STATUS_UNSUCCESSFUL,
                () -> r.iommu.createDevice(r.platform.device("legacy"), pasid(IommuPasidConfigurationType.MAX), out));
            assertNull(out.get(), "row 0");
        }));
        cases.add(observed("CreateDevice_STATUS_SUCCESS_row4UnknownNoneDeviceIdAcpiIgnored", (r) ->
        {
            final IommuDeviceCreationConfiguration list = circular(typed(IommuDeviceCreationConfigurationType.NONE),
                typed(IommuDeviceCreationConfigurationType.DEVICE_ID), typed(IommuDeviceCreationConfigurationType.MAX),
                new IommuDeviceCreationConfiguration().acpi(7, 3), typed(null));
            final IommuDmaDevice nic = create(r, "nic", list);
            assertNull(((DmaDevice)nic).pasidConfig(), "no PASID configuration: not in PASID mode");
            assertEquals(PASS_THROUGH | TRANSLATE, available(r, nic));
            assertEquals(1, r.emulator.liveDevices());
        }));
        cases.add(observed("CreateDevice_STATUS_SUCCESS_row4CircularListFirstPasidWins", (r) ->
        {
            final IommuDeviceCreationConfiguration list = circular(typed(IommuDeviceCreationConfigurationType.NONE),
                pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA).suppressPasidFaults(true),
                pasid(IommuPasidConfigurationType.MAX), pasid(IommuPasidConfigurationType.DEFAULT_PASID_ONLY));
            final DmaDevice nic = (DmaDevice)create(r, "nic", list);
            assertEquals(IommuPasidConfigurationType.PASID_TAGGED_DMA, nic.pasidConfig(), "the first PASID entry");
            assertTrue(nic.pasidFaultsSuppressed());
        }));
        cases.add(observed("CreateDevice_STATUS_SUCCESS_row4NullLinkEndsTheList", (r) ->
        {
            final IommuDeviceCreationConfiguration first = typed(IommuDeviceCreationConfigurationType.DEVICE_ID);
            first.nextConfiguration(pasid(IommuPasidConfigurationType.DEFAULT_PASID_ONLY));
            final DmaDevice nic = (DmaDevice)create(r, "nic", first);
            assertEquals(IommuPasidConfigurationType.DEFAULT_PASID_ONLY, nic.pasidConfig());
        }));
        cases.add(observed("CreateDevice_STATUS_INVALID_PARAMETER_2_CHOICE_listNeverBackAtFirst", (r) ->
        {
            final IommuDeviceCreationConfiguration loop = circular(typed(IommuDeviceCreationConfigurationType.NONE),
                typed(IommuDeviceCreationConfigurationType.NONE));
            final IommuDeviceCreationConfiguration first = typed(IommuDeviceCreationConfigurationType.NONE)
                .nextConfiguration(loop);
            r.refused("a cycle that does not pass the first element (Windows walks it for ever)",
                STATUS_INVALID_PARAMETER_2, () -> r.iommu.createDevice(r.platform.device("nic"), first, new Ref<>()));
        }));
        cases.add(observed("CreateDevice_STATUS_SUCCESS_row7SamePdoSameSettingsSameToken", (r) ->
        {
            final IommuDmaDevice first = tagged(r, "nic");
            final IommuDmaDevice second = tagged(r, "nic");
            assertSame(first, second, "the same token");
            assertEquals(1, r.emulator.liveDevices());
            r.expect("DeleteDevice drops one reference", STATUS_SUCCESS, () -> r.iommu.deleteDevice(first));
            assertEquals(1, r.emulator.liveDevices(), "still alive: one reference left");
            r.expect("still usable", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(
                r.domain(IommuDmaDomainType.TRANSLATE_S1), second));
        }));
        cases.add(observed("CreateDevice_STATUS_NOT_SUPPORTED_row7SamePdoOtherSettings", (r) ->
        {
            final IommuDmaDevice plain = r.device("nic");
            final Ref<IommuDmaDevice> out = holding(plain);
            r.refused("other PASID settings", STATUS_NOT_SUPPORTED, () -> r.iommu.createDevice(
                r.platform.device("nic"), pasid(IommuPasidConfigurationType.DEFAULT_PASID_ONLY), out));
            assertNull(out.get(), "row 0");
            r.refused("PASID type Max: row 7 comes before row 9", STATUS_NOT_SUPPORTED, () -> r.iommu.createDevice(
                r.platform.device("nic"), pasid(IommuPasidConfigurationType.MAX), out));
            assertTrue(((DmaDevice)plain).isAlive());
        }));
        cases.add(observed("CreateDevice_STATUS_NOT_SUPPORTED_row7SuppressPasidFaultsDiffers", (r) ->
        {
            tagged(r, "nic");
            r.refused("SuppressPasidFaults differs", STATUS_NOT_SUPPORTED, () -> r.iommu.createDevice(
                r.platform.device("nic"), pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA)
                    .suppressPasidFaults(true), new Ref<>()));
        }));
        cases.add(on("CreateDevice_STATUS_INSUFFICIENT_RESOURCES_row8DeviceLimit", () -> flatRig(2), (r) ->
        {
            r.device("nic");
            r.device("disk");
            final Ref<IommuDmaDevice> out = new Ref<>();
            r.refused("a third device", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.iommu.createDevice(r.platform.device("gpu"), null, out));
            assertNull(out.get());
            assertEquals(2, r.emulator.liveDevices());
            create(r, "nic", null);
            assertEquals(2, r.emulator.liveDevices(), "sharing takes no new device at the limit");
        }));
        cases.add(observed("CreateDevice_STATUS_INVALID_PARAMETER_2_row9PasidTypeMax", (r) ->
        {
            final Ref<IommuDmaDevice> out = holding(r.device("disk"));
            r.refused("PasidConfigTypeMax", STATUS_INVALID_PARAMETER_2, () -> r.iommu.createDevice(
                r.platform.device("nic"), pasid(IommuPasidConfigurationType.MAX), out));
            assertNull(out.get());
            r.refused("no PASID type at all", STATUS_INVALID_PARAMETER_2, () -> r.iommu.createDevice(
                r.platform.device("nic"), typed(IommuDeviceCreationConfigurationType.PASID), out));
        }));
        cases.add(on("CreateDevice_STATUS_NOT_SUPPORTED_row11PasidOnAnIommuWithoutPasids", () -> flatRig(8), (r) ->
        {
            final Ref<IommuDmaDevice> out = new Ref<>();
            r.refused("flat IOMMU", STATUS_NOT_SUPPORTED, () -> r.iommu.createDevice(r.platform.device("plain"),
                pasid(IommuPasidConfigurationType.DEFAULT_PASID_ONLY), out));
            assertNull(out.get());
            final IommuDmaDevice plain = create(r, "plain", null);
            assertEquals(PASS_THROUGH | TRANSLATE, available(r, plain));
        }));
        cases.add(observed("CreateDevice_STATUS_SUCCESS_row12DefaultPasidOnlyIsPasidMode", (r) ->
        {
            final IommuDmaDevice nic = create(r, "nic", pasid(IommuPasidConfigurationType.DEFAULT_PASID_ONLY));
            assertEquals(PASS_THROUGH | TRANSLATE_S1, available(r, nic), "stage-1 mode: TranslateS1, no Translate");
            r.expect("a TranslateS1 domain", STATUS_SUCCESS,
                () -> r.iommu.attachDeviceEx(r.domain(IommuDmaDomainType.TRANSLATE_S1), nic));
        }));
        cases.add(observed("CreateDevice_STATUS_INVALID_PARAMETER_3_CHOICE_nullOut", (r) ->
            r.refused("never checked by Windows", STATUS_INVALID_PARAMETER_3,
                () -> r.iommu.createDevice(r.platform.device("nic"), null, null))));
    }

    // ------------------------------------------------------------------------------------------------------------
    // DeleteDevice (observed 3 DeleteDevice rows 1-4)
    // ------------------------------------------------------------------------------------------------------------

    private static void deleteDevice(final List<DynamicTest> cases)
    {
        cases.add(observed("DeleteDevice_STATUS_RESOURCE_IN_USE_row1Attached", (r) ->
        {
            final IommuDmaDevice nic = r.attached("nic", r.explicitDomain());
            r.refused("attached", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(nic));
        }));
        cases.add(observed("DeleteDevice_STATUS_RESOURCE_IN_USE_row2StateChangeRegistered", (r) ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.expect("register", STATUS_SUCCESS, () -> r.iommu.registerInterfaceStateChangeCallback(
                (change, context) -> ignore(change), null, nic,
                new IommuInterfaceStateChangeFields().availableDomainTypes(true)));
            r.refused("registered", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(nic));
        }));
        cases.add(observed("DeleteDevice_STATUS_RESOURCE_IN_USE_row3SubDevices", (r) ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final Ref<IommuDmaPasidDevice> sub = new Ref<>();
            r.expect("sub-device", STATUS_SUCCESS, () -> r.v3.createPasidDevice(nic, sub, new IntRef()));
            r.refused("a sub-device other than the default", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(nic));
        }));
        cases.add(observed("DeleteDevice_STATUS_SUCCESS_row4LastReferenceTearsDown", (r) ->
        {
            final IommuDmaDevice nic = r.device("nic");
            assertSame(nic, r.device("nic"));
            r.expect("first", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            assertTrue(((DmaDevice)nic).isAlive(), "one reference left");
            r.expect("second", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            assertFalse(((DmaDevice)nic).isAlive(), "torn down at zero");
            assertEquals(0, r.emulator.liveDevices());
            final IommuDmaDevice again = r.device("nic");
            assertFalse(again == nic, "a new device after teardown");
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // AttachDeviceEx (observed 3 AttachDeviceEx rows 1-8)
    // ------------------------------------------------------------------------------------------------------------

    private static void attachDeviceEx(final List<DynamicTest> cases)
    {
        cases.add(observed("AttachDeviceEx_STATUS_ACCESS_DENIED_row1TypeNotAvailableFirst", (r) ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            final IommuDmaDomain s1 = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("TranslateS1 for a device not in PASID mode, checked before the move", STATUS_ACCESS_DENIED,
                () -> r.iommu.attachDeviceEx(s1, nic));
            assertSame(d, domainOf(nic));
            final IommuDmaDevice ext = r.device("ext");
            final IommuDmaDomain pt = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough for an external device under DMA Guard", STATUS_ACCESS_DENIED,
                () -> r.iommu.attachDeviceEx(pt, ext));
        }));
        cases.add(observed("AttachDeviceEx_STATUS_SUCCESS_row2SameDomainNoOp", (r) ->
        {
            final IommuDmaDomain d = mapped(r, FRAME_1);
            final IommuDmaDevice nic = r.attached("nic", d);
            r.refused("again: SUCCESS, nothing changes", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
            assertEquals(1, attachedTo(d));
            assertEquals(FRAME_1 * PAGE, r.seen(nic, A));
        }));
        cases.add(observed("AttachDeviceEx_STATUS_SUCCESS_row3OtherDomainMoves", (r) ->
        {
            final IommuDmaDomain d1 = mapped(r, FRAME_1);
            final IommuDmaDomain d2 = mapped(r, FRAME_2);
            final IommuDmaDevice nic = r.attached("nic", d1);
            r.expect("move", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d2, nic));
            assertSame(d2, domainOf(nic));
            assertEquals(0, attachedTo(d1), "the old domain's reference dropped");
            assertEquals(1, attachedTo(d2));
            assertEquals(FRAME_2 * PAGE, r.seen(nic, A), "DMA walks the new domain");
            r.expect("the old domain can go", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d1));
        }));
        cases.add(observed("AttachDeviceEx_STATUS_SUCCESS_row6PasidModeThroughDefaultSubDevice", (r) ->
        {
            final IommuDmaDomain s1 = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("TranslateS1", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(s1, nic));
            assertSame(s1, domainOf(nic));
            assertEquals(1, attachedTo(s1));
            r.refused("again: SUCCESS no-op", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(s1, nic));
        }));
        cases.add(observed("AttachDeviceEx_STATUS_ACCESS_DENIED_row1PasidModeToTranslate", (r) ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("Translate is not offered to a PASID-mode device", STATUS_ACCESS_DENIED,
                () -> r.iommu.attachDeviceEx(d, nic));
        }));
        cases.add(observed("AttachDeviceEx_STATUS_INVALID_PARAMETER_1_row6PasidModeToPassThrough", (r) ->
        {
            final IommuDmaDevice nic = tagged(r, "nic");
            final IommuDmaDomain pt = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("the PASID attach takes TranslateS1 only", STATUS_INVALID_PARAMETER_1,
                () -> r.iommu.attachDeviceEx(pt, nic));
        }));
        cases.add(observed("AttachDeviceEx_STATUS_UNSUCCESSFUL_row6PasidModeAttachedElsewhere", (r) ->
        {
            final IommuDmaDomain s1 = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("first", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(s1, nic));
            final IommuDmaDomain other = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("the default sub-device is attached elsewhere", STATUS_UNSUCCESSFUL,
                () -> r.iommu.attachDeviceEx(other, nic));
            assertSame(s1, domainOf(nic));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // DetachDeviceEx (observed 3 DetachDeviceEx)
    // ------------------------------------------------------------------------------------------------------------

    private static void detachDeviceEx(final List<DynamicTest> cases)
    {
        cases.add(observed("DetachDeviceEx_STATUS_INVALID_PARAMETER_1_notAttached", (r) ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("not attached", STATUS_INVALID_PARAMETER_1, () -> r.iommu.detachDeviceEx(nic));
        }));
        cases.add(observed("DetachDeviceEx_STATUS_SUCCESS_leaveDmaBlocked", (r) ->
        {
            final IommuDmaDomain d = mapped(r, FRAME_1);
            final IommuDmaDevice nic = r.attached("nic", d);
            r.expect("detach", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
            assertNull(domainOf(nic));
            assertEquals(0, attachedTo(d));
            assertEquals(-1, r.seen(nic, A), "DMA faults");
        }));
        cases.add(observed("DetachDeviceEx_STATUS_SUCCESS_fromADeletedDomain", (r) ->
        {
            // Observed DeleteDomain frees a domain with devices on it (observed 2 DeleteDomain); this is the state it
            // leaves: the device attached to a dead domain.
            final IommuDmaDomain d = mapped(r, FRAME_1);
            final IommuDmaDevice nic = r.attached("nic", d);
            ((Domain)d).kill();
            assertEquals(-1, r.seen(nic, A), "DMA through a dead domain faults");
            r.expect("detach", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
            assertNull(domainOf(nic));
            r.expect("then delete", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
        }));
        cases.add(observed("DetachDeviceEx_STATUS_SUCCESS_pasidModeDevice", (r) ->
        {
            final IommuDmaDomain s1 = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaDevice nic = tagged(r, "nic");
            r.expect("attach", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(s1, nic));
            r.expect("detach", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
            assertEquals(0, attachedTo(s1));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // QueryAvailableDomainTypes, QueryInputMappings
    // ------------------------------------------------------------------------------------------------------------

    private static void queryAvailableDomainTypes(final List<DynamicTest> cases)
    {
        cases.add(observed("QueryAvailableDomainTypes_STATUS_SUCCESS_plainDeviceTranslateNoS1", (r) ->
            assertEquals(PASS_THROUGH | TRANSLATE, available(r, r.device("nic")),
                "Translate and PassThrough; TranslateS1 only for PASID-mode devices, Unmanaged never on x64")));
        cases.add(observed("QueryAvailableDomainTypes_STATUS_SUCCESS_pasidModeS1InsteadOfTranslate", (r) ->
            assertEquals(PASS_THROUGH | TRANSLATE_S1, available(r, tagged(r, "nic")))));
        cases.add(observed("QueryAvailableDomainTypes_STATUS_SUCCESS_passThroughWithheld", (r) ->
        {
            assertEquals(TRANSLATE, available(r, r.device("ext")), "external under DMA Guard");
            final IommuDmaDevice gpu = tagged(r, "gpu");
            r.platform.policy().blockingActive(true);
            assertEquals(TRANSLATE_S1, available(r, gpu), "DMA Guard blocking withholds PassThrough in PASID mode too");
            r.platform.policy().restrict(r.platform.device("gpu"), PASS_THROUGH);
            assertEquals(0, available(r, gpu), "an administrator's restriction masks the set");
        }));
        cases.add(observed("QueryAvailableDomainTypes_STATUS_SUCCESS_CHOICE_badTokenWritesZero", (r) ->
            assertEquals(0, available(r, null))));
    }

    private static void queryInputMappings(final List<DynamicTest> cases)
    {
        cases.add(observed("QueryInputMappings_STATUS_NOT_SUPPORTED_x64StubReadsNothing", (r) ->
        {
            final IntRef length = intRef(77);
            r.refused("a device", STATUS_NOT_SUPPORTED, () -> r.iommu.queryInputMappings(
                r.platform.device("nic"), null, 0, length));
            r.refused("no arguments at all", STATUS_NOT_SUPPORTED, () -> r.iommu.queryInputMappings(
                null, null, -1, null));
            assertEquals(77, length.get(), "nothing written");
        }));
        cases.add(observed("QueryInputMappings_STATUS_NOT_SUPPORTED_v1Table", (r) ->
            r.refused("V1", STATUS_NOT_SUPPORTED, () -> r.v1.queryInputMappings(
                r.platform.device("nic"), null, 0, null))));
    }

    // ------------------------------------------------------------------------------------------------------------
    // SetDeviceFaultReportingEx (observed 3, build A, rows 1-7)
    // ------------------------------------------------------------------------------------------------------------

    private static void setDeviceFaultReportingEx(final List<DynamicTest> cases)
    {
        cases.add(observed("SetDeviceFaultReportingEx_STATUS_INVALID_PARAMETER_2_row1BaseNotZero", (r) ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("base 1", STATUS_INVALID_PARAMETER_2,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 1, true, new FaultLog().config()));
            assertFalse(((DmaDevice)nic).faultReporting());
        }));
        cases.add(observed("SetDeviceFaultReportingEx_STATUS_INVALID_PARAMETER_4_row2DisableWithConfig", (r) ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final FaultLog log = new FaultLog();
            r.expect("enable", STATUS_SUCCESS, () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, log.config()));
            r.refused("disable with a config", STATUS_INVALID_PARAMETER_4,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 0, false, log.config()));
            assertTrue(((DmaDevice)nic).faultReporting(), "still registered");
        }));
        cases.add(observed("SetDeviceFaultReportingEx_STATUS_SUCCESS_row3DisableAlwaysSucceeds", (r) ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("nothing registered", STATUS_SUCCESS,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 0, false, null));
            final FaultLog log = new FaultLog();
            r.expect("enable", STATUS_SUCCESS, () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, log.config()));
            r.expect("disable", STATUS_SUCCESS, () -> r.iommu.setDeviceFaultReportingEx(nic, 0, false, null));
            assertEquals(-1, r.seen(nic, A));
            assertEquals(List.of(), log.deliver(r), "no fault reported after disable");
            r.expect("enable again", STATUS_SUCCESS,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, log.config()));
        }));
        cases.add(observed("SetDeviceFaultReportingEx_STATUS_INVALID_PARAMETER_4_row4EnableWithoutConfig", (r) ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("null config", STATUS_INVALID_PARAMETER_4,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, null));
        }));
        cases.add(observed("SetDeviceFaultReportingEx_STATUS_ALREADY_REGISTERED_row5EnableTwice", (r) ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final FaultLog first = new FaultLog();
            final FaultLog second = new FaultLog();
            r.expect("enable", STATUS_SUCCESS, () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, first.config()));
            r.refused("enable again", STATUS_ALREADY_REGISTERED,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, second.config()));
            r.refused("enable again with a null handler: row 5 before row 6", STATUS_ALREADY_REGISTERED,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, new DeviceFaultConfiguration()));
            assertEquals(-1, r.seen(nic, A));
            assertEquals(List.of(A), first.deliver(r), "the first handler stays");
            assertEquals(List.of(), second.addresses);
        }));
        cases.add(observed("SetDeviceFaultReportingEx_STATUS_INVALID_PARAMETER_4_row6NullHandler", (r) ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("no FaultHandler", STATUS_INVALID_PARAMETER_4,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, new DeviceFaultConfiguration()));
        }));
        cases.add(observed("SetDeviceFaultReportingEx_STATUS_SUCCESS_row7NotAttachedReports", (r) ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final FaultLog log = new FaultLog();
            r.expect("enable on a detached device", STATUS_SUCCESS,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, log.config()));
            assertEquals(-1, r.seen(nic, A));
            assertEquals(List.of(A), log.deliver(r), "the fault of a detached device is reported");
        }));
        cases.add(observed("SetDeviceFaultReportingEx_STATUS_SUCCESS_row7AttachedReports", (r) ->
        {
            final IommuDmaDevice nic = r.attached("nic", r.explicitDomain());
            final FaultLog log = new FaultLog();
            r.expect("enable", STATUS_SUCCESS, () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, log.config()));
            assertEquals(-1, r.seen(nic, A + PAGE));
            assertEquals(List.of(A + PAGE), log.deliver(r));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // V1 AttachDevice, DetachDevice, SetDeviceFaultReporting (observed 3)
    // ------------------------------------------------------------------------------------------------------------

    private static void v1(final List<DynamicTest> cases)
    {
        cases.add(observed("AttachDevice_STATUS_NOT_FOUND_noIommu", (r) ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("direct", STATUS_NOT_FOUND, () -> r.v1.attachDevice(d, r.platform.device("direct"), 0, 1));
        }));
        cases.add(observed("AttachDevice_STATUS_UNSUCCESSFUL_noDeviceIdLookup", (r) ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("legacy", STATUS_UNSUCCESSFUL, () -> r.v1.attachDevice(d, r.platform.device("legacy"), 0, 1));
        }));
        cases.add(observed("AttachDevice_STATUS_INVALID_PARAMETER_3_baseOrCount", (r) ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("base 1", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.attachDevice(d, r.platform.device("nic"), 1, 1));
            r.refused("count 2", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.attachDevice(d, r.platform.device("nic"), 0, 2));
        }));
        cases.add(observed("AttachDevice_STATUS_SUCCESS_noDomainTypePolicyCheck", (r) ->
        {
            final IommuDmaDomain pt = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.expect("external device to PassThrough", STATUS_SUCCESS,
                () -> r.v1.attachDevice(pt, r.platform.device("ext"), 0, 1));
            assertEquals(1, attachedTo(pt));
        }));
        cases.add(observed("AttachDevice_STATUS_SUCCESS_alreadyAttachedToThisDomain", (r) ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("first", STATUS_SUCCESS, () -> r.v1.attachDevice(d, r.platform.device("nic"), 0, 1));
            r.refused("again: SUCCESS, nothing changes", STATUS_SUCCESS,
                () -> r.v1.attachDevice(d, r.platform.device("nic"), 0, 1));
        }));
        cases.add(observed("AttachDevice_STATUS_SUCCESS_attachedElsewhereMoves", (r) ->
        {
            final IommuDmaDomain d1 = r.explicitDomain();
            final IommuDmaDomain d2 = r.explicitDomain();
            r.expect("first", STATUS_SUCCESS, () -> r.v1.attachDevice(d1, r.platform.device("nic"), 0, 1));
            r.expect("move", STATUS_SUCCESS, () -> r.v1.attachDevice(d2, r.platform.device("nic"), 0, 1));
            assertEquals(0, attachedTo(d1));
            assertEquals(1, attachedTo(d2));
            r.refused("no record for the old domain", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.detachDevice(d1, r.platform.device("nic"), 0));
            r.expect("detach from the new one", STATUS_SUCCESS,
                () -> r.v1.detachDevice(d2, r.platform.device("nic"), 0));
            assertEquals(0, r.emulator.liveDevices(), "the internal device reference dropped");
        }));
        cases.add(observed("DetachDevice_STATUS_INVALID_PARAMETER_2_noAttachRecord", (r) ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("never attached", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.detachDevice(d, r.platform.device("nic"), 0));
            r.expect("attach", STATUS_SUCCESS, () -> r.v1.attachDevice(d, r.platform.device("nic"), 0, 1));
            r.refused("another InputMappingId", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.detachDevice(d, r.platform.device("nic"), 1));
        }));
        cases.add(observed("SetDeviceFaultReporting_STATUS_NOT_SUPPORTED_x64Native", (r) ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("attach", STATUS_SUCCESS, () -> r.v1.attachDevice(d, r.platform.device("nic"), 0, 1));
            r.refused("native", STATUS_NOT_SUPPORTED,
                () -> r.v1.setDeviceFaultReporting(r.platform.device("nic"), 0, true, new FaultLog().config()));
            r.refused("disable too", STATUS_NOT_SUPPORTED,
                () -> r.v1.setDeviceFaultReporting(r.platform.device("nic"), 0, false, null));
        }));
    }
}
