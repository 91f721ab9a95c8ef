/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.DomainConfigurationArch;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaLogicalAllocatorType;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.LongRef;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.ResourceLimits;
import dev.iommu.ptw.Translation;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_5;
import static dev.iommu.api.NtStatus.STATUS_NOT_SUPPORTED;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.output;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The domain members in the observed-Windows profile (x64 build A), one case per row of section 2 of
 * windows-observed-behaviour.md (CreateDomainEx rows 1-16 and V1 CreateDomain, DeleteDomain, FlushDomain,
 * FlushDomainByVaList, ConfigureDomain) and of section 8 items 10, 11, 19 and 21: each asserts the status and the
 * state after, including what Windows leaves behind. Case names follow {@link ConformanceCases#NAME_SCHEME}, the
 * part after the status naming the row.
 */
class ObservedDomainConformanceTest
{
    private static final long FRAME = 0x80;

    @TestFactory
    Stream<DynamicTest> observedDomains()
    {
        final List<DynamicTest> cases = new ArrayList<>();
        createDomainEx(cases);
        regions(cases);
        createDomainV1(cases);
        deleteDomain(cases);
        flushAndConfigure(cases);
        return cases.stream();
    }

    @Test
    void caseNamesAreUniqueAndFollowTheScheme()
    {
        ConformanceCases.assertNamesFollowTheScheme(observedDomains(), 45);
    }

    private static DynamicTest observed(final String name, final Consumer<V2Rig> body)
    {
        return ConformanceCases.on(name, V2Rig::observedX64, body);
    }

    private static DynamicTest observed(final String name, final ResourceLimits limits, final Consumer<V2Rig> body)
    {
        return ConformanceCases.on(name, () -> new V2Rig(new EmulatorContext().platform(V2Rig.x64Platform(limits))
            .profile(BehaviourProfile.OBSERVED_WINDOWS)), body);
    }

    private static DynamicTest observedArm(final String name, final Consumer<V2Rig> body)
    {
        return ConformanceCases.on(name, () -> new V2Rig(new EmulatorContext()
            .platform(V2Rig.arm64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .profile(BehaviourProfile.OBSERVED_WINDOWS)), body);
    }

    private static IommuDmaReservedRegion region(final long base, final long pages)
    {
        return new IommuDmaReservedRegion().base(base).numberOfPages(pages);
    }

    /** Links the regions into a list, in this order. */
    private static IommuDmaReservedRegion chain(final IommuDmaReservedRegion... regions)
    {
        for (int i = 0; i + 1 < regions.length; i++)
        {
            regions[i].regionNext(regions[i + 1]);
        }
        return regions[0];
    }

    private static IommuDmaLogicalAllocatorConfig buddy(final int width)
    {
        return new IommuDmaLogicalAllocatorConfig().buddy(width);
    }

    private static int create(final V2Rig r, final IommuDmaDomainType type, final long flags,
        final IommuDmaLogicalAllocatorConfig allocator, final IommuDmaReservedRegion regions)
    {
        return r.iommu.createDomainEx(type, flags, allocator, regions, new Ref<>());
    }

    /** Creates a domain, asserting success, and returns it. */
    private static MappingDomain created(final V2Rig r, final IommuDmaDomainType type,
        final IommuDmaLogicalAllocatorConfig allocator, final IommuDmaReservedRegion regions)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        r.expect("create", STATUS_SUCCESS, () -> r.iommu.createDomainEx(type, 0, allocator, regions, out));
        assertNotNull(out.get(), "DomainOut");
        return (MappingDomain)out.get();
    }

    private static long mapAllocated(final V2Rig r, final IommuDmaDomain d, final long pages)
    {
        final LongRef out = new LongRef(-1);
        r.expect("map", STATUS_SUCCESS, () -> r.iommu.mapLogicalRangeEx(d, READ_WRITE,
            V2Rig.contiguous(FRAME * PAGE, pages), null, null, null, out));
        return out.get();
    }

    private static void fillDomainLimit(final V2Rig r)
    {
        while (r.emulator.liveDomains() < 2)
        {
            r.domain(IommuDmaDomainType.TRANSLATE);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // CreateDomainEx rows 1-11, 16
    // ------------------------------------------------------------------------------------------------------------

    private static void createDomainEx(final List<DynamicTest> c)
    {
        final ResourceLimits twoDomains = new ResourceLimits(64, 2, V2Rig.SMALL_TABLE_PAGES, 4, 64);
        c.add(observed("CreateDomainEx_STATUS_INSUFFICIENT_RESOURCES_row1DomainLimitBeforeAnyArgument", twoDomains, r ->
        {
            fillDomainLimit(r);
            r.refused("type Max at the limit", STATUS_INSUFFICIENT_RESOURCES,
                () -> create(r, IommuDmaDomainType.MAX, 1L << 62, buddy(5), null));
            r.refused("Unmanaged at the limit", STATUS_INSUFFICIENT_RESOURCES,
                () -> create(r, IommuDmaDomainType.UNMANAGED, 0, null, null));
            r.refused("valid at the limit", STATUS_INSUFFICIENT_RESOURCES,
                () -> create(r, IommuDmaDomainType.TRANSLATE, 0, null, null));
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row1LimitFreedByDelete", twoDomains, r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            fillDomainLimit(r);
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            r.expect("create", STATUS_SUCCESS, () -> create(r, IommuDmaDomainType.PASS_THROUGH, 0, null, null));
            assertEquals(2, r.emulator.liveDomains());
        }));
        c.add(observed("CreateDomainEx_STATUS_INVALID_PARAMETER_1_row2TypeMax", r ->
            r.refused("Max", STATUS_INVALID_PARAMETER_1,
                () -> create(r, IommuDmaDomainType.MAX, 1L << 62, buddy(5), region(1, 0)))));
        c.add(observed("CreateDomainEx_STATUS_INVALID_PARAMETER_1_row2TypeNull", r ->
            r.refused("null type", STATUS_INVALID_PARAMETER_1, () -> create(r, null, 0, null, null))));
        c.add(observed("CreateDomainEx_STATUS_NOT_SUPPORTED_row3Unmanaged", r ->
            r.refused("Unmanaged", STATUS_NOT_SUPPORTED,
                () -> create(r, IommuDmaDomainType.UNMANAGED, 0, null, null))));
        c.add(observed("CreateDomainEx_STATUS_NOT_SUPPORTED_row3UnmanagedBeforeFlagsAndAllocator", r ->
            r.refused("Unmanaged, bad allocator", STATUS_NOT_SUPPORTED, () -> create(r, IommuDmaDomainType.UNMANAGED,
                3, new IommuDmaLogicalAllocatorConfig().logicalAllocatorType(IommuDmaLogicalAllocatorType.MAX),
                region(0x1001, 0)))));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row4FlagsNotValidated", r ->
        {
            r.expect("flags", STATUS_SUCCESS,
                () -> create(r, IommuDmaDomainType.TRANSLATE, 1L | (1L << 40) | (1L << 63), null, null));
            assertEquals(1, r.emulator.liveDomains());
        }));
        c.add(observed("CreateDomainEx_STATUS_NOT_SUPPORTED_row4FlagBit62", r ->
            r.refused("bit 62", STATUS_NOT_SUPPORTED, () -> create(r, IommuDmaDomainType.TRANSLATE, 1L << 62, null,
                null))));
        c.add(observed("CreateDomainEx_STATUS_NOT_SUPPORTED_row4FlagBit62BeforeAllocator", r ->
            r.refused("bit 62, allocator on PassThrough", STATUS_NOT_SUPPORTED,
                () -> create(r, IommuDmaDomainType.PASS_THROUGH, 1L << 62, buddy(5), null))));
        c.add(observed("CreateDomainEx_STATUS_INSUFFICIENT_RESOURCES_row6TableMemory",
            new ResourceLimits(64, 64, 1, 4, 64), r ->
            {
                r.domain(IommuDmaDomainType.TRANSLATE);
                r.refused("no root page", STATUS_INSUFFICIENT_RESOURCES,
                    () -> create(r, IommuDmaDomainType.TRANSLATE, 0, null, null));
            }));
        c.add(observed("CreateDomainEx_STATUS_INVALID_PARAMETER_row7AllocatorOnPassThrough", r ->
            r.refused("allocator on PassThrough", STATUS_INVALID_PARAMETER,
                () -> create(r, IommuDmaDomainType.PASS_THROUGH, 0, buddy(5), region(0x1000, 0)))));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row8AllocatorNone", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.PASS_THROUGH,
                new IommuDmaLogicalAllocatorConfig().logicalAllocatorType(IommuDmaLogicalAllocatorType.NONE), null);
            assertFalse(d.hasAllocator());
            final MappingDomain t = created(r, IommuDmaDomainType.TRANSLATE,
                new IommuDmaLogicalAllocatorConfig().logicalAllocatorType(IommuDmaLogicalAllocatorType.NONE)
                    .addressWidth(3), null);
            assertFalse(t.hasAllocator());
        }));
        c.add(observed("CreateDomainEx_STATUS_INVALID_PARAMETER_1_row9AllocatorTypeMax", r ->
        {
            r.refused("Max", STATUS_INVALID_PARAMETER_1, () -> create(r, IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().logicalAllocatorType(IommuDmaLogicalAllocatorType.MAX)
                    .addressWidth(39), null));
            r.refused("null", STATUS_INVALID_PARAMETER_1, () -> create(r, IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().logicalAllocatorType(null).addressWidth(39), null));
        }));
        c.add(observed("CreateDomainEx_STATUS_INVALID_PARAMETER_1_row10AddressWidthOutside12To63", r ->
        {
            r.refused("11", STATUS_INVALID_PARAMETER_1, () -> create(r, IommuDmaDomainType.TRANSLATE, 0, buddy(11),
                null));
            r.refused("64", STATUS_INVALID_PARAMETER_1, () -> create(r, IommuDmaDomainType.TRANSLATE, 0, buddy(64),
                null));
            r.refused("0, before the regions", STATUS_INVALID_PARAMETER_1, () -> create(r,
                IommuDmaDomainType.TRANSLATE, 0, buddy(0), region(0, 0)));
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row10AddressWidth12IsOnePageAtZero", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.TRANSLATE, buddy(12), null);
            assertTrue(d.hasAllocator());
            assertEquals(PAGE, d.allocator().freeBytes());
            assertEquals(0, mapAllocated(r, d, 1), "the only page: logical address 0");
            assertEquals(FRAME * PAGE, output(d, 0));
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row10AddressWidth63", r ->
            assertTrue(created(r, IommuDmaDomainType.TRANSLATE, buddy(63), null).hasAllocator())));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row10BuddyHandsOutAddressZeroFirst", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.TRANSLATE, buddy(39), null);
            assertEquals(1L << 39, d.allocator().freeBytes(), "nothing reserves page 0");
            assertEquals(0, mapAllocated(r, d, 1), "the first block starts at 0");
            assertEquals(FRAME * PAGE, output(d, 0));
            assertEquals(PAGE, mapAllocated(r, d, 1), "low addresses preferred");
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row11AllocatorOnTranslateS1", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.TRANSLATE_S1, buddy(32), null);
            assertTrue(d.hasAllocator());
            assertEquals(IommuDmaDomainType.TRANSLATE_S1, d.type());
            assertEquals(1L << 32, d.allocator().freeBytes());
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row16DomainOutWrittenOnSuccess", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("create", STATUS_SUCCESS, () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null,
                null, out));
            assertTrue(((Domain)out.get()).isAlive());
            assertEquals(1, r.emulator.liveDomains());
        }));
        c.add(observed("CreateDomainEx_STATUS_INVALID_PARAMETER_1_row16DomainOutUntouchedOnFailure", r ->
        {
            final IommuDmaDomain before = r.domain(IommuDmaDomainType.TRANSLATE);
            final Ref<IommuDmaDomain> out = new Ref<>();
            out.set(before);
            r.refused("Max", STATUS_INVALID_PARAMETER_1,
                () -> r.iommu.createDomainEx(IommuDmaDomainType.MAX, 0, null, null, out));
            assertSame(before, out.get());
            r.refused("clash", STATUS_INVALID_PARAMETER, () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE,
                0, null, region(0x10_0000L, 2).shouldMap(true).regionNext(region(0x10_1000L, 1).shouldMap(true)),
                out));
            assertSame(before, out.get());
        }));
        c.add(observed("CreateDomainEx_STATUS_INVALID_PARAMETER_5_row16NullDomainOutKeepsTheDocumentedAnswer", r ->
            r.refused("no DomainOut", STATUS_INVALID_PARAMETER_5,
                () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 1, null, null, null))));
        c.add(observedArm("CreateDomainEx_STATUS_SUCCESS_item21UnmanagedOnArm64IsDocumented", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("Unmanaged", STATUS_SUCCESS, () -> r.iommu.createDomainEx(IommuDmaDomainType.UNMANAGED, 0, null,
                null, out));
            assertTrue(out.get() instanceof UnmanagedDomain);
            r.expect("V1 FALSE", STATUS_SUCCESS, () -> r.v1.createDomain(false, new Ref<>()));
            r.refused("flags, as documented", STATUS_INVALID_PARAMETER_2,
                () -> create(r, IommuDmaDomainType.UNMANAGED, 1, null, null));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // CreateDomainEx rows 12-15: reserved regions
    // ------------------------------------------------------------------------------------------------------------

    private static void regions(final List<DynamicTest> c)
    {
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row12BaseRoundedDownTo4K", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.TRANSLATE, null,
                region(0x10_0800L, 1).shouldMap(true));
            assertEquals(0x10_0000L, output(d, 0x10_0000L), "the page holding the base is identity-mapped");
            assertEquals(-1, output(d, 0x10_1000L));
            assertTrue(d.protectedRanges().overlaps(0x10_0000L, 0x10_0001L));
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row12NoValidationWithoutAllocator", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.TRANSLATE, null, chain(region(1L << 60, 4),
                region(0x3000, 0), region(0x2000, 1)));
            assertEquals(0, d.table().countMapped(0, d.limit()), "nothing mapped");
            assertTrue(d.protectedRanges().overlaps(0x2000, 0x3000));
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row12RegionsOnTranslateS1AndPassThrough", r ->
        {
            final MappingDomain s1 = created(r, IommuDmaDomainType.TRANSLATE_S1, buddy(30), region(0, 2));
            assertEquals((1L << 30) - 2 * PAGE, s1.allocator().freeBytes());
            created(r, IommuDmaDomainType.PASS_THROUGH, null, region(0x5000, 1));
            assertEquals(2, r.emulator.liveDomains());
        }));
        c.add(observed("CreateDomainEx_STATUS_INVALID_PARAMETER_3_row13ZeroPagesWithAllocator", r ->
            r.refused("0 pages", STATUS_INVALID_PARAMETER_3, () -> create(r, IommuDmaDomainType.TRANSLATE, 0,
                buddy(32), region(0x1000, 1).shouldMap(true).regionNext(region(0x8000, 0))))));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row13ZeroPagesWithoutAllocator", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.TRANSLATE, null, region(0x8000, 0).shouldMap(true));
            assertEquals(0, d.table().countMapped(0, d.limit()));
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row13PartsAboveTheAllocatorTopClipped", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.TRANSLATE, buddy(20),
                region((1L << 20) - PAGE, 4).regionNext(region(1L << 30, 8)));
            assertEquals((1L << 20) - PAGE, d.allocator().freeBytes(), "one page carved out, the rest clipped");
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row13OverlappingRegionsAccepted", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.TRANSLATE, buddy(20),
                chain(region(0x4000, 4), region(0x6000, 4), region(0x4000, 1)));
            assertEquals((1L << 20) - 6 * PAGE, d.allocator().freeBytes(), "the union, [0x4000, 0xA000)");
            assertEquals(1, d.protectedRanges().size());
            assertEquals(0, mapAllocated(r, d, 4), "below the union");
            assertEquals(0xA000, mapAllocated(r, d, 2), "above it");
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row14ShouldMapIdentityReadWrite", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.TRANSLATE, buddy(39),
                region(0xFEE0_0000L, 2).shouldMap(true).regionNext(region(0x2000, 1)));
            final IommuDmaDevice nic = r.attached("nic", d);
            final long t = r.emulator.translate(nic, 0xFEE0_1010L, READ_WRITE);
            assertFalse(Translation.isFault(t));
            assertEquals(0xFEE0_1010L, Translation.outputAddress(t, 0xFEE0_1010L));
            assertEquals(-1, output(d, 0x2000), "reserved, not mapped");
            assertEquals(2, d.table().countMapped(0, d.limit()));
        }));
        c.add(observed("CreateDomainEx_STATUS_SUCCESS_row14OverlapWithAnUnmappedRegionIsNoClash", r ->
        {
            final MappingDomain d = created(r, IommuDmaDomainType.TRANSLATE, null,
                region(0x10_0000L, 4).regionNext(region(0x10_1000L, 2).shouldMap(true)));
            assertEquals(2, d.table().countMapped(0, d.limit()));
        }));
        c.add(observed("CreateDomainEx_STATUS_INVALID_PARAMETER_row14ClashWithAnEarlierRegionsLeaves", r ->
            r.refused("clash", STATUS_INVALID_PARAMETER, () -> create(r, IommuDmaDomainType.TRANSLATE, 0, null,
                chain(region(0x10_0000L, 2).shouldMap(true), region(0x20_0000L, 1).shouldMap(true),
                    region(0x10_1000L, 1).shouldMap(true))))));
        c.add(observed("CreateDomainEx_STATUS_INVALID_PARAMETER_3_row13ZeroPagesAfterAClashIsNotReached", r ->
            r.refused("clash first", STATUS_INVALID_PARAMETER, () -> create(r, IommuDmaDomainType.TRANSLATE, 0,
                buddy(32), chain(region(0x10_0000L, 2).shouldMap(true), region(0x10_0000L, 1).shouldMap(true),
                    region(0x8000, 0))))));
        c.add(observed("CreateDomainEx_STATUS_INSUFFICIENT_RESOURCES_row14And15TableMemoryUndoesIdentityMaps",
            new ResourceLimits(64, 64, 6, 4, 64), r ->
            {
                // A 48-bit table: root + 3 levels for the first region (4 pages), then 3 more for a far one: 7 > 6.
                r.refused("tables", STATUS_INSUFFICIENT_RESOURCES, () -> create(r, IommuDmaDomainType.TRANSLATE, 0,
                    null, region(0x10_0000L, 1).shouldMap(true).regionNext(region(0x7F00_0000_0000L, 1)
                        .shouldMap(true))));
                assertEquals(0, r.emulator.liveDomains(), "the domain is freed");
                assertEquals(0, r.emulator.tablePagesInUse(), "the identity maps made are undone");
            }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // V1 CreateDomain
    // ------------------------------------------------------------------------------------------------------------

    private static void createDomainV1(final List<DynamicTest> c)
    {
        c.add(observed("CreateDomain_STATUS_SUCCESS_trueIsTranslateWithoutAllocator", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("TRUE", STATUS_SUCCESS, () -> r.v1.createDomain(true, out));
            assertEquals(IommuDmaDomainType.TRANSLATE, ((Domain)out.get()).type());
            assertFalse(((MappingDomain)out.get()).hasAllocator());
        }));
        c.add(observed("CreateDomain_STATUS_NOT_SUPPORTED_row3FalseIsUnmanaged", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.refused("FALSE", STATUS_NOT_SUPPORTED, () -> r.v1.createDomain(false, out));
            assertNull(out.get());
            r.refused("FALSE, no DomainOut", STATUS_NOT_SUPPORTED, () -> r.v1.createDomain(false, null));
        }));
        c.add(observed("CreateDomain_STATUS_INSUFFICIENT_RESOURCES_row1DomainLimitFirst",
            new ResourceLimits(64, 2, V2Rig.SMALL_TABLE_PAGES, 4, 64), r ->
            {
                fillDomainLimit(r);
                r.refused("FALSE at the limit", STATUS_INSUFFICIENT_RESOURCES, () -> r.v1.createDomain(false, null));
            }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // DeleteDomain
    // ------------------------------------------------------------------------------------------------------------

    private static IommuDmaDevice tagged(final V2Rig r, final String name)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.iommu.createDevice(r.platform.device(name),
            new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false), out));
        return out.get();
    }

    private static void deleteDomain(final List<DynamicTest> c)
    {
        c.add(observed("DeleteDomain_STATUS_SUCCESS_nullIsANoOp", r ->
        {
            r.domain(IommuDmaDomainType.TRANSLATE);
            r.refused("NULL", STATUS_SUCCESS, () -> r.iommu.deleteDomain(null));
            r.refused("NULL through V1", STATUS_SUCCESS, () -> r.v1.deleteDomain(null));
            assertEquals(1, r.emulator.liveDomains());
        }));
        c.add(observed("DeleteDomain_STATUS_RESOURCE_IN_USE_pasidDeviceAttached", r ->
        {
            final IommuDmaDomain s1 = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaDevice nic = tagged(r, "nic");
            final Ref<IommuDmaPasidDevice> sub = new Ref<>();
            r.expect("CreatePasidDevice", STATUS_SUCCESS, () -> r.v3.createPasidDevice(nic, sub, new IntRef()));
            r.expect("AttachPasidDevice", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(s1, sub.get()));
            r.refused("PASID attached", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDomain(s1));
            r.expect("DetachPasidDevice", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(sub.get()));
            r.expect("then", STATUS_SUCCESS, () -> r.iommu.deleteDomain(s1));
            assertEquals(0, r.emulator.liveDomains());
        }));
        c.add(observed("DeleteDomain_STATUS_SUCCESS_deviceAttachedNotCheckedDeviceStaysOnTheDeadDomain", r ->
        {
            final long pages = r.emulator.tablePagesInUse();
            final IommuDmaDomain d = r.allocatorDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            final long iova = mapAllocated(r, d, 1);
            assertEquals(FRAME * PAGE, r.seen(nic, iova));
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            assertEquals(0, r.emulator.liveDomains());
            assertFalse(((Domain)d).isAlive());
            assertEquals(pages, r.emulator.tablePagesInUse(), "tables torn down");
            assertEquals(-1, r.seen(nic, iova), "the device's DMA faults");
            assertSame(d, ((DmaDevice)nic).domain(), "still attached to the dead domain");
            r.refused("DeleteDevice while attached", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(nic));
            r.refused("the dead handle", STATUS_INVALID_PARAMETER, () -> r.iommu.deleteDomain(d));
            r.expect("DetachDeviceEx", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
            assertNull(((DmaDevice)nic).domain());
            r.expect("DeleteDevice", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
        }));
        c.add(observed("DeleteDomain_STATUS_SUCCESS_passThroughDeviceAttachedFaultsAfter", r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.PASS_THROUGH);
            final IommuDmaDevice nic = r.attached("nic", d);
            assertEquals(0x5000, r.seen(nic, 0x5000));
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            assertEquals(-1, r.seen(nic, 0x5000));
            r.expect("DetachDeviceEx", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
        }));
        c.add(observed("DeleteDomain_STATUS_SUCCESS_tokensOutstandingNotCheckedTokensDie", r ->
        {
            final long pages = r.emulator.tablePagesInUse();
            final IommuDmaDomain d = r.allocatorDomain();
            final IommuDmaLogicalAddressToken token = r.reserve(d, 4);
            final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
            r.expect("MapReservedLogicalRange", STATUS_SUCCESS, () -> r.iommu.mapReservedLogicalRange(token, 0,
                READ_WRITE, V2Rig.contiguous(FRAME * PAGE, 1), segment));
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            assertEquals(pages, r.emulator.tablePagesInUse(), "tables and allocator destroyed");
            r.refused("Free of a dead token", STATUS_INVALID_PARAMETER,
                () -> r.iommu.freeReservedLogicalAddressRange(token));
            r.refused("Map into a dead token", STATUS_INVALID_PARAMETER, () -> r.iommu.mapReservedLogicalRange(token,
                PAGE, READ_WRITE, V2Rig.contiguous(FRAME * PAGE, 1), new IommuDmaLogicalAddressTokenMappedSegment()));
            r.refused("Unmap of a dead token's segment", STATUS_INVALID_PARAMETER,
                () -> r.iommu.unmapReservedLogicalRange(segment));
        }));
        c.add(observed("DeleteDomain_STATUS_SUCCESS_mappingsAndTablesDropped", r ->
        {
            final long pages = r.emulator.tablePagesInUse();
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, 0x10_0000L, FRAME, 3);
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            assertEquals(pages, r.emulator.tablePagesInUse());
            assertEquals(0, r.emulator.liveDomains());
            r.expect("create again", STATUS_SUCCESS, () -> create(r, IommuDmaDomainType.TRANSLATE, 0, null, null));
        }));
        c.add(observed("DeleteDomain_STATUS_INVALID_PARAMETER_deletedTwiceKeepsTheDocumentedAnswer", r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            r.refused("twice", STATUS_INVALID_PARAMETER, () -> r.iommu.deleteDomain(d));
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // FlushDomain, FlushDomainByVaList, ConfigureDomain: every x64 domain gets _1
    // ------------------------------------------------------------------------------------------------------------

    private static void flushAndConfigure(final List<DynamicTest> c)
    {
        final IommuDmaDomainType[] types = {
            IommuDmaDomainType.TRANSLATE, IommuDmaDomainType.PASS_THROUGH, IommuDmaDomainType.TRANSLATE_S1};
        for (final IommuDmaDomainType type : types)
        {
            final String name = type.specName().replace("DomainType", "");
            c.add(observed("FlushDomain_STATUS_INVALID_PARAMETER_1_row1" + name, r ->
            {
                final IommuDmaDomain d = r.domain(type);
                r.refused("flush", STATUS_INVALID_PARAMETER_1, () -> r.iommu.flushDomain(d));
                r.refused("V1 flush", STATUS_INVALID_PARAMETER_1, () -> r.v1.flushDomain(d));
            }));
            c.add(observed("FlushDomainByVaList_STATUS_INVALID_PARAMETER_1_row1" + name, r ->
            {
                final IommuDmaDomain d = r.domain(type);
                r.refused("list", STATUS_INVALID_PARAMETER_1,
                    () -> r.iommu.flushDomainByVaList(d, true, 2, new long[]{0x1000, 0x2000}));
                r.refused("unvalidated list", STATUS_INVALID_PARAMETER_1,
                    () -> r.iommu.flushDomainByVaList(d, false, -1, null));
            }));
            c.add(observed("ConfigureDomain_STATUS_INVALID_PARAMETER_1_row1" + name, r ->
            {
                final IommuDmaDomain d = r.domain(type);
                r.refused("ARM64", STATUS_INVALID_PARAMETER_1, () -> r.iommu.configureDomain(d,
                    new DomainConfiguration().type(DomainConfigurationArch.ARM64)));
                r.refused("X64", STATUS_INVALID_PARAMETER_1, () -> r.iommu.configureDomain(d,
                    new DomainConfiguration().type(DomainConfigurationArch.X64)));
                r.refused("null", STATUS_INVALID_PARAMETER_1, () -> r.iommu.configureDomain(d, null));
            }));
        }
        c.add(observedArm("FlushDomain_STATUS_SUCCESS_item21Arm64UnmanagedIsDocumented", r ->
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            r.expect("Unmanaged", STATUS_SUCCESS, () -> r.iommu.createDomainEx(IommuDmaDomainType.UNMANAGED, 0, null,
                null, out));
            r.expect("flush", STATUS_SUCCESS, () -> r.iommu.flushDomain(out.get()));
            r.expect("list", STATUS_SUCCESS, () -> r.iommu.flushDomainByVaList(out.get(), true, 1, new long[]{0}));
            r.expect("configure", STATUS_SUCCESS, () -> r.iommu.configureDomain(out.get(),
                new DomainConfiguration().type(DomainConfigurationArch.ARM64)));
            r.refused("X64 configuration, as documented", STATUS_NOT_SUPPORTED, () -> r.iommu.configureDomain(
                out.get(), new DomainConfiguration().type(DomainConfigurationArch.X64)));
        }));
        c.add(observed("FlushDomain_STATUS_INVALID_PARAMETER_1_row1AllocatorDomain", r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.refused("flush", STATUS_INVALID_PARAMETER_1, () -> r.iommu.flushDomain(d));
        }));
        c.add(observed("FlushDomain_STATUS_INVALID_PARAMETER_nullKeepsTheDocumentedAnswer", r ->
        {
            r.refused("flush", STATUS_INVALID_PARAMETER, () -> r.iommu.flushDomain(null));
            r.refused("list", STATUS_INVALID_PARAMETER, () -> r.iommu.flushDomainByVaList(null, true, 0, null));
            r.refused("configure", STATUS_INVALID_PARAMETER, () -> r.iommu.configureDomain(null, null));
        }));
    }
}
