/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.Map;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDeviceCreationConfigurationType;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaLogicalAllocatorType;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

/**
 * The fuzz targets of the 14 domain, device and state-change members of the V2 table, named {@code V2.<member>};
 * each call goes through the V2 table or the V3 table (whose first 22 members are V2's), as the input chooses.
 */
final class V2DeviceTargets
{
    private V2DeviceTargets()
    {
    }

    /**
     * Adds the targets.
     *
     * @param targets target name to target.
     */
    static void register(final Map<String, MemberTarget> targets)
    {
        targets.put("V2.CreateDomainEx", V2DeviceTargets::createDomainEx);
        targets.put("V2.DeleteDomain", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            o.check("DeleteDomain", () -> table.deleteDomain(domain), domain);
        });
        targets.put("V2.AttachDeviceEx", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final IommuDmaDevice device = a.device();
            o.check("AttachDeviceEx", () -> table.attachDeviceEx(domain, device), domain, device);
        });
        targets.put("V2.DetachDeviceEx", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuDmaDevice device = a.device();
            o.check("DetachDeviceEx", () -> table.detachDeviceEx(device), device);
        });
        targets.put("V2.FlushDomain", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            o.check("FlushDomain", () -> table.flushDomain(domain), domain);
        });
        targets.put("V2.FlushDomainByVaList", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final boolean lastLevel = a.flag();
            final long[] list = V1Targets.vaList(a);
            final int number = V1Targets.listCount(a, list);
            o.check("FlushDomainByVaList", () -> table.flushDomainByVaList(domain, lastLevel, number, list), domain,
                lastLevel, number, list);
        });
        targets.put("V2.QueryInputMappings", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final DeviceObject pdo = a.deviceObject();
            final InputMappingElement[] buffer = V1Targets.inputMappings(a);
            final int length = a.flag() ? (null == buffer ? 0 : buffer.length) * InputMappingElement.SIZE_X64 :
                a.anyInt();
            final IntRef returned = a.intOut();
            o.check("QueryInputMappings", () -> table.queryInputMappings(pdo, buffer, length, returned), pdo,
                buffer, length, returned);
        });
        targets.put("V2.SetDeviceFaultReportingEx", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuDmaDevice device = a.device();
            final int base = a.anyInt();
            final boolean enable = a.flag();
            final DeviceFaultConfiguration config = V1Targets.faultConfiguration(a);
            o.check("SetDeviceFaultReportingEx", () -> table.setDeviceFaultReportingEx(device, base, enable, config),
                device, base, enable, config);
        });
        targets.put("V2.ConfigureDomain", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final DomainConfiguration configuration = V1Targets.configuration(a);
            o.check("ConfigureDomain", () -> table.configureDomain(domain, configuration), domain, configuration);
        });
        targets.put("V2.QueryAvailableDomainTypes", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuDmaDevice device = a.device();
            final IntRef available = a.intOut();
            o.check("QueryAvailableDomainTypes", () ->
            {
                table.queryAvailableDomainTypes(device, available);
                return NtStatus.STATUS_SUCCESS;
            }, device, available);
        });
        targets.put("V2.RegisterInterfaceStateChangeCallback", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuInterfaceStateChangeCallback callback = callback(a, w);
            final Object context = a.flag() ? null : "context";
            final IommuDmaDevice device = a.device();
            final IommuInterfaceStateChangeFields fields = a.choose(6) == 0 ? null :
                new IommuInterfaceStateChangeFields().asUlong(a.choose(3) != 0 ? a.choose(2) : a.anyInt());
            o.check("RegisterInterfaceStateChangeCallback",
                () -> table.registerInterfaceStateChangeCallback(callback, context, device, fields), callback, context,
                device, fields);
        });
        targets.put("V2.UnregisterInterfaceStateChangeCallback", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuInterfaceStateChangeCallback callback = callback(a, w);
            final IommuDmaDevice device = a.device();
            o.check("UnregisterInterfaceStateChangeCallback",
                () -> table.unregisterInterfaceStateChangeCallback(callback, device), callback, device);
        });
        targets.put("V2.CreateDevice", V2DeviceTargets::createDevice);
        targets.put("V2.DeleteDevice", (a, o, w) ->
        {
            final DmaIommuInterfaceV2 table = table(a, w);
            final IommuDmaDevice device = a.device();
            o.check("DeleteDevice", () -> table.deleteDevice(device), device);
        });
    }

    private static void createDomainEx(final HostileArgs a, final FuzzOracle o, final FuzzWorld w)
    {
        final DmaIommuInterfaceV2 table = table(a, w);
        final IommuDmaDomainType type = a.pickEnum(IommuDmaDomainType.values());
        final long flags = a.choose(4) != 0 ? 0 : a.address();
        final IommuDmaLogicalAllocatorConfig allocator = a.flag() ? null : new IommuDmaLogicalAllocatorConfig()
            .logicalAllocatorType(a.pickEnum(IommuDmaLogicalAllocatorType.values()))
            .addressWidth(a.choose(3) != 0 ? 10 + a.choose(60) : a.anyInt());
        final IommuDmaReservedRegion regions = a.flag() ? null : regions(a);
        final Ref<IommuDmaDomain> out = a.out(a.domain());
        if (o.check("CreateDomainEx", () -> table.createDomainEx(type, flags, allocator, regions, out), type, flags,
            allocator, regions, out) == NtStatus.STATUS_SUCCESS)
        {
            w.domains.add(out.get());
        }
    }

    private static IommuDmaReservedRegion regions(final HostileArgs a)
    {
        final IommuDmaReservedRegion[] list = new IommuDmaReservedRegion[1 + a.choose(4)];
        for (int i = 0; i < list.length; i++)
        {
            list[i] = new IommuDmaReservedRegion().base(a.address()).numberOfPages(a.pages())
                .shouldMap(a.flag());
            if (i > 0)
            {
                list[i - 1].regionNext(list[i]);
            }
        }
        if (a.choose(4) == 0)
        {
            list[list.length - 1].regionNext(list[a.choose(list.length)]);
        }
        return list[0];
    }

    private static void createDevice(final HostileArgs a, final FuzzOracle o, final FuzzWorld w)
    {
        final DmaIommuInterfaceV2 table = table(a, w);
        final DeviceObject pdo = a.deviceObject();
        final IommuDeviceCreationConfiguration config = a.flag() ? null : configurations(a);
        final Ref<IommuDmaDevice> out = a.out(a.device());
        if (o.check("CreateDevice", () -> table.createDevice(pdo, config, out), pdo, config, out) ==
            NtStatus.STATUS_SUCCESS)
        {
            w.devices.add(out.get());
        }
    }

    private static IommuDeviceCreationConfiguration configurations(final HostileArgs a)
    {
        final IommuDeviceCreationConfiguration[] list = new IommuDeviceCreationConfiguration[1 + a.choose(3)];
        for (int i = 0; i < list.length; i++)
        {
            list[i] = new IommuDeviceCreationConfiguration()
                .configType(a.pickEnum(IommuDeviceCreationConfigurationType.values()))
                .acpiInputMappingBase(a.anyInt()).acpiMappingsCount(a.anyInt())
                .pasidConfigType(a.pickEnum(IommuPasidConfigurationType.values())).suppressPasidFaults(a.flag());
            if (i > 0)
            {
                list[i - 1].nextConfiguration(list[i]);
            }
        }
        if (a.choose(4) == 0)
        {
            list[list.length - 1].nextConfiguration(list[a.choose(list.length)]);
        }
        return list[0];
    }

    private static IommuInterfaceStateChangeCallback callback(final HostileArgs a, final FuzzWorld w)
    {
        final int i = a.choose(w.callbacks.size() + 1);
        return i == w.callbacks.size() ? null : w.callbacks.get(i);
    }

    /**
     * @param a the hostile arguments.
     * @param w the world.
     * @return the V2 table or the V3 table, as the input chooses.
     */
    static DmaIommuInterfaceV2 table(final HostileArgs a, final FuzzWorld w)
    {
        return a.flag() ? w.v2() : w.v3();
    }
}
