/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.iommu.api.DmaIommuInterface;
import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.FailNthSweep.Case;

import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The rows of the {@code fail_nth} sweep for the V1 members, once through DMA_IOMMU_INTERFACE_EX version 1 and once
 * through the legacy DMA_IOMMU_INTERFACE of {@code IoGetIommuInterface}.
 */
final class FailNthV1Cases
{
    private static final long PAGE = FailNthCases.PAGE;
    private static final long IOVA = FailNthCases.IOVA;
    private static final int PAGES = FailNthCases.PAGES;

    private FailNthV1Cases()
    {
    }

    /** The V1 table of IoGetIommuInterfaceEx(1). */
    static DmaIommuInterfaceV1 ex(final V2Rig r)
    {
        return r.v1;
    }

    /** The V1 table of the legacy IoGetIommuInterface(1). */
    static DmaIommuInterfaceV1 legacy(final V2Rig r)
    {
        final DmaIommuInterface holder = new DmaIommuInterface();
        assertEquals(STATUS_SUCCESS, r.emulator.ioGetIommuInterface(1, holder));
        return holder.v1();
    }

    private static Mdl mdl(final long... frames)
    {
        return new Mdl().describe(frames, frames.length * PAGE);
    }

    private static IommuDmaDomain domain(final DmaIommuInterfaceV1 v1, final boolean osManaged)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, v1.createDomain(osManaged, out));
        return out.get();
    }

    static List<Case> cases(final String table, final Function<V2Rig, DmaIommuInterfaceV1> tableOf)
    {
        final List<Case> c = new ArrayList<>();
        final String p = table + " ";
        c.add(new Case(p + "CreateDomain(TRUE)", FailNthCases::x64, r ->
            () -> tableOf.apply(r).createDomain(true, new Ref<>()), STATUS_SUCCESS, FailNthSweep::insufficient, 2));
        c.add(new Case(p + "CreateDomain(FALSE)", FailNthCases::arm64, r -> FailNthCases.unmanaged(r,
            () -> tableOf.apply(r).createDomain(false, new Ref<>())), STATUS_SUCCESS, FailNthSweep::insufficient, 2));
        c.add(FailNthCases.none(p + "DeleteDomain (mapped)", FailNthCases::x64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, true);
            assertEquals(STATUS_SUCCESS, v1.mapLogicalRange(d, READ_WRITE, mdl(FailNthCases.frames(0x101, 3)), IOVA));
            return () -> v1.deleteDomain(d);
        }, STATUS_SUCCESS));
        c.add(new Case(p + "AttachDevice", FailNthCases::x64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, true);
            return () -> v1.attachDevice(d, r.platform.device("nic"), 0, 1);
        }, STATUS_SUCCESS, FailNthSweep::insufficient, 1));
        c.add(FailNthCases.none(p + "DetachDevice", FailNthCases::x64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, true);
            assertEquals(STATUS_SUCCESS, v1.attachDevice(d, r.platform.device("nic"), 0, 1));
            return () -> v1.detachDevice(d, r.platform.device("nic"), 0);
        }, STATUS_SUCCESS));
        c.add(FailNthCases.none(p + "FlushDomain", FailNthCases::arm64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, false);
            return () -> v1.flushDomain(d);
        }, STATUS_SUCCESS));
        c.add(FailNthCases.none(p + "FlushDomainByVaList", FailNthCases::arm64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, false);
            return () -> v1.flushDomainByVaList(d, false, 1, new long[]{IOVA});
        }, STATUS_SUCCESS));
        c.add(FailNthCases.none(p + "QueryInputMappings", FailNthCases::arm64, r -> () -> tableOf.apply(r)
            .queryInputMappings(r.platform.device("acpi"), FailNthCases.elements(2), 2 * InputMappingElement.SIZE_X64,
                new IntRef()), STATUS_SUCCESS));
        c.add(new Case(p + "MapLogicalRange over several 2 MiB regions", FailNthCases::x64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, true);
            r.watch(d, IOVA);
            r.watch(d, IOVA + (PAGES - 1) * PAGE);
            return () -> v1.mapLogicalRange(d, READ_WRITE, mdl(FailNthCases.frames(FailNthCases.FRAME, PAGES)), IOVA);
        }, STATUS_SUCCESS, FailNthSweep::insufficient, 5));
        c.add(FailNthCases.none(p + "UnmapLogicalRange", FailNthCases::x64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, true);
            assertEquals(STATUS_SUCCESS, v1.mapLogicalRange(d, READ_WRITE,
                mdl(FailNthCases.frames(FailNthCases.FRAME, PAGES)), IOVA));
            return () -> v1.unmapLogicalRange(d, IOVA, PAGES);
        }, STATUS_SUCCESS));
        c.add(new Case(p + "MapIdentityRange across a 2 MiB boundary", FailNthCases::x64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, true);
            for (final long frame : FailNthCases.identityFrames())
            {
                r.watch(d, frame * PAGE);
            }
            return () -> v1.mapIdentityRange(d, READ_WRITE, mdl(FailNthCases.identityFrames()));
        }, STATUS_SUCCESS, FailNthSweep::insufficient, 4));
        c.add(FailNthCases.none(p + "UnmapIdentityRange", FailNthCases::x64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, true);
            assertEquals(STATUS_SUCCESS, v1.mapIdentityRange(d, READ_WRITE, mdl(FailNthCases.identityFrames())));
            return () -> v1.unmapIdentityRange(d, mdl(FailNthCases.identityFrames()));
        }, STATUS_SUCCESS));
        c.add(new Case(p + "SetDeviceFaultReporting (enable)", FailNthCases::x64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, true);
            assertEquals(STATUS_SUCCESS, v1.attachDevice(d, r.platform.device("nic"), 0, 1));
            return () -> v1.setDeviceFaultReporting(r.platform.device("nic"), 0, true, FailNthCases.faultConfig());
        }, STATUS_SUCCESS, kind -> NtStatus.STATUS_UNSUCCESSFUL, 1));
        c.add(FailNthCases.none(p + "ConfigureDomain", FailNthCases::arm64, r ->
        {
            final DmaIommuInterfaceV1 v1 = tableOf.apply(r);
            final IommuDmaDomain d = domain(v1, false);
            return () -> v1.configureDomain(d, FailNthCases.arm64Config());
        }, STATUS_SUCCESS));
        return c;
    }
}
