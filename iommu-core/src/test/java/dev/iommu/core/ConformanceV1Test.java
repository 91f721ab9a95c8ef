/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.DomainConfigurationArch;
import dev.iommu.api.FaultInformation;
import dev.iommu.api.FaultInformationArch;
import dev.iommu.api.FaultInformationArm64;
import dev.iommu.api.FaultInformationType;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaReservedRegion;
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
import static dev.iommu.core.ConformanceCases.on;
import static dev.iommu.core.ConformanceCases.x64;
import static dev.iommu.api.IommuPermissions.READ;
import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.IommuPermissions.WRITE;
import static dev.iommu.api.NtStatus.STATUS_ACCESS_DENIED;
import static dev.iommu.api.NtStatus.STATUS_BUFFER_TOO_SMALL;
import static dev.iommu.api.NtStatus.STATUS_CONFLICTING_ADDRESSES;
import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_NOT_FOUND;
import static dev.iommu.api.NtStatus.STATUS_NOT_SUPPORTED;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.contiguous;
import static dev.iommu.core.V2Rig.output;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance table of {@code DMA_IOMMU_INTERFACE_V1} (the 13 members, spec 2.1, 2.3 to 2.5, 2.8 to 2.11, 2.13
 * to 2.15, 2.18, 2.20): one case per documented status of every member and one per choice the implementation made for
 * spec section 5 (the V1 rules are in {@link DomainRules}, {@link DeviceRules} and {@link MappingRules}, the engine
 * outcomes in {@link MappingDomain}), plus the cases where the V1 and V2 tables meet (spec 5.1 item 4: one core, shared
 * domains, one device per device object). Each case is named {@code <Member>_<STATUS>_<what>} or
 * {@code <Member>_<STATUS>_CHOICE_<what>}, runs on a fresh emulator, asserts the exact status, and for a refusal
 * asserts that nothing changed ({@link V2Rig#refused}), plus a check of its own where the snapshot cannot see the
 * state (fault reporting on or off, a domain's configuration).
 */
class ConformanceV1Test
{
    private static final long A = 0x10_0000L;
    private static final long B = 0x20_0000L;
    private static final long FRAME = 0x4000;
    private static final long LARGE = 0x20_0000L;
    private static final int LARGE_PAGES = 512;

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    /** A domain from V1 CreateDomain (TRUE: library-owned Translate; FALSE: caller-owned, ARM64 only). */
    private static IommuDmaDomain v1Domain(final V2Rig r, final boolean osManagedPageTable)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.v1.createDomain(osManagedPageTable, out), "CreateDomain");
        assertNotNull(out.get());
        return out.get();
    }

    /** An MDL of whole pages, one per frame. */
    private static Mdl mdl(final long... frames)
    {
        return new Mdl().describe(frames, frames.length * PAGE);
    }

    /** {@code pages} consecutive frames from {@code first}. */
    private static long[] run(final long first, final int pages)
    {
        final long[] frames = new long[pages];
        for (int i = 0; i < pages; i++)
        {
            frames[i] = first + i;
        }
        return frames;
    }

    private static DeviceObject pdo(final V2Rig r, final String name)
    {
        return r.platform.device(name);
    }

    /** V1 AttachDevice of a PCI device (base 0, count 1), asserted. */
    private static void attach(final V2Rig r, final IommuDmaDomain d, final String name)
    {
        assertEquals(STATUS_SUCCESS, r.v1.attachDevice(d, pdo(r, name), 0, 1), "AttachDevice " + name);
    }

    /** V1 MapLogicalRange of the frames at {@code iova}, read-write, asserted; the ends are watched. */
    private static void map(final V2Rig r, final IommuDmaDomain d, final long iova, final long... frames)
    {
        assertEquals(STATUS_SUCCESS, r.v1.mapLogicalRange(d, READ_WRITE, mdl(frames), iova), "MapLogicalRange");
        r.watch(d, iova);
        r.watch(d, iova + (frames.length - 1) * PAGE);
    }

    /** What a device's access of {@code iova} gives, for a device found by its device object (V1 or token). */
    private static long dma(final V2Rig r, final String name, final long iova, final int access)
    {
        return r.emulator.translate(r.emulator.dmaDeviceOf(pdo(r, name)), iova, access);
    }

    /** The output address of a device's read of {@code iova}, or -1 for a fault. */
    private static long seen(final V2Rig r, final String name, final long iova)
    {
        final long t = dma(r, name, iova, READ);
        return DmaTranslation.isFault(t) ? -1 : DmaTranslation.outputAddress(t, iova);
    }

    private static void drain(final V2Rig r)
    {
        while (r.emulator.deliverNotifications() > 0)
        {
            Thread.onSpinWait();
        }
    }

    /** A fault configuration whose handler records the fault address of each fault (and asserts the context). */
    private static DeviceFaultConfiguration recorder(final List<Long> addresses, final Object context)
    {
        return new DeviceFaultConfiguration().faultContext(context)
            .faultHandler((final Object ctx, final FaultInformation info) ->
            {
                assertSame(context, ctx);
                addresses.add(null != info.x64() && info.type() == FaultInformationArch.X64 ?
                    info.x64().faultAddress() : info.arm64().faultAddress());
            });
    }

    private static DomainConfiguration arm64Config()
    {
        final DomainConfiguration config = new DomainConfiguration().type(DomainConfigurationArch.ARM64);
        config.arm64().ttbr0(0x8000_0000L).mair0(0xFF).inputSize0(48).translationEnabled(true);
        return config;
    }

    private static InputMappingElement[] elements(final int n)
    {
        final InputMappingElement[] buffer = new InputMappingElement[n];
        for (int i = 0; i < n; i++)
        {
            buffer[i] = new InputMappingElement().inputMappingId(-7);
        }
        return buffer;
    }

    private static IommuDmaDomain withRegion(final V2Rig r, final long base, final long pages, final boolean identity)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null,
            new IommuDmaReservedRegion().base(base).numberOfPages(pages).shouldMap(identity), out));
        return out.get();
    }

    @TestFactory
    Stream<DynamicTest> conformance()
    {
        final List<DynamicTest> cases = new ArrayList<>();
        createDomain(cases);
        deleteDomain(cases);
        attachDevice(cases);
        detachDevice(cases);
        flushAndConfigure(cases);
        queryInputMappings(cases);
        mapLogicalRange(cases);
        unmapLogicalRange(cases);
        mapIdentityRange(cases);
        unmapIdentityRange(cases);
        setDeviceFaultReporting(cases);
        tokensNamedByV1(cases);
        return cases.stream();
    }

    @Test
    void caseNamesAreUniqueAndFollowTheScheme()
    {
        final Set<String> members = ConformanceCases.assertNamesFollowTheScheme(conformance(), 70);
        for (final String member : new String[]{"CreateDomain", "DeleteDomain", "AttachDevice", "DetachDevice",
            "FlushDomain", "FlushDomainByVaList", "QueryInputMappings", "MapLogicalRange", "UnmapLogicalRange",
            "MapIdentityRange", "UnmapIdentityRange", "SetDeviceFaultReporting", "ConfigureDomain"})
        {
            assertTrue(members.contains(member), "every V1 member has cases: " + member);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // CreateDomain (spec 2.1, 1.4)
    // ------------------------------------------------------------------------------------------------------------

    private static void createDomain(final List<DynamicTest> c)
    {
        c.add(x64("CreateDomain_STATUS_SUCCESS_trueIsTranslateWithoutAllocator", r ->
        {
            final long pages = r.emulator.tablePagesInUse();
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("TRUE", STATUS_SUCCESS, () -> r.v1.createDomain(true, out));
            assertNotNull(out.get());
            assertEquals(IommuDmaDomainType.TRANSLATE, ((Domain)out.get()).type());
            assertFalse(((MappingDomain)out.get()).hasAllocator(), "explicit addresses");
            assertEquals(1L << 48, ((MappingDomain)out.get()).limit(), "the widest IOMMU's address space");
            assertEquals(1, r.emulator.liveDomains());
            assertEquals(pages + 1, r.emulator.tablePagesInUse(), "a root table page");
            r.refused("V2 without an explicit address: no allocator", STATUS_NOT_SUPPORTED,
                () -> r.iommu.mapLogicalRangeEx(out.get(), READ, V2Rig.pfns(1), null, null, null, new LongRef()));
            r.mapAt(out.get(), A, FRAME, 1);
            assertEquals(FRAME * PAGE, output(out.get(), A), "V2 explicit map into a V1 domain");
        }));
        c.add(arm("CreateDomain_STATUS_SUCCESS_falseOnArm64IsCallerOwned", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("FALSE", STATUS_SUCCESS, () -> r.v1.createDomain(false, out));
            assertEquals(IommuDmaDomainType.UNMANAGED, ((Domain)out.get()).type());
            r.expect("configure usable", STATUS_SUCCESS, () -> r.v1.configureDomain(out.get(), arm64Config()));
            r.expect("flush usable", STATUS_SUCCESS, () -> r.v1.flushDomain(out.get()));
            r.expect("flush by list usable", STATUS_SUCCESS,
                () -> r.v1.flushDomainByVaList(out.get(), true, 1, new long[]{A}));
            r.refused("map not usable", STATUS_INVALID_PARAMETER_1,
                () -> r.v1.mapLogicalRange(out.get(), READ, mdl(1), A));
        }));
        c.add(x64("CreateDomain_STATUS_NOT_SUPPORTED_CHOICE_falseOnX64", r ->
        {
            v1Domain(r, true);
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.refused("x64 IOMMUs take no caller-owned tables", STATUS_NOT_SUPPORTED,
                () -> r.v1.createDomain(false, out));
            assertNull(out.get(), "nothing handed out");
        }));
        c.add(x64("CreateDomain_STATUS_INVALID_PARAMETER_2_CHOICE_noDomainOut", r ->
            r.refused("null out", STATUS_INVALID_PARAMETER_2, () -> r.v1.createDomain(true, null))));
        c.add(x64("CreateDomain_STATUS_INVALID_PARAMETER_2_CHOICE_noDomainOutBeforeUnsupportedFalse", r ->
            r.refused("null out, FALSE on x64", STATUS_INVALID_PARAMETER_2, () -> r.v1.createDomain(false, null))));
        c.add(on("CreateDomain_STATUS_INSUFFICIENT_RESOURCES_domainLimit",
            () -> V2Rig.x64(new ResourceLimits(8, 2, 64, 4, 8)), r ->
            {
                v1Domain(r, true);
                r.domain(IommuDmaDomainType.PASS_THROUGH);
                final Ref<IommuDmaDomain> out = new Ref<>();
                r.refused("third domain", STATUS_INSUFFICIENT_RESOURCES, () -> r.v1.createDomain(true, out));
                assertNull(out.get());
            }));
        c.add(on("CreateDomain_STATUS_INSUFFICIENT_RESOURCES_noTablePage", () -> V2Rig.x64(V2Rig.limits(1)), r ->
        {
            v1Domain(r, true);
            r.refused("second root page", STATUS_INSUFFICIENT_RESOURCES, () -> r.v1.createDomain(true, new Ref<>()));
        }));
        c.add(on("CreateDomain_STATUS_INSUFFICIENT_RESOURCES_falseOutOfAsids",
            () -> new V2Rig(V2Rig.arm64Platform(new ResourceLimits(8, 8, 64, 1, 8))), r ->
            {
                final IommuDmaDomain first = v1Domain(r, false);
                r.refused("second ASID", STATUS_INSUFFICIENT_RESOURCES, () -> r.v1.createDomain(false, new Ref<>()));
                r.expect("TRUE needs no ASID", STATUS_SUCCESS, () -> r.v1.createDomain(true, new Ref<>()));
                r.expect("delete gives the ASID back", STATUS_SUCCESS, () -> r.v1.deleteDomain(first));
                r.expect("FALSE again", STATUS_SUCCESS, () -> r.v1.createDomain(false, new Ref<>()));
            }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // DeleteDomain (spec 2.3, 1.5 rules 4, 5 and 8, 5.1 item 4, 5.3 item 14)
    // ------------------------------------------------------------------------------------------------------------

    private static void deleteDomain(final List<DynamicTest> c)
    {
        c.add(x64("DeleteDomain_STATUS_SUCCESS_dropsLiveMappingsAndTables", r ->
        {
            final long pages = r.emulator.tablePagesInUse();
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME, FRAME + 1);
            map(r, d, 0x40_0000_0000L, FRAME);
            r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
            assertEquals(pages, r.emulator.tablePagesInUse());
            assertEquals(0, r.emulator.liveDomains());
        }));
        c.add(x64("DeleteDomain_STATUS_SUCCESS_CHOICE_v1DomainThroughV2", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.expect("V2 DeleteDomain of a V1 domain", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            assertEquals(0, r.emulator.liveDomains());
            r.refused("gone for V1 too", STATUS_INVALID_PARAMETER, () -> r.v1.deleteDomain(d));
        }));
        c.add(x64("DeleteDomain_STATUS_SUCCESS_CHOICE_v2DomainThroughV1", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.mapAllocated(d, 5, 6);
            r.expect("V1 DeleteDomain of a V2 domain", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
            assertEquals(0, r.emulator.liveDomains());
            r.refused("gone for V2 too", STATUS_INVALID_PARAMETER, () -> r.iommu.deleteDomain(d));
        }));
        c.add(arm("DeleteDomain_STATUS_SUCCESS_callerOwnedV1Domain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.expect("configure", STATUS_SUCCESS, () -> r.v1.configureDomain(d, arm64Config()));
            r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
            assertEquals(0, r.emulator.liveDomains());
        }));
        c.add(x64("DeleteDomain_STATUS_RESOURCE_IN_USE_CHOICE_v1AttachedDevice", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            attach(r, d, "nic");
            r.refused("V1 delete", STATUS_RESOURCE_IN_USE, () -> r.v1.deleteDomain(d));
            r.refused("V2 delete", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDomain(d));
            assertEquals(FRAME * PAGE, seen(r, "nic", A), "the device still translates");
        }));
        c.add(x64("DeleteDomain_STATUS_RESOURCE_IN_USE_CHOICE_v2AttachedDevice", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.attached("disk", d);
            r.refused("V1 delete, V2 device", STATUS_RESOURCE_IN_USE, () -> r.v1.deleteDomain(d));
        }));
        c.add(x64("DeleteDomain_STATUS_RESOURCE_IN_USE_CHOICE_tokenOutstanding", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.reserveAt(d, B, 2);
            r.refused("token", STATUS_RESOURCE_IN_USE, () -> r.v1.deleteDomain(d));
        }));
        c.add(x64("DeleteDomain_STATUS_INVALID_PARAMETER_CHOICE_deletedTwice", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
            v1Domain(r, true);
            r.refused("twice", STATUS_INVALID_PARAMETER, () -> r.v1.deleteDomain(d));
        }));
        c.add(x64("DeleteDomain_STATUS_INVALID_PARAMETER_CHOICE_nullDomain", r ->
        {
            v1Domain(r, true);
            r.refused("null", STATUS_INVALID_PARAMETER, () -> r.v1.deleteDomain(null));
        }));
        c.add(x64("DeleteDomain_STATUS_INVALID_PARAMETER_CHOICE_foreignDomain", r ->
        {
            try (V2Rig other = V2Rig.x64())
            {
                final IommuDmaDomain foreign = v1Domain(other, true);
                v1Domain(r, true);
                r.refused("other emulator", STATUS_INVALID_PARAMETER, () -> r.v1.deleteDomain(foreign));
                assertEquals(1, other.emulator.liveDomains());
            }
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // AttachDevice (spec 2.4, 1.5 rule 2, 5.1 item 4, 5.2 items 6, 7 and 10, 5.3 item 15) and where V2 meets it
    // ------------------------------------------------------------------------------------------------------------

    private static void attachDevice(final List<DynamicTest> c)
    {
        c.add(x64("AttachDevice_STATUS_SUCCESS_deviceTranslatesThroughDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME, FRAME + 7);
            assertNull(r.emulator.dmaDeviceOf(pdo(r, "nic")), "no device before the attach");
            r.expect("attach", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 1));
            assertEquals(1, r.emulator.liveDevices());
            final long t = dma(r, "nic", A + PAGE + 0x10, WRITE);
            assertFalse(DmaTranslation.isFault(t));
            assertEquals((FRAME + 7) * PAGE + 0x10, DmaTranslation.outputAddress(t, A + PAGE + 0x10));
            assertEquals(READ_WRITE, DmaTranslation.permissions(t));
            assertEquals(PAGE, DmaTranslation.pageSize(t));
            assertEquals(DmaTranslation.FAULT_NOT_PRESENT,
                DmaTranslation.faultReason(dma(r, "nic", A + 2 * PAGE, READ)), "unmapped page");
            assertEquals(-1, seen(r, "disk", A), "another device is not attached");
        }));
        c.add(x64("AttachDevice_STATUS_SUCCESS_passThroughIsIdentity", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.expect("attach", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 1));
            assertEquals(0x1234_5000L, seen(r, "nic", 0x1234_5000L));
        }));
        c.add(x64("AttachDevice_STATUS_SUCCESS_externalDeviceToTranslate", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.expect("DMA Guard allows remapping", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "ext"), 0, 1));
            assertEquals(FRAME * PAGE, seen(r, "ext", A));
        }));
        c.add(x64("AttachDevice_STATUS_SUCCESS_manyDevicesShareOneDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            attach(r, d, "nic");
            r.expect("second device", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "disk"), 0, 1));
            r.attached("gpu", d);
            assertEquals(3, ((Domain)d).attachedDevices());
            assertEquals(FRAME * PAGE, seen(r, "disk", A));
            assertEquals(FRAME * PAGE, seen(r, "gpu", A));
        }));
        c.add(arm("AttachDevice_STATUS_SUCCESS_arm64AcpiAllItsIds", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.expect("0x40, 2", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x40, 2));
            assertEquals(FRAME * PAGE, seen(r, "acpi", A));
        }));
        c.add(arm("AttachDevice_STATUS_SUCCESS_arm64AcpiRangeInsideItsIds", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("0x41, 1", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x41, 1));
            r.refused("detached by its base only", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.detachDevice(d, pdo(r, "acpi"), 0x40));
            r.expect("by its base", STATUS_SUCCESS, () -> r.v1.detachDevice(d, pdo(r, "acpi"), 0x41));
        }));
        c.add(arm("AttachDevice_STATUS_SUCCESS_arm64PciToCallerOwnedDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.expect("pci 0, 1", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "pci"), 0, 1));
            assertEquals(DmaTranslation.FAULT_NOT_PRESENT, DmaTranslation.faultReason(dma(r, "pci", A, READ)),
                "unconfigured caller-owned domain: DMA blocked (spec 5.3 item 20)");
            r.refused("domain holds a device", STATUS_RESOURCE_IN_USE, () -> r.v1.deleteDomain(d));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_CHOICE_nullDomain", r ->
        {
            v1Domain(r, true);
            r.refused("null domain", STATUS_INVALID_PARAMETER, () -> r.v1.attachDevice(null, pdo(r, "nic"), 0, 1));
            assertNull(r.emulator.dmaDeviceOf(pdo(r, "nic")));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
            r.refused("deleted domain", STATUS_INVALID_PARAMETER, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 1));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_CHOICE_foreignDomain", r ->
        {
            try (V2Rig other = V2Rig.x64())
            {
                final IommuDmaDomain foreign = v1Domain(other, true);
                r.refused("other emulator's domain", STATUS_INVALID_PARAMETER,
                    () -> r.v1.attachDevice(foreign, pdo(r, "nic"), 0, 1));
                assertEquals(0, ((Domain)foreign).attachedDevices());
                assertEquals(0, other.emulator.liveDevices());
            }
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_CHOICE_nullDeviceObject", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("null PDO", STATUS_INVALID_PARAMETER, () -> r.v1.attachDevice(d, null, 0, 1));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_CHOICE_deviceObjectOfAnotherPlatform", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            final DeviceObject foreign = V2Rig.x64Platform(V2Rig.limits(8)).device("nic");
            r.refused("foreign PDO", STATUS_INVALID_PARAMETER, () -> r.v1.attachDevice(d, foreign, 0, 1));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_CHOICE_domainCheckedBeforeDeviceObject", r ->
            r.refused("null domain, PDO behind no IOMMU", STATUS_INVALID_PARAMETER,
                () -> r.v1.attachDevice(null, pdo(r, "direct"), 0, 1))));
        c.add(x64("AttachDevice_STATUS_NOT_FOUND_CHOICE_behindNoIommu", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("direct", STATUS_NOT_FOUND, () -> r.v1.attachDevice(d, pdo(r, "direct"), 0, 1));
        }));
        c.add(x64("AttachDevice_STATUS_UNSUCCESSFUL_CHOICE_noDeviceIdLookup", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("legacy", STATUS_UNSUCCESSFUL, () -> r.v1.attachDevice(d, pdo(r, "legacy"), 0, 1));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_3_x64BaseNotZero", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("base 1", STATUS_INVALID_PARAMETER_3, () -> r.v1.attachDevice(d, pdo(r, "nic"), 1, 1));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_3_x64CountNotOne", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("count 2", STATUS_INVALID_PARAMETER_3, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 2));
            r.refused("count 0", STATUS_INVALID_PARAMETER_3, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 0));
        }));
        c.add(arm("AttachDevice_STATUS_INVALID_PARAMETER_3_arm64PciTakesZeroAndOne", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("its stream id as base", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.attachDevice(d, pdo(r, "pci"), 0x100, 1));
        }));
        c.add(arm("AttachDevice_STATUS_INVALID_PARAMETER_3_CHOICE_arm64AcpiRangePastItsIds", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("0x41, 2", STATUS_INVALID_PARAMETER_3, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x41, 2));
            r.refused("0x40, 3", STATUS_INVALID_PARAMETER_3, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x40, 3));
        }));
        c.add(arm("AttachDevice_STATUS_INVALID_PARAMETER_3_CHOICE_arm64AcpiBaseBelowItsIds", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("0x3F, 1", STATUS_INVALID_PARAMETER_3, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x3F, 1));
            r.refused("0, 1", STATUS_INVALID_PARAMETER_3, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0, 1));
        }));
        c.add(arm("AttachDevice_STATUS_INVALID_PARAMETER_3_CHOICE_arm64AcpiCountZeroOrNegative", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("count 0", STATUS_INVALID_PARAMETER_3, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x40, 0));
            r.refused("count -1", STATUS_INVALID_PARAMETER_3, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x40, -1));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_alreadyAttachedSameDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.refused("again", STATUS_INVALID_PARAMETER, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 1));
            r.expect("one detach suffices", STATUS_SUCCESS, () -> r.v1.detachDevice(d, pdo(r, "nic"), 0));
            r.expect("domain free", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_alreadyAttachedElsewhere", r ->
        {
            final IommuDmaDomain d1 = v1Domain(r, true);
            final IommuDmaDomain d2 = v1Domain(r, true);
            map(r, d1, A, FRAME);
            map(r, d2, A, FRAME + 1);
            attach(r, d1, "nic");
            r.refused("attached to d1", STATUS_INVALID_PARAMETER, () -> r.v1.attachDevice(d2, pdo(r, "nic"), 0, 1));
            assertEquals(FRAME * PAGE, seen(r, "nic", A), "still the first domain");
            r.expect("d2 has no device", STATUS_SUCCESS, () -> r.v1.deleteDomain(d2));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_CHOICE_deviceHasAV2Token", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            final IommuDmaDevice nic = r.device("nic");
            r.refused("token, not attached", STATUS_INVALID_PARAMETER, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 1));
            assertSame(nic, r.emulator.dmaDeviceOf(pdo(r, "nic")), "the token is still the device");
            r.expect("the token attaches", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
        }));
        c.add(x64("AttachDevice_STATUS_INVALID_PARAMETER_CHOICE_deviceAttachedThroughV2", r ->
        {
            final IommuDmaDomain d1 = v1Domain(r, true);
            final IommuDmaDomain d2 = v1Domain(r, true);
            map(r, d1, A, FRAME);
            final IommuDmaDevice nic = r.attached("nic", d1);
            r.refused("V2-attached", STATUS_INVALID_PARAMETER, () -> r.v1.attachDevice(d2, pdo(r, "nic"), 0, 1));
            assertEquals(FRAME * PAGE, r.seen(nic, A));
        }));
        c.add(x64("AttachDevice_STATUS_ACCESS_DENIED_passThroughForExternalUnderDmaGuard", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("external", STATUS_ACCESS_DENIED, () -> r.v1.attachDevice(d, pdo(r, "ext"), 0, 1));
            assertNull(r.emulator.dmaDeviceOf(pdo(r, "ext")), "no device left behind");
            assertEquals(0, r.emulator.liveDevices());
            r.expect("the device object is free for a token", STATUS_SUCCESS,
                () -> r.iommu.createDevice(pdo(r, "ext"), null, new Ref<>()));
        }));
        c.add(x64("AttachDevice_STATUS_ACCESS_DENIED_passThroughWhileBlockingActive", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.platform.policy().blockingActive(true);
            r.refused("blocking", STATUS_ACCESS_DENIED, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 1));
            r.platform.policy().blockingActive(false);
            r.expect("allowed again", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 1));
        }));
        c.add(x64("AttachDevice_STATUS_ACCESS_DENIED_restrictedByPolicy", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.platform.policy().restrict(r.platform.device("nic"), IommuDmaDomainType.PASS_THROUGH.mask());
            r.refused("restricted", STATUS_ACCESS_DENIED, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 1));
        }));
        c.add(x64("AttachDevice_STATUS_ACCESS_DENIED_CHOICE_translateS1OnlyForPasidDevices", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("S1", STATUS_ACCESS_DENIED, () -> r.v1.attachDevice(d, pdo(r, "nic"), 0, 1));
        }));
        c.add(on("AttachDevice_STATUS_INSUFFICIENT_RESOURCES_deviceLimit",
            () -> V2Rig.x64(new ResourceLimits(2, 8, 64, 4, 8)), r ->
            {
                final IommuDmaDomain d = v1Domain(r, true);
                attach(r, d, "nic");
                r.device("disk");
                r.refused("third device", STATUS_INSUFFICIENT_RESOURCES,
                    () -> r.v1.attachDevice(d, pdo(r, "gpu"), 0, 1));
                assertNull(r.emulator.dmaDeviceOf(pdo(r, "gpu")));
                r.expect("detach one", STATUS_SUCCESS, () -> r.v1.detachDevice(d, pdo(r, "nic"), 0));
                r.expect("gpu now", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "gpu"), 0, 1));
            }));
        c.add(x64("CreateDevice_STATUS_INVALID_PARAMETER_CHOICE_deviceAttachedThroughV1", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            final Ref<IommuDmaDevice> out = new Ref<>();
            r.refused("one device per device object", STATUS_INVALID_PARAMETER,
                () -> r.iommu.createDevice(pdo(r, "nic"), null, out));
            assertNull(out.get());
            r.expect("after the V1 detach", STATUS_SUCCESS, () -> r.v1.detachDevice(d, pdo(r, "nic"), 0));
            r.expect("a token", STATUS_SUCCESS, () -> r.iommu.createDevice(pdo(r, "nic"), null, out));
        }));
        c.add(x64("AttachDeviceEx_STATUS_INVALID_PARAMETER_CHOICE_v1DeviceIsNotAToken", r ->
        {
            final IommuDmaDomain d1 = v1Domain(r, true);
            final IommuDmaDomain d2 = v1Domain(r, true);
            attach(r, d1, "nic");
            final IommuDmaDevice v1Device = r.emulator.dmaDeviceOf(pdo(r, "nic"));
            assertNotNull(v1Device);
            r.refused("V1 device to AttachDeviceEx", STATUS_INVALID_PARAMETER,
                () -> r.iommu.attachDeviceEx(d2, v1Device));
        }));
        c.add(x64("DetachDeviceEx_STATUS_INVALID_PARAMETER_CHOICE_v1DeviceIsNotAToken", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            final IommuDmaDevice v1Device = r.emulator.dmaDeviceOf(pdo(r, "nic"));
            r.refused("V1 device to DetachDeviceEx", STATUS_INVALID_PARAMETER, () -> r.iommu.detachDeviceEx(v1Device));
        }));
        c.add(x64("DeleteDevice_STATUS_INVALID_PARAMETER_CHOICE_v1DeviceIsNotAToken", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            final IommuDmaDevice v1Device = r.emulator.dmaDeviceOf(pdo(r, "nic"));
            r.refused("V1 device to DeleteDevice", STATUS_INVALID_PARAMETER, () -> r.iommu.deleteDevice(v1Device));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // DetachDevice (spec 2.5)
    // ------------------------------------------------------------------------------------------------------------

    private static void detachDevice(final List<DynamicTest> c)
    {
        c.add(x64("DetachDevice_STATUS_SUCCESS_deviceGone", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            final int devices = r.emulator.liveDevices();
            attach(r, d, "nic");
            final IommuDmaDevice v1Device = r.emulator.dmaDeviceOf(pdo(r, "nic"));
            assertEquals(FRAME * PAGE, seen(r, "nic", A));
            r.expect("detach", STATUS_SUCCESS, () -> r.v1.detachDevice(d, pdo(r, "nic"), 0));
            assertNull(r.emulator.dmaDeviceOf(pdo(r, "nic")), "the device is gone");
            assertEquals(devices, r.emulator.liveDevices());
            assertEquals(DmaTranslation.FAULT_NOT_PRESENT,
                DmaTranslation.faultReason(r.emulator.translate(v1Device, A, READ)), "its DMA is blocked");
            assertEquals(FRAME * PAGE, output(d, A), "the mapping stays in the domain");
            assertEquals(0, ((Domain)d).attachedDevices());
            r.expect("domain free", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
        }));
        c.add(arm("DetachDevice_STATUS_SUCCESS_arm64AcpiByItsBase", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("attach 0x40, 2", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x40, 2));
            r.expect("detach 0x40", STATUS_SUCCESS, () -> r.v1.detachDevice(d, pdo(r, "acpi"), 0x40));
            assertNull(r.emulator.dmaDeviceOf(pdo(r, "acpi")));
        }));
        c.add(x64("DetachDevice_STATUS_INVALID_PARAMETER_2_CHOICE_wrongDomain", r ->
        {
            final IommuDmaDomain d1 = v1Domain(r, true);
            final IommuDmaDomain d2 = v1Domain(r, true);
            map(r, d1, A, FRAME);
            attach(r, d1, "nic");
            r.refused("attached to d1, detached from d2", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.detachDevice(d2, pdo(r, "nic"), 0));
            assertEquals(FRAME * PAGE, seen(r, "nic", A));
        }));
        c.add(x64("DetachDevice_STATUS_INVALID_PARAMETER_2_CHOICE_notAttached", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "disk");
            r.refused("never attached", STATUS_INVALID_PARAMETER_2, () -> r.v1.detachDevice(d, pdo(r, "nic"), 0));
        }));
        c.add(x64("DetachDevice_STATUS_INVALID_PARAMETER_2_CHOICE_detachedTwice", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.expect("detach", STATUS_SUCCESS, () -> r.v1.detachDevice(d, pdo(r, "nic"), 0));
            r.refused("twice", STATUS_INVALID_PARAMETER_2, () -> r.v1.detachDevice(d, pdo(r, "nic"), 0));
            r.expect("count not driven negative", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
        }));
        c.add(x64("DetachDevice_STATUS_INVALID_PARAMETER_2_CHOICE_wrongInputMappingId", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            attach(r, d, "nic");
            r.refused("id 1", STATUS_INVALID_PARAMETER_2, () -> r.v1.detachDevice(d, pdo(r, "nic"), 1));
            assertEquals(FRAME * PAGE, seen(r, "nic", A));
        }));
        c.add(arm("DetachDevice_STATUS_INVALID_PARAMETER_2_arm64AcpiAttachedTogetherDetachedTogether", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.expect("attach 0x40, 2", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x40, 2));
            r.refused("0x41 alone", STATUS_INVALID_PARAMETER_2, () -> r.v1.detachDevice(d, pdo(r, "acpi"), 0x41));
            assertEquals(FRAME * PAGE, seen(r, "acpi", A));
        }));
        c.add(x64("DetachDevice_STATUS_INVALID_PARAMETER_2_CHOICE_v2TokenDevice", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            final IommuDmaDevice nic = r.attached("nic", d);
            r.refused("a token is detached with DetachDeviceEx", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.detachDevice(d, pdo(r, "nic"), 0));
            assertEquals(FRAME * PAGE, r.seen(nic, A));
            r.expect("DetachDeviceEx", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
        }));
        c.add(x64("DetachDevice_STATUS_INVALID_PARAMETER_CHOICE_nullDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.refused("null domain", STATUS_INVALID_PARAMETER, () -> r.v1.detachDevice(null, pdo(r, "nic"), 0));
        }));
        c.add(x64("DetachDevice_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain gone = v1Domain(r, true);
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(gone));
            r.refused("deleted domain", STATUS_INVALID_PARAMETER, () -> r.v1.detachDevice(gone, pdo(r, "nic"), 0));
        }));
        c.add(x64("DetachDevice_STATUS_INVALID_PARAMETER_CHOICE_nullDeviceObject", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.refused("null PDO", STATUS_INVALID_PARAMETER, () -> r.v1.detachDevice(d, null, 0));
        }));
        c.add(x64("DetachDevice_STATUS_INVALID_PARAMETER_CHOICE_deviceObjectOfAnotherPlatform", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            final DeviceObject foreign = V2Rig.x64Platform(V2Rig.limits(8)).device("nic");
            r.refused("foreign PDO", STATUS_INVALID_PARAMETER, () -> r.v1.detachDevice(d, foreign, 0));
        }));
        c.add(x64("DetachDevice_STATUS_SUCCESS_CHOICE_reportingEndsWithTheDevice", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            final List<Long> faults = new ArrayList<>();
            r.expect("enable", STATUS_SUCCESS,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, recorder(faults, "ctx")));
            r.expect("detach", STATUS_SUCCESS, () -> r.v1.detachDevice(d, pdo(r, "nic"), 0));
            attach(r, d, "nic");
            dma(r, "nic", A, READ);
            drain(r);
            assertEquals(List.of(), faults, "a new attach starts with reporting off");
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // FlushDomain / FlushDomainByVaList / ConfigureDomain (spec 2.8, 2.9, 2.20, 5.3 items 17 to 19)
    // ------------------------------------------------------------------------------------------------------------

    private static void flushAndConfigure(final List<DynamicTest> c)
    {
        c.add(arm("FlushDomain_STATUS_SUCCESS_callerOwnedV1Domain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            final long before = ((UnmanagedDomain)d).flushCount();
            r.expect("flush", STATUS_SUCCESS, () -> r.v1.flushDomain(d));
            assertEquals(before + 1, ((UnmanagedDomain)d).flushCount());
        }));
        c.add(x64("FlushDomain_STATUS_INVALID_PARAMETER_1_CHOICE_osManagedV1Domain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("TRUE", STATUS_INVALID_PARAMETER_1, () -> r.v1.flushDomain(d));
        }));
        c.add(x64("FlushDomain_STATUS_INVALID_PARAMETER_1_CHOICE_passThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> r.v1.flushDomain(d));
        }));
        c.add(arm("FlushDomain_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> r.v1.flushDomain(d));
        }));
        c.add(arm("FlushDomainByVaList_STATUS_SUCCESS_CHOICE_64BitAddresses", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.expect("flush", STATUS_SUCCESS,
                () -> r.v1.flushDomainByVaList(d, false, 2, new long[]{0x1000, 0xFFFF_F000_0000L}));
            assertEquals(1, ((UnmanagedDomain)d).flushCount());
        }));
        c.add(arm("FlushDomainByVaList_STATUS_SUCCESS_CHOICE_zeroEntriesNoList", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.expect("nothing listed", STATUS_SUCCESS, () -> r.v1.flushDomainByVaList(d, true, 0, null));
        }));
        c.add(x64("FlushDomainByVaList_STATUS_INVALID_PARAMETER_1_CHOICE_osManagedV1Domain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("TRUE", STATUS_INVALID_PARAMETER_1, () -> r.v1.flushDomainByVaList(d, true, 1, new long[]{A}));
        }));
        c.add(arm("FlushDomainByVaList_STATUS_INVALID_PARAMETER_4_CHOICE_listShorterThanNumber", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.refused("short", STATUS_INVALID_PARAMETER_4, () -> r.v1.flushDomainByVaList(d, false, 3, new long[]{A}));
            r.refused("none", STATUS_INVALID_PARAMETER_4, () -> r.v1.flushDomainByVaList(d, false, 1, null));
            assertEquals(0, ((UnmanagedDomain)d).flushCount(), "no flush counted");
        }));
        c.add(arm("FlushDomainByVaList_STATUS_INVALID_PARAMETER_4_CHOICE_negativeNumber", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.refused("-1", STATUS_INVALID_PARAMETER_4, () -> r.v1.flushDomainByVaList(d, false, -1, new long[]{A}));
        }));
        c.add(arm("FlushDomainByVaList_STATUS_INVALID_PARAMETER_CHOICE_nullDomain", r ->
        {
            v1Domain(r, false);
            r.refused("null", STATUS_INVALID_PARAMETER, () -> r.v1.flushDomainByVaList(null, false, 1, new long[]{A}));
        }));
        c.add(arm("ConfigureDomain_STATUS_SUCCESS_callerOwnedV1Domain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            assertNull(((UnmanagedDomain)d).configuration(), "unconfigured");
            r.expect("configure", STATUS_SUCCESS, () -> r.v1.configureDomain(d, arm64Config()));
            assertEquals(0x8000_0000L, ((UnmanagedDomain)d).configuration().ttbr0());
        }));
        c.add(arm("ConfigureDomain_STATUS_SUCCESS_CHOICE_reconfigure", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.expect("configure", STATUS_SUCCESS, () -> r.v1.configureDomain(d, arm64Config()));
            final DomainConfiguration second = arm64Config();
            second.arm64().ttbr0(0x9000_0000L);
            r.expect("again", STATUS_SUCCESS, () -> r.v1.configureDomain(d, second));
            assertEquals(0x9000_0000L, ((UnmanagedDomain)d).configuration().ttbr0());
        }));
        c.add(x64("ConfigureDomain_STATUS_INVALID_PARAMETER_1_osManagedV1Domain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("TRUE", STATUS_INVALID_PARAMETER_1, () -> r.v1.configureDomain(d, arm64Config()));
        }));
        c.add(arm("ConfigureDomain_STATUS_INVALID_PARAMETER_1_passThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> r.v1.configureDomain(d, arm64Config()));
        }));
        c.add(arm("ConfigureDomain_STATUS_NOT_SUPPORTED_x64ConfigReservedForSystem", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.refused("X64", STATUS_NOT_SUPPORTED,
                () -> r.v1.configureDomain(d, new DomainConfiguration().type(DomainConfigurationArch.X64)));
            assertNull(((UnmanagedDomain)d).configuration(), "still unconfigured");
        }));
        c.add(arm("ConfigureDomain_STATUS_INVALID_PARAMETER_2_CHOICE_nullConfiguration", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.refused("null", STATUS_INVALID_PARAMETER_2, () -> r.v1.configureDomain(d, null));
            assertNull(((UnmanagedDomain)d).configuration());
        }));
        c.add(arm("ConfigureDomain_STATUS_INVALID_PARAMETER_2_CHOICE_invalidArchitecture", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.expect("configure", STATUS_SUCCESS, () -> r.v1.configureDomain(d, arm64Config()));
            r.refused("Invalid", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.configureDomain(d, new DomainConfiguration().type(DomainConfigurationArch.INVALID)));
            assertEquals(0x8000_0000L, ((UnmanagedDomain)d).configuration().ttbr0(), "configuration kept");
        }));
        c.add(arm("ConfigureDomain_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> r.v1.configureDomain(d, arm64Config()));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // QueryInputMappings (spec 2.10)
    // ------------------------------------------------------------------------------------------------------------

    private static void queryInputMappings(final List<DynamicTest> c)
    {
        c.add(arm("QueryInputMappings_STATUS_SUCCESS_acpiStreamIds", r ->
        {
            final InputMappingElement[] buffer = elements(3);
            final IntRef length = new IntRef();
            r.expect("query", STATUS_SUCCESS,
                () -> r.v1.queryInputMappings(pdo(r, "acpi"), buffer, 3 * InputMappingElement.SIZE_X64, length));
            assertEquals(0x40, buffer[0].inputMappingId());
            assertEquals(0x41, buffer[1].inputMappingId());
            assertEquals(-7, buffer[2].inputMappingId(), "nothing past the ids");
            assertEquals(2 * InputMappingElement.SIZE_X64, length.get(), "CHOICE: lengths in bytes, as written");
        }));
        c.add(arm("QueryInputMappings_STATUS_SUCCESS_pciRequesterId", r ->
        {
            final InputMappingElement[] buffer = elements(1);
            final IntRef length = new IntRef();
            r.expect("query", STATUS_SUCCESS,
                () -> r.v1.queryInputMappings(pdo(r, "pci"), buffer, InputMappingElement.SIZE_X64, length));
            assertEquals(0x100, buffer[0].inputMappingId(), "bus 1, device 0, function 0");
            assertEquals(InputMappingElement.SIZE_X64, length.get());
        }));
        c.add(arm("QueryInputMappings_STATUS_SUCCESS_CHOICE_returnLengthOptional", r ->
        {
            final InputMappingElement[] buffer = elements(2);
            r.expect("no ReturnLength", STATUS_SUCCESS, () -> r.v1.queryInputMappings(pdo(r, "acpi"), buffer, 8, null));
            assertEquals(0x41, buffer[1].inputMappingId());
        }));
        c.add(arm("QueryInputMappings_STATUS_BUFFER_TOO_SMALL_nothingWrittenNeededLengthReturned", r ->
        {
            final InputMappingElement[] buffer = elements(2);
            final IntRef length = new IntRef();
            r.refused("small", STATUS_BUFFER_TOO_SMALL,
                () -> r.v1.queryInputMappings(pdo(r, "acpi"), buffer, InputMappingElement.SIZE_X64, length));
            assertEquals(-7, buffer[0].inputMappingId(), "nothing written");
            assertEquals(2 * InputMappingElement.SIZE_X64, length.get(), "the length needed");
        }));
        c.add(x64("QueryInputMappings_STATUS_UNSUCCESSFUL_x64", r ->
        {
            final InputMappingElement[] buffer = elements(4);
            final IntRef length = new IntRef().set(-3);
            r.refused("x64", STATUS_UNSUCCESSFUL, () -> r.v1.queryInputMappings(pdo(r, "nic"), buffer, 16, length));
            assertEquals(-7, buffer[0].inputMappingId());
            assertEquals(-3, length.get(), "ReturnLength untouched");
        }));
        c.add(arm("QueryInputMappings_STATUS_UNSUCCESSFUL_CHOICE_nullDeviceObject", r ->
            r.refused("null PDO", STATUS_UNSUCCESSFUL,
                () -> r.v1.queryInputMappings(null, elements(2), 8, new IntRef()))));
        c.add(arm("QueryInputMappings_STATUS_UNSUCCESSFUL_CHOICE_deviceObjectOfAnotherPlatform", r ->
        {
            final DeviceObject foreign = V2Rig.arm64Platform(V2Rig.limits(8)).device("acpi");
            r.refused("foreign PDO", STATUS_UNSUCCESSFUL,
                () -> r.v1.queryInputMappings(foreign, elements(2), 8, new IntRef()));
        }));
        c.add(on("QueryInputMappings_STATUS_UNSUCCESSFUL_CHOICE_arm64DeviceBehindNoIommu", () -> new V2Rig(
            Platform.builder().architecture(Architecture.ARM64).iommu("smmu0", 0x2B40_0000L, 48, PageSizes.ALLOW_ALL,
                16, true, 0).pci("direct", 0, 5, 0, 0, null, false).acpi("acpi", "ARMH0011", "0", 0x80, 1, null, false)
                .build()), r ->
            {
                final InputMappingElement[] buffer = elements(2);
                r.refused("PCI, no IOMMU", STATUS_UNSUCCESSFUL,
                    () -> r.v1.queryInputMappings(pdo(r, "direct"), buffer, 8, new IntRef()));
                r.refused("ACPI, no IOMMU", STATUS_UNSUCCESSFUL,
                    () -> r.v1.queryInputMappings(pdo(r, "acpi"), buffer, 8, new IntRef()));
                assertEquals(-7, buffer[0].inputMappingId());
            }));
        c.add(arm("QueryInputMappings_STATUS_INVALID_PARAMETER_2_CHOICE_arrayShorterThanLength", r ->
        {
            final InputMappingElement[] buffer = elements(1);
            r.refused("short array", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.queryInputMappings(pdo(r, "acpi"), buffer, 64, new IntRef()));
            assertEquals(-7, buffer[0].inputMappingId());
        }));
        c.add(arm("QueryInputMappings_STATUS_INVALID_PARAMETER_2_CHOICE_nullElement", r ->
        {
            final InputMappingElement[] buffer = elements(2);
            buffer[1] = null;
            r.refused("null element", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.queryInputMappings(pdo(r, "acpi"), buffer, 8, new IntRef()));
            assertEquals(-7, buffer[0].inputMappingId(), "nothing written");
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapLogicalRange (spec 2.11, 1.4, 5.1 item 4, 5.4 items 24 to 27, 32, 33)
    // ------------------------------------------------------------------------------------------------------------

    private static void mapLogicalRange(final List<DynamicTest> c)
    {
        c.add(x64("MapLogicalRange_STATUS_SUCCESS_mdlPagesConsecutive", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.expect("map", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, READ, mdl(0x31, 0x77, 0x12), A));
            assertEquals(0x31 * PAGE + 5, seen(r, "nic", A + 5));
            assertEquals(0x77 * PAGE, seen(r, "nic", A + PAGE));
            assertEquals(0x12 * PAGE + 0xFFF, seen(r, "nic", A + 2 * PAGE + 0xFFF));
            assertEquals(-1, seen(r, "nic", A + 3 * PAGE), "exactly the MDL's pages");
            assertEquals(DmaTranslation.FAULT_PERMISSION, DmaTranslation.faultReason(dma(r, "nic", A, WRITE)),
                "read-only");
        }));
        c.add(x64("MapLogicalRange_STATUS_SUCCESS_CHOICE_permissionZeroFaults", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.expect("perm 0", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, 0, mdl(FRAME), A));
            assertEquals(DmaTranslation.FAULT_PERMISSION, DmaTranslation.faultReason(dma(r, "nic", A, READ)));
            r.refused("present: remap refused", STATUS_IN_USE, () -> r.v1.mapLogicalRange(d, READ, mdl(2), A));
        }));
        c.add(x64("MapLogicalRange_STATUS_SUCCESS_CHOICE_aliasingAllowed", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.expect("same frame again", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, READ, mdl(FRAME), B));
            assertEquals(output(d, A), output(d, B));
        }));
        c.add(x64("MapLogicalRange_STATUS_SUCCESS_CHOICE_v2DomainWithoutAllocator", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            r.expect("V1 map into a V2 domain", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, READ, mdl(0x99), A));
            assertEquals(0x99 * PAGE, r.seen(nic, A));
            r.expect("V2 unmap of a V1 mapping", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, A, 1));
        }));
        c.add(x64("MapLogicalRange_STATUS_SUCCESS_CHOICE_mdlFramesPastByteCountIgnored", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            final Mdl longer = new Mdl().describe(new long[]{FRAME, FRAME + 1, 1L << 45}, 2 * PAGE);
            r.expect("two pages of three frames", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, READ, longer, A));
            assertEquals((FRAME + 1) * PAGE, output(d, A + PAGE));
            assertEquals(-1, output(d, A + 2 * PAGE));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_1_passThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> r.v1.mapLogicalRange(d, READ, mdl(1), A));
        }));
        c.add(arm("MapLogicalRange_STATUS_INVALID_PARAMETER_1_CHOICE_callerOwnedV1Domain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.refused("FALSE", STATUS_INVALID_PARAMETER_1, () -> r.v1.mapLogicalRange(d, READ, mdl(1), A));
        }));
        c.add(arm("MapLogicalRange_STATUS_INVALID_PARAMETER_1_unmanaged", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.refused("Unmanaged", STATUS_INVALID_PARAMETER_1, () -> r.v1.mapLogicalRange(d, READ, mdl(1), A));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_1_translateS1", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("S1", STATUS_INVALID_PARAMETER_1, () -> r.v1.mapLogicalRange(d, READ, mdl(1), A));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_1_CHOICE_domainTypeCheckedFirst", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough, bad everything", STATUS_INVALID_PARAMETER_1,
                () -> r.v1.mapLogicalRange(d, 0x10, new Mdl(), A + 1));
        }));
        c.add(x64("MapLogicalRange_STATUS_NOT_SUPPORTED_CHOICE_allocatorDomain", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long iova = r.mapAllocated(d, 3);
            r.refused("V1 map on a buddy domain", STATUS_NOT_SUPPORTED,
                () -> r.v1.mapLogicalRange(d, READ, mdl(FRAME), A));
            assertEquals(-1, output(d, A));
            r.refused("even at a free allocator address", STATUS_NOT_SUPPORTED,
                () -> r.v1.mapLogicalRange(d, READ, mdl(FRAME), iova + 0x10_0000L));
        }));
        c.add(x64("MapLogicalRange_STATUS_NOT_SUPPORTED_CHOICE_allocatorCheckedBeforeArguments", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("bad permission and MDL", STATUS_NOT_SUPPORTED,
                () -> r.v1.mapLogicalRange(d, 0x10, new Mdl(), A + 1));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_2_CHOICE_reservedPermissionBits", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("bit 2", STATUS_INVALID_PARAMETER_2, () -> r.v1.mapLogicalRange(d, 0x4, mdl(1), B));
            r.refused("bit 31", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.mapLogicalRange(d, READ | 0x8000_0000, mdl(1), B));
            assertEquals(-1, output(d, B));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_3_mdlByteOffset", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("offset 16", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapLogicalRange(d, READ, mdl(1).byteOffset(16), B));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_3_partialPage", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("a page and 8 bytes", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapLogicalRange(d, READ, new Mdl().describe(new long[]{1, 2}, PAGE + 8), B));
            r.refused("half a page", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapLogicalRange(d, READ, new Mdl().describe(new long[]{1}, PAGE / 2), B));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_3_CHOICE_zeroByteCount", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("empty", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapLogicalRange(d, READ, new Mdl().describe(new long[]{1}, 0), B));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_3_CHOICE_missingFrames", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("3 pages, 2 frames", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapLogicalRange(d, READ, new Mdl().describe(new long[]{1, 2}, 3 * PAGE), B));
            r.refused("no frame array", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapLogicalRange(d, READ, new Mdl().byteCount(PAGE), B));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_3_CHOICE_nullMdl", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("null", STATUS_INVALID_PARAMETER_3, () -> r.v1.mapLogicalRange(d, READ, null, B));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_3_CHOICE_frameBeyondPhysicalWidth", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("frame 2^40", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapLogicalRange(d, READ, mdl(FRAME, 1L << 40), A));
            r.refused("negative frame", STATUS_INVALID_PARAMETER_3, () -> r.v1.mapLogicalRange(d, READ, mdl(-1), A));
            r.expect("frame 2^40 - 1", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, READ, mdl((1L << 40) - 1), A));
            assertEquals(((1L << 40) - 1) * PAGE, output(d, A));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_4_unalignedAddress", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("unaligned", STATUS_INVALID_PARAMETER_4, () -> r.v1.mapLogicalRange(d, READ, mdl(1), B + 0x10));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_4_CHOICE_pastAddressSpace", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("runs past 2^48", STATUS_INVALID_PARAMETER_4,
                () -> r.v1.mapLogicalRange(d, READ, mdl(1, 2), (1L << 48) - PAGE));
            r.refused("at 2^48", STATUS_INVALID_PARAMETER_4, () -> r.v1.mapLogicalRange(d, READ, mdl(1), 1L << 48));
            r.expect("last page", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, READ, mdl(1), (1L << 48) - PAGE));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_4_CHOICE_negativeAddress", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("sign bit", STATUS_INVALID_PARAMETER_4, () -> r.v1.mapLogicalRange(d, READ, mdl(1), -PAGE));
        }));
        c.add(x64("MapLogicalRange_STATUS_IN_USE_overlapsMapping", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, run(FRAME, 4));
            r.refused("partly mapped", STATUS_IN_USE,
                () -> r.v1.mapLogicalRange(d, READ, mdl(run(0x50, 4)), A + 3 * PAGE));
            assertEquals(-1, output(d, A + 4 * PAGE), "no page of the refused map left behind");
        }));
        c.add(x64("MapLogicalRange_STATUS_IN_USE_CHOICE_isResourceInUse", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("the same page", STATUS_RESOURCE_IN_USE, () -> r.v1.mapLogicalRange(d, READ, mdl(7), A));
        }));
        c.add(x64("MapLogicalRange_STATUS_IN_USE_CHOICE_overlapsToken", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.reserveAt(d, B, 4);
            r.refused("token range", STATUS_IN_USE, () -> r.v1.mapLogicalRange(d, READ, mdl(1, 2), B - PAGE));
            assertEquals(-1, output(d, B - PAGE));
        }));
        c.add(x64("MapLogicalRange_STATUS_IN_USE_CHOICE_overlapsReservedRegion", r ->
        {
            final IommuDmaDomain d = withRegion(r, A, 2, false);
            r.refused("region", STATUS_IN_USE, () -> r.v1.mapLogicalRange(d, READ, mdl(1), A + PAGE));
        }));
        c.add(x64("MapLogicalRange_STATUS_IN_USE_CHOICE_overlapsIdentityMapping", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("identity", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ, mdl(0x50)));
            r.watch(d, 0x50 * PAGE);
            r.refused("logical over identity", STATUS_IN_USE,
                () -> r.v1.mapLogicalRange(d, READ, mdl(1), 0x50 * PAGE));
        }));
        c.add(on("MapLogicalRange_STATUS_INSUFFICIENT_RESOURCES_noTablePage", () -> V2Rig.x64(V2Rig.limits(1)), r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("only the root page", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.v1.mapLogicalRange(d, READ, mdl(1), A));
            assertEquals(-1, output(d, A));
        }));
        c.add(on("MapLogicalRange_STATUS_INSUFFICIENT_RESOURCES_CHOICE_tablesBuiltBeforeTheShortfallKept",
            () -> V2Rig.x64(V2Rig.limits(3)), r ->
            {
                final IommuDmaDomain d = v1Domain(r, true);
                // As MapLogicalRangeEx: the empty intermediate tables installed before the page ran out stay
                // (shared with concurrent maps) until the domain is deleted; nothing is mapped.
                r.expect("tables", STATUS_INSUFFICIENT_RESOURCES, () -> r.v1.mapLogicalRange(d, READ, mdl(1), A));
                assertEquals(-1, output(d, A));
                r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
                assertEquals(0, r.emulator.tablePagesInUse());
            }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> r.v1.mapLogicalRange(d, READ, mdl(1), A));
        }));
        c.add(x64("MapLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_nullDomain", r ->
        {
            v1Domain(r, true);
            r.refused("null", STATUS_INVALID_PARAMETER, () -> r.v1.mapLogicalRange(null, READ, mdl(1), A));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // UnmapLogicalRange through the V1 table (spec 2.13, 5.4 items 21 to 23): the member V1 and V2 share
    // ------------------------------------------------------------------------------------------------------------

    private static void unmapLogicalRange(final List<DynamicTest> c)
    {
        c.add(x64("UnmapLogicalRange_STATUS_SUCCESS_deviceFaultsAfterwards", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.expect("map", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, READ, mdl(9, 10), LARGE));
            final long pages = r.emulator.tablePagesInUse();
            r.expect("unmap", STATUS_SUCCESS, () -> r.v1.unmapLogicalRange(d, LARGE, 2));
            assertEquals(DmaTranslation.FAULT_NOT_PRESENT,
                DmaTranslation.faultReason(dma(r, "nic", LARGE + PAGE, READ)));
            assertEquals(pages, r.emulator.tablePagesInUse(), "part of a leaf table's span: the table stays");
            r.expect("map", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, READ, mdl(9, 10), LARGE));
            r.expect("the leaf table's whole span", STATUS_SUCCESS,
                () -> r.v1.unmapLogicalRange(d, LARGE, LARGE_PAGES));
            assertEquals(pages - 1, r.emulator.tablePagesInUse(), "its leaf table released");
        }));
        c.add(x64("UnmapLogicalRange_STATUS_SUCCESS_CHOICE_partlyMappedRangeUnmapsWhatExists", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME, FRAME + 1);
            map(r, d, B, FRAME);
            r.expect("wider range", STATUS_SUCCESS, () -> r.v1.unmapLogicalRange(d, A - 4 * PAGE, 10));
            assertEquals(-1, output(d, A + PAGE));
            assertEquals(FRAME * PAGE, output(d, B), "outside the range");
        }));
        c.add(x64("UnmapLogicalRange_STATUS_SUCCESS_CHOICE_pageGranularPartOfOneMap", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, run(FRAME, 3));
            r.expect("middle page", STATUS_SUCCESS, () -> r.v1.unmapLogicalRange(d, A + PAGE, 1));
            assertEquals(FRAME * PAGE, output(d, A));
            assertEquals(-1, output(d, A + PAGE));
            assertEquals((FRAME + 2) * PAGE, output(d, A + 2 * PAGE));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_SUCCESS_CHOICE_allocatorDomainThroughV1", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long iova = r.mapAllocated(d, 9, 10);
            r.expect("V1 unmap of an allocator mapping", STATUS_SUCCESS, () -> r.v1.unmapLogicalRange(d, iova, 2));
            assertEquals(-1, output(d, iova));
            final LongRef again = new LongRef();
            r.expect("block back in the allocator", STATUS_SUCCESS,
                () -> r.iommu.mapLogicalRangeEx(d, READ, V2Rig.pfns(1, 2), null, null, null, again));
            assertEquals(iova, again.get());
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_1_CHOICE_passThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> r.v1.unmapLogicalRange(d, A, 1));
        }));
        c.add(arm("UnmapLogicalRange_STATUS_INVALID_PARAMETER_1_CHOICE_callerOwnedV1Domain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.refused("FALSE", STATUS_INVALID_PARAMETER_1, () -> r.v1.unmapLogicalRange(d, A, 1));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_2_CHOICE_unalignedAddress", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME, FRAME + 1);
            r.refused("unaligned", STATUS_INVALID_PARAMETER_2, () -> r.v1.unmapLogicalRange(d, A + 8, 1));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_3_CHOICE_zeroPages", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME, FRAME + 1);
            r.refused("0 pages", STATUS_INVALID_PARAMETER_3, () -> r.v1.unmapLogicalRange(d, A, 0));
            r.refused("-1 pages", STATUS_INVALID_PARAMETER_3, () -> r.v1.unmapLogicalRange(d, A, -1));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_3_CHOICE_pastAddressSpace", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME, FRAME + 1);
            r.refused("past 2^48", STATUS_INVALID_PARAMETER_3, () -> r.v1.unmapLogicalRange(d, A, 1L << 40));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_nothingMapped", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("empty range", STATUS_INVALID_PARAMETER, () -> r.v1.unmapLogicalRange(d, B, 4));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_tokenRange", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.reserveAt(d, B, 2);
            r.refused("token", STATUS_INVALID_PARAMETER, () -> r.v1.unmapLogicalRange(d, A, (B - A) / PAGE + 1));
            assertEquals(FRAME * PAGE, output(d, A), "the mapping before the token stays");
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_reservedRegion", r ->
        {
            final IommuDmaDomain d = withRegion(r, A, 1, true);
            r.watch(d, A);
            r.refused("region", STATUS_INVALID_PARAMETER, () -> r.v1.unmapLogicalRange(d, A, 1));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_CONFLICTING_ADDRESSES_CHOICE_cutsLargeLeaf", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("2 MiB", STATUS_SUCCESS, () -> r.iommu.mapLogicalRangeEx(d, READ_WRITE,
                contiguous(0x4000_0000L, LARGE_PAGES), new LongRef(LARGE), null, null, new LongRef()));
            r.watch(d, LARGE);
            r.watch(d, LARGE + (LARGE_PAGES - 1) * PAGE);
            r.refused("cut", STATUS_CONFLICTING_ADDRESSES, () -> r.v1.unmapLogicalRange(d, LARGE + PAGE, 1));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> r.v1.unmapLogicalRange(d, A, 1));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapIdentityRange (spec 2.14, 5.4 items 26, 27, 30)
    // ------------------------------------------------------------------------------------------------------------

    private static void mapIdentityRange(final List<DynamicTest> c)
    {
        c.add(x64("MapIdentityRange_STATUS_SUCCESS_translateIdentity", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.expect("identity", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ, mdl(0x50, 0x52)));
            assertEquals(0x50 * PAGE + 8, seen(r, "nic", 0x50 * PAGE + 8));
            assertEquals(0x52 * PAGE, seen(r, "nic", 0x52 * PAGE));
            assertEquals(-1, seen(r, "nic", 0x51 * PAGE), "only the MDL's pages");
        }));
        c.add(x64("MapIdentityRange_STATUS_SUCCESS_CHOICE_passThroughRecordsOnly", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            attach(r, d, "nic");
            r.expect("identity", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ, mdl(0x50)));
            assertEquals(0x9_9000L, seen(r, "nic", 0x9_9000L), "translation stays the identity everywhere");
            r.refused("not recorded", STATUS_INVALID_PARAMETER_2, () -> r.v1.unmapIdentityRange(d, mdl(0x51)));
            r.expect("recorded: undone", STATUS_SUCCESS, () -> r.v1.unmapIdentityRange(d, mdl(0x50)));
        }));
        c.add(x64("MapIdentityRange_STATUS_SUCCESS_CHOICE_v2UnmapIdentityRangeExUndoesIt", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("V1 identity", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ_WRITE, mdl(0x50, 0x51)));
            r.expect("V2 undo", STATUS_SUCCESS, () -> r.iommu.unmapIdentityRangeEx(d, contiguous(0x50 * PAGE, 2)));
            assertEquals(-1, output(d, 0x51 * PAGE));
        }));
        c.add(arm("MapIdentityRange_STATUS_INVALID_PARAMETER_1_CHOICE_callerOwnedV1Domain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.refused("FALSE", STATUS_INVALID_PARAMETER_1, () -> r.v1.mapIdentityRange(d, READ, mdl(1)));
        }));
        c.add(x64("MapIdentityRange_STATUS_INVALID_PARAMETER_1_translateS1", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("S1", STATUS_INVALID_PARAMETER_1, () -> r.v1.mapIdentityRange(d, READ, mdl(1)));
        }));
        c.add(x64("MapIdentityRange_STATUS_NOT_SUPPORTED_allocatorDomain", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.mapAllocated(d, 1);
            r.refused("buddy", STATUS_NOT_SUPPORTED, () -> r.v1.mapIdentityRange(d, READ, mdl(0x50)));
            assertEquals(-1, output(d, 0x50 * PAGE));
        }));
        c.add(x64("MapIdentityRange_STATUS_INVALID_PARAMETER_2_CHOICE_reservedPermissionBits", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("bits", STATUS_INVALID_PARAMETER_2, () -> r.v1.mapIdentityRange(d, 0x10, mdl(0x50)));
        }));
        c.add(x64("MapIdentityRange_STATUS_INVALID_PARAMETER_3_mdlByteOffset", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("offset", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapIdentityRange(d, READ, mdl(0x50).byteOffset(0x100)));
        }));
        c.add(x64("MapIdentityRange_STATUS_INVALID_PARAMETER_3_partialPage", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("partial", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapIdentityRange(d, READ, new Mdl().describe(new long[]{0x50}, PAGE - 1)));
        }));
        c.add(x64("MapIdentityRange_STATUS_INVALID_PARAMETER_3_CHOICE_emptyOrMissingMdl", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.refused("empty", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapIdentityRange(d, READ, new Mdl().describe(new long[]{0x50}, 0)));
            r.refused("null", STATUS_INVALID_PARAMETER_3, () -> r.v1.mapIdentityRange(d, READ, null));
        }));
        c.add(x64("MapIdentityRange_STATUS_INVALID_PARAMETER_3_CHOICE_frameBeyondAddressSpace", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("a frame above 2^48", STATUS_INVALID_PARAMETER_3,
                () -> r.v1.mapIdentityRange(d, READ, mdl(0x10, 0x11, 1L << 37)));
            assertEquals(-1, output(d, 0x10 * PAGE), "nothing mapped");
        }));
        c.add(x64("MapIdentityRange_STATUS_IN_USE_partlyMappedRunsRolledBack", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, 0x90 * PAGE, FRAME);
            r.refused("the second run collides", STATUS_IN_USE,
                () -> r.v1.mapIdentityRange(d, READ, mdl(0x10, 0x11, 0x90)));
            assertEquals(-1, output(d, 0x10 * PAGE), "first run rolled back");
            assertEquals(-1, output(d, 0x11 * PAGE));
        }));
        c.add(x64("MapIdentityRange_STATUS_IN_USE_CHOICE_overlapsToken", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.reserveAt(d, B, 2);
            r.refused("token", STATUS_IN_USE, () -> r.v1.mapIdentityRange(d, READ, mdl(B / PAGE + 1)));
        }));
        c.add(x64("MapIdentityRange_STATUS_INVALID_PARAMETER_CHOICE_nullDomain", r ->
        {
            v1Domain(r, true);
            r.refused("null", STATUS_INVALID_PARAMETER, () -> r.v1.mapIdentityRange(null, READ, mdl(0x50)));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // UnmapIdentityRange (spec 2.15, 5.4 item 31)
    // ------------------------------------------------------------------------------------------------------------

    private static void unmapIdentityRange(final List<DynamicTest> c)
    {
        c.add(x64("UnmapIdentityRange_STATUS_SUCCESS_removed", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.expect("map", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ_WRITE, mdl(0x50, 0x51, 0x60)));
            r.expect("unmap", STATUS_SUCCESS, () -> r.v1.unmapIdentityRange(d, mdl(0x50, 0x51, 0x60)));
            assertEquals(-1, seen(r, "nic", 0x51 * PAGE));
            assertEquals(-1, seen(r, "nic", 0x60 * PAGE));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_SUCCESS_CHOICE_partOfAnIdentityMap", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("map", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ, mdl(0x50, 0x51)));
            r.expect("unmap one page", STATUS_SUCCESS, () -> r.v1.unmapIdentityRange(d, mdl(0x51)));
            assertEquals(0x50 * PAGE, output(d, 0x50 * PAGE));
            assertEquals(-1, output(d, 0x51 * PAGE));
        }));
        c.add(arm("UnmapIdentityRange_STATUS_INVALID_PARAMETER_1_CHOICE_callerOwnedV1Domain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, false);
            r.refused("FALSE", STATUS_INVALID_PARAMETER_1, () -> r.v1.unmapIdentityRange(d, mdl(1)));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_INVALID_PARAMETER_1_translateS1", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("S1", STATUS_INVALID_PARAMETER_1, () -> r.v1.unmapIdentityRange(d, mdl(1)));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_INVALID_PARAMETER_2_partialPage", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("map", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ, mdl(0x50)));
            r.watch(d, 0x50 * PAGE);
            r.refused("partial", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.unmapIdentityRange(d, new Mdl().describe(new long[]{0x50}, PAGE - 1)));
            r.refused("offset", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.unmapIdentityRange(d, mdl(0x50).byteOffset(8)));
            r.refused("null", STATUS_INVALID_PARAMETER_2, () -> r.v1.unmapIdentityRange(d, null));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_INVALID_PARAMETER_2_CHOICE_nothingIdentityMapped", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, A, FRAME);
            r.refused("never mapped", STATUS_INVALID_PARAMETER_2, () -> r.v1.unmapIdentityRange(d, mdl(0x50)));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_INVALID_PARAMETER_2_CHOICE_rangeWiderThanMapped", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("map", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ, mdl(0x50, 0x51)));
            r.watch(d, 0x50 * PAGE);
            r.watch(d, 0x51 * PAGE);
            r.refused("wider", STATUS_INVALID_PARAMETER_2, () -> r.v1.unmapIdentityRange(d, mdl(0x50, 0x51, 0x52)));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_INVALID_PARAMETER_2_CHOICE_logicalMappingIsNotIdentity", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            map(r, d, 0x50 * PAGE, FRAME);
            r.refused("logical", STATUS_INVALID_PARAMETER_2, () -> r.v1.unmapIdentityRange(d, mdl(0x50)));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_INVALID_PARAMETER_2_CHOICE_identityReservedRegion", r ->
        {
            final IommuDmaDomain d = withRegion(r, A, 1, true);
            r.watch(d, A);
            r.refused("region", STATUS_INVALID_PARAMETER_2, () -> r.v1.unmapIdentityRange(d, mdl(A / PAGE)));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_INVALID_PARAMETER_2_CHOICE_frameBeyondAddressSpace", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("map", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ, mdl(0x50)));
            r.watch(d, 0x50 * PAGE);
            r.refused("above 2^48", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.unmapIdentityRange(d, mdl(0x50, 1L << 37)));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_NOT_SUPPORTED_allocatorDomain", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.mapAllocated(d, 1);
            r.refused("buddy", STATUS_NOT_SUPPORTED, () -> r.v1.unmapIdentityRange(d, mdl(1)));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_CONFLICTING_ADDRESSES_CHOICE_cutsLargeLeaf", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            final long first = 0x4000_0000L / PAGE;
            r.expect("2 MiB identity", STATUS_SUCCESS, () -> r.v1.mapIdentityRange(d, READ, mdl(run(first, 512))));
            final long t = V2Rig.walk(d, 0x4000_0000L);
            assertEquals(LARGE, DmaTranslation.pageSize(t), "a large leaf");
            r.watch(d, 0x4000_0000L);
            r.watch(d, 0x4000_0000L + LARGE - PAGE);
            r.refused("one page of it", STATUS_CONFLICTING_ADDRESSES,
                () -> r.v1.unmapIdentityRange(d, mdl(first + 1)));
            r.expect("all of it", STATUS_SUCCESS, () -> r.v1.unmapIdentityRange(d, mdl(run(first, 512))));
        }));
        c.add(x64("UnmapIdentityRange_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("delete", STATUS_SUCCESS, () -> r.v1.deleteDomain(d));
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> r.v1.unmapIdentityRange(d, mdl(0x50)));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // SetDeviceFaultReporting (spec 2.18, 2.36, 5.6 items 45 to 47)
    // ------------------------------------------------------------------------------------------------------------

    private static void setDeviceFaultReporting(final List<DynamicTest> c)
    {
        c.add(x64("SetDeviceFaultReporting_STATUS_SUCCESS_faultsDeliveredToTheHandler", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("read-only page", STATUS_SUCCESS, () -> r.v1.mapLogicalRange(d, READ, mdl(3), A));
            attach(r, d, "nic");
            final List<Long> addresses = new ArrayList<>();
            final List<FaultInformationType> types = new ArrayList<>();
            final List<IommuDmaDomain> domains = new ArrayList<>();
            final Object context = new Object();
            final DeviceFaultConfiguration config = new DeviceFaultConfiguration().faultContext(context)
                .faultHandler((final Object ctx, final FaultInformation info) ->
                {
                    assertSame(context, ctx);
                    assertEquals(FaultInformationArch.X64, info.type());
                    addresses.add(info.x64().faultAddress());
                    types.add(info.x64().type());
                    domains.add(info.x64().domainHandle());
                });
            r.expect("enable", STATUS_SUCCESS, () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, config));
            assertTrue(DmaTranslation.isFault(dma(r, "nic", A + 8, WRITE)));
            assertTrue(DmaTranslation.isFault(dma(r, "nic", B, READ)));
            assertFalse(DmaTranslation.isFault(dma(r, "nic", A, READ)), "no fault, no report");
            drain(r);
            assertEquals(List.of(A + 8, B), addresses);
            assertEquals(List.of(FaultInformationType.PERMISSION_FAULT, FaultInformationType.TRANSLATION_FAULT),
                types);
            assertSame(d, domains.get(0));
        }));
        c.add(arm("SetDeviceFaultReporting_STATUS_SUCCESS_CHOICE_faultInformationArm64", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("attach 0x40, 2", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x40, 2));
            final List<FaultInformationArm64> faults = new ArrayList<>();
            final DeviceFaultConfiguration config = new DeviceFaultConfiguration()
                .faultHandler((final Object ctx, final FaultInformation info) ->
                {
                    final FaultInformationArm64 a = info.arm64();
                    faults.add(new FaultInformationArm64().faultAddress(a.faultAddress()).type(a.type())
                        .physicalDeviceObject(a.physicalDeviceObject()).inputMappingId(a.inputMappingId())
                        .flags(a.flags()).iommuBaseAddress(a.iommuBaseAddress()).domainHandle(a.domainHandle()));
                });
            r.expect("enable by the attach base", STATUS_SUCCESS,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "acpi"), 0x40, true, config));
            dma(r, "acpi", A, WRITE);
            drain(r);
            assertEquals(1, faults.size());
            final FaultInformationArm64 f = faults.get(0);
            assertEquals(A, f.faultAddress());
            assertEquals(FaultInformationType.TRANSLATION_FAULT, f.type());
            assertSame(pdo(r, "acpi"), f.physicalDeviceObject());
            assertEquals(0x40, f.inputMappingId());
            assertEquals(FaultInformationArm64.WRITE_NOT_READ | FaultInformationArm64.FAULT_ADDRESS_VALID, f.flags());
            assertEquals(0x2B40_0000L, f.iommuBaseAddress());
            assertSame(d, f.domainHandle());
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_SUCCESS_disableStopsDelivery", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            final List<Long> faults = new ArrayList<>();
            r.expect("enable", STATUS_SUCCESS,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, recorder(faults, "ctx")));
            dma(r, "nic", A, READ);
            drain(r);
            r.expect("disable", STATUS_SUCCESS, () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, false, null));
            dma(r, "nic", B, READ);
            drain(r);
            assertEquals(List.of(A), faults, "off: no more reports");
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_SUCCESS_CHOICE_disableWhenOff", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.expect("disable, never enabled", STATUS_SUCCESS,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, false, null));
            r.expect("and again", STATUS_SUCCESS, () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, false, null));
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_SUCCESS_CHOICE_enableTwiceReplacesTheHandler", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            final List<Long> first = new ArrayList<>();
            final List<Long> second = new ArrayList<>();
            r.expect("enable", STATUS_SUCCESS,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, recorder(first, "one")));
            r.expect("enable again", STATUS_SUCCESS,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, recorder(second, "two")));
            dma(r, "nic", A, READ);
            drain(r);
            assertEquals(List.of(), first);
            assertEquals(List.of(A), second);
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_SUCCESS_CHOICE_deviceAttachedThroughV2", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            final List<Long> faults = new ArrayList<>();
            r.expect("found by its device object", STATUS_SUCCESS,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, recorder(faults, "ctx")));
            r.emulator.translate(nic, A, READ);
            drain(r);
            assertEquals(List.of(A), faults);
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_1_CHOICE_notAttached", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "disk");
            final List<Long> faults = new ArrayList<>();
            r.refused("no device", STATUS_INVALID_PARAMETER_1,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, recorder(faults, "ctx")));
            r.refused("disable, no device", STATUS_INVALID_PARAMETER_1,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, false, null));
            r.refused("behind no IOMMU", STATUS_INVALID_PARAMETER_1,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "direct"), 0, true, recorder(faults, "ctx")));
            dma(r, "disk", A, READ);
            drain(r);
            assertEquals(List.of(), faults, "the other device reports nothing");
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_1_CHOICE_tokenNotAttached", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final List<Long> faults = new ArrayList<>();
            r.refused("token, not attached", STATUS_INVALID_PARAMETER_1,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, recorder(faults, "ctx")));
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("attach", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
            r.emulator.translate(nic, A, READ);
            drain(r);
            assertEquals(List.of(), faults, "the refused enable left reporting off");
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_1_CHOICE_afterDetach", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.expect("detach", STATUS_SUCCESS, () -> r.v1.detachDevice(d, pdo(r, "nic"), 0));
            r.refused("detached", STATUS_INVALID_PARAMETER_1,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, recorder(new ArrayList<>(), "ctx")));
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_4_CHOICE_enableWithoutConfiguration", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.refused("no config", STATUS_INVALID_PARAMETER_4,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, null));
            r.refused("no handler", STATUS_INVALID_PARAMETER_4,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, new DeviceFaultConfiguration()));
            assertFalse(((DmaDevice)r.emulator.dmaDeviceOf(pdo(r, "nic"))).faultReporting(), "still off");
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_4_CHOICE_checkedBeforeAttachment", r ->
            r.refused("not attached and no config", STATUS_INVALID_PARAMETER_4,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, null))));
        c.add(x64("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_2_CHOICE_notTheAttachBase", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            final List<Long> faults = new ArrayList<>();
            r.expect("enable", STATUS_SUCCESS,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 0, true, recorder(faults, "ctx")));
            r.refused("disable with base 1", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "nic"), 1, false, null));
            dma(r, "nic", A, READ);
            drain(r);
            assertEquals(List.of(A), faults, "reporting stayed on");
        }));
        c.add(arm("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_2_CHOICE_arm64AcpiNotTheAttachBase", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            r.expect("attach 0x40, 2", STATUS_SUCCESS, () -> r.v1.attachDevice(d, pdo(r, "acpi"), 0x40, 2));
            final List<Long> faults = new ArrayList<>();
            r.refused("0x41", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "acpi"), 0x41, true, recorder(faults, "ctx")));
            dma(r, "acpi", A, READ);
            drain(r);
            assertEquals(List.of(), faults, "reporting stayed off");
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_CHOICE_nullDeviceObject", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            r.refused("null PDO", STATUS_INVALID_PARAMETER,
                () -> r.v1.setDeviceFaultReporting(null, 0, true, recorder(new ArrayList<>(), "ctx")));
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_CHOICE_deviceObjectOfAnotherPlatform", r ->
        {
            final IommuDmaDomain d = v1Domain(r, true);
            attach(r, d, "nic");
            final DeviceObject foreign = V2Rig.x64Platform(V2Rig.limits(8)).device("nic");
            final List<Long> faults = new ArrayList<>();
            r.refused("foreign PDO", STATUS_INVALID_PARAMETER,
                () -> r.v1.setDeviceFaultReporting(foreign, 0, true, recorder(faults, "ctx")));
            dma(r, "nic", A, READ);
            drain(r);
            assertEquals(List.of(), faults, "the same-named device of this platform was not turned on");
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // A V2 token named by V1 (this case found the token's input-mapping base recorded as 0)
    // ------------------------------------------------------------------------------------------------------------

    private static void tokensNamedByV1(final List<DynamicTest> c)
    {
        // DmaIommuInterfaceV1.setDeviceFaultReporting: InputMappingIdBase is "the base id used at attach (ACPI ARM64
        // devices only, else 0)"; DeviceRules: "the device a device object stands for (attached through either
        // table) ... a base other than the one used at attach _2". An ACPI token created with its ids (0x40, 2) and
        // attached with AttachDeviceEx was attached with base 0x40; 0 is not one of its ids (V1 AttachDevice refuses
        // it with _3).
        c.add(arm("SetDeviceFaultReporting_STATUS_SUCCESS_arm64AcpiTokenAttachedThroughV2ByItsBase", r ->
        {
            final Ref<IommuDmaDevice> token = new Ref<>();
            r.expect("ACPI token", STATUS_SUCCESS, () -> r.iommu.createDevice(pdo(r, "acpi"),
                new IommuDeviceCreationConfiguration().acpi(0x40, 2), token));
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("AttachDeviceEx", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, token.get()));
            final List<Long> faults = new ArrayList<>();
            r.expect("enable by the device's input mapping base", STATUS_SUCCESS,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "acpi"), 0x40, true, recorder(faults, "ctx")));
            r.emulator.translate(token.get(), A, READ);
            drain(r);
            assertEquals(List.of(A), faults);
            r.refused("0 is not an id of the device", STATUS_INVALID_PARAMETER_2,
                () -> r.v1.setDeviceFaultReporting(pdo(r, "acpi"), 0, false, null));
        }));
    }
}
