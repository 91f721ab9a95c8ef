/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.Set;
import java.util.stream.Stream;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DmaIommuInterface;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.DomainConfigurationArch;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaLogicalAllocatorType;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.Ref;
import dev.iommu.ptw.Translation;
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
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_5;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_6;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_7;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_MIX;
import static dev.iommu.api.NtStatus.STATUS_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_NOT_FOUND;
import static dev.iommu.api.NtStatus.STATUS_NOT_IMPLEMENTED;
import static dev.iommu.api.NtStatus.STATUS_NOT_SUPPORTED;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.contiguous;
import static dev.iommu.core.V2Rig.output;
import static dev.iommu.core.V2Rig.pfns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance table: one case per documented status of every {@code DMA_IOMMU_INTERFACE_V2} member (spec section
 * 2) and of the acquisition entry point (spec 1.1), plus one per choice the implementation made for spec section 5.
 * Each case is named {@code <Member>_<STATUS>_<what>}, runs on a fresh emulator, asserts the exact status, and for a
 * refusal asserts that nothing changed ({@link V2Rig#refused}: table pages, live domains and devices, watched
 * translations), plus a check of its own where one is cheap (an allocator address reused, a holder left empty).
 */
class ConformanceTest
{
    private static final long A = 0x10_0000L;
    private static final long B = 0x20_0000L;
    private static final long FRAME = 0x4000;

    private static final IommuInterfaceStateChangeCallback NOOP =
        (final IommuInterfaceStateChange change, final Object context) ->
        {
        };

    private static IommuDmaReservedRegion region(final long base, final long pages)
    {
        return new IommuDmaReservedRegion().base(base).numberOfPages(pages);
    }

    private static IommuInterfaceStateChangeFields fields()
    {
        return new IommuInterfaceStateChangeFields().availableDomainTypes(true);
    }

    private static int create(final V2Rig r, final IommuDmaDomainType type, final long flags,
        final IommuDmaLogicalAllocatorConfig allocator, final IommuDmaReservedRegion regions)
    {
        return r.iommu.createDomainEx(type, flags, allocator, regions, new Ref<>());
    }

    private static int mapAlloc(final V2Rig r, final IommuDmaDomain d, final IommuMapPhysicalAddress physical,
        final LongRef min, final LongRef max)
    {
        return r.iommu.mapLogicalRangeEx(d, READ_WRITE, physical, null, min, max, new LongRef());
    }

    private static int mapAt(final V2Rig r, final IommuDmaDomain d, final IommuMapPhysicalAddress physical,
        final long iova)
    {
        return r.iommu.mapLogicalRangeEx(d, READ_WRITE, physical, new LongRef(iova), null, null, new LongRef());
    }

    private static int reserveAt(final V2Rig r, final IommuDmaDomain d, final long size, final long iova)
    {
        return r.iommu.reserveLogicalAddressRange(d, size, new LongRef(iova), null, null, new Ref<>());
    }

    /** The next address the allocator hands out for one page, after which the page is given back. */
    private static long nextAllocated(final V2Rig r, final IommuDmaDomain d)
    {
        final LongRef out = new LongRef();
        assertEquals(STATUS_SUCCESS, r.iommu.mapLogicalRangeEx(d, READ, pfns(1), null, null, null, out));
        assertEquals(STATUS_SUCCESS, r.iommu.unmapLogicalRange(d, out.get(), 1));
        return out.get();
    }

    @TestFactory
    Stream<DynamicTest> conformance()
    {
        final List<DynamicTest> cases = new ArrayList<>();
        acquisition(cases);
        createDomainEx(cases);
        deleteDomain(cases);
        attachDetach(cases);
        flushAndConfigure(cases);
        queryInputMappings(cases);
        mapLogicalRangeEx(cases);
        unmapLogicalRange(cases);
        identity(cases);
        faultReporting(cases);
        queryAvailableDomainTypes(cases);
        stateChangeCallbacks(cases);
        reserve(cases);
        tokens(cases);
        createDevice(cases);
        deleteDevice(cases);
        return cases.stream();
    }

    @Test
    void caseNamesAreUniqueAndFollowTheScheme()
    {
        ConformanceCases.assertNamesFollowTheScheme(conformance(), 150);
    }

    // ------------------------------------------------------------------------------------------------------------
    // IoGetIommuInterfaceEx (spec 1.1, 5.1)
    // ------------------------------------------------------------------------------------------------------------

    private static void acquisition(final List<DynamicTest> c)
    {
        acquisition(c, BehaviourProfile.DOCUMENTED);
    }

    /**
     * The entry-point cases in a profile: the two profiles agree on every acquisition answer (one rule,
     * {@code AcquisitionRules}); {@code ObservedAcquisitionConformanceTest} runs them in the observed profile, where
     * they are the rows of section 1 of the observed-behaviour record.
     */
    static void acquisition(final List<DynamicTest> c, final BehaviourProfile profile)
    {
        final Supplier<V2Rig> rig = () -> new V2Rig(new EmulatorContext()
            .platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES))).profile(profile));
        for (int v = 1; v <= 3; v++)
        {
            final int version = v;
            final String name =
                "IoGetIommuInterfaceEx_STATUS_SUCCESS_version" + version + "FillsSizeVersionAndEveryMember";
            c.add(on(name, rig, r ->
            {
                final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
                r.expect("v" + version, STATUS_SUCCESS, () -> r.emulator.ioGetIommuInterfaceEx(version, 0, ex));
                assertEquals(DmaIommuInterfaceEx.sizeOf(version), ex.size());
                assertEquals(version, ex.version());
                final Object table = version == 1 ? ex.v1() : version == 2 ? ex.v2() : ex.v3();
                assertNotNull(table);
                assertEquals(version == 2, !(table instanceof dev.iommu.api.DmaIommuInterfaceV3) &&
                    table instanceof dev.iommu.api.DmaIommuInterfaceV2, "a V2 table is not also a V3 table");
                assertEquals(version == 1, table instanceof dev.iommu.api.DmaIommuInterfaceV1);
            }));
        }
        acquisitionRefused(c, rig, "IoGetIommuInterfaceEx_STATUS_INVALID_PARAMETER_1_version0", 0, 0,
            STATUS_INVALID_PARAMETER_1);
        acquisitionRefused(c, rig, "IoGetIommuInterfaceEx_STATUS_INVALID_PARAMETER_1_version4", 4, 0,
            STATUS_INVALID_PARAMETER_1);
        acquisitionRefused(c, rig, "IoGetIommuInterfaceEx_STATUS_INVALID_PARAMETER_3_flagsNotZero", 1, 1,
            STATUS_INVALID_PARAMETER_3);
        acquisitionRefused(c, rig, "IoGetIommuInterfaceEx_STATUS_INVALID_PARAMETER_1_CHOICE_badVersionBeforeFlags",
            0, 1, STATUS_INVALID_PARAMETER_1);
        c.add(on("IoGetIommuInterfaceEx_STATUS_INVALID_PARAMETER_2_noHolder", rig, r ->
            r.refused("null out", STATUS_INVALID_PARAMETER_2, () -> r.emulator.ioGetIommuInterfaceEx(2, 0, null))));
        c.add(on("IoGetIommuInterfaceEx_STATUS_INVALID_PARAMETER_2_CHOICE_noHolderBeforeFlags", rig, r ->
            r.refused("null out and flags", STATUS_INVALID_PARAMETER_2,
                () -> r.emulator.ioGetIommuInterfaceEx(2, 1, null))));
        c.add(on("IoGetIommuInterfaceEx_STATUS_INVALID_PARAMETER_1_CHOICE_olderKernelAnswersAsItDoes",
            () -> new V2Rig(new EmulatorContext().platform(dev.iommu.core.platform.Platform.builder()
                .iommu("vtd0", 0xFED9_0000L).pci("nic", 0, 1, 0, 0, "vtd0", false).maxInterfaceVersion(2).build())
                .profile(profile)),
            r ->
            {
                final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
                r.refused("version 3 on a V1/V2 kernel", STATUS_INVALID_PARAMETER_1,
                    () -> r.emulator.ioGetIommuInterfaceEx(3, 0, ex));
                assertEquals(0, ex.size(), "nothing filled");
                r.expect("version 2 there", STATUS_SUCCESS, () -> r.emulator.ioGetIommuInterfaceEx(2, 0, ex));
            }));
        c.add(on("IoGetIommuInterface_STATUS_SUCCESS_legacyTableIsTheV1Table", rig, r ->
        {
            final DmaIommuInterface legacy = new DmaIommuInterface();
            r.expect("legacy", STATUS_SUCCESS, () -> r.emulator.ioGetIommuInterface(1, legacy));
            assertEquals(1, legacy.version());
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            r.expect("v1", STATUS_SUCCESS, () -> r.emulator.ioGetIommuInterfaceEx(1, 0, ex));
            assertSame(ex.v1(), legacy.v1(), "one V1 implementation behind both entry points");
        }));
        for (final int version : new int[]{0, 2, 3})
        {
            c.add(on("IoGetIommuInterface_STATUS_INVALID_PARAMETER_1_version" + version, rig, r ->
            {
                final DmaIommuInterface legacy = new DmaIommuInterface();
                r.refused("legacy version " + version, STATUS_INVALID_PARAMETER_1,
                    () -> r.emulator.ioGetIommuInterface(version, legacy));
                assertEquals(0, legacy.version(), "nothing written");
            }));
        }
        c.add(on("IoGetIommuInterface_STATUS_INVALID_PARAMETER_2_noHolder", rig, r ->
            r.refused("legacy null out", STATUS_INVALID_PARAMETER_2, () -> r.emulator.ioGetIommuInterface(1, null))));
    }

    private static void acquisitionRefused(final List<DynamicTest> c, final Supplier<V2Rig> rig, final String name,
        final int version, final long flags, final int status)
    {
        c.add(on(name, rig, r ->
        {
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            r.refused(name, status, () -> r.emulator.ioGetIommuInterfaceEx(version, flags, ex));
            assertEquals(0, ex.size(), "the holder is left empty");
            assertEquals(0, ex.version());
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // CreateDomainEx (spec 2.2, 5.3 items 13 and 16)
    // ------------------------------------------------------------------------------------------------------------

    private static void createDomainEx(final List<DynamicTest> c)
    {
        c.add(x64("CreateDomainEx_STATUS_SUCCESS_translateWithAllocator", r ->
        {
            final long pages = r.emulator.tablePagesInUse();
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("create", STATUS_SUCCESS, () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().buddy(39), null, out));
            assertNotNull(out.get());
            assertEquals(1, r.emulator.liveDomains());
            assertEquals(pages + 1, r.emulator.tablePagesInUse(), "a root table page");
        }));
        c.add(x64("CreateDomainEx_STATUS_SUCCESS_passThrough", r ->
        {
            r.expect("create", STATUS_SUCCESS, () -> create(r, IommuDmaDomainType.PASS_THROUGH, 0, null, null));
            assertEquals(1, r.emulator.liveDomains());
        }));
        c.add(arm("CreateDomainEx_STATUS_SUCCESS_unmanagedOnArm64", r ->
            r.expect("create", STATUS_SUCCESS, () -> create(r, IommuDmaDomainType.UNMANAGED, 0, null, null))));
        c.add(x64("CreateDomainEx_STATUS_SUCCESS_translateS1", r ->
            r.expect("create", STATUS_SUCCESS, () -> create(r, IommuDmaDomainType.TRANSLATE_S1, 0, null, null))));
        c.add(x64("CreateDomainEx_STATUS_SUCCESS_reservedRegionIdentityMapped", r ->
        {
            final IommuDmaReservedRegion regions = region(0xFEE0_0000L, 1).shouldMap(true)
                .regionNext(region(0x1_0000L, 2));
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("create", STATUS_SUCCESS,
                () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, regions, out));
            assertEquals(0xFEE0_0000L, output(out.get(), 0xFEE0_0000L), "identity-mapped region");
            assertEquals(-1, output(out.get(), 0x1_0000L), "reserved, not mapped");
            r.refused("explicit map into a region", STATUS_IN_USE,
                () -> mapAt(r, out.get(), contiguous(0, 1), 0x1_1000L));
        }));
        c.add(x64("CreateDomainEx_STATUS_SUCCESS_CHOICE_identityRegionsAreReadWrite", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("create", STATUS_SUCCESS, () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null,
                region(0xFEE0_0000L, 1).shouldMap(true), out));
            final IommuDmaDevice nic = r.attached("nic", out.get());
            assertFalse(Translation.isFault(r.emulator.translate(nic, 0xFEE0_0010L, READ_WRITE)));
        }));
        c.add(x64("CreateDomainEx_STATUS_SUCCESS_CHOICE_regionReservedInsideTheAllocator", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("create", STATUS_SUCCESS, () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().buddy(14), region(0x1000, 1).shouldMap(true), out));
            assertEquals(0x1000, output(out.get(), 0x1000), "identity-mapped region");
            final LongRef a = new LongRef();
            r.expect("one page left above page 0 and the region", STATUS_SUCCESS,
                () -> r.iommu.mapLogicalRangeEx(out.get(), READ, pfns(9), null, null, null, a));
            assertTrue(a.get() >= 0x2000, "the allocator never hands out the region: " + a.get());
        }));
        c.add(x64("CreateDomainEx_STATUS_SUCCESS_CHOICE_regionAtPageZeroWithAllocator", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("create", STATUS_SUCCESS, () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().buddy(39), region(0, 2), out));
            r.refused("region", STATUS_INVALID_PARAMETER, () -> r.iommu.unmapLogicalRange(out.get(), 0, 1));
        }));
        c.add(on("CreateDomainEx_STATUS_INSUFFICIENT_RESOURCES_domainLimit",
            () -> V2Rig.x64(new dev.iommu.core.platform.ResourceLimits(8, 2, 64, 4, 8)), r ->
            {
                r.domain(IommuDmaDomainType.PASS_THROUGH);
                r.domain(IommuDmaDomainType.TRANSLATE_S1);
                r.refused("third domain", STATUS_INSUFFICIENT_RESOURCES,
                    () -> create(r, IommuDmaDomainType.TRANSLATE, 0, null, null));
            }));
        c.add(on("CreateDomainEx_STATUS_INSUFFICIENT_RESOURCES_noTablePage",
            () -> V2Rig.x64(V2Rig.limits(1)), r ->
            {
                r.explicitDomain();
                r.refused("second root page", STATUS_INSUFFICIENT_RESOURCES,
                    () -> create(r, IommuDmaDomainType.TRANSLATE, 0, null, null));
            }));
        c.add(on("CreateDomainEx_STATUS_INSUFFICIENT_RESOURCES_outOfAsids",
            () -> new V2Rig(V2Rig.arm64Platform(new dev.iommu.core.platform.ResourceLimits(8, 8, 64, 1, 8))), r ->
            {
                r.domain(IommuDmaDomainType.UNMANAGED);
                r.refused("second ASID", STATUS_INSUFFICIENT_RESOURCES,
                    () -> create(r, IommuDmaDomainType.UNMANAGED, 0, null, null));
            }));
        c.add(x64("CreateDomainEx_STATUS_NOT_SUPPORTED_unmanagedOnX64", r ->
            r.refused("x64 IOMMUs take no caller-owned tables", STATUS_NOT_SUPPORTED,
                () -> create(r, IommuDmaDomainType.UNMANAGED, 0, null, null))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_1_CHOICE_nullType", r ->
            r.refused("null type", STATUS_INVALID_PARAMETER_1, () -> create(r, null, 0, null, null))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_1_CHOICE_typeMax", r ->
            r.refused("Max", STATUS_INVALID_PARAMETER_1, () -> create(r, IommuDmaDomainType.MAX, 0, null, null))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_2_CHOICE_flagsNotZero", r ->
            r.refused("flags", STATUS_INVALID_PARAMETER_2,
                () -> create(r, IommuDmaDomainType.TRANSLATE, 1, null, null))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_3_CHOICE_allocatorOnPassThrough", r ->
            r.refused("allocator on PassThrough", STATUS_INVALID_PARAMETER_3, () -> create(r,
                IommuDmaDomainType.PASS_THROUGH, 0, new IommuDmaLogicalAllocatorConfig().buddy(39), null))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_3_CHOICE_addressWidth12", r ->
            r.refused("width 12", STATUS_INVALID_PARAMETER_3, () -> create(r,
                IommuDmaDomainType.TRANSLATE, 0, new IommuDmaLogicalAllocatorConfig().buddy(12), null))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_3_CHOICE_addressWidth64", r ->
            r.refused("width 64", STATUS_INVALID_PARAMETER_3, () -> create(r,
                IommuDmaDomainType.TRANSLATE, 0, new IommuDmaLogicalAllocatorConfig().buddy(64), null))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_3_CHOICE_allocatorTypeMax", r ->
            r.refused("type Max", STATUS_INVALID_PARAMETER_3, () -> create(r, IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().logicalAllocatorType(IommuDmaLogicalAllocatorType.MAX)
                    .addressWidth(39), null))));
        c.add(x64("CreateDomainEx_CHOICE_allocatorTypeNoneMeansNoAllocator", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("None", STATUS_SUCCESS, () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().logicalAllocatorType(IommuDmaLogicalAllocatorType.NONE), null,
                out));
            r.expect("explicit accepted", STATUS_SUCCESS, () -> mapAt(r, out.get(), contiguous(0, 1), A));
        }));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_4_CHOICE_overlappingRegions", r ->
            r.refused("overlap", STATUS_INVALID_PARAMETER_4, () -> create(r, IommuDmaDomainType.TRANSLATE, 0, null,
                region(A, 4).regionNext(region(A + 3 * PAGE, 1))))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_4_CHOICE_unalignedRegion", r ->
            r.refused("unaligned", STATUS_INVALID_PARAMETER_4,
                () -> create(r, IommuDmaDomainType.TRANSLATE, 0, null, region(A + 1, 1)))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_4_CHOICE_emptyRegion", r ->
            r.refused("0 pages", STATUS_INVALID_PARAMETER_4,
                () -> create(r, IommuDmaDomainType.TRANSLATE, 0, null, region(A, 0)))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_4_CHOICE_regionOnTranslateS1", r ->
            r.refused("regions on S1", STATUS_INVALID_PARAMETER_4,
                () -> create(r, IommuDmaDomainType.TRANSLATE_S1, 0, null, region(A, 1)))));
        c.add(x64("CreateDomainEx_STATUS_INVALID_PARAMETER_5_CHOICE_noDomainOut", r ->
            r.refused("no out", STATUS_INVALID_PARAMETER_5,
                () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, null))));
    }

    // ------------------------------------------------------------------------------------------------------------
    // DeleteDomain (spec 2.3, 1.5 rules 4 and 5, 5.3 item 14, 5.2 item 10)
    // ------------------------------------------------------------------------------------------------------------

    private static void deleteDomain(final List<DynamicTest> c)
    {
        c.add(x64("DeleteDomain_STATUS_SUCCESS_dropsLiveMappingsAndTables", r ->
        {
            final long pages = r.emulator.tablePagesInUse();
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 3);
            r.mapAt(d, 0x40_0000_0000L, FRAME, 1);
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            assertEquals(pages, r.emulator.tablePagesInUse());
            assertEquals(0, r.emulator.liveDomains());
        }));
        c.add(x64("DeleteDomain_STATUS_RESOURCE_IN_USE_CHOICE_deviceAttached", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            final long iova = r.mapAllocated(d, 7);
            r.refused("attached", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDomain(d));
            assertEquals(7 * PAGE, r.seen(nic, iova), "the device still translates");
        }));
        c.add(x64("DeleteDomain_STATUS_RESOURCE_IN_USE_CHOICE_tokenOutstanding", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            r.reserveAt(d, B, 2);
            r.refused("token", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("DeleteDomain_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            r.refused("twice", STATUS_INVALID_PARAMETER, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("DeleteDomain_STATUS_INVALID_PARAMETER_CHOICE_nullDomain", r ->
        {
            r.explicitDomain();
            r.refused("null", STATUS_INVALID_PARAMETER, () -> r.iommu.deleteDomain(null));
        }));
        c.add(x64("DeleteDomain_STATUS_INVALID_PARAMETER_CHOICE_foreignDomain", r ->
        {
            try (V2Rig other = V2Rig.x64())
            {
                final IommuDmaDomain foreign = other.explicitDomain();
                r.refused("other emulator", STATUS_INVALID_PARAMETER, () -> r.iommu.deleteDomain(foreign));
                assertEquals(1, other.emulator.liveDomains());
            }
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // AttachDeviceEx / DetachDeviceEx (spec 2.6, 2.7, 1.5 rule 2, 5.3 item 15)
    // ------------------------------------------------------------------------------------------------------------

    private static void attachDetach(final List<DynamicTest> c)
    {
        c.add(x64("AttachDeviceEx_STATUS_SUCCESS_deviceTranslatesThroughDomain", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            final IommuDmaDevice nic = r.device("nic");
            assertEquals(-1, r.seen(nic, A), "unattached: DMA blocked");
            r.expect("attach", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
            assertEquals(FRAME * PAGE, r.seen(nic, A));
        }));
        c.add(x64("AttachDeviceEx_STATUS_SUCCESS_passThroughIsIdentity", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            final IommuDmaDevice nic = r.device("nic");
            r.expect("attach", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
            assertEquals(0x1234_5000L, r.seen(nic, 0x1234_5000L));
        }));
        c.add(x64("AttachDeviceEx_STATUS_INVALID_PARAMETER_alreadyAttachedElsewhere", r ->
        {
            final IommuDmaDomain d1 = r.explicitDomain();
            final IommuDmaDomain d2 = r.explicitDomain();
            r.mapAt(d1, A, FRAME, 1);
            r.mapAt(d2, A, FRAME + 1, 1);
            final IommuDmaDevice nic = r.attached("nic", d1);
            r.refused("attached", STATUS_INVALID_PARAMETER, () -> r.iommu.attachDeviceEx(d2, nic));
            assertEquals(FRAME * PAGE, r.seen(nic, A), "still the first domain");
            r.expect("d2 has no device", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d2));
        }));
        c.add(x64("AttachDeviceEx_STATUS_INVALID_PARAMETER_alreadyAttachedSameDomain", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            r.refused("again", STATUS_INVALID_PARAMETER, () -> r.iommu.attachDeviceEx(d, nic));
            r.expect("one detach suffices", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
            r.expect("domain free", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("AttachDeviceEx_STATUS_ACCESS_DENIED_passThroughForExternalUnderDmaGuard", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            final IommuDmaDevice ext = r.device("ext");
            r.refused("external", STATUS_ACCESS_DENIED, () -> r.iommu.attachDeviceEx(d, ext));
            assertEquals(-1, r.seen(ext, 0x5000), "still blocked");
            r.expect("not attached", STATUS_INVALID_PARAMETER_1, () -> r.iommu.detachDeviceEx(ext));
        }));
        c.add(x64("AttachDeviceEx_STATUS_ACCESS_DENIED_passThroughWhileBlockingActive", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            final IommuDmaDevice nic = r.device("nic");
            r.platform.policy().blockingActive(true);
            r.refused("blocking", STATUS_ACCESS_DENIED, () -> r.iommu.attachDeviceEx(d, nic));
            r.platform.policy().blockingActive(false);
            r.expect("allowed again", STATUS_SUCCESS, () -> r.iommu.attachDeviceEx(d, nic));
        }));
        c.add(x64("AttachDeviceEx_STATUS_ACCESS_DENIED_restrictedByPolicy", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.device("nic");
            r.platform.policy().restrict(r.platform.device("nic"), IommuDmaDomainType.PASS_THROUGH.mask());
            r.refused("restricted", STATUS_ACCESS_DENIED, () -> r.iommu.attachDeviceEx(d, nic));
        }));
        c.add(x64("AttachDeviceEx_STATUS_ACCESS_DENIED_CHOICE_translateS1OnlyForPasidDevices", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaDevice nic = r.device("nic");
            r.refused("S1", STATUS_ACCESS_DENIED, () -> r.iommu.attachDeviceEx(d, nic));
        }));
        c.add(x64("AttachDeviceEx_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.device("nic");
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            r.refused("deleted domain", STATUS_INVALID_PARAMETER, () -> r.iommu.attachDeviceEx(d, nic));
        }));
        c.add(x64("AttachDeviceEx_STATUS_INVALID_PARAMETER_CHOICE_deletedDevice", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.device("nic");
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            r.refused("deleted device", STATUS_INVALID_PARAMETER, () -> r.iommu.attachDeviceEx(d, nic));
            r.expect("no device counted", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("AttachDeviceEx_CHOICE_translateBeyondTheDomainWidthFaults", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            r.mapAllocated(d, 4);
            assertTrue(Translation.isFault(r.emulator.translate(nic, 1L << 39, READ)), "2^39 on a 39-bit domain");
            assertTrue(Translation.isFault(r.emulator.translate(nic, -PAGE, READ)), "negative");
            assertTrue(Translation.isFault(r.emulator.translate(nic, Long.MIN_VALUE, READ)), "sign bit");
        }));
        c.add(x64("DetachDeviceEx_STATUS_SUCCESS_dmaBlockedAfterwards", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            final IommuDmaDevice nic = r.attached("nic", d);
            r.expect("detach", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
            assertEquals(-1, r.seen(nic, A));
            assertEquals(FRAME * PAGE, output(d, A), "the mapping stays in the domain");
        }));
        c.add(x64("DetachDeviceEx_STATUS_INVALID_PARAMETER_1_notAttached", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("not attached", STATUS_INVALID_PARAMETER_1, () -> r.iommu.detachDeviceEx(nic));
        }));
        c.add(x64("DetachDeviceEx_STATUS_INVALID_PARAMETER_1_detachedTwice", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            r.expect("detach", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
            r.refused("twice", STATUS_INVALID_PARAMETER_1, () -> r.iommu.detachDeviceEx(nic));
            r.expect("count not driven negative", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("DetachDeviceEx_STATUS_INVALID_PARAMETER_CHOICE_deletedDevice", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> r.iommu.detachDeviceEx(nic));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // FlushDomain / FlushDomainByVaList / ConfigureDomain (spec 2.8, 2.9, 2.20, 5.3 items 17 to 19)
    // ------------------------------------------------------------------------------------------------------------

    private static DomainConfiguration arm64Config()
    {
        final DomainConfiguration config = new DomainConfiguration().type(DomainConfigurationArch.ARM64);
        config.arm64().ttbr0(0x8000_0000L).mair0(0xFF).inputSize0(48).translationEnabled(true);
        return config;
    }

    private static void flushAndConfigure(final List<DynamicTest> c)
    {
        c.add(arm("FlushDomain_STATUS_SUCCESS_unmanaged", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.expect("flush", STATUS_SUCCESS, () -> r.iommu.flushDomain(d));
        }));
        c.add(x64("FlushDomain_STATUS_INVALID_PARAMETER_1_CHOICE_libraryOwnedTables", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            r.refused("Translate", STATUS_INVALID_PARAMETER_1, () -> r.iommu.flushDomain(d));
        }));
        c.add(x64("FlushDomain_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.iommu.deleteDomain(d);
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> r.iommu.flushDomain(d));
        }));
        c.add(arm("FlushDomainByVaList_STATUS_SUCCESS_CHOICE_64BitAddresses", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.expect("flush", STATUS_SUCCESS,
                () -> r.iommu.flushDomainByVaList(d, true, 2, new long[]{0x1000, 0x2000}));
        }));
        c.add(x64("FlushDomainByVaList_STATUS_INVALID_PARAMETER_1_CHOICE_passThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1,
                () -> r.iommu.flushDomainByVaList(d, false, 1, new long[]{0x1000}));
        }));
        c.add(arm("FlushDomainByVaList_STATUS_INVALID_PARAMETER_4_CHOICE_listShorterThanNumber", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.refused("short", STATUS_INVALID_PARAMETER_4,
                () -> r.iommu.flushDomainByVaList(d, false, 3, new long[]{0x1000}));
        }));
        c.add(arm("ConfigureDomain_STATUS_SUCCESS_arm64ConfigTwice", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.expect("configure", STATUS_SUCCESS, () -> r.iommu.configureDomain(d, arm64Config()));
            r.expect("CHOICE reconfigure", STATUS_SUCCESS, () -> r.iommu.configureDomain(d, arm64Config()));
        }));
        c.add(x64("ConfigureDomain_STATUS_INVALID_PARAMETER_1_translateDomain", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            r.refused("Translate", STATUS_INVALID_PARAMETER_1, () -> r.iommu.configureDomain(d, arm64Config()));
        }));
        c.add(x64("ConfigureDomain_STATUS_INVALID_PARAMETER_1_passThroughDomain", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> r.iommu.configureDomain(d, arm64Config()));
        }));
        c.add(arm("ConfigureDomain_STATUS_NOT_SUPPORTED_x64ConfigReservedForSystem", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.refused("x64", STATUS_NOT_SUPPORTED,
                () -> r.iommu.configureDomain(d, new DomainConfiguration().type(DomainConfigurationArch.X64)));
        }));
        c.add(arm("ConfigureDomain_STATUS_INVALID_PARAMETER_2_CHOICE_nullConfiguration", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.refused("null", STATUS_INVALID_PARAMETER_2, () -> r.iommu.configureDomain(d, null));
        }));
        c.add(arm("UnmanagedDomain_CHOICE_dmaBlockedEvenWhenConfigured", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            final IommuDmaDevice pci = r.attached("pci", d);
            assertEquals(-1, r.seen(pci, 0x1000), "unconfigured: blocked (spec 5.3 item 20)");
            r.expect("configure", STATUS_SUCCESS, () -> r.iommu.configureDomain(d, arm64Config()));
            assertEquals(-1, r.seen(pci, 0x1000), "caller-owned tables are not walked in this release");
            r.refused("no logical maps on Unmanaged", STATUS_INVALID_PARAMETER_1,
                () -> mapAt(r, d, contiguous(0, 1), 0x1000));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // QueryInputMappings (spec 2.10)
    // ------------------------------------------------------------------------------------------------------------

    private static InputMappingElement[] elements(final int n)
    {
        final InputMappingElement[] buffer = new InputMappingElement[n];
        for (int i = 0; i < n; i++)
        {
            buffer[i] = new InputMappingElement().inputMappingId(-7);
        }
        return buffer;
    }

    private static void queryInputMappings(final List<DynamicTest> c)
    {
        c.add(arm("QueryInputMappings_STATUS_SUCCESS_acpiStreamIds", r ->
        {
            final InputMappingElement[] buffer = elements(2);
            final IntRef length = new IntRef();
            r.expect("query", STATUS_SUCCESS, () -> r.iommu.queryInputMappings(
                r.platform.device("acpi"), buffer, 2 * InputMappingElement.SIZE_X64, length));
            assertEquals(0x40, buffer[0].inputMappingId());
            assertEquals(0x41, buffer[1].inputMappingId());
            assertEquals(8, length.get(), "CHOICE: lengths in bytes");
        }));
        c.add(arm("QueryInputMappings_STATUS_BUFFER_TOO_SMALL_nothingWrittenNeededLengthReturned", r ->
        {
            final InputMappingElement[] buffer = elements(2);
            final IntRef length = new IntRef();
            r.refused("small", STATUS_BUFFER_TOO_SMALL, () -> r.iommu.queryInputMappings(
                r.platform.device("acpi"), buffer, InputMappingElement.SIZE_X64, length));
            assertEquals(-7, buffer[0].inputMappingId(), "nothing written");
            assertEquals(8, length.get());
        }));
        c.add(x64("QueryInputMappings_STATUS_UNSUCCESSFUL_x64", r ->
        {
            final InputMappingElement[] buffer = elements(4);
            r.refused("x64", STATUS_UNSUCCESSFUL, () -> r.iommu.queryInputMappings(
                r.platform.device("nic"), buffer, 16, new IntRef()));
            assertEquals(-7, buffer[0].inputMappingId());
        }));
        c.add(arm("QueryInputMappings_STATUS_UNSUCCESSFUL_CHOICE_unknownDeviceObject", r ->
            r.refused("null PDO", STATUS_UNSUCCESSFUL,
                () -> r.iommu.queryInputMappings(null, elements(2), 8, new IntRef()))));
        c.add(arm("QueryInputMappings_STATUS_INVALID_PARAMETER_2_CHOICE_arrayShorterThanLength", r ->
        {
            final InputMappingElement[] buffer = elements(1);
            r.refused("short array", STATUS_INVALID_PARAMETER_2, () -> r.iommu.queryInputMappings(
                r.platform.device("acpi"), buffer, 64, new IntRef()));
            assertEquals(-7, buffer[0].inputMappingId());
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapLogicalRangeEx (spec 2.12, 5.4 items 24 to 29)
    // ------------------------------------------------------------------------------------------------------------

    private static void mapLogicalRangeEx(final List<DynamicTest> c)
    {
        c.add(x64("MapLogicalRangeEx_STATUS_SUCCESS_allocatorPfnArray", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            final LongRef out = new LongRef();
            r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapLogicalRangeEx(
                d, READ, pfns(0x99, 0x12), null, null, null, out));
            assertEquals(0x99 * PAGE + 5, r.seen(nic, out.get() + 5));
            assertEquals(0x12 * PAGE, r.seen(nic, out.get() + PAGE));
            assertTrue(Translation.isFault(r.emulator.translate(nic, out.get(), WRITE)), "read-only");
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_SUCCESS_explicitMdl", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final Mdl mdl = new Mdl().describe(new long[]{0x31, 0x77}, 2 * PAGE);
            final LongRef out = new LongRef();
            r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapLogicalRangeEx(
                d, READ_WRITE, new IommuMapPhysicalAddress().useMdl(mdl), new LongRef(A), null, null, out));
            assertEquals(A, out.get());
            assertEquals(0x77 * PAGE, output(d, A + PAGE));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_SUCCESS_boundsHonouredInclusive", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final LongRef out = new LongRef();
            final long min = 0x100_0000L;
            final long max = min + 4 * PAGE - 1;
            r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapLogicalRangeEx(
                d, READ, pfns(1, 2, 3, 4), null, new LongRef(min), new LongRef(max), out));
            assertEquals(min, out.get(), "exactly the only fitting place");
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_SUCCESS_onlyMaxBoundGiven", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            for (int i = 0; i < 8; i++)
            {
                final LongRef out = new LongRef();
                r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapLogicalRangeEx(
                    d, READ, pfns(1, 2, 3), null, null, new LongRef(0x40_0000L - 1), out));
                assertTrue(out.get() + 3 * PAGE - 1 <= 0x40_0000L - 1, "whole mapping below Max: " + out.get());
            }
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_frameBeyondPhysicalWidth", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("frame 2^40", STATUS_INVALID_PARAMETER_3, () -> mapAt(r, d, pfns(1L << 40), A));
            r.expect("frame 2^40 - 1", STATUS_SUCCESS, () -> mapAt(r, d, pfns((1L << 40) - 1), A));
            assertEquals(((1L << 40) - 1) * PAGE, output(d, A));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_1_passThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> mapAt(r, d, contiguous(0, 1), A));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_1_translateS1", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("S1", STATUS_INVALID_PARAMETER_1, () -> mapAt(r, d, contiguous(0, 1), A));
        }));
        c.add(arm("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_1_unmanaged", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.refused("Unmanaged", STATUS_INVALID_PARAMETER_1, () -> mapAt(r, d, contiguous(0, 1), A));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_unalignedContiguousBase", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long before = nextAllocated(r, d);
            r.refused("unaligned", STATUS_INVALID_PARAMETER_3, () -> mapAlloc(r, d,
                new IommuMapPhysicalAddress().useContiguousRange(0x1800, PAGE), null, null));
            assertEquals(before, nextAllocated(r, d), "no allocator space taken");
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_sizeNotPageMultiple", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            r.refused("size", STATUS_INVALID_PARAMETER_3, () -> mapAt(r, d,
                new IommuMapPhysicalAddress().useContiguousRange(0x2000, PAGE + 8), B));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_CHOICE_zeroLength", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("empty", STATUS_INVALID_PARAMETER_3, () -> mapAt(r, d,
                new IommuMapPhysicalAddress().useContiguousRange(0x2000, 0), B));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_pfnCountBeyondArray", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("count", STATUS_INVALID_PARAMETER_3, () -> mapAt(r, d,
                new IommuMapPhysicalAddress().usePfnArray(new long[]{1, 2}, 3), B));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_3_mdlWithByteOffset", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final Mdl mdl = new Mdl().describe(new long[]{1}, PAGE).byteOffset(16);
            r.refused("offset", STATUS_INVALID_PARAMETER_3,
                () -> mapAt(r, d, new IommuMapPhysicalAddress().useMdl(mdl), B));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_4_explicitUnaligned", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            r.refused("unaligned", STATUS_INVALID_PARAMETER_4, () -> mapAt(r, d, contiguous(0, 1), B + 0x10));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_4_CHOICE_explicitBeyondAddressSpace", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("beyond 48 bits", STATUS_INVALID_PARAMETER_4,
                () -> mapAt(r, d, contiguous(0, 2), (1L << 48) - PAGE));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_MIX_minAboveMax", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long before = nextAllocated(r, d);
            r.refused("min > max", STATUS_INVALID_PARAMETER_MIX,
                () -> mapAlloc(r, d, pfns(1), new LongRef(0x20_0000L), new LongRef(0x10_0000L)));
            assertEquals(before, nextAllocated(r, d));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_MIX_CHOICE_windowTooNarrowInclusive", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("3 pages in a 2-page window", STATUS_INVALID_PARAMETER_MIX, () -> mapAlloc(r, d,
                pfns(1, 2, 3), new LongRef(0x10_0000L), new LongRef(0x10_0000L + 2 * PAGE - 1)));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_SUCCESS_CHOICE_boundsIgnoredWithExplicitAddress", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final LongRef out = new LongRef();
            r.expect("explicit outside the bounds", STATUS_SUCCESS, () -> r.iommu.mapLogicalRangeEx(d, READ,
                pfns(3), new LongRef(B), new LongRef(0x1000), new LongRef(0x1FFF), out));
            assertEquals(B, out.get());
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_IN_USE_explicitPartlyMapped", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 4);
            r.refused("overlap", STATUS_IN_USE, () -> mapAt(r, d, contiguous(0, 4), A + 3 * PAGE));
            assertEquals(-1, output(d, A + 4 * PAGE), "no page of the refused map left behind");
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_IN_USE_CHOICE_isResourceInUse", r ->
            assertEquals(STATUS_RESOURCE_IN_USE, STATUS_IN_USE, "spec 5.4 item 25")));
        c.add(x64("MapLogicalRangeEx_STATUS_IN_USE_CHOICE_overlapsToken", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.reserveAt(d, B, 4);
            r.refused("token range", STATUS_IN_USE, () -> mapAt(r, d, contiguous(0, 2), B - PAGE));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_IN_USE_CHOICE_overlapsReservedRegion", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("create", STATUS_SUCCESS, () -> r.iommu.createDomainEx(
                IommuDmaDomainType.TRANSLATE, 0, null, region(A, 2), out));
            r.refused("region", STATUS_IN_USE, () -> mapAt(r, out.get(), contiguous(0, 1), A + PAGE));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_NOT_SUPPORTED_explicitWithBuddyAllocator", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long before = nextAllocated(r, d);
            r.refused("explicit", STATUS_NOT_SUPPORTED, () -> mapAt(r, d, contiguous(0, 1), A));
            assertEquals(-1, output(d, A));
            assertEquals(before, nextAllocated(r, d));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_NOT_SUPPORTED_noExplicitWithoutAllocator", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("none", STATUS_NOT_SUPPORTED, () -> mapAlloc(r, d, pfns(1), null, null));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_2_CHOICE_reservedPermissionBits", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long before = nextAllocated(r, d);
            r.refused("bit 2", STATUS_INVALID_PARAMETER_2,
                () -> r.iommu.mapLogicalRangeEx(d, 0x4, pfns(1), null, null, null, new LongRef()));
            assertEquals(before, nextAllocated(r, d));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_SUCCESS_CHOICE_permissionZeroFaults", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            r.expect("perm 0", STATUS_SUCCESS,
                () -> r.iommu.mapLogicalRangeEx(d, 0, pfns(1), new LongRef(A), null, null, new LongRef()));
            assertEquals(Translation.FAULT_PERMISSION,
                Translation.faultReason(r.emulator.translate(nic, A, READ)));
            r.refused("present: remap refused", STATUS_IN_USE, () -> mapAt(r, d, pfns(2), A));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_SUCCESS_CHOICE_aliasingAllowed", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            r.expect("same frame again", STATUS_SUCCESS, () -> mapAt(r, d, pfns(FRAME), B));
            assertEquals(output(d, A), output(d, B));
        }));
        c.add(on("MapLogicalRangeEx_STATUS_INSUFFICIENT_RESOURCES_noTablePage",
            () -> V2Rig.x64(V2Rig.limits(3)), r ->
            {
                final IommuDmaDomain d = r.explicitDomain();
                // Not all-or-nothing for table pages: the empty intermediate tables installed before the page ran
                // out stay (published, shared with concurrent maps) until the range is unmapped whole or the
                // domain is deleted. Nothing is mapped, and deletion returns every page.
                r.expect("tables", STATUS_INSUFFICIENT_RESOURCES, () -> mapAt(r, d, contiguous(0, 1), A));
                assertEquals(-1, output(d, A));
                r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
                assertEquals(0, r.emulator.tablePagesInUse());
            }));
        c.add(x64("MapLogicalRangeEx_STATUS_INSUFFICIENT_RESOURCES_CHOICE_allocatorSpaceFull", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain(13);
            r.mapAllocated(d, 5);
            r.refused("13 bits: one page above page 0", STATUS_INSUFFICIENT_RESOURCES,
                () -> mapAlloc(r, d, pfns(6), null, null));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_7_CHOICE_noAddressOut", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long before = nextAllocated(r, d);
            r.refused("no out", STATUS_INVALID_PARAMETER_7,
                () -> r.iommu.mapLogicalRangeEx(d, READ, pfns(1), null, null, null, null));
            assertEquals(before, nextAllocated(r, d));
        }));
        c.add(x64("MapLogicalRangeEx_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.iommu.deleteDomain(d);
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> mapAlloc(r, d, pfns(1), null, null));
        }));
        c.add(x64("MapLogicalRangeEx_CHOICE_neverHandsOutAddressZero", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain(14);
            final long a = r.mapAllocated(d, 1);
            final long b = r.mapAllocated(d, 2);
            final long e = r.mapAllocated(d, 3);
            assertTrue(a != 0 && b != 0 && e != 0, a + " " + b + " " + e);
            r.refused("full", STATUS_INSUFFICIENT_RESOURCES, () -> mapAlloc(r, d, pfns(4), null, null));
        }));
        c.add(x64("MapLogicalRangeEx_CHOICE_largeLeafForAlignedContiguousRange", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final long before = r.emulator.tablePagesInUse();
            r.expect("2 MiB", STATUS_SUCCESS, () -> mapAt(r, d, contiguous(0x4000_0000L, 512), 0x20_0000L));
            assertEquals(before + 2, r.emulator.tablePagesInUse(), "levels 3 and 2 only: a 2 MiB leaf");
            assertEquals(0x4000_1234L, output(d, 0x20_1234L));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // UnmapLogicalRange (spec 2.13, 5.4 items 21 to 23)
    // ------------------------------------------------------------------------------------------------------------

    private static void unmapLogicalRange(final List<DynamicTest> c)
    {
        c.add(x64("UnmapLogicalRange_STATUS_SUCCESS_deviceFaultsAfterwards", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            final long iova = r.mapAllocated(d, 9, 10);
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, iova, 2));
            assertEquals(Translation.FAULT_NOT_PRESENT,
                Translation.faultReason(r.emulator.translate(nic, iova + PAGE, READ)));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_SUCCESS_CHOICE_blockBackToAllocatorAfterLastPage", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long iova = r.mapAllocated(d, 9, 10);
            r.expect("first page", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, iova, 1));
            final LongRef out = new LongRef();
            r.expect("same size", STATUS_SUCCESS,
                () -> r.iommu.mapLogicalRangeEx(d, READ, pfns(1, 2), null, null, null, out));
            assertNotEquals(iova, out.get(), "block still held by its second page");
            r.expect("second page", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, iova + PAGE, 1));
            r.expect("other", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, out.get(), 2));
            final LongRef again = new LongRef();
            final LongRef again2 = new LongRef();
            r.expect("reuse", STATUS_SUCCESS,
                () -> r.iommu.mapLogicalRangeEx(d, READ, pfns(1, 2), null, null, null, again));
            r.expect("reuse", STATUS_SUCCESS,
                () -> r.iommu.mapLogicalRangeEx(d, READ, pfns(1, 2), null, null, null, again2));
            assertEquals(Set.of(iova, out.get()), Set.of(again.get(), again2.get()), "both blocks came back");
        }));
        c.add(x64("UnmapLogicalRange_STATUS_SUCCESS_CHOICE_partlyMappedRangeUnmapsWhatExists", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 2);
            r.expect("wider range", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, A - 4 * PAGE, 10));
            assertEquals(-1, output(d, A + PAGE));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_2_CHOICE_unalignedAddress", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 2);
            r.refused("unaligned", STATUS_INVALID_PARAMETER_2, () -> r.iommu.unmapLogicalRange(d, A + 8, 1));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_3_CHOICE_zeroPages", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 2);
            r.refused("0 pages", STATUS_INVALID_PARAMETER_3, () -> r.iommu.unmapLogicalRange(d, A, 0));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_3_CHOICE_pastAddressSpace", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 2);
            r.refused("past 2^48", STATUS_INVALID_PARAMETER_3,
                () -> r.iommu.unmapLogicalRange(d, A, 1L << 40));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_nothingMapped", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.mapAllocated(d, 3);
            r.refused("empty range", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapLogicalRange(d, 0x40_0000L, 4));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_tokenPagesUseTheirSegments", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 2);
            r.expect("segment", STATUS_SUCCESS, () -> r.iommu.mapReservedLogicalRange(
                token, 0, READ, pfns(FRAME), new IommuDmaLogicalAddressTokenMappedSegment()));
            r.watch(d, B);
            r.refused("token", STATUS_INVALID_PARAMETER, () -> r.iommu.unmapLogicalRange(d, B, 1));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_reservedRegion", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("create", STATUS_SUCCESS, () -> r.iommu.createDomainEx(
                IommuDmaDomainType.TRANSLATE, 0, null, region(A, 1).shouldMap(true), out));
            r.watch(out.get(), A);
            r.refused("region", STATUS_INVALID_PARAMETER, () -> r.iommu.unmapLogicalRange(out.get(), A, 1));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_CONFLICTING_ADDRESSES_CHOICE_cutsLargeLeaf", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("2 MiB", STATUS_SUCCESS, () -> mapAt(r, d, contiguous(0x4000_0000L, 512), 0x20_0000L));
            r.watch(d, 0x20_0000L);
            r.watch(d, 0x3F_F000L);
            r.refused("cut", STATUS_CONFLICTING_ADDRESSES,
                () -> r.iommu.unmapLogicalRange(d, 0x20_0000L + PAGE, 1));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_1_CHOICE_passThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> r.iommu.unmapLogicalRange(d, A, 1));
        }));
        c.add(x64("UnmapLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_deletedDomain", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.iommu.deleteDomain(d);
            r.refused("deleted", STATUS_INVALID_PARAMETER, () -> r.iommu.unmapLogicalRange(d, A, 1));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapIdentityRangeEx / UnmapIdentityRangeEx (spec 2.16, 2.17, 5.4 items 30 and 31)
    // ------------------------------------------------------------------------------------------------------------

    private static void identity(final List<DynamicTest> c)
    {
        c.add(x64("MapIdentityRangeEx_STATUS_SUCCESS_translateIdentity", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            r.expect("identity", STATUS_SUCCESS, () -> r.iommu.mapIdentityRangeEx(d, READ, pfns(0x50, 0x52)));
            assertEquals(0x50 * PAGE, r.seen(nic, 0x50 * PAGE));
            assertEquals(0x52 * PAGE, r.seen(nic, 0x52 * PAGE));
            assertEquals(-1, r.seen(nic, 0x51 * PAGE));
        }));
        c.add(x64("MapIdentityRangeEx_STATUS_SUCCESS_CHOICE_passThroughRecordsOnly", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            final IommuDmaDevice nic = r.attached("nic", d);
            r.expect("identity", STATUS_SUCCESS, () -> r.iommu.mapIdentityRangeEx(d, READ, contiguous(A, 1)));
            assertEquals(0x9_9000L, r.seen(nic, 0x9_9000L), "translation stays the identity everywhere");
            r.expect("undo", STATUS_SUCCESS, () -> r.iommu.unmapIdentityRangeEx(d, contiguous(A, 1)));
        }));
        c.add(arm("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_1_unmanaged", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.refused("Unmanaged", STATUS_INVALID_PARAMETER_1, () -> r.iommu.mapIdentityRangeEx(d, READ, pfns(1)));
        }));
        c.add(x64("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_1_translateS1", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            r.refused("S1", STATUS_INVALID_PARAMETER_1, () -> r.iommu.mapIdentityRangeEx(d, READ, pfns(1)));
        }));
        c.add(x64("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_3_unaligned", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("unaligned", STATUS_INVALID_PARAMETER_3, () -> r.iommu.mapIdentityRangeEx(d, READ,
                new IommuMapPhysicalAddress().useContiguousRange(A + 0x100, PAGE)));
        }));
        c.add(x64("MapIdentityRangeEx_STATUS_IN_USE_partlyMapped", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A + 2 * PAGE, FRAME, 1);
            r.refused("overlap", STATUS_IN_USE, () -> r.iommu.mapIdentityRangeEx(d, READ, contiguous(A, 4)));
            assertEquals(-1, output(d, A), "no identity page left behind");
        }));
        c.add(x64("MapIdentityRangeEx_STATUS_IN_USE_pfnRunsRolledBack", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, 0x90 * PAGE, FRAME, 1);
            r.refused("second run collides", STATUS_IN_USE,
                () -> r.iommu.mapIdentityRangeEx(d, READ, pfns(0x10, 0x11, 0x90)));
            assertEquals(-1, output(d, 0x10 * PAGE), "first run rolled back");
        }));
        c.add(x64("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_3_CHOICE_frameBeyondAddressSpaceRolledBack", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            r.refused("second run above 2^48", STATUS_INVALID_PARAMETER_3,
                () -> r.iommu.mapIdentityRangeEx(d, READ, pfns(0x10, 0x11, 1L << 37)));
            assertEquals(-1, output(d, 0x10 * PAGE), "first run rolled back");
        }));
        c.add(x64("MapIdentityRangeEx_STATUS_NOT_SUPPORTED_buddyAllocator", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.mapAllocated(d, 1);
            r.refused("buddy", STATUS_NOT_SUPPORTED, () -> r.iommu.mapIdentityRangeEx(d, READ, pfns(0x50)));
        }));
        c.add(x64("MapIdentityRangeEx_STATUS_INVALID_PARAMETER_2_CHOICE_reservedPermissionBits", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("bits", STATUS_INVALID_PARAMETER_2, () -> r.iommu.mapIdentityRangeEx(d, 0x10, pfns(0x50)));
        }));
        c.add(x64("UnmapIdentityRangeEx_STATUS_SUCCESS_removed", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapIdentityRangeEx(d, READ_WRITE, contiguous(A, 3)));
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapIdentityRangeEx(d, contiguous(A, 3)));
            assertEquals(-1, output(d, A + PAGE));
        }));
        c.add(arm("UnmapIdentityRangeEx_STATUS_INVALID_PARAMETER_1_unmanaged", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.refused("Unmanaged", STATUS_INVALID_PARAMETER_1, () -> r.iommu.unmapIdentityRangeEx(d, pfns(1)));
        }));
        c.add(x64("UnmapIdentityRangeEx_STATUS_INVALID_PARAMETER_2_unaligned", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapIdentityRangeEx(d, READ, contiguous(A, 1)));
            r.watch(d, A);
            r.refused("unaligned", STATUS_INVALID_PARAMETER_2, () -> r.iommu.unmapIdentityRangeEx(d,
                new IommuMapPhysicalAddress().useContiguousRange(A, PAGE - 1)));
        }));
        c.add(x64("UnmapIdentityRangeEx_STATUS_INVALID_PARAMETER_2_CHOICE_rangeNotAllIdentityMapped", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapIdentityRangeEx(d, READ, contiguous(A, 2)));
            r.watch(d, A);
            r.watch(d, A + PAGE);
            r.refused("wider", STATUS_INVALID_PARAMETER_2, () -> r.iommu.unmapIdentityRangeEx(d, contiguous(A, 3)));
        }));
        c.add(x64("UnmapIdentityRangeEx_STATUS_INVALID_PARAMETER_2_CHOICE_logicalMappingIsNotIdentity", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            r.refused("not identity", STATUS_INVALID_PARAMETER_2,
                () -> r.iommu.unmapIdentityRangeEx(d, contiguous(A, 1)));
        }));
        c.add(x64("UnmapIdentityRangeEx_STATUS_NOT_SUPPORTED_buddyAllocator", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.mapAllocated(d, 1);
            r.refused("buddy", STATUS_NOT_SUPPORTED, () -> r.iommu.unmapIdentityRangeEx(d, pfns(1)));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // SetDeviceFaultReportingEx (spec 2.19, 5.6 item 47)
    // ------------------------------------------------------------------------------------------------------------

    private static void faultReporting(final List<DynamicTest> c)
    {
        c.add(x64("SetDeviceFaultReportingEx_STATUS_NOT_IMPLEMENTED_always", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            final List<Long> faults = new ArrayList<>();
            final DeviceFaultConfiguration config = new DeviceFaultConfiguration()
                .faultHandler((final Object ctx, final dev.iommu.api.FaultInformation info) -> faults.add(1L));
            r.refused("enable", STATUS_NOT_IMPLEMENTED,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, config));
            r.refused("disable", STATUS_NOT_IMPLEMENTED,
                () -> r.iommu.setDeviceFaultReportingEx(nic, 0, false, null));
            r.emulator.translate(nic, A, READ);
            while (r.emulator.deliverNotifications() > 0)
            {
                Thread.onSpinWait();
            }
            assertEquals(List.of(), faults, "reporting was not turned on");
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_SUCCESS_CHOICE_faultInformationX64", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("read-only page", STATUS_SUCCESS,
                () -> r.iommu.mapLogicalRangeEx(d, READ, pfns(3), new LongRef(A), null, null, new LongRef()));
            final IommuDmaDevice nic = r.attached("nic", d);
            final List<dev.iommu.api.FaultInformationX64> faults = new ArrayList<>();
            final List<IommuDmaDomain> domains = new ArrayList<>();
            final DeviceFaultConfiguration config = new DeviceFaultConfiguration().faultContext("ctx")
                .faultHandler((final Object ctx, final dev.iommu.api.FaultInformation info) ->
                {
                    assertEquals("ctx", ctx);
                    final dev.iommu.api.FaultInformationX64 x64 = new dev.iommu.api.FaultInformationX64();
                    x64.faultAddress(info.x64().faultAddress()).type(info.x64().type())
                        .iommuBaseAddress(info.x64().iommuBaseAddress());
                    faults.add(x64);
                    domains.add(info.x64().domainHandle());
                });
            r.expect("enable", STATUS_SUCCESS, () -> r.emulator.setDeviceFaultReporting(nic, true, config));
            assertTrue(Translation.isFault(r.emulator.translate(nic, A + 8, WRITE)));
            assertTrue(Translation.isFault(r.emulator.translate(nic, B, READ)));
            assertFalse(Translation.isFault(r.emulator.translate(nic, A, READ)), "no fault, no report");
            while (r.emulator.deliverNotifications() > 0)
            {
                Thread.onSpinWait();
            }
            assertEquals(2, faults.size());
            assertEquals(A + 8, faults.get(0).faultAddress());
            assertEquals(dev.iommu.api.FaultInformationType.PERMISSION_FAULT, faults.get(0).type());
            assertEquals(B, faults.get(1).faultAddress());
            assertEquals(dev.iommu.api.FaultInformationType.TRANSLATION_FAULT, faults.get(1).type());
            assertEquals(0xFED9_0000L, faults.get(1).iommuBaseAddress());
            assertSame(d, domains.get(0));
            r.expect("disable", STATUS_SUCCESS, () -> r.emulator.setDeviceFaultReporting(nic, false, null));
            r.emulator.translate(nic, B, READ);
            while (r.emulator.deliverNotifications() > 0)
            {
                Thread.onSpinWait();
            }
            assertEquals(2, faults.size(), "off: no more reports");
        }));
        c.add(x64("SetDeviceFaultReporting_STATUS_INVALID_PARAMETER_1_CHOICE_embedderFormNotAttached", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("not attached", STATUS_INVALID_PARAMETER_1, () -> r.emulator.setDeviceFaultReporting(nic,
                true, new DeviceFaultConfiguration().faultHandler((final Object ctx,
                    final dev.iommu.api.FaultInformation info) ->
                {
                })));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // QueryAvailableDomainTypes (spec 2.21, 5.2 items 11 and 12)
    // ------------------------------------------------------------------------------------------------------------

    private static void queryAvailableDomainTypes(final List<DynamicTest> c)
    {
        c.add(x64("QueryAvailableDomainTypes_STATUS_SUCCESS_internalDevice", r ->
        {
            final IntRef types = new IntRef();
            r.iommu.queryAvailableDomainTypes(r.device("nic"), types);
            assertEquals(IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.PASS_THROUGH.mask() |
                IommuDmaDomainType.TRANSLATE_S1.mask(), types.get());
        }));
        c.add(x64("QueryAvailableDomainTypes_STATUS_SUCCESS_externalUnderDmaGuardHasNoPassThrough", r ->
        {
            final IntRef types = new IntRef();
            r.iommu.queryAvailableDomainTypes(r.device("ext"), types);
            assertEquals(0, types.get() & 0x2, "PassThrough bit 0x2 clear");
            assertEquals(IommuDmaDomainType.TRANSLATE.mask(), types.get() & IommuDmaDomainType.TRANSLATE.mask());
        }));
        c.add(arm("QueryAvailableDomainTypes_STATUS_SUCCESS_arm64OffersUnmanaged", r ->
        {
            final IntRef types = new IntRef();
            r.iommu.queryAvailableDomainTypes(r.device("pci"), types);
            assertEquals(IommuDmaDomainType.UNMANAGED.mask(), types.get() & IommuDmaDomainType.UNMANAGED.mask());
        }));
        c.add(x64("QueryAvailableDomainTypes_CHOICE_deletedDeviceWritesZero", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.iommu.deleteDevice(nic);
            final IntRef types = new IntRef().set(-1);
            r.iommu.queryAvailableDomainTypes(nic, types);
            assertEquals(0, types.get());
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Register / UnregisterInterfaceStateChangeCallback (spec 2.22, 2.23, 5.6 items 41 to 43)
    // ------------------------------------------------------------------------------------------------------------

    private static void stateChangeCallbacks(final List<DynamicTest> c)
    {
        c.add(x64("RegisterInterfaceStateChangeCallback_STATUS_SUCCESS_CHOICE_firstCallSynchronous", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final List<Integer> seen = new ArrayList<>();
            final List<Integer> present = new ArrayList<>();
            final Thread caller = Thread.currentThread();
            r.expect("register", STATUS_SUCCESS, () -> r.iommu.registerInterfaceStateChangeCallback(
                (final IommuInterfaceStateChange change, final Object ctx) ->
                {
                    assertSame(caller, Thread.currentThread());
                    assertEquals("ctx", ctx);
                    seen.add(change.availableDomainTypes());
                    present.add(change.presentFields());
                }, "ctx", nic, fields()));
            assertEquals(1, seen.size(), "called before Register returned");
            final IntRef types = new IntRef();
            r.iommu.queryAvailableDomainTypes(nic, types);
            assertEquals(types.get(), seen.get(0));
            assertEquals(IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES, present.get(0));
        }));
        c.add(x64("RegisterInterfaceStateChangeCallback_STATUS_UNSUCCESSFUL_oneCallbackPerDevice", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final int[] calls = new int[1];
            final IommuInterfaceStateChangeCallback second =
                (final IommuInterfaceStateChange change, final Object ctx) -> calls[0]++;
            r.expect("first", STATUS_SUCCESS, () -> r.iommu.registerInterfaceStateChangeCallback(
                NOOP, null, nic, fields()));
            r.refused("second", STATUS_UNSUCCESSFUL, () -> r.iommu.registerInterfaceStateChangeCallback(
                second, null, nic, fields()));
            assertEquals(0, calls[0], "the refused callback is never called");
            r.expect("first still registered", STATUS_SUCCESS,
                () -> r.iommu.unregisterInterfaceStateChangeCallback(NOOP, nic));
        }));
        c.add(x64("RegisterInterfaceStateChangeCallback_STATUS_INVALID_PARAMETER_4_noFieldSelected", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("no field", STATUS_INVALID_PARAMETER_4, () -> r.iommu.registerInterfaceStateChangeCallback(
                NOOP, null, nic, new IommuInterfaceStateChangeFields()));
            r.expect("nothing registered: delete works", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
        }));
        c.add(x64("RegisterInterfaceStateChangeCallback_STATUS_INVALID_PARAMETER_4_CHOICE_onlyReservedBits", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("reserved only", STATUS_INVALID_PARAMETER_4, () -> r.iommu.registerInterfaceStateChangeCallback(
                NOOP, null, nic, new IommuInterfaceStateChangeFields().asUlong(0x6)));
        }));
        c.add(x64("RegisterInterfaceStateChangeCallback_STATUS_SUCCESS_CHOICE_reservedBitsIgnoredWithBit0", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.expect("bit 0 and reserved", STATUS_SUCCESS, () -> r.iommu.registerInterfaceStateChangeCallback(
                NOOP, null, nic, new IommuInterfaceStateChangeFields().asUlong(0x7)));
        }));
        c.add(x64("RegisterInterfaceStateChangeCallback_STATUS_INVALID_PARAMETER_1_CHOICE_nullCallback", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("null", STATUS_INVALID_PARAMETER_1,
                () -> r.iommu.registerInterfaceStateChangeCallback(null, null, nic, fields()));
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
        }));
        c.add(x64("RegisterInterfaceStateChangeCallback_STATUS_INVALID_PARAMETER_3_CHOICE_deletedDevice", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.iommu.deleteDevice(nic);
            r.refused("deleted", STATUS_INVALID_PARAMETER_3,
                () -> r.iommu.registerInterfaceStateChangeCallback(NOOP, null, nic, fields()));
        }));
        c.add(x64("UnregisterInterfaceStateChangeCallback_STATUS_SUCCESS_noMoreCalls", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final int[] calls = new int[1];
            final IommuInterfaceStateChangeCallback cb =
                (final IommuInterfaceStateChange change, final Object ctx) -> calls[0]++;
            r.expect("register", STATUS_SUCCESS,
                () -> r.iommu.registerInterfaceStateChangeCallback(cb, null, nic, fields()));
            r.expect("unregister", STATUS_SUCCESS, () -> r.iommu.unregisterInterfaceStateChangeCallback(cb, nic));
            r.platform.policy().blockingActive(true);
            while (r.emulator.deliverNotifications() > 0)
            {
                Thread.onSpinWait();
            }
            assertEquals(1, calls[0], "only the registration call");
        }));
        c.add(x64("UnregisterInterfaceStateChangeCallback_STATUS_UNSUCCESSFUL_notRegistered", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("never registered", STATUS_UNSUCCESSFUL,
                () -> r.iommu.unregisterInterfaceStateChangeCallback(NOOP, nic));
        }));
        c.add(x64("UnregisterInterfaceStateChangeCallback_STATUS_UNSUCCESSFUL_CHOICE_otherCallback", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.expect("register", STATUS_SUCCESS,
                () -> r.iommu.registerInterfaceStateChangeCallback(NOOP, null, nic, fields()));
            r.refused("other", STATUS_UNSUCCESSFUL, () -> r.iommu.unregisterInterfaceStateChangeCallback(
                (final IommuInterfaceStateChange change, final Object ctx) ->
                {
                }, nic));
            r.refused("still registered", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(nic));
        }));
        c.add(x64("UnregisterInterfaceStateChangeCallback_STATUS_INVALID_PARAMETER_1_CHOICE_nullCallback", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.expect("register", STATUS_SUCCESS,
                () -> r.iommu.registerInterfaceStateChangeCallback(NOOP, null, nic, fields()));
            r.refused("null", STATUS_INVALID_PARAMETER_1,
                () -> r.iommu.unregisterInterfaceStateChangeCallback(null, nic));
            r.refused("still registered", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(nic));
        }));
        c.add(x64("UnregisterInterfaceStateChangeCallback_STATUS_UNSUCCESSFUL_CHOICE_deletedDevice", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.iommu.deleteDevice(nic);
            r.refused("deleted", STATUS_UNSUCCESSFUL, () -> r.iommu.unregisterInterfaceStateChangeCallback(NOOP, nic));
        }));
        c.add(x64("UnregisterInterfaceStateChangeCallback_STATUS_UNSUCCESSFUL_CHOICE_twice", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.expect("register", STATUS_SUCCESS,
                () -> r.iommu.registerInterfaceStateChangeCallback(NOOP, null, nic, fields()));
            r.expect("unregister", STATUS_SUCCESS, () -> r.iommu.unregisterInterfaceStateChangeCallback(NOOP, nic));
            r.refused("twice", STATUS_UNSUCCESSFUL, () -> r.iommu.unregisterInterfaceStateChangeCallback(NOOP, nic));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // ReserveLogicalAddressRange (spec 2.24, 5.5 items 35 and 36)
    // ------------------------------------------------------------------------------------------------------------

    private static void reserve(final List<DynamicTest> c)
    {
        c.add(x64("ReserveLogicalAddressRange_STATUS_SUCCESS_allocatorAllTablesPreallocated", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
            r.expect("reserve", STATUS_SUCCESS,
                () -> r.iommu.reserveLogicalAddressRange(d, 4 * PAGE, null, null, null, out));
            assertEquals(4 * PAGE, out.get().size());
            assertTrue(out.get().logicalAddressBase() > 0);
            final long pages = r.emulator.tablePagesInUse();
            r.expect("map into it", STATUS_SUCCESS, () -> r.iommu.mapReservedLogicalRange(
                out.get(), 0, READ, pfns(1, 2, 3, 4), new IommuDmaLogicalAddressTokenMappedSegment()));
            assertEquals(pages, r.emulator.tablePagesInUse(), "no table page allocated by the map");
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_SUCCESS_allocatorWithinBounds", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
            final long min = 0x100_0000L;
            r.expect("reserve", STATUS_SUCCESS, () -> r.iommu.reserveLogicalAddressRange(
                d, 4 * PAGE, null, new LongRef(min), new LongRef(min + 8 * PAGE - 1), out));
            final long base = out.get().logicalAddressBase();
            assertTrue(base >= min && base + 4 * PAGE <= min + 8 * PAGE, "inside the bounds: " + base);
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_SUCCESS_explicit", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
            r.expect("reserve", STATUS_SUCCESS,
                () -> r.iommu.reserveLogicalAddressRange(d, 2 * PAGE, new LongRef(B), null, null, out));
            assertEquals(B, out.get().logicalAddressBase());
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_1_passThrough", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            r.refused("PassThrough", STATUS_INVALID_PARAMETER_1, () -> reserveAt(r, d, PAGE, B));
            r.expect("no token counted", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(arm("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_1_unmanaged", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            r.refused("Unmanaged", STATUS_INVALID_PARAMETER_1, () -> reserveAt(r, d, PAGE, B));
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_2_sizeNotPageMultiple", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("size", STATUS_INVALID_PARAMETER_2, () -> reserveAt(r, d, PAGE + 1, B));
            r.expect("no token counted", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_2_CHOICE_sizeZero", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("0", STATUS_INVALID_PARAMETER_2, () -> reserveAt(r, d, 0, B));
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_3_explicitUnaligned", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("unaligned", STATUS_INVALID_PARAMETER_3, () -> reserveAt(r, d, PAGE, B + 0x800));
            r.expect("range still free", STATUS_SUCCESS, () -> mapAt(r, d, contiguous(0, 1), B));
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_MIX_boundsUnsatisfiable", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final long before = nextAllocated(r, d);
            r.refused("2 pages in 1", STATUS_INVALID_PARAMETER_MIX, () -> r.iommu.reserveLogicalAddressRange(
                d, 2 * PAGE, null, new LongRef(A), new LongRef(A + PAGE - 1), new Ref<>()));
            assertEquals(before, nextAllocated(r, d));
            r.expect("no token counted", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_IN_USE_explicitPartlyMapped", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, B + 3 * PAGE, FRAME, 1);
            r.refused("mapped", STATUS_IN_USE, () -> reserveAt(r, d, 8 * PAGE, B));
            r.expect("range not protected", STATUS_SUCCESS, () -> mapAt(r, d, contiguous(0, 1), B));
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_IN_USE_CHOICE_overlapsReservation", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.reserveAt(d, B, 4);
            r.refused("overlap", STATUS_IN_USE, () -> reserveAt(r, d, 4 * PAGE, B + 2 * PAGE));
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_NOT_SUPPORTED_explicitWithBuddy", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("explicit", STATUS_NOT_SUPPORTED, () -> reserveAt(r, d, PAGE, B));
            r.expect("no token counted", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_NOT_SUPPORTED_noExplicitWithoutAllocator", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("none", STATUS_NOT_SUPPORTED,
                () -> r.iommu.reserveLogicalAddressRange(d, PAGE, null, null, null, new Ref<>()));
        }));
        c.add(on("ReserveLogicalAddressRange_STATUS_INSUFFICIENT_RESOURCES_CHOICE_noTablePage",
            () -> V2Rig.x64(V2Rig.limits(3)), r ->
            {
                final IommuDmaDomain d = r.explicitDomain();
                // As for MapLogicalRangeEx: the intermediate tables installed before the failure stay until deletion.
                r.expect("tables", STATUS_INSUFFICIENT_RESOURCES, () -> reserveAt(r, d, PAGE, B));
                r.expect("range not protected", STATUS_INSUFFICIENT_RESOURCES, () -> mapAt(r, d, contiguous(0, 1), B));
                r.expect("no token counted", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
                assertEquals(0, r.emulator.tablePagesInUse());
            }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_INSUFFICIENT_RESOURCES_CHOICE_allocatorSpaceFull", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain(13);
            r.reserve(d, 1);
            r.refused("full", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.iommu.reserveLogicalAddressRange(d, PAGE, null, null, null, new Ref<>()));
        }));
        c.add(x64("ReserveLogicalAddressRange_STATUS_INVALID_PARAMETER_6_CHOICE_noTokenOut", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.refused("no out", STATUS_INVALID_PARAMETER_6,
                () -> r.iommu.reserveLogicalAddressRange(d, PAGE, new LongRef(B), null, null, null));
            r.expect("range free", STATUS_SUCCESS, () -> reserveAt(r, d, PAGE, B));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Free / Map / UnmapReservedLogicalRange (spec 2.25 to 2.27, 1.5 rule 6, 5.5 items 34 and 37 to 39)
    // ------------------------------------------------------------------------------------------------------------

    private static IommuDmaLogicalAddressTokenMappedSegment segment()
    {
        return new IommuDmaLogicalAddressTokenMappedSegment();
    }

    private static void tokens(final List<DynamicTest> c)
    {
        c.add(x64("FreeReservedLogicalAddressRange_STATUS_SUCCESS_rangeReusable", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final long pages = r.emulator.tablePagesInUse();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
            r.expect("range free again", STATUS_SUCCESS, () -> mapAt(r, d, contiguous(0, 4), B));
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapLogicalRange(d, 0, 1L << 27));
            assertEquals(pages, r.emulator.tablePagesInUse());
            r.expect("domain free of tokens", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
        }));
        c.add(x64("FreeReservedLogicalAddressRange_STATUS_SUCCESS_allocatorAddressReused", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final IommuDmaLogicalAddressToken token = r.reserve(d, 2);
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
            final IommuDmaLogicalAddressToken again = r.reserve(d, 2);
            assertEquals(token.logicalAddressBase(), again.logicalAddressBase());
        }));
        c.add(x64("FreeReservedLogicalAddressRange_STATUS_RESOURCE_IN_USE_segmentMapped", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.expect("map", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, 2 * PAGE, READ, pfns(FRAME), segment()));
            r.watch(d, B + 2 * PAGE);
            r.refused("mapped", STATUS_RESOURCE_IN_USE, () -> r.iommu.freeReservedLogicalAddressRange(token));
            r.refused("range still protected", STATUS_IN_USE, () -> mapAt(r, d, contiguous(0, 1), B));
        }));
        c.add(x64("FreeReservedLogicalAddressRange_STATUS_INVALID_PARAMETER_CHOICE_doubleFree", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 1);
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
            r.reserveAt(d, B, 1);
            r.refused("twice", STATUS_INVALID_PARAMETER, () -> r.iommu.freeReservedLogicalAddressRange(token));
            r.refused("the new token still holds the range", STATUS_IN_USE, () -> reserveAt(r, d, PAGE, B));
        }));
        c.add(x64("FreeReservedLogicalAddressRange_STATUS_INVALID_PARAMETER_CHOICE_forgedToken", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.reserveAt(d, B, 1);
            r.refused("forged", STATUS_INVALID_PARAMETER, () -> r.iommu.freeReservedLogicalAddressRange(
                new IommuDmaLogicalAddressToken()
                {
                    public long logicalAddressBase()
                    {
                        return B;
                    }

                    public long size()
                    {
                        return PAGE;
                    }
                }));
        }));
        c.add(x64("MapReservedLogicalRange_STATUS_SUCCESS_segmentFilledAndDeviceSeesIt", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 8);
            final IommuDmaLogicalAddressTokenMappedSegment s = segment();
            r.expect("map", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, 3 * PAGE, READ_WRITE, pfns(0x70, 0x71), s));
            assertSame(token, s.owningToken());
            assertEquals(3 * PAGE, s.offset());
            assertEquals(2 * PAGE, s.size());
            assertEquals(0x71 * PAGE + 1, r.seen(nic, B + 4 * PAGE + 1));
            assertEquals(-1, r.seen(nic, B + 5 * PAGE));
        }));
        c.add(x64("MapReservedLogicalRange_STATUS_INVALID_PARAMETER_2_offsetUnaligned", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment s = segment();
            r.refused("offset", STATUS_INVALID_PARAMETER_2,
                () -> r.iommu.mapReservedLogicalRange(token, 0x10, READ, pfns(1), s));
            assertNull(s.owningToken(), "segment untouched");
            r.expect("free: nothing mapped", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
        }));
        c.add(x64("MapReservedLogicalRange_STATUS_INVALID_PARAMETER_4_physicalUnaligned", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.refused("physical", STATUS_INVALID_PARAMETER_4, () -> r.iommu.mapReservedLogicalRange(token, 0, READ,
                new IommuMapPhysicalAddress().useContiguousRange(0x1010, PAGE), segment()));
        }));
        c.add(x64("MapReservedLogicalRange_STATUS_INVALID_PARAMETER_4_CHOICE_pastTokenEnd", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.refused("past end", STATUS_INVALID_PARAMETER_4,
                () -> r.iommu.mapReservedLogicalRange(token, 3 * PAGE, READ, pfns(1, 2), segment()));
            assertEquals(-1, output(d, B + 3 * PAGE));
        }));
        c.add(x64("MapReservedLogicalRange_STATUS_INVALID_PARAMETER_3_CHOICE_reservedPermissionBits", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.refused("bits", STATUS_INVALID_PARAMETER_3,
                () -> r.iommu.mapReservedLogicalRange(token, 0, 0x8, pfns(1), segment()));
        }));
        c.add(x64("MapReservedLogicalRange_STATUS_INVALID_PARAMETER_5_CHOICE_noSegment", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.refused("no segment", STATUS_INVALID_PARAMETER_5,
                () -> r.iommu.mapReservedLogicalRange(token, 0, READ, pfns(1), null));
        }));
        c.add(x64("MapReservedLogicalRange_STATUS_RESOURCE_IN_USE_partlyMapped", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.expect("map", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, PAGE, READ, pfns(FRAME), segment()));
            r.watch(d, B + PAGE);
            final IommuDmaLogicalAddressTokenMappedSegment s = segment();
            r.refused("overlap", STATUS_RESOURCE_IN_USE,
                () -> r.iommu.mapReservedLogicalRange(token, 0, READ, pfns(1, 2), s));
            assertEquals(-1, output(d, B), "first page not left mapped");
            assertNull(s.owningToken());
        }));
        c.add(x64("MapReservedLogicalRange_STATUS_UNSUCCESSFUL_tokenBeingDeleted", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            // The DELETING state lasts only inside a racing FreeReservedLogicalAddressRange: set it directly.
            ((LogicalAddressToken)token).state(LogicalAddressToken.DELETING);
            r.refused("deleting", STATUS_UNSUCCESSFUL,
                () -> r.iommu.mapReservedLogicalRange(token, 0, READ, pfns(1), segment()));
            assertEquals(-1, output(d, B));
            ((LogicalAddressToken)token).state(LogicalAddressToken.LIVE);
        }));
        c.add(x64("MapReservedLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_freedToken", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
            r.refused("freed", STATUS_INVALID_PARAMETER,
                () -> r.iommu.mapReservedLogicalRange(token, 0, READ, pfns(1), segment()));
            assertEquals(-1, output(d, B));
        }));
        c.add(x64("UnmapReservedLogicalRange_STATUS_SUCCESS_CHOICE_segmentZeroedTablesKept", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment s = segment();
            r.expect("map", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, 0, READ, pfns(FRAME, FRAME + 1), s));
            final long pages = r.emulator.tablePagesInUse();
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(s));
            assertNull(s.owningToken());
            assertEquals(0, s.size());
            assertEquals(pages, r.emulator.tablePagesInUse(), "tables kept");
            assertEquals(-1, output(d, B));
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
        }));
        c.add(x64("UnmapReservedLogicalRange_STATUS_INVALID_PARAMETER_notMapped", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            final IommuDmaLogicalAddressTokenMappedSegment s = segment();
            r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapReservedLogicalRange(token, 0, READ, pfns(FRAME), s));
            final IommuDmaLogicalAddressTokenMappedSegment copy =
                segment().owningToken(token).offset(s.offset()).size(s.size());
            r.expect("unmap", STATUS_SUCCESS, () -> r.iommu.unmapReservedLogicalRange(s));
            r.expect("remap", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, PAGE, READ, pfns(FRAME), segment()));
            r.watch(d, B + PAGE);
            r.refused("stale copy", STATUS_INVALID_PARAMETER, () -> r.iommu.unmapReservedLogicalRange(copy));
        }));
        c.add(x64("UnmapReservedLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_forgedSizeOfLiveSegment", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.expect("map", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, 0, READ, pfns(FRAME, FRAME + 1), segment()));
            r.watch(d, B);
            r.watch(d, B + PAGE);
            r.refused("part of a segment", STATUS_INVALID_PARAMETER, () -> r.iommu.unmapReservedLogicalRange(
                segment().owningToken(token).offset(0).size(PAGE)));
        }));
        c.add(x64("UnmapReservedLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_forgedNegativeSize", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaLogicalAddressToken token = r.reserveAt(d, B, 4);
            r.expect("map", STATUS_SUCCESS,
                () -> r.iommu.mapReservedLogicalRange(token, 0, READ, pfns(FRAME), segment()));
            r.watch(d, B);
            final IommuDmaLogicalAddressTokenMappedSegment forged = segment().owningToken(token).offset(PAGE).size(-1);
            r.refused("size -1 at an unmapped offset", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapReservedLogicalRange(forged));
            assertSame(token, forged.owningToken(), "a refused segment is not zeroed");
        }));
        c.add(x64("UnmapReservedLogicalRange_STATUS_INVALID_PARAMETER_CHOICE_nullSegment", r ->
            r.refused("null", STATUS_INVALID_PARAMETER, () -> r.iommu.unmapReservedLogicalRange(null))));
    }

    // ------------------------------------------------------------------------------------------------------------
    // CreateDevice / DeleteDevice (spec 2.28, 2.29, 5.2 items 6 to 10)
    // ------------------------------------------------------------------------------------------------------------

    private static int createDevice(final V2Rig r, final String name, final IommuDeviceCreationConfiguration config)
    {
        return r.iommu.createDevice(r.platform.device(name), config, new Ref<>());
    }

    private static void createDevice(final List<DynamicTest> c)
    {
        c.add(x64("CreateDevice_STATUS_SUCCESS_pciDevice", r ->
        {
            final Ref<IommuDmaDevice> out = new Ref<>();
            r.expect("create", STATUS_SUCCESS, () -> r.iommu.createDevice(r.platform.device("nic"), null, out));
            assertNotNull(out.get());
            assertEquals(1, r.emulator.liveDevices());
        }));
        c.add(arm("CreateDevice_STATUS_SUCCESS_arm64AcpiWithInputMappings", r ->
            r.expect("acpi", STATUS_SUCCESS,
                () -> createDevice(r, "acpi", new IommuDeviceCreationConfiguration().acpi(0x40, 2)))));
        c.add(x64("CreateDevice_STATUS_SUCCESS_CHOICE_pasidConfigOnPasidIommu", r ->
            r.expect("pasid", STATUS_SUCCESS, () -> createDevice(r, "nic", new IommuDeviceCreationConfiguration()
                .pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false)))));
        c.add(x64("CreateDevice_STATUS_INVALID_PARAMETER_CHOICE_nullDeviceObject", r ->
            r.refused("null", STATUS_INVALID_PARAMETER, () -> r.iommu.createDevice(null, null, new Ref<>()))));
        c.add(x64("CreateDevice_STATUS_INVALID_PARAMETER_CHOICE_deviceOfAnotherPlatform", r ->
        {
            final dev.iommu.core.platform.Platform other = V2Rig.x64Platform(V2Rig.limits(8));
            r.refused("foreign PDO", STATUS_INVALID_PARAMETER,
                () -> r.iommu.createDevice(other.device("nic"), null, new Ref<>()));
        }));
        c.add(x64("CreateDevice_STATUS_NOT_FOUND_CHOICE_noIommuTranslatesIt", r ->
            r.refused("direct", STATUS_NOT_FOUND, () -> createDevice(r, "direct", null))));
        c.add(x64("CreateDevice_STATUS_INVALID_PARAMETER_2_configOnX64Pci", r ->
            r.refused("acpi config on x64", STATUS_INVALID_PARAMETER_2,
                () -> createDevice(r, "nic", new IommuDeviceCreationConfiguration().acpi(0, 1)))));
        c.add(arm("CreateDevice_STATUS_INVALID_PARAMETER_2_arm64AcpiWithoutConfig", r ->
            r.refused("missing", STATUS_INVALID_PARAMETER_2, () -> createDevice(r, "acpi", null))));
        c.add(arm("CreateDevice_STATUS_INVALID_PARAMETER_2_arm64PciWithAcpiConfig", r ->
            r.refused("not ACPI", STATUS_INVALID_PARAMETER_2,
                () -> createDevice(r, "pci", new IommuDeviceCreationConfiguration().acpi(0x40, 2)))));
        c.add(arm("CreateDevice_STATUS_INVALID_PARAMETER_2_CHOICE_acpiIdsNotTheDevices", r ->
            r.refused("wrong ids", STATUS_INVALID_PARAMETER_2,
                () -> createDevice(r, "acpi", new IommuDeviceCreationConfiguration().acpi(0x40, 3)))));
        c.add(arm("CreateDevice_STATUS_INVALID_PARAMETER_2_CHOICE_duplicateConfigType", r ->
        {
            final IommuDeviceCreationConfiguration first = new IommuDeviceCreationConfiguration().acpi(0x40, 2);
            first.nextConfiguration(new IommuDeviceCreationConfiguration().acpi(0x40, 2));
            r.refused("two ACPI", STATUS_INVALID_PARAMETER_2, () -> createDevice(r, "acpi", first));
        }));
        c.add(x64("CreateDevice_STATUS_INVALID_PARAMETER_2_CHOICE_pasidConfigWithoutPasidSupport", r ->
            r.refused("no PASIDs on lame", STATUS_INVALID_PARAMETER_2, () -> createDevice(r, "legacy",
                new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.DEFAULT_PASID_ONLY, false)))));
        c.add(arm("CreateDevice_STATUS_SUCCESS_CHOICE_circularConfigListEndsAtFirst", r ->
        {
            final IommuDeviceCreationConfiguration first = new IommuDeviceCreationConfiguration().acpi(0x40, 2);
            first.nextConfiguration(first);
            r.expect("circular", STATUS_SUCCESS, () -> createDevice(r, "acpi", first));
        }));
        c.add(x64("CreateDevice_STATUS_INVALID_PARAMETER_2_CHOICE_deviceIdTypeRefused", r ->
            r.refused("DeviceId", STATUS_INVALID_PARAMETER_2, () -> createDevice(r, "nic",
                new IommuDeviceCreationConfiguration().configType(
                    dev.iommu.api.IommuDeviceCreationConfigurationType.DEVICE_ID)))));
        c.add(x64("CreateDevice_STATUS_UNSUCCESSFUL_noDeviceIdLookup", r ->
            r.refused("lame", STATUS_UNSUCCESSFUL, () -> createDevice(r, "legacy", null))));
        c.add(on("CreateDevice_STATUS_INSUFFICIENT_RESOURCES_deviceLimit",
            () -> V2Rig.x64(new dev.iommu.core.platform.ResourceLimits(2, 8, 64, 4, 8)), r ->
            {
                final IommuDmaDevice nic = r.device("nic");
                r.device("disk");
                r.refused("third", STATUS_INSUFFICIENT_RESOURCES, () -> createDevice(r, "gpu", null));
                r.expect("delete one", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
                r.expect("gpu now", STATUS_SUCCESS, () -> createDevice(r, "gpu", null));
            }));
        c.add(x64("CreateDevice_STATUS_INVALID_PARAMETER_CHOICE_secondTokenForSamePdo", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Ref<IommuDmaDevice> out = new Ref<>();
            r.refused("second token", STATUS_INVALID_PARAMETER,
                () -> r.iommu.createDevice(r.platform.device("nic"), null, out));
            assertNull(out.get());
            r.expect("first still live", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
        }));
        c.add(x64("CreateDevice_STATUS_INVALID_PARAMETER_3_CHOICE_noDeviceOut", r ->
            r.refused("no out", STATUS_INVALID_PARAMETER_3,
                () -> r.iommu.createDevice(r.platform.device("nic"), null, null))));
    }

    private static void deleteDevice(final List<DynamicTest> c)
    {
        c.add(x64("DeleteDevice_STATUS_SUCCESS_pdoFreeForANewToken", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            assertEquals(0, r.emulator.liveDevices());
            r.expect("new token", STATUS_SUCCESS, () -> createDevice(r, "nic", null));
        }));
        c.add(x64("DeleteDevice_STATUS_RESOURCE_IN_USE_stillAttached", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, A, FRAME, 1);
            final IommuDmaDevice nic = r.attached("nic", d);
            r.refused("attached", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(nic));
            assertEquals(FRAME * PAGE, r.seen(nic, A), "token still works");
        }));
        c.add(x64("DeleteDevice_STATUS_RESOURCE_IN_USE_CHOICE_callbackRegistered", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.expect("register", STATUS_SUCCESS,
                () -> r.iommu.registerInterfaceStateChangeCallback(NOOP, null, nic, fields()));
            r.refused("registered", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(nic));
            r.expect("unregister", STATUS_SUCCESS, () -> r.iommu.unregisterInterfaceStateChangeCallback(NOOP, nic));
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
        }));
        c.add(x64("DeleteDevice_STATUS_INVALID_PARAMETER_CHOICE_deletedTwice", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            r.device("disk");
            r.refused("twice", STATUS_INVALID_PARAMETER, () -> r.iommu.deleteDevice(nic));
        }));
        c.add(x64("DeleteDevice_STATUS_INVALID_PARAMETER_CHOICE_forgedToken", r ->
        {
            r.device("nic");
            r.refused("forged", STATUS_INVALID_PARAMETER, () -> r.iommu.deleteDevice(new IommuDmaDevice()
            {
            }));
        }));
    }
}
