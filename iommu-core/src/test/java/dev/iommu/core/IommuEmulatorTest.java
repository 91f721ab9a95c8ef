/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.FaultInformation;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.ptw.Translation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End-to-end behaviour of the emulator through the V2 table: the paths a driver takes, with what a device then
 * sees. The per-status conformance cases are in {@code ConformanceTest}.
 */
class IommuEmulatorTest
{
    private static final long PAGE = 4096;

    private final Platform platform = Platform.builder()
        .architecture(Architecture.X64)
        .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
        .pci("nic", 0, 1, 0, 0, "vtd0", false)
        .pci("disk", 0, 2, 0, 0, "vtd0", false)
        .build();
    private final IommuEmulator emulator = IommuEmulator.launch(
        new EmulatorContext().platform(platform)
            .dispatcherThread(false));
    private final DmaIommuInterfaceV2 iommu;

    IommuEmulatorTest()
    {
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        assertEquals(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(2, 0, ex));
        assertEquals(DmaIommuInterfaceEx.SIZE_V2, ex.size());
        iommu = ex.v2();
    }

    @AfterEach
    void close()
    {
        emulator.close();
    }

    private IommuDmaDevice device(final String name)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.createDevice(platform.device(name), null, out));
        return out.get();
    }

    private IommuDmaDomain translateDomain(final boolean allocator)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
            allocator ? new IommuDmaLogicalAllocatorConfig().buddy(39) : null, null, out));
        return out.get();
    }

    @Test
    void mapTranslateUnmapThroughAnAllocatorDomain()
    {
        final long pagesBefore = emulator.tablePagesInUse();
        final IommuDmaDevice nic = device("nic");
        assertSame(nic, emulator.dmaDeviceOf(platform.device("nic")), "found by its device object");
        assertNull(emulator.dmaDeviceOf(platform.device("disk")), "no token yet");
        final IommuDmaDomain domain = translateDomain(true);
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(domain, nic));

        final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress().usePfnArray(new long[]{0x1234, 0x99}, 2);
        final LongRef out = new LongRef();
        assertEquals(NtStatus.STATUS_SUCCESS,
            iommu.mapLogicalRangeEx(domain, IommuPermissions.READ, physical, null, null, null, out));
        final long iova = out.get();
        assertTrue(iova > 0 && iova % PAGE == 0, "allocator address " + iova);

        final long t0 = emulator.translate(nic, iova + 8, IommuPermissions.READ);
        assertFalse(Translation.isFault(t0));
        assertEquals(0x1234L * PAGE + 8, Translation.outputAddress(t0, iova + 8));
        final long t1 = emulator.translate(nic, iova + PAGE + 16, IommuPermissions.READ);
        assertEquals(0x99L * PAGE + 16, Translation.outputAddress(t1, iova + PAGE + 16));
        final long denied = emulator.translate(nic, iova, IommuPermissions.WRITE);
        assertEquals(Translation.FAULT_PERMISSION, Translation.faultReason(denied));

        // Page-granular partial unmap: the first page goes, the second stays.
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.unmapLogicalRange(domain, iova, 1));
        assertEquals(Translation.FAULT_NOT_PRESENT,
            Translation.faultReason(emulator.translate(nic, iova, IommuPermissions.READ)));
        assertFalse(Translation.isFault(emulator.translate(nic, iova + PAGE, IommuPermissions.READ)));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, iommu.unmapLogicalRange(domain, iova, 1),
            "nothing mapped there any more");
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.unmapLogicalRange(domain, iova, 2));

        // The block went back to the allocator: the same size comes back at the same place.
        assertEquals(NtStatus.STATUS_SUCCESS,
            iommu.mapLogicalRangeEx(domain, IommuPermissions.READ, physical, null, null, null, out));
        assertEquals(iova, out.get());
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.unmapLogicalRange(domain, iova, 2));

        assertEquals(NtStatus.STATUS_RESOURCE_IN_USE, iommu.deleteDomain(domain));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(nic));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(domain));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.deleteDevice(nic));
        assertEquals(pagesBefore, emulator.tablePagesInUse(), "no table page leaked");
        assertEquals(0, emulator.liveDomains());
        assertEquals(0, emulator.liveDevices());
    }

    @Test
    void explicitMapsRefuseOverlapAndTokensAreMappedInParts()
    {
        final IommuDmaDomain domain = translateDomain(false);
        final IommuMapPhysicalAddress four = new IommuMapPhysicalAddress().useContiguousRange(0x40_0000L, 4 * PAGE);
        final LongRef out = new LongRef();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.mapLogicalRangeEx(
            domain, IommuPermissions.READ_WRITE, four, new LongRef(0x10_0000L), null, null, out));
        assertEquals(0x10_0000L, out.get());
        assertEquals(NtStatus.STATUS_IN_USE, iommu.mapLogicalRangeEx(
            domain, IommuPermissions.READ_WRITE, four, new LongRef(0x10_3000L), null, null, out));

        final Ref<IommuDmaLogicalAddressToken> token = new Ref<>();
        assertEquals(NtStatus.STATUS_IN_USE, iommu.reserveLogicalAddressRange(
            domain, 8 * PAGE, new LongRef(0x10_2000L), null, null, token), "partly mapped");
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.reserveLogicalAddressRange(
            domain, 8 * PAGE, new LongRef(0x20_0000L), null, null, token));
        assertEquals(0x20_0000L, token.get().logicalAddressBase());
        assertEquals(NtStatus.STATUS_IN_USE, iommu.mapLogicalRangeEx(
            domain, IommuPermissions.READ_WRITE, four, new LongRef(0x20_4000L), null, null, out), "token range");

        final IommuDmaLogicalAddressTokenMappedSegment first = new IommuDmaLogicalAddressTokenMappedSegment();
        final IommuDmaLogicalAddressTokenMappedSegment second = new IommuDmaLogicalAddressTokenMappedSegment();
        final IommuMapPhysicalAddress one = new IommuMapPhysicalAddress().useContiguousRange(0x80_0000L, PAGE);
        assertEquals(NtStatus.STATUS_SUCCESS,
            iommu.mapReservedLogicalRange(token.get(), 0, IommuPermissions.READ, one, first));
        assertEquals(NtStatus.STATUS_RESOURCE_IN_USE,
            iommu.mapReservedLogicalRange(token.get(), 0, IommuPermissions.READ, one, second));
        assertEquals(NtStatus.STATUS_SUCCESS,
            iommu.mapReservedLogicalRange(token.get(), 7 * PAGE, IommuPermissions.READ, one, second));
        assertSame(token.get(), second.owningToken());
        assertEquals(7 * PAGE, second.offset());
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, iommu.unmapLogicalRange(domain, 0x20_0000L, 1),
            "token pages are unmapped through their segments");
        assertEquals(NtStatus.STATUS_RESOURCE_IN_USE, iommu.freeReservedLogicalAddressRange(token.get()));
        assertEquals(NtStatus.STATUS_RESOURCE_IN_USE, iommu.deleteDomain(domain));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.unmapReservedLogicalRange(first));
        assertNull(first.owningToken(), "the segment is zeroed");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, iommu.unmapReservedLogicalRange(first));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.unmapReservedLogicalRange(second));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.freeReservedLogicalAddressRange(token.get()));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, iommu.freeReservedLogicalAddressRange(token.get()));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.unmapLogicalRange(domain, 0x10_0000L, 4));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(domain));
    }

    @Test
    void stateChangeCallbackIsCalledAtOnceAndOnPolicyChanges()
    {
        final IommuDmaDevice nic = device("nic");
        final List<Integer> seen = new ArrayList<>();
        final IommuInterfaceStateChangeCallback callback =
            (final IommuInterfaceStateChange change, final Object context) -> seen.add(change.availableDomainTypes());
        final IommuInterfaceStateChangeFields fields = new IommuInterfaceStateChangeFields().availableDomainTypes(true);
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.registerInterfaceStateChangeCallback(callback, null, nic, fields));
        assertEquals(1, seen.size(), "called once before Register returned");
        assertEquals(NtStatus.STATUS_UNSUCCESSFUL,
            iommu.registerInterfaceStateChangeCallback(callback, null, nic, fields));
        assertEquals(NtStatus.STATUS_RESOURCE_IN_USE, iommu.deleteDevice(nic));

        platform.policy().restrict(platform.device("nic"), IommuDmaDomainType.TRANSLATE.mask());
        while (emulator.deliverNotifications() > 0)
        {
            Thread.onSpinWait();
        }
        assertEquals(2, seen.size());
        assertEquals(IommuDmaDomainType.TRANSLATE.mask(), seen.get(1));
        final IntRef types = new IntRef();
        iommu.queryAvailableDomainTypes(nic, types);
        assertEquals(IommuDmaDomainType.TRANSLATE.mask(), types.get());

        assertEquals(NtStatus.STATUS_SUCCESS, iommu.unregisterInterfaceStateChangeCallback(callback, nic));
        assertEquals(NtStatus.STATUS_UNSUCCESSFUL, iommu.unregisterInterfaceStateChangeCallback(callback, nic));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.deleteDevice(nic));
    }

    @Test
    void faultsReachTheDeviceFaultHandlerWhenReportingIsOn()
    {
        final IommuDmaDevice disk = device("disk");
        final IommuDmaDomain domain = translateDomain(true);
        final List<Long> faults = new ArrayList<>();
        final DeviceFaultConfiguration config = new DeviceFaultConfiguration()
            .faultHandler((final Object context, final FaultInformation info) -> faults.add(info.x64().faultAddress()));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_1, emulator.setDeviceFaultReporting(disk, true, config),
            "not attached");
        assertEquals(NtStatus.STATUS_NOT_IMPLEMENTED, iommu.setDeviceFaultReportingEx(disk, 0, true, config));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(domain, disk));
        assertEquals(NtStatus.STATUS_SUCCESS, emulator.setDeviceFaultReporting(disk, true, config));

        assertTrue(Translation.isFault(emulator.translate(disk, 0x7000, IommuPermissions.WRITE)));
        while (emulator.deliverNotifications() > 0)
        {
            Thread.onSpinWait();
        }
        assertEquals(List.of(0x7000L), faults);
        assertNotNull(platform.device("disk"));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(disk));
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(domain));
    }
}
