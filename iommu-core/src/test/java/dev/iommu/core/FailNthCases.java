/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.iommu.api.DeviceFaultConfiguration;
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
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.FailNthSweep.Call;
import dev.iommu.core.FailNthSweep.Case;

import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The rows of the {@code fail_nth} sweep for the members of the V2 and V3 tables (DMA_IOMMU_INTERFACE_EX versions
 * 2 and 3), each set up so that the call needs every kind of allocation it can make: maps and reservations that
 * span several 2 MiB regions of an allocator domain or of an explicit one (several table pages, an IOVA block, a
 * token), domain creations of each type (with identity-mapped reserved regions), devices, PASID sub-devices and
 * registrations; and every member that must not allocate, with a setup where it changes state.
 */
final class FailNthCases
{
    static final long PAGE = V2Rig.PAGE;
    /** Not 2 MiB aligned, so a range from here crosses 2 MiB regions and maps 4 KiB leaves. */
    static final long IOVA = 0x3F_F000L;
    /** Pages from {@link #IOVA}: three 2 MiB regions, so several leaf tables and an intermediate one. */
    static final int PAGES = 1025;
    /** A physical frame that is not 2 MiB aligned (4 KiB leaves everywhere). */
    static final long FRAME = 0x1_0001L;

    static final IommuInterfaceStateChangeCallback NOOP =
        (final IommuInterfaceStateChange change, final Object context) ->
        {
        };

    private FailNthCases()
    {
    }

    static V2Rig x64(final FailureInjection injection)
    {
        return new V2Rig(new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .failureInjection(injection));
    }

    static V2Rig arm64(final FailureInjection injection)
    {
        return new V2Rig(new EmulatorContext().platform(V2Rig.arm64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .failureInjection(injection));
    }

    static long[] frames(final long first, final int pages)
    {
        final long[] frames = new long[pages];
        for (int i = 0; i < pages; i++)
        {
            frames[i] = first + i;
        }
        return frames;
    }

    static IommuMapPhysicalAddress scatter(final int pages)
    {
        return V2Rig.pfns(frames(FRAME, pages));
    }

    /**
     * Identity frames in two runs: one crossing a 2 MiB boundary, one a gigabyte higher (six tables: three leaf
     * tables, two level-1 tables and the level-2 table above them), so that the later run needs tables too: the set
     * is mapped all or nothing (the tables of every run taken before any is mapped).
     */
    static long[] identityFrames()
    {
        return new long[]{0x1FF, 0x200, 0x201, 0x40000, 0x40001};
    }

    static DomainConfiguration arm64Config()
    {
        final DomainConfiguration config = new DomainConfiguration().type(DomainConfigurationArch.ARM64);
        config.arm64().ttbr0(0x8000_0000L).mair0(0xFF).inputSize0(48).translationEnabled(true);
        return config;
    }

    static IommuInterfaceStateChangeFields fields()
    {
        return new IommuInterfaceStateChangeFields().availableDomainTypes(true);
    }

    static DeviceFaultConfiguration faultConfig()
    {
        return new DeviceFaultConfiguration().faultHandler((final Object context,
            final dev.iommu.api.FaultInformation info) ->
        {
        });
    }

    static InputMappingElement[] elements(final int n)
    {
        final InputMappingElement[] buffer = new InputMappingElement[n];
        for (int i = 0; i < n; i++)
        {
            buffer[i] = new InputMappingElement();
        }
        return buffer;
    }

    private static Case allocating(final String member, final Function<FailureInjection, V2Rig> rig,
        final Function<V2Rig, Call> prepare, final int minimumPoints)
    {
        return new Case(member, rig, prepare, STATUS_SUCCESS, FailNthSweep::insufficient, minimumPoints);
    }

    /** A member that must not pass any allocation point. */
    static Case none(final String member, final Function<FailureInjection, V2Rig> rig,
        final Function<V2Rig, Call> prepare, final int succeeds)
    {
        return new Case(member, rig, prepare, succeeds, FailNthSweep::insufficient, 0);
    }

    static IommuDmaDevice tagged(final V2Rig r, final String name)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.iommu.createDevice(r.platform.device(name),
            new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false), out));
        return out.get();
    }

    static IommuDmaPasidDevice sub(final V2Rig r, final IommuDmaDevice parent)
    {
        final Ref<IommuDmaPasidDevice> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.v3.createPasidDevice(parent, out, new IntRef()));
        return out.get();
    }

    /** A token of {@link #PAGES} pages at {@link #IOVA} in an explicit domain. */
    static IommuDmaLogicalAddressToken token(final V2Rig r)
    {
        final IommuDmaDomain d = r.explicitDomain();
        return r.reserveAt(d, IOVA, PAGES);
    }

    /**
     * A call whose output is how many more caller-owned domains can be created (the unmanaged address-space ids left:
     * an id a failed call kept shows here, as no snapshot counts them).
     */
    static Call unmanaged(final V2Rig r, final java.util.function.IntSupplier call)
    {
        return new Call()
        {
            @Override
            public int run()
            {
                return call.getAsInt();
            }

            @Override
            public String output()
            {
                int more = 0;
                while (r.iommu.createDomainEx(IommuDmaDomainType.UNMANAGED, 0, null, null, new Ref<>()) ==
                    STATUS_SUCCESS)
                {
                    more++;
                }
                return "unmanaged ids left " + more;
            }
        };
    }

    static List<Case> v2()
    {
        final List<Case> c = new ArrayList<>();
        domains(c);
        mappings(c);
        tokens(c);
        devices(c);
        return c;
    }

    private static void domains(final List<Case> c)
    {
        for (final IommuDmaDomainType type : new IommuDmaDomainType[]{
            IommuDmaDomainType.TRANSLATE, IommuDmaDomainType.PASS_THROUGH, IommuDmaDomainType.TRANSLATE_S1})
        {
            c.add(allocating("CreateDomainEx " + type, FailNthCases::x64, r ->
                () -> r.iommu.createDomainEx(type, 0, null, null, new Ref<>()), 2));
        }
        c.add(allocating("CreateDomainEx UNMANAGED", FailNthCases::arm64, r ->
            unmanaged(r, () -> r.iommu.createDomainEx(IommuDmaDomainType.UNMANAGED, 0, null, null, new Ref<>())), 2));
        c.add(allocating("CreateDomainEx TRANSLATE, allocator, identity-mapped reserved regions", FailNthCases::x64,
            r -> () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().buddy(V2Rig.ALLOCATOR_WIDTH),
                new IommuDmaReservedRegion().base(0xFEE0_0000L).numberOfPages(1).shouldMap(true)
                    .regionNext(new IommuDmaReservedRegion().base(0x1FF000L).numberOfPages(2).shouldMap(true)
                        .regionNext(new IommuDmaReservedRegion().base(0x40_0000L).numberOfPages(4))),
                new Ref<>()), 6));
        c.add(none("DeleteDomain (mapped)", FailNthCases::x64, r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, IOVA, FRAME, PAGES);
            return () -> r.iommu.deleteDomain(d);
        }, STATUS_SUCCESS));
        c.add(none("FlushDomain", FailNthCases::arm64, r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            return () -> r.iommu.flushDomain(d);
        }, STATUS_SUCCESS));
        c.add(none("FlushDomainByVaList", FailNthCases::arm64, r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            return () -> r.iommu.flushDomainByVaList(d, true, 2, new long[]{IOVA, IOVA + PAGE});
        }, STATUS_SUCCESS));
        c.add(none("ConfigureDomain", FailNthCases::arm64, r ->
        {
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.UNMANAGED);
            return () -> r.iommu.configureDomain(d, arm64Config());
        }, STATUS_SUCCESS));
    }

    private static void mappings(final List<Case> c)
    {
        c.add(allocating("MapLogicalRangeEx allocator, PFN array over several 2 MiB regions", FailNthCases::x64, r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final LongRef out = new LongRef();
            return new Call()
            {
                @Override
                public int run()
                {
                    return r.iommu.mapLogicalRangeEx(d, READ_WRITE, scatter(1500), null, null, null, out);
                }

                @Override
                public String output()
                {
                    return Long.toHexString(out.get());
                }
            };
        }, 4));
        c.add(allocating("MapLogicalRangeEx allocator, a block from the thread's magazine", FailNthCases::x64, r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            // A map and unmap leave the block (and its tables) in this thread's magazine: the call pops it.
            final long cached = r.mapAllocated(d, frames(FRAME, 3));
            assertEquals(STATUS_SUCCESS, r.iommu.unmapLogicalRange(d, cached, 3));
            final LongRef out = new LongRef();
            return new Call()
            {
                @Override
                public int run()
                {
                    return r.iommu.mapLogicalRangeEx(d, READ_WRITE, scatter(3), null, null, null, out);
                }

                @Override
                public String output()
                {
                    return Long.toHexString(out.get()) + (out.get() == cached ? " (the cached block)" : "");
                }
            };
        }, 1));
        c.add(allocating("MapLogicalRangeEx explicit, contiguous over several 2 MiB regions", FailNthCases::x64, r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.watch(d, IOVA);
            r.watch(d, IOVA + (PAGES - 1) * PAGE);
            return () -> r.iommu.mapLogicalRangeEx(d, READ_WRITE, V2Rig.contiguous(FRAME * PAGE, PAGES),
                new LongRef(IOVA), null, null, new LongRef());
        }, 5));
        c.add(none("UnmapLogicalRange", FailNthCases::x64, r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            r.mapAt(d, IOVA, FRAME, PAGES);
            return () -> r.iommu.unmapLogicalRange(d, IOVA + PAGE, PAGES - 2);
        }, STATUS_SUCCESS));
        c.add(allocating("MapIdentityRangeEx across a 2 MiB boundary", FailNthCases::x64, r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            for (final long frame : identityFrames())
            {
                r.watch(d, frame * PAGE);
            }
            return () -> r.iommu.mapIdentityRangeEx(d, READ_WRITE, V2Rig.pfns(identityFrames()));
        }, 4));
        c.add(none("UnmapIdentityRangeEx", FailNthCases::x64, r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            assertEquals(STATUS_SUCCESS, r.iommu.mapIdentityRangeEx(d, READ_WRITE, V2Rig.pfns(identityFrames())));
            return () -> r.iommu.unmapIdentityRangeEx(d, V2Rig.pfns(identityFrames()));
        }, STATUS_SUCCESS));
    }

    private static void tokens(final List<Case> c)
    {
        c.add(allocating("ReserveLogicalAddressRange allocator", FailNthCases::x64, r ->
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
            return new Call()
            {
                @Override
                public int run()
                {
                    return r.iommu.reserveLogicalAddressRange(d, 1500 * PAGE, null, null, null, out);
                }

                @Override
                public String output()
                {
                    return null == out.get() ? "" : Long.toHexString(((LogicalAddressToken)out.get())
                        .logicalAddressBase());
                }
            };
        }, 6));
        c.add(allocating("ReserveLogicalAddressRange explicit", FailNthCases::x64, r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            return () -> r.iommu.reserveLogicalAddressRange(d, PAGES * PAGE, new LongRef(IOVA), null, null,
                new Ref<>());
        }, 6));
        c.add(none("MapReservedLogicalRange", FailNthCases::x64, r ->
        {
            final IommuDmaLogicalAddressToken token = token(r);
            return () -> r.iommu.mapReservedLogicalRange(token, 0, READ_WRITE, scatter(PAGES),
                new IommuDmaLogicalAddressTokenMappedSegment());
        }, STATUS_SUCCESS));
        c.add(none("UnmapReservedLogicalRange", FailNthCases::x64, r ->
        {
            final IommuDmaLogicalAddressToken token = token(r);
            final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
            assertEquals(STATUS_SUCCESS, r.iommu.mapReservedLogicalRange(token, PAGE, READ_WRITE, scatter(PAGES - 1),
                segment));
            return () -> r.iommu.unmapReservedLogicalRange(segment);
        }, STATUS_SUCCESS));
        c.add(none("FreeReservedLogicalAddressRange", FailNthCases::x64, r ->
        {
            final IommuDmaLogicalAddressToken token = token(r);
            return () -> r.iommu.freeReservedLogicalAddressRange(token);
        }, STATUS_SUCCESS));
    }

    private static void devices(final List<Case> c)
    {
        c.add(allocating("CreateDevice", FailNthCases::x64, r ->
            () -> r.iommu.createDevice(r.platform.device("nic"), null, new Ref<>()), 1));
        c.add(none("DeleteDevice", FailNthCases::x64, r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            return () -> r.iommu.deleteDevice(nic);
        }, STATUS_SUCCESS));
        c.add(none("AttachDeviceEx", FailNthCases::x64, r ->
        {
            final IommuDmaDomain d = r.explicitDomain();
            final IommuDmaDevice nic = r.device("nic");
            return () -> r.iommu.attachDeviceEx(d, nic);
        }, STATUS_SUCCESS));
        c.add(none("DetachDeviceEx", FailNthCases::x64, r ->
        {
            final IommuDmaDevice nic = r.attached("nic", r.explicitDomain());
            return () -> r.iommu.detachDeviceEx(nic);
        }, STATUS_SUCCESS));
        c.add(none("QueryInputMappings", FailNthCases::arm64, r -> () -> r.iommu.queryInputMappings(
            r.platform.device("acpi"), elements(2), 2 * InputMappingElement.SIZE_X64, new IntRef()), STATUS_SUCCESS));
        c.add(none("QueryAvailableDomainTypes", FailNthCases::x64, r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            return () ->
            {
                r.iommu.queryAvailableDomainTypes(nic, new IntRef());
                return STATUS_SUCCESS;
            };
        }, STATUS_SUCCESS));
        c.add(none("SetDeviceFaultReportingEx (documented: not implemented)", FailNthCases::x64, r ->
        {
            final IommuDmaDevice nic = r.attached("nic", r.explicitDomain());
            return () -> r.iommu.setDeviceFaultReportingEx(nic, 0, true, faultConfig());
        }, NtStatus.STATUS_NOT_IMPLEMENTED));
        c.add(new Case("IommuEmulator.setDeviceFaultReporting (enable)", FailNthCases::x64, r ->
        {
            final IommuDmaDevice nic = r.attached("nic", r.explicitDomain());
            return () -> r.emulator.setDeviceFaultReporting(nic, true, faultConfig());
        }, STATUS_SUCCESS, kind -> NtStatus.STATUS_UNSUCCESSFUL, 1));
        c.add(new Case("RegisterInterfaceStateChangeCallback", FailNthCases::x64, r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            return () -> r.iommu.registerInterfaceStateChangeCallback(NOOP, null, nic, fields());
        }, STATUS_SUCCESS, kind -> NtStatus.STATUS_UNSUCCESSFUL, 1));
        c.add(none("UnregisterInterfaceStateChangeCallback", FailNthCases::x64, r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            assertEquals(STATUS_SUCCESS, r.iommu.registerInterfaceStateChangeCallback(NOOP, null, nic, fields()));
            return () -> r.iommu.unregisterInterfaceStateChangeCallback(NOOP, nic);
        }, STATUS_SUCCESS));
    }

    static List<Case> v3()
    {
        final List<Case> c = new ArrayList<>();
        // PASID exhaustion is STATUS_NONE_MAPPED (spec 5.7 item 48), the sub-device limit is out of resources.
        c.add(new Case("CreatePasidDevice", FailNthCases::x64, r ->
        {
            final IommuDmaDevice parent = tagged(r, "nic");
            final IntRef asid = new IntRef();
            return new Call()
            {
                @Override
                public int run()
                {
                    return r.v3.createPasidDevice(parent, new Ref<>(), asid);
                }

                @Override
                public String output()
                {
                    return "asid " + asid.get();
                }
            };
        }, STATUS_SUCCESS, kind -> kind == FailureInjection.AllocationKind.PASID ? NtStatus.STATUS_NONE_MAPPED :
            NtStatus.STATUS_INSUFFICIENT_RESOURCES, 2));
        c.add(none("DeletePasidDevice", FailNthCases::x64, r ->
        {
            final IommuDmaPasidDevice sub = sub(r, tagged(r, "nic"));
            return () -> r.v3.deletePasidDevice(sub);
        }, STATUS_SUCCESS));
        c.add(none("AttachPasidDevice", FailNthCases::x64, r ->
        {
            final IommuDmaPasidDevice sub = sub(r, tagged(r, "nic"));
            final IommuDmaDomain d = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            return () -> r.v3.attachPasidDevice(d, sub);
        }, STATUS_SUCCESS));
        c.add(none("DetachPasidDevice", FailNthCases::x64, r ->
        {
            final IommuDmaPasidDevice sub = sub(r, tagged(r, "nic"));
            assertEquals(STATUS_SUCCESS, r.v3.attachPasidDevice(r.domain(IommuDmaDomainType.TRANSLATE_S1), sub));
            return () -> r.v3.detachPasidDevice(sub);
        }, STATUS_SUCCESS));
        c.add(none("QueryDeviceInfo", FailNthCases::x64, r ->
        {
            final IommuDmaDevice parent = tagged(r, "nic");
            return () -> r.v3.queryDeviceInfo(parent, IommuDmaDeviceInformation.SIZE_X64, new IntRef(),
                new IommuDmaDeviceInformation());
        }, STATUS_SUCCESS));
        return c;
    }
}
