/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.iommu.api.IommuPermissions.READ;
import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.IommuPermissions.WRITE;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.core.V2Rig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden sequences of real clients of the interface, in the style of {@link GoldenSequenceTest}: every step has its
 * expected status, a refused step changes nothing ({@link V2Rig#snapshot}), and after every step the test checks the
 * <em>device view</em> (what a device's DMA reaches, {@link IommuEmulator#translate(IommuDmaDevice, int, long, int)}
 * decoded with {@link DmaTranslation}: the physical address and the leaf's permissions, or the fault reason) at every
 * address the scenario touches, and the live counts, against a model of the client written from the spec. Before
 * every step the view is read once so that the IOTLB holds what the step must invalidate.
 * <ol>
 *     <li>{@link #displayDriverStartUp}: a display driver's start-up as WDDM's memory manager does it (acquire the
 *     newest version its features call for, falling back on older kernels; a PassThrough domain on V2/V3 with a
 *     state-change callback told of DMA Guard flips; identity maps through V1), then its teardown;</li>
 *     <li>{@link #halDmaRemappingOfScatterGatherLists}: the HAL's DMA remapping of ordinary drivers' scatter/gather
 *     lists through a buddy-allocator domain, put back out of order;</li>
 *     <li>{@link #pasidDeviceTeardownInEveryOrder}: a PASID device (parent and sub-device in two domains, the same
 *     IOVA mapped to different frames), torn down in all 720 orders of its six teardown calls.</li>
 * </ol>
 */
class GoldenClientSequenceTest
{
    private static final String NOT_PRESENT = fault(DmaTranslation.FAULT_NOT_PRESENT);
    private static final String PERMISSION = fault(DmaTranslation.FAULT_PERMISSION);
    private static final int ALL_BUT_PASS_THROUGH =
        IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.TRANSLATE_S1.mask();
    private static final int WITH_PASS_THROUGH = ALL_BUT_PASS_THROUGH | IommuDmaDomainType.PASS_THROUGH.mask();

    // ------------------------------------------------------------------------------------------------------------
    // The step machinery
    // ------------------------------------------------------------------------------------------------------------

    /** One DMA access of the device view: who, with which PASID, where, what for, and what it must reach. */
    private static final class Probe
    {
        final String label;
        final IommuDmaDevice device;
        final int pasid;
        final long address;
        final int access;
        final String expected;

        Probe(final String label, final IommuDmaDevice device, final int pasid, final long address, final int access,
            final String expected)
        {
            this.label = label;
            this.device = device;
            this.pasid = pasid;
            this.address = address;
            this.access = access;
            this.expected = expected;
        }

        String reach(final IommuEmulator emulator)
        {
            return describe(emulator.translate(device, pasid, address, access), address);
        }

        String line(final String outcome)
        {
            return String.format("%-28s %s 0x%x -> %s%n", label, access == WRITE ? "write" : "read ", address, outcome);
        }
    }

    /**
     * One scenario's script: numbered steps with their expected status; a refused step changes nothing; after every
     * step the device view (every probe of the model) and the live counts are compared with the model's.
     */
    private static final class Script
    {
        private final IommuEmulator emulator;
        private final Supplier<List<Probe>> view;
        private final Supplier<String> expectedCounts;
        private final Supplier<String> actualCounts;
        private final List<String> log = new ArrayList<>();
        private int steps;

        Script(final IommuEmulator emulator, final Supplier<List<Probe>> view, final Supplier<String> expectedCounts,
            final Supplier<String> actualCounts)
        {
            this.emulator = emulator;
            this.view = view;
            this.expectedCounts = expectedCounts;
            this.actualCounts = actualCounts;
        }

        /**
         * Runs one step: warms the IOTLB with the current view, runs {@code call}, asserts its status; on success
         * applies {@code effect} to the model, on refusal asserts that nothing changed; then checks the view.
         */
        void step(final String what, final int expected, final IntSupplier call, final Runnable effect)
        {
            steps++;
            for (final Probe probe : view.get())
            {
                probe.reach(emulator);
            }
            final long[] before = V2Rig.snapshot(emulator, List.of(), List.of());
            final int status = call.getAsInt();
            log.add(String.format("%3d  %-64s %s", steps, what, NtStatus.name(status)));
            assertEquals(NtStatus.name(expected), NtStatus.name(status), where(what));
            if (status == STATUS_SUCCESS)
            {
                if (null != effect)
                {
                    effect.run();
                }
            }
            else
            {
                assertEquals(Arrays.toString(before), Arrays.toString(V2Rig.snapshot(emulator, List.of(), List.of())),
                    where(what) + ": a refused step changes nothing");
            }
            checkView(what);
        }

        void checkView(final String what)
        {
            final StringBuilder expected = new StringBuilder();
            final StringBuilder actual = new StringBuilder();
            for (final Probe probe : view.get())
            {
                expected.append(probe.line(probe.expected));
                actual.append(probe.line(probe.reach(emulator)));
            }
            expected.append(expectedCounts.get());
            actual.append(actualCounts.get());
            assertEquals(expected.toString(), actual.toString(), where(what) + ": device view and live counts");
        }

        int steps()
        {
            return steps;
        }

        String where(final String what)
        {
            return "step " + steps + " (" + what + ")\n" + String.join("\n", log);
        }
    }

    static String describe(final long translation, final long address)
    {
        if (DmaTranslation.isFault(translation))
        {
            return fault(DmaTranslation.faultReason(translation));
        }
        return reaches(DmaTranslation.outputAddress(translation, address), DmaTranslation.permissions(translation));
    }

    static String reaches(final long physical, final int permissions)
    {
        return "0x" + Long.toHexString(physical) + " " + rights(permissions);
    }

    static String rights(final int permissions)
    {
        return ((permissions & READ) != 0 ? "r" : "-") + ((permissions & WRITE) != 0 ? "w" : "-");
    }

    static String fault(final int reason)
    {
        switch (reason)
        {
            case DmaTranslation.FAULT_NOT_PRESENT:
                return "fault NOT_PRESENT";
            case DmaTranslation.FAULT_PERMISSION:
                return "fault PERMISSION";
            case DmaTranslation.FAULT_BAD_ADDRESS:
                return "fault BAD_ADDRESS";
            default:
                return "fault " + reason;
        }
    }

    /** What an access needs of a mapping with {@code permissions} at {@code physical}: the page, or a fault. */
    static String allowed(final long physical, final int permissions, final int access)
    {
        return (permissions & access) == access ? reaches(physical, permissions) : PERMISSION;
    }

    // ------------------------------------------------------------------------------------------------------------
    // (1) A display driver's start-up
    // ------------------------------------------------------------------------------------------------------------

    private static final long LOW = 0x1000L;
    private static final long FRAME_BUFFER = 0x8000_0000L;
    private static final int FRAME_BUFFER_PAGES = 4;
    private static final long RING = 0x1_2345_6000L;
    private static final long HIGH = 0x7F_FFFF_F000L;

    private static Platform displayPlatform(final int kernelMax)
    {
        return Platform.builder()
            .architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
            .pci("gpu", 0, 3, 0, 0, "vtd0", false)
            .dmaGuard(true)
            .limits(V2Rig.limits(64))
            .maxInterfaceVersion(kernelMax)
            .build();
    }

    /**
     * The display driver: acquires the newest table it can use (falling back one version at a time on
     * STATUS_INVALID_PARAMETER_1), then, with V2 or V3, a device token for the GPU, a PassThrough domain (no flags, no
     * allocator, no reserved regions), a state-change callback told of DMA Guard flips, and the teardown; with V1 a
     * Translate domain (CreateDomain(TRUE)), AttachDevice and identity maps of the GPU's memory.
     */
    @ParameterizedTest(name = "driver wants V{0}, kernel offers up to V{1}: runs on V{2}")
    @CsvSource({"3, 3, 3", "3, 2, 2", "3, 1, 1", "2, 3, 2", "2, 2, 2", "2, 1, 1", "1, 3, 1", "1, 2, 1", "1, 1, 1"})
    void displayDriverStartUp(final int wanted, final int kernelMax, final int runsOn)
    {
        final Platform platform = displayPlatform(kernelMax);
        try (IommuEmulator emulator = IommuEmulator.launch(
            new EmulatorContext().platform(platform).dispatcherThread(false)))
        {
            final DisplayDriver driver = new DisplayDriver(platform, emulator);
            driver.acquire(wanted, kernelMax);
            assertEquals(runsOn, driver.ex.version());
            final int acquisitionSteps = wanted - runsOn + 1;
            assertEquals(acquisitionSteps, driver.script.steps());
            if (runsOn == 1)
            {
                driver.startAndStopOnV1();
                assertEquals(acquisitionSteps + 10, driver.script.steps());
            }
            else
            {
                driver.startAndStop(runsOn);
                assertEquals(acquisitionSteps + (runsOn == 3 ? 19 : 18), driver.script.steps());
            }
            assertEquals(0, emulator.liveDevices());
            assertEquals(0, emulator.liveDomains());
            assertEquals(driver.pagesStart, emulator.tablePagesInUse(), "every table page back");
        }
    }

    /** The model of the display driver's GPU, and the driver's calls. */
    private static final class DisplayDriver
    {
        final Platform platform;
        final IommuEmulator emulator;
        final PhysicalDeviceObject pdo;
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        final Script script;
        final long pagesStart;
        final List<String> told = new ArrayList<>();
        final List<String> expectedTold = new ArrayList<>();
        final Map<Long, Integer> identity = new TreeMap<>();
        final IommuInterfaceStateChangeCallback callback = (final IommuInterfaceStateChange change, final Object ctx) ->
            told.add(String.format("present=0x%x types=0x%x ctx=%s", change.presentFields(),
                change.availableDomainTypes(), ctx));
        IommuDmaDevice gpu;
        IommuDmaDomain domain;
        boolean v1;
        boolean deviceAlive;
        boolean domainAlive;
        boolean attached;
        boolean passThrough;
        boolean blocking;
        long domainPages;

        DisplayDriver(final Platform platform, final IommuEmulator emulator)
        {
            this.platform = platform;
            this.emulator = emulator;
            this.pdo = platform.device("gpu");
            this.pagesStart = emulator.tablePagesInUse();
            this.script = new Script(emulator, this::view, this::expectedCounts, this::actualCounts);
        }

        List<Probe> view()
        {
            // The hardware finds the device by its requester id, whichever table made it.
            final IommuDmaDevice device = emulator.dmaDeviceOf(pdo);
            final List<Probe> probes = new ArrayList<>();
            final long[] addresses = {LOW, FRAME_BUFFER, FRAME_BUFFER + (FRAME_BUFFER_PAGES - 1) * PAGE,
                FRAME_BUFFER + FRAME_BUFFER_PAGES * PAGE, RING, HIGH};
            for (final long page : addresses)
            {
                probes.add(new Probe("gpu", device, IommuEmulator.NO_PASID, page + 0x18, READ,
                    expect(page + 0x18, READ)));
                probes.add(new Probe("gpu", device, IommuEmulator.NO_PASID, page + 0xFF0, WRITE,
                    expect(page + 0xFF0, WRITE)));
            }
            return probes;
        }

        String expect(final long address, final int access)
        {
            if (!attached)
            {
                return NOT_PRESENT;
            }
            if (passThrough)
            {
                return reaches(address, READ_WRITE);
            }
            final Integer permissions = identity.get(address >>> 12);
            return null == permissions ? NOT_PRESENT : allowed(address, permissions, access);
        }

        String expectedCounts()
        {
            final String found = !deviceAlive ? "none" : v1 ? "V1 device" : "token";
            return String.format("devices=%d pasidDevices=0 domains=%d tablePages=%d found=%s told=%s",
                deviceAlive ? 1 : 0, domainAlive ? 1 : 0, pagesStart + (domainAlive ? domainPages : 0), found,
                expectedTold);
        }

        String actualCounts()
        {
            final IommuDmaDevice device = emulator.dmaDeviceOf(pdo);
            final String found = null == device ? "none" : device == gpu ? "token" : "V1 device";
            return String.format("devices=%d pasidDevices=%d domains=%d tablePages=%d found=%s told=%s",
                emulator.liveDevices(), emulator.livePasidDevices(), emulator.liveDomains(),
                emulator.tablePagesInUse(), found, told);
        }

        void measureDomain()
        {
            domainPages = emulator.tablePagesInUse() - pagesStart;
        }

        /** IoGetIommuInterfaceEx from the wanted version down: a newer one than the kernel's is _1, untouched. */
        void acquire(final int wanted, final int kernelMax)
        {
            for (int version = wanted; version >= 1; version--)
            {
                final int v = version;
                final boolean offered = v <= kernelMax;
                script.step("IoGetIommuInterfaceEx(" + v + ", 0)",
                    offered ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER_1,
                    () -> emulator.ioGetIommuInterfaceEx(v, 0, ex), null);
                if (offered)
                {
                    assertEquals(v, ex.version());
                    assertEquals(DmaIommuInterfaceEx.sizeOf(v), ex.size());
                    return;
                }
                assertEquals(0, ex.size(), "a refused acquisition fills nothing");
            }
        }

        int types()
        {
            return blocking ? ALL_BUT_PASS_THROUGH : WITH_PASS_THROUGH;
        }

        /** A DMA Guard flip and the dispatcher's delivery: the callback is told on delivery, not by the flip. */
        int flip(final boolean block, final int expectedDeliveries)
        {
            final int before = told.size();
            platform.policy().blockingActive(block);
            assertEquals(before, told.size(), "nothing is told on the thread that changed the policy");
            return emulator.deliverNotifications() == expectedDeliveries ?
                STATUS_SUCCESS : NtStatus.STATUS_UNSUCCESSFUL;
        }

        void startAndStop(final int version)
        {
            final DmaIommuInterfaceV2 t = ex.v2();
            final Ref<IommuDmaDevice> deviceOut = new Ref<>();
            final IommuDeviceCreationConfiguration config = version == 3 ?
                new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.DEFAULT_PASID_ONLY, false) :
                null;
            script.step("CreateDevice(gpu)", STATUS_SUCCESS, () -> t.createDevice(pdo, config, deviceOut), () ->
            {
                gpu = deviceOut.get();
                deviceAlive = true;
            });
            final IntRef available = new IntRef();
            script.step("QueryAvailableDomainTypes(gpu)", STATUS_SUCCESS, () ->
            {
                t.queryAvailableDomainTypes(gpu, available);
                return STATUS_SUCCESS;
            }, null);
            assertEquals(WITH_PASS_THROUGH, available.get(), "Translate, PassThrough and TranslateS1");
            if (version == 3)
            {
                final IntRef written = new IntRef();
                final IommuDmaDeviceInformation info = new IommuDmaDeviceInformation();
                script.step("QueryDeviceInfo(gpu)", STATUS_SUCCESS, () -> ex.v3().queryDeviceInfo(
                    gpu, IommuDmaDeviceInformation.SIZE_X64, written, info), null);
                assertEquals(IommuDmaDeviceInformation.SIZE_X64, written.get());
                assertTrue(info.defaultPasidEnabled());
                assertFalse(info.pasidTaggedDmaEnabled());
                assertFalse(info.pasidFaultsSuppressed());
            }
            final Ref<IommuDmaDomain> domainOut = new Ref<>();
            script.step("CreateDomainEx(PassThrough, 0, NULL, NULL)", STATUS_SUCCESS,
                () -> t.createDomainEx(IommuDmaDomainType.PASS_THROUGH, 0, null, null, domainOut), () ->
                {
                    domain = domainOut.get();
                    domainAlive = true;
                    passThrough = true;
                    measureDomain();
                });
            script.step("AttachDeviceEx(pt, gpu): physical addresses as identity", STATUS_SUCCESS,
                () -> t.attachDeviceEx(domain, gpu), () -> attached = true);
            assertEquals(PAGE, DmaTranslation.pageSize(emulator.translate(gpu, FRAME_BUFFER, READ)));
            final IommuInterfaceStateChangeFields fields =
                new IommuInterfaceStateChangeFields().availableDomainTypes(true);
            script.step("RegisterInterfaceStateChangeCallback: told at once", STATUS_SUCCESS,
                () -> t.registerInterfaceStateChangeCallback(callback, "wddm", gpu, fields),
                () -> expectedTold.add("present=0x1 types=0xb ctx=wddm"));
            script.step("DMA Guard blocking on, delivered: PassThrough gone, still attached", STATUS_SUCCESS,
                () -> flip(true, 1), () ->
                {
                    blocking = true;
                    expectedTold.add("present=0x1 types=0x9 ctx=wddm");
                });
            script.step("QueryAvailableDomainTypes(gpu) while blocking", STATUS_SUCCESS, () ->
            {
                t.queryAvailableDomainTypes(gpu, available);
                return available.get() == types() ? STATUS_SUCCESS : NtStatus.STATUS_UNSUCCESSFUL;
            }, null);
            script.step("DMA Guard blocking off, delivered: PassThrough back", STATUS_SUCCESS, () -> flip(false, 1),
                () ->
                {
                    blocking = false;
                    expectedTold.add("present=0x1 types=0xb ctx=wddm");
                });
            script.step("DMA Guard disabled and enabled: the GPU's set unchanged, not told", STATUS_SUCCESS, () ->
            {
                platform.policy().enabled(false);
                platform.policy().enabled(true);
                return emulator.deliverNotifications() == 0 ? STATUS_SUCCESS : NtStatus.STATUS_UNSUCCESSFUL;
            }, null);
            script.step("DeleteDevice(gpu) attached and registered", STATUS_RESOURCE_IN_USE,
                () -> t.deleteDevice(gpu), null);
            script.step("UnregisterInterfaceStateChangeCallback", STATUS_SUCCESS,
                () -> t.unregisterInterfaceStateChangeCallback(callback, gpu), null);
            script.step("DMA Guard blocking on and off after Unregister: not told", STATUS_SUCCESS, () ->
            {
                platform.policy().blockingActive(true);
                platform.policy().blockingActive(false);
                emulator.deliverNotifications();
                return STATUS_SUCCESS;
            }, null);
            script.step("DeleteDevice(gpu) attached", STATUS_RESOURCE_IN_USE, () -> t.deleteDevice(gpu), null);
            script.step("DeleteDomain(pt) with the gpu attached", STATUS_RESOURCE_IN_USE,
                () -> t.deleteDomain(domain), null);
            script.step("DetachDeviceEx(gpu): DMA blocked", STATUS_SUCCESS, () -> t.detachDeviceEx(gpu),
                () -> attached = false);
            script.step("DetachDeviceEx(gpu) again", STATUS_INVALID_PARAMETER_1, () -> t.detachDeviceEx(gpu), null);
            script.step("DeleteDomain(pt)", STATUS_SUCCESS, () -> t.deleteDomain(domain), () -> domainAlive = false);
            script.step("DeleteDevice(gpu)", STATUS_SUCCESS, () -> t.deleteDevice(gpu), () -> deviceAlive = false);
        }

        void startAndStopOnV1()
        {
            v1 = true;
            final DmaIommuInterfaceV1 t = ex.v1();
            final Ref<IommuDmaDomain> domainOut = new Ref<>();
            script.step("CreateDomain(TRUE)", STATUS_SUCCESS, () -> t.createDomain(true, domainOut), () ->
            {
                domain = domainOut.get();
                domainAlive = true;
                measureDomain();
            });
            script.step("AttachDevice(d, gpu, 0, 1): nothing mapped yet", STATUS_SUCCESS,
                () -> t.attachDevice(domain, pdo, 0, 1), () ->
                {
                    deviceAlive = true;
                    attached = true;
                });
            final long[] frameBuffer = new long[FRAME_BUFFER_PAGES];
            for (int i = 0; i < frameBuffer.length; i++)
            {
                frameBuffer[i] = (FRAME_BUFFER >>> 12) + i;
            }
            final Mdl frameBufferMdl = new Mdl().describe(frameBuffer, FRAME_BUFFER_PAGES * PAGE);
            final Mdl ringMdl = new Mdl().describe(new long[] {RING >>> 12}, PAGE);
            script.step("MapIdentityRange(d, rw, frame buffer)", STATUS_SUCCESS,
                () -> t.mapIdentityRange(domain, READ_WRITE, frameBufferMdl), () ->
                {
                    for (final long frame : frameBuffer)
                    {
                        identity.put(frame, READ_WRITE);
                    }
                    measureDomain();
                });
            script.step("MapIdentityRange(d, r, ring)", STATUS_SUCCESS, () -> t.mapIdentityRange(domain, READ, ringMdl),
                () ->
                {
                    identity.put(RING >>> 12, READ);
                    measureDomain();
                });
            script.step("DMA Guard blocking on and off: a V1 device is told nothing", STATUS_SUCCESS, () ->
            {
                platform.policy().blockingActive(true);
                platform.policy().blockingActive(false);
                return emulator.deliverNotifications() == 0 ? STATUS_SUCCESS : NtStatus.STATUS_UNSUCCESSFUL;
            }, null);
            script.step("DeleteDomain(d) with the gpu attached", STATUS_RESOURCE_IN_USE, () -> t.deleteDomain(domain),
                null);
            script.step("UnmapIdentityRange(d, frame buffer)", STATUS_SUCCESS,
                () -> t.unmapIdentityRange(domain, frameBufferMdl), () ->
                {
                    for (final long frame : frameBuffer)
                    {
                        identity.remove(frame);
                    }
                    measureDomain();
                });
            script.step("UnmapIdentityRange(d, ring)", STATUS_SUCCESS, () -> t.unmapIdentityRange(domain, ringMdl),
                () ->
                {
                    identity.remove(RING >>> 12);
                    measureDomain();
                });
            script.step("DetachDevice(d, gpu, 0): the device is gone", STATUS_SUCCESS,
                () -> t.detachDevice(domain, pdo, 0), () ->
                {
                    attached = false;
                    deviceAlive = false;
                });
            script.step("DeleteDomain(d)", STATUS_SUCCESS, () -> t.deleteDomain(domain), () -> domainAlive = false);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // (2) The HAL's DMA remapping of scatter/gather lists
    // ------------------------------------------------------------------------------------------------------------

    /** One scatter/gather list as the HAL maps it: its pages, how it describes them, and where it went. */
    private static final class SgList
    {
        final String name;
        final String form;
        final long[] frames;
        final int permissions;
        long iova = -1;

        SgList(final String name, final String form, final long[] frames, final int permissions)
        {
            this.name = name;
            this.form = form;
            this.frames = frames;
            this.permissions = permissions;
        }

        int pages()
        {
            return frames.length;
        }

        long blockPages()
        {
            return frames.length == 1 ? 1 : Long.highestOneBit(frames.length - 1L) << 1;
        }

        IommuMapPhysicalAddress description()
        {
            switch (form)
            {
                case "pfn":
                    return V2Rig.pfns(frames);
                case "mdl":
                    return new IommuMapPhysicalAddress().useMdl(new Mdl().describe(frames, frames.length * PAGE));
                default:
                    return V2Rig.contiguous(frames[0] * PAGE, frames.length);
            }
        }

        @Override
        public String toString()
        {
            return name + " (" + form + ", " + frames.length + " pages, " + rights(permissions) + ")";
        }
    }

    private static long[] frames(final long first, final long stride, final int count)
    {
        final long[] frames = new long[count];
        for (int i = 0; i < count; i++)
        {
            frames[i] = first + i * stride;
        }
        return frames;
    }

    /** The device-visible state of one page of the domain. */
    private static final class PageView
    {
        final String label;
        final long physical;
        final int permissions;

        PageView(final String label, final long physical, final int permissions)
        {
            this.label = label;
            this.physical = physical;
            this.permissions = permissions;
        }
    }

    /**
     * The HAL remaps ordinary drivers' DMA: one Translate domain with a buddy allocator per device; every
     * scatter/gather list (PFN arrays, MDLs and contiguous ranges, 1 to 512 pages, read-only, write-only or both) is
     * mapped with MapLogicalRangeEx at an address the allocator picks, the device reads and writes every page of
     * every list, and each list is put back with UnmapLogicalRange when its transfer completes (out of order, one in
     * two pieces). The allocator's free bytes follow the live blocks after every step and are back at the start at
     * the end; DeleteDomain hands every table page back.
     */
    @Test
    void halDmaRemappingOfScatterGatherLists()
    {
        try (V2Rig r = V2Rig.x64())
        {
            new HalRemapping(r).run();
        }
    }

    /** The model of the HAL's remapping domain, and its calls. */
    private static final class HalRemapping
    {
        final V2Rig r;
        final Map<Long, PageView> pages = new TreeMap<>();
        final Map<String, SgList> live = new LinkedHashMap<>();
        final long pagesBeforeDomain;
        IommuDmaDomain domain;
        MappingDomain mapping;
        IommuDmaDevice disk;
        Script script;
        long freeStart;
        long heldPages;
        long mappedPages;
        boolean attached;
        boolean domainAlive;
        boolean deviceAlive;
        long expectedTablePages = -1;

        HalRemapping(final V2Rig r)
        {
            this.r = r;
            this.pagesBeforeDomain = r.emulator.tablePagesInUse();
        }

        List<Probe> view()
        {
            final List<Probe> probes = new ArrayList<>();
            pages.forEach((final Long iova, final PageView page) ->
            {
                probes.add(new Probe(page.label, disk, IommuEmulator.NO_PASID, iova + 0x40, READ,
                    expect(page, 0x40, READ)));
                probes.add(new Probe(page.label, disk, IommuEmulator.NO_PASID, iova + 0xF80, WRITE,
                    expect(page, 0xF80, WRITE)));
            });
            return probes;
        }

        String expect(final PageView page, final long offset, final int access)
        {
            return !attached || page.permissions < 0 ? NOT_PRESENT :
                allowed(page.physical + offset, page.permissions, access);
        }

        String expectedCounts()
        {
            return String.format("devices=%d domains=%d free=0x%x mapped=%d tablePages=%d", deviceAlive ? 1 : 0,
                domainAlive ? 1 : 0, domainAlive ? freeStart - heldPages * PAGE : -1, domainAlive ? mappedPages : -1,
                expectedTablePages < 0 ? -1 : expectedTablePages);
        }

        String actualCounts()
        {
            return String.format("devices=%d domains=%d free=0x%x mapped=%d tablePages=%d", r.emulator.liveDevices(),
                r.emulator.liveDomains(), domainAlive ? mapping.allocator().freeBytes() : -1,
                domainAlive ? mapping.table().countMapped(0, mapping.limit()) : -1,
                expectedTablePages < 0 ? -1 : r.emulator.tablePagesInUse());
        }

        void map(final SgList list)
        {
            final LongRef out = new LongRef();
            script.step("MapLogicalRangeEx " + list, STATUS_SUCCESS, () -> r.iommu.mapLogicalRangeEx(
                domain, list.permissions, list.description(), null, null, null, out), () ->
                {
                    list.iova = out.get();
                    checkPlacement(list);
                    live.put(list.name, list);
                    heldPages += list.blockPages();
                    mappedPages += list.pages();
                    for (int i = 0; i < list.pages(); i++)
                    {
                        pages.put(list.iova + i * PAGE,
                            new PageView(list.name + "[" + i + "]", list.frames[i] * PAGE, list.permissions));
                    }
                    if (list.blockPages() > list.pages())
                    {
                        pages.put(list.iova + list.pages() * PAGE, new PageView(list.name + " block rest", 0, -1));
                    }
                });
        }

        /** Page aligned, inside [page 1, 2^width), aligned to its block, and no overlap with any live block. */
        void checkPlacement(final SgList list)
        {
            final long block = list.blockPages() * PAGE;
            final String where = list + " at 0x" + Long.toHexString(list.iova);
            assertEquals(0, list.iova % PAGE, where + ": page aligned");
            assertTrue(list.iova >= PAGE, where + ": never page 0");
            assertTrue(list.iova + list.pages() * PAGE <= 1L << V2Rig.ALLOCATOR_WIDTH, where + ": inside 2^width");
            assertEquals(0, list.iova % block, where + ": aligned to its buddy block");
            for (final SgList other : live.values())
            {
                final long otherBlock = other.blockPages() * PAGE;
                assertTrue(list.iova + block <= other.iova || other.iova + otherBlock <= list.iova,
                    where + " overlaps live " + other + " at 0x" + Long.toHexString(other.iova));
            }
        }

        void unmap(final SgList list, final long firstPage, final long count, final boolean last)
        {
            script.step("UnmapLogicalRange " + list.name + " pages " + firstPage + ".." + (firstPage + count - 1),
                STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(domain, list.iova + firstPage * PAGE, count), () ->
                {
                    for (long i = firstPage; i < firstPage + count; i++)
                    {
                        pages.put(list.iova + i * PAGE, new PageView(list.name + "[" + i + "] put back", 0, -1));
                    }
                    mappedPages -= count;
                    if (last)
                    {
                        // The block goes back only with the last of its pages (spec 5.4 item 22).
                        live.remove(list.name);
                        heldPages -= list.blockPages();
                    }
                });
        }

        void putBack(final SgList list)
        {
            unmap(list, 0, list.pages(), true);
        }

        void roundEnds(final String round)
        {
            assertTrue(live.isEmpty());
            assertEquals(freeStart, mapping.allocator().freeBytes(), round + ": the allocator's free bytes are back");
            assertEquals(0, mapping.table().countMapped(0, mapping.limit()), round + ": nothing mapped");
        }

        void run()
        {
            script = new Script(r.emulator, this::view, this::expectedCounts, this::actualCounts);
            final Ref<IommuDmaDomain> domainOut = new Ref<>();
            final Ref<IommuDmaDevice> deviceOut = new Ref<>();
            script.step("CreateDomainEx(Translate, 0, buddy(39), NULL)", STATUS_SUCCESS, () -> r.iommu.createDomainEx(
                IommuDmaDomainType.TRANSLATE, 0, new IommuDmaLogicalAllocatorConfig().buddy(
                    V2Rig.ALLOCATOR_WIDTH), null, domainOut), () ->
                {
                    domain = domainOut.get();
                    mapping = (MappingDomain)domain;
                    freeStart = mapping.allocator().freeBytes();
                    domainAlive = true;
                });
            assertEquals((1L << V2Rig.ALLOCATOR_WIDTH) - PAGE, freeStart, "all but page 0");
            script.step("CreateDevice(disk)", STATUS_SUCCESS,
                () -> r.iommu.createDevice(r.platform.device("disk"), null, deviceOut), () ->
                {
                    disk = deviceOut.get();
                    deviceAlive = true;
                });
            script.step("AttachDeviceEx(d, disk)", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(domain, disk),
                () -> attached = true);
            final long pagesStart = r.emulator.tablePagesInUse();

            final SgList l1 = new SgList("L1", "pfn", new long[] {0x1001}, READ_WRITE);
            final SgList l2 = new SgList("L2", "pfn", new long[] {0x2007, 0x2003, 0x2005}, READ);
            final SgList l3 = new SgList("L3", "mdl", new long[] {0x3012, 0x3010, 0x3014, 0x3011, 0x3013}, WRITE);
            final SgList l4 = new SgList("L4", "contiguous", frames(0x4_0000, 1, 8), READ_WRITE);
            final SgList l5 = new SgList("L5", "mdl", frames(0x5000, 3, 16), READ);
            final SgList l6 = new SgList("L6", "pfn", new long[] {0x6666, 0x6001}, WRITE);
            final SgList l7 = new SgList("L7", "pfn", frames(0x7000, 2, 33), READ_WRITE);
            final SgList l8 = new SgList("L8", "contiguous", frames(0x4_0000, 1, 512), READ_WRITE);
            final SgList l9 = new SgList("L9", "mdl", new long[] {0x9003, 0x9002, 0x9001}, READ_WRITE);

            map(l1);
            map(l2);
            map(l3);
            map(l4);
            map(l5);
            map(l6);
            putBack(l3);
            script.step("UnmapLogicalRange L3 again: nothing mapped there", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapLogicalRange(domain, l3.iova, l3.pages()), null);
            putBack(l1);
            map(l7);
            map(l8);
            assertEquals(2 * 1024 * 1024, DmaTranslation.pageSize(r.emulator.translate(disk, l8.iova, READ)),
                "512 contiguous pages in a 2 MiB aligned block: one 2 MiB leaf");
            putBack(l5);
            map(l9);
            unmap(l7, 0, 10, false);
            unmap(l7, 10, l7.pages() - 10, true);
            putBack(l2);
            putBack(l8);
            putBack(l6);
            putBack(l9);
            putBack(l4);

            roundEnds("round 1");
            // Unmap frees only the tables whose whole span it covers (RadixPageTable's contract; spec 2.13: it "may"
            // release page-table memory): the emptied tables of the small lists stay with the domain.
            final long pagesAfterRound1 = r.emulator.tablePagesInUse();
            assertTrue(pagesAfterRound1 >= pagesStart);

            // Round 2: the same lists again, put back in another order; the emptied tables are reused, none added.
            map(l9);
            map(l8);
            map(l7);
            map(l6);
            map(l5);
            map(l4);
            map(l3);
            map(l2);
            map(l1);
            putBack(l4);
            putBack(l8);
            putBack(l1);
            unmap(l7, 0, 1, false);
            unmap(l7, 32, 1, false);
            unmap(l7, 1, 31, true);
            putBack(l3);
            putBack(l9);
            putBack(l2);
            putBack(l6);
            putBack(l5);
            roundEnds("round 2");
            assertEquals(pagesAfterRound1, r.emulator.tablePagesInUse(), "round 2 added no table page");

            script.step("DetachDeviceEx(disk)", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(disk),
                () -> attached = false);
            script.step("DeleteDomain(d): every table page back", STATUS_SUCCESS, () -> r.iommu.deleteDomain(domain),
                () ->
                {
                    domainAlive = false;
                    expectedTablePages = pagesBeforeDomain;
                });
            script.step("DeleteDevice(disk)", STATUS_SUCCESS, () -> r.iommu.deleteDevice(disk),
                () -> deviceAlive = false);
            assertEquals(46, script.steps());
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // (3) A PASID device, torn down in every order
    // ------------------------------------------------------------------------------------------------------------

    /** The six teardown calls of the PASID scene. */
    private enum Teardown
    {
        DETACH_PARENT("DetachDeviceEx(parent)"),
        DETACH_SUB("DetachPasidDevice(sub)"),
        DELETE_SUB("DeletePasidDevice(sub)"),
        DELETE_D1("DeleteDomain(d1)"),
        DELETE_D2("DeleteDomain(d2)"),
        DELETE_PARENT("DeleteDevice(parent)");

        final String call;

        Teardown(final String call)
        {
            this.call = call;
        }
    }

    /**
     * The orders the spec requires, as (before, after) pairs: 1.5 rule 2 (detach before DeleteDevice), rule 3
     * (detach a sub-device before DeletePasidDevice), rule 4 (no device, and no sub-device: 5.3 item 14, attached to
     * a deleted domain), and 5.2 item 9 (no sub-device alive at DeleteDevice).
     */
    private static final Teardown[][] SPEC_ORDER = {
        {Teardown.DETACH_PARENT, Teardown.DELETE_PARENT},
        {Teardown.DETACH_SUB, Teardown.DELETE_SUB},
        {Teardown.DETACH_PARENT, Teardown.DELETE_D1},
        {Teardown.DETACH_SUB, Teardown.DELETE_D2},
        {Teardown.DELETE_SUB, Teardown.DELETE_PARENT},
    };

    private static final long X = 0x10_0000L;
    private static final long Y = 0x10_1000L;
    private static final long F1 = 0x111L;
    private static final long F2 = 0x222L;
    private static final long F3 = 0x333L;

    static boolean specAllows(final List<Teardown> order)
    {
        for (final Teardown[] rule : SPEC_ORDER)
        {
            if (order.indexOf(rule[0]) > order.indexOf(rule[1]))
            {
                return false;
            }
        }
        return true;
    }

    static List<List<Teardown>> permutations(final List<Teardown> steps)
    {
        final List<List<Teardown>> all = new ArrayList<>();
        if (steps.isEmpty())
        {
            all.add(new ArrayList<>());
            return all;
        }
        for (final Teardown first : steps)
        {
            final List<Teardown> rest = new ArrayList<>(steps);
            rest.remove(first);
            for (final List<Teardown> tail : permutations(rest))
            {
                tail.add(0, first);
                all.add(tail);
            }
        }
        return all;
    }

    @Test
    void specAllowsFortyOfTheSevenHundredTwentyTeardownOrders()
    {
        final List<List<Teardown>> all = permutations(List.of(Teardown.values()));
        assertEquals(720, all.size());
        assertEquals(720, all.stream().map(List::toString).distinct().count());
        assertEquals(40, all.stream().filter(GoldenClientSequenceTest::specAllows).count());
    }

    /**
     * A device created for PASID-tagged DMA, a sub-device, the parent attached (AttachDeviceEx) to Translate domain d1
     * and the sub-device (AttachPasidDevice) to d2, the same IOVA mapped to different frames in each (and a read-only
     * page in d2 only): untagged DMA and PASID 0 walk d1, the sub-device's PASID walks d2, an unknown PASID faults.
     * Then the six teardown calls in the given order; each is refused (and changes nothing) while the spec's order
     * forbids it, and the refused ones are retried in the same order until all went through. The spec orders run
     * without a refusal. At the end every handle is stale.
     */
    @TestFactory
    Stream<DynamicTest> pasidDeviceTeardownInEveryOrder()
    {
        return permutations(List.of(Teardown.values())).stream().map((final List<Teardown> order) ->
            DynamicTest.dynamicTest(order + (specAllows(order) ? " (a spec order)" : ""),
                () -> teardownInOrder(order)));
    }

    private static void teardownInOrder(final List<Teardown> order)
    {
        try (IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext()
            .platform(V2Rig.x64Platform(V2Rig.limits(64))).dispatcherThread(false).notificationRingBytes(4096)))
        {
            final PasidScene scene = new PasidScene(emulator);
            scene.setUp();
            assertEquals(12, scene.script.steps(), "set-up steps");
            int teardownSteps = 0;
            List<Teardown> pending = new ArrayList<>(order);
            int pass = 0;
            while (!pending.isEmpty())
            {
                pass++;
                assertTrue(pass <= order.size(), "a pass with no progress");
                final List<Teardown> refused = new ArrayList<>();
                for (final Teardown step : pending)
                {
                    teardownSteps++;
                    final int expected = scene.expected(step);
                    scene.script.step("pass " + pass + ": " + step.call, expected, () -> scene.run(step),
                        () -> scene.apply(step));
                    if (expected != STATUS_SUCCESS)
                    {
                        refused.add(step);
                    }
                }
                if (pass == 1)
                {
                    assertEquals(specAllows(order), refused.isEmpty(), "refusals exactly where the spec's order fails");
                }
                pending = refused;
            }
            assertEquals(0, emulator.liveDevices());
            assertEquals(0, emulator.livePasidDevices());
            assertEquals(0, emulator.liveDomains());
            assertEquals(scene.pagesStart, emulator.tablePagesInUse());
            for (final Teardown step : order)
            {
                scene.script.step("stale: " + step.call, STATUS_INVALID_PARAMETER, () -> scene.run(step), null);
            }
            assertEquals(12 + teardownSteps + order.size(), scene.script.steps());
        }
    }

    /** The model of the PASID scene, and its calls. */
    private static final class PasidScene
    {
        final IommuEmulator emulator;
        final DmaIommuInterfaceV3 v3;
        final PhysicalDeviceObject pdo;
        final Script script;
        final long pagesStart;
        IommuDmaDevice parent;
        IommuDmaPasidDevice sub;
        IommuDmaDomain d1;
        IommuDmaDomain d2;
        int pasid = 1;
        boolean parentAlive;
        boolean subAlive;
        boolean d1Alive;
        boolean d2Alive;
        boolean parentAttached;
        boolean subAttached;
        boolean d1MapsX;
        boolean d2MapsX;
        boolean d2MapsY;
        long pagesD1;
        long pagesD2;

        PasidScene(final IommuEmulator emulator)
        {
            this.emulator = emulator;
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            assertEquals(STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(3, 0, ex));
            this.v3 = ex.v3();
            this.pdo = emulator.platform().device("gpu");
            this.pagesStart = emulator.tablePagesInUse();
            this.script = new Script(emulator, this::view, this::expectedCounts, this::actualCounts);
        }

        List<Probe> view()
        {
            final String parentX = parentAttached && d1MapsX ? reaches(F1 * PAGE + 8, READ_WRITE) : NOT_PRESENT;
            final String subX = subAttached && d2MapsX ? reaches(F2 * PAGE + 8, READ_WRITE) : NOT_PRESENT;
            final String subY = subAttached && d2MapsY ? reaches(F3 * PAGE + 8, READ) : NOT_PRESENT;
            final int none = IommuEmulator.NO_PASID;
            return List.of(
                new Probe("untagged", parent, none, X + 8, READ, parentX),
                new Probe("untagged", parent, none, X + 8, WRITE, parentX),
                new Probe("untagged", parent, none, Y + 8, READ, NOT_PRESENT),
                new Probe("PASID 0", parent, 0, X + 8, READ, parentX),
                new Probe("PASID 0", parent, 0, Y + 8, READ, NOT_PRESENT),
                new Probe("PASID " + pasid, parent, pasid, X + 8, READ, subX),
                new Probe("PASID " + pasid, parent, pasid, X + 8, WRITE, subX),
                new Probe("PASID " + pasid, parent, pasid, Y + 8, READ, subY),
                new Probe("PASID " + pasid, parent, pasid, Y + 8, WRITE, subAttached && d2MapsY ? PERMISSION :
                    NOT_PRESENT),
                new Probe("unknown PASID " + (pasid + 1), parent, pasid + 1, X + 8, READ, NOT_PRESENT),
                new Probe("unknown PASID 0xfffff", parent, 0xF_FFFF, X + 8, READ, NOT_PRESENT));
        }

        String expectedCounts()
        {
            return String.format("devices=%d pasidDevices=%d domains=%d tablePages=%d", parentAlive ? 1 : 0,
                subAlive ? 1 : 0, (d1Alive ? 1 : 0) + (d2Alive ? 1 : 0),
                pagesStart + (d1Alive ? pagesD1 : 0) + (d2Alive ? pagesD2 : 0));
        }

        String actualCounts()
        {
            return String.format("devices=%d pasidDevices=%d domains=%d tablePages=%d", emulator.liveDevices(),
                emulator.livePasidDevices(), emulator.liveDomains(), emulator.tablePagesInUse());
        }

        int mapAt(final IommuDmaDomain domain, final long iova, final long frame, final int permissions)
        {
            return v3.mapLogicalRangeEx(domain, permissions, V2Rig.pfns(frame), new LongRef(iova), null, null,
                new LongRef());
        }

        void setUp()
        {
            final Ref<IommuDmaDevice> parentOut = new Ref<>();
            final IommuDeviceCreationConfiguration config =
                new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false);
            script.step("CreateDevice(gpu, PasidTaggedDma)", STATUS_SUCCESS,
                () -> v3.createDevice(pdo, config, parentOut), () ->
                {
                    parent = parentOut.get();
                    parentAlive = true;
                });
            final IntRef written = new IntRef();
            final IommuDmaDeviceInformation info = new IommuDmaDeviceInformation();
            script.step("QueryDeviceInfo(parent)", STATUS_SUCCESS,
                () -> v3.queryDeviceInfo(parent, IommuDmaDeviceInformation.SIZE_X64, written, info), null);
            assertTrue(info.defaultPasidEnabled() && info.pasidTaggedDmaEnabled() && !info.pasidFaultsSuppressed());
            final Ref<IommuDmaPasidDevice> subOut = new Ref<>();
            final IntRef asid = new IntRef();
            script.step("CreatePasidDevice(parent)", STATUS_SUCCESS, () -> v3.createPasidDevice(parent, subOut, asid),
                () ->
                {
                    sub = subOut.get();
                    subAlive = true;
                    assertEquals(1, asid.get(), "the lowest free PASID, from 1");
                    pasid = asid.get();
                });
            final Ref<IommuDmaDomain> out = new Ref<>();
            script.step("CreateDomainEx(Translate) d1", STATUS_SUCCESS,
                () -> v3.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, out), () ->
                {
                    d1 = out.get();
                    d1Alive = true;
                    pagesD1 = emulator.tablePagesInUse() - pagesStart;
                });
            script.step("CreateDomainEx(Translate) d2", STATUS_SUCCESS,
                () -> v3.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, out), () ->
                {
                    d2 = out.get();
                    d2Alive = true;
                    pagesD2 = emulator.tablePagesInUse() - pagesStart - pagesD1;
                });
            script.step("AttachDeviceEx(d1, parent)", STATUS_SUCCESS, () -> v3.attachDeviceEx(d1, parent),
                () -> parentAttached = true);
            script.step("AttachPasidDevice(d2, sub)", STATUS_SUCCESS, () -> v3.attachPasidDevice(d2, sub),
                () -> subAttached = true);
            script.step("AttachDeviceEx(d2, parent): the parent is attached already", STATUS_INVALID_PARAMETER,
                () -> v3.attachDeviceEx(d2, parent), null);
            script.step("AttachPasidDevice(d1, sub): the sub-device is attached already", NtStatus.STATUS_UNSUCCESSFUL,
                () -> v3.attachPasidDevice(d1, sub), null);
            final long[] before = new long[1];
            script.step("MapLogicalRangeEx(d1, rw, F1 at X)", STATUS_SUCCESS, () ->
            {
                before[0] = emulator.tablePagesInUse();
                return mapAt(d1, X, F1, READ_WRITE);
            }, () ->
                {
                    d1MapsX = true;
                    pagesD1 += emulator.tablePagesInUse() - before[0];
                });
            script.step("MapLogicalRangeEx(d2, rw, F2 at X)", STATUS_SUCCESS, () ->
            {
                before[0] = emulator.tablePagesInUse();
                return mapAt(d2, X, F2, READ_WRITE);
            }, () ->
                {
                    d2MapsX = true;
                    pagesD2 += emulator.tablePagesInUse() - before[0];
                });
            script.step("MapLogicalRangeEx(d2, r, F3 at Y)", STATUS_SUCCESS, () ->
            {
                before[0] = emulator.tablePagesInUse();
                return mapAt(d2, Y, F3, READ);
            }, () ->
                {
                    d2MapsY = true;
                    pagesD2 += emulator.tablePagesInUse() - before[0];
                });
            assertNotNull(sub);
        }

        /** The documented status of a teardown call in the model's state (a stale handle: 5.2 item 10). */
        int expected(final Teardown step)
        {
            switch (step)
            {
                case DETACH_PARENT:
                    return !parentAlive ? STATUS_INVALID_PARAMETER :
                        parentAttached ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER_1;
                case DETACH_SUB:
                    return !subAlive ? STATUS_INVALID_PARAMETER :
                        subAttached ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER_1;
                case DELETE_SUB:
                    return !subAlive ? STATUS_INVALID_PARAMETER :
                        subAttached ? STATUS_RESOURCE_IN_USE : STATUS_SUCCESS;
                case DELETE_D1:
                    return !d1Alive ? STATUS_INVALID_PARAMETER :
                        parentAttached ? STATUS_RESOURCE_IN_USE : STATUS_SUCCESS;
                case DELETE_D2:
                    return !d2Alive ? STATUS_INVALID_PARAMETER :
                        subAttached ? STATUS_RESOURCE_IN_USE : STATUS_SUCCESS;
                case DELETE_PARENT:
                    return !parentAlive ? STATUS_INVALID_PARAMETER :
                        parentAttached || subAlive ? STATUS_RESOURCE_IN_USE : STATUS_SUCCESS;
                default:
                    throw new IllegalArgumentException(step.toString());
            }
        }

        int run(final Teardown step)
        {
            switch (step)
            {
                case DETACH_PARENT:
                    return v3.detachDeviceEx(parent);
                case DETACH_SUB:
                    return v3.detachPasidDevice(sub);
                case DELETE_SUB:
                    return v3.deletePasidDevice(sub);
                case DELETE_D1:
                    return v3.deleteDomain(d1);
                case DELETE_D2:
                    return v3.deleteDomain(d2);
                case DELETE_PARENT:
                    return v3.deleteDevice(parent);
                default:
                    throw new IllegalArgumentException(step.toString());
            }
        }

        void apply(final Teardown step)
        {
            switch (step)
            {
                case DETACH_PARENT:
                    parentAttached = false;
                    break;
                case DETACH_SUB:
                    subAttached = false;
                    break;
                case DELETE_SUB:
                    subAlive = false;
                    break;
                case DELETE_D1:
                    d1Alive = false;
                    break;
                case DELETE_D2:
                    d2Alive = false;
                    break;
                case DELETE_PARENT:
                    parentAlive = false;
                    break;
                default:
                    throw new IllegalArgumentException(step.toString());
            }
        }
    }
}
