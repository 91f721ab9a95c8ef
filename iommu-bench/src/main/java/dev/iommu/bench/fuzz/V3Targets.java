/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.Map;

import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

/**
 * The fuzz targets of the five members the V3 table adds (PASID sub-devices and QueryDeviceInfo), named
 * {@code V3.<member>}.
 */
final class V3Targets
{
    private V3Targets()
    {
    }

    /**
     * Adds the targets.
     *
     * @param targets target name to target.
     */
    static void register(final Map<String, MemberTarget> targets)
    {
        targets.put("V3.CreatePasidDevice", V3Targets::createPasidDevice);
        targets.put("V3.DeletePasidDevice", (a, o, w) ->
        {
            final DmaIommuInterfaceV3 table = w.v3();
            final IommuDmaPasidDevice device = a.pasidDevice();
            o.check("DeletePasidDevice", () -> table.deletePasidDevice(device), device);
        });
        targets.put("V3.AttachPasidDevice", (a, o, w) ->
        {
            final DmaIommuInterfaceV3 table = w.v3();
            final IommuDmaDomain domain = a.domain();
            final IommuDmaPasidDevice device = a.pasidDevice();
            o.check("AttachPasidDevice", () -> table.attachPasidDevice(domain, device), domain, device);
        });
        targets.put("V3.DetachPasidDevice", (a, o, w) ->
        {
            final DmaIommuInterfaceV3 table = w.v3();
            final IommuDmaPasidDevice device = a.pasidDevice();
            o.check("DetachPasidDevice", () -> table.detachPasidDevice(device), device);
        });
        targets.put("V3.QueryDeviceInfo", (a, o, w) ->
        {
            final DmaIommuInterfaceV3 table = w.v3();
            final IommuDmaDevice device = a.device();
            final int size = a.choose(3) != 0 ? a.choose(8) : a.anyInt();
            final IntRef written = a.intOut();
            final IommuDmaDeviceInformation buffer = a.choose(8) == 0 ? null : new IommuDmaDeviceInformation();
            o.check("QueryDeviceInfo", () -> table.queryDeviceInfo(device, size, written, buffer), device, size,
                written, buffer);
        });
    }

    private static void createPasidDevice(final HostileArgs a, final FuzzOracle o, final FuzzWorld w)
    {
        final DmaIommuInterfaceV3 table = w.v3();
        final IommuDmaDevice device = a.device();
        final Ref<IommuDmaPasidDevice> out = a.out(a.pasidDevice());
        final IntRef asid = a.intOut();
        if (o.check("CreatePasidDevice", () -> table.createPasidDevice(device, out, asid), device, out, asid) ==
            NtStatus.STATUS_SUCCESS)
        {
            w.pasidDevices.add(out.get());
        }
    }
}
