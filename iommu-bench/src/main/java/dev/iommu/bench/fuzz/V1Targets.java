/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.Map;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.DomainConfigurationArch;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

/**
 * The fuzz targets of the 13 members of the V1 table ({@code DMA_IOMMU_INTERFACE_EX} version 1 and the deprecated
 * {@code DMA_IOMMU_INTERFACE}: each call goes through one or the other, as the input chooses), named
 * {@code V1.<member>}. Also the builders of hostile arguments the V2 table shares with V1
 * ({@link #vaList}, {@link #inputMappings}, {@link #configuration}).
 */
final class V1Targets
{
    private V1Targets()
    {
    }

    /**
     * Adds the targets.
     *
     * @param targets target name to target.
     */
    static void register(final Map<String, MemberTarget> targets)
    {
        targets.put("V1.CreateDomain", V1Targets::createDomain);
        targets.put("V1.DeleteDomain", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            o.check("DeleteDomain", () -> table.deleteDomain(domain), domain);
        });
        targets.put("V1.AttachDevice", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final DeviceObject pdo = a.deviceObject();
            final int base = a.anyInt();
            final int count = a.anyInt();
            o.check("AttachDevice", () -> table.attachDevice(domain, pdo, base, count), domain, pdo, base, count);
        });
        targets.put("V1.DetachDevice", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final DeviceObject pdo = a.deviceObject();
            final int id = a.anyInt();
            o.check("DetachDevice", () -> table.detachDevice(domain, pdo, id), domain, pdo, id);
        });
        targets.put("V1.FlushDomain", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            o.check("FlushDomain", () -> table.flushDomain(domain), domain);
        });
        targets.put("V1.FlushDomainByVaList", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final boolean lastLevel = a.flag();
            final long[] list = vaList(a);
            final int number = listCount(a, list);
            o.check("FlushDomainByVaList", () -> table.flushDomainByVaList(domain, lastLevel, number, list), domain,
                lastLevel, number, list);
        });
        targets.put("V1.QueryInputMappings", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final DeviceObject pdo = a.deviceObject();
            final InputMappingElement[] buffer = inputMappings(a);
            final int length = a.flag() ? (null == buffer ? 0 : buffer.length) * InputMappingElement.SIZE_X64 :
                a.anyInt();
            final IntRef returned = a.intOut();
            o.check("QueryInputMappings", () -> table.queryInputMappings(pdo, buffer, length, returned), pdo,
                buffer, length, returned);
        });
        targets.put("V1.MapLogicalRange", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final int permissions = a.permissions();
            final Mdl mdl = a.mdl();
            final long address = a.address();
            if (o.check("MapLogicalRange", () -> table.mapLogicalRange(domain, permissions, mdl, address), domain,
                permissions, mdl, address) == NtStatus.STATUS_SUCCESS)
            {
                w.addresses.add(address);
            }
        });
        targets.put("V1.UnmapLogicalRange", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final long address = a.address();
            final long pages = a.pages();
            o.check("UnmapLogicalRange", () -> table.unmapLogicalRange(domain, address, pages), domain, address,
                pages);
        });
        targets.put("V1.MapIdentityRange", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final int permissions = a.permissions();
            final Mdl mdl = a.mdl();
            o.check("MapIdentityRange", () -> table.mapIdentityRange(domain, permissions, mdl), domain, permissions,
                mdl);
        });
        targets.put("V1.UnmapIdentityRange", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final Mdl mdl = a.mdl();
            o.check("UnmapIdentityRange", () -> table.unmapIdentityRange(domain, mdl), domain, mdl);
        });
        targets.put("V1.SetDeviceFaultReporting", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final DeviceObject pdo = a.deviceObject();
            final int base = a.anyInt();
            final boolean enable = a.flag();
            final DeviceFaultConfiguration config = faultConfiguration(a);
            o.check("SetDeviceFaultReporting", () -> table.setDeviceFaultReporting(pdo, base, enable, config), pdo,
                base, enable, config);
        });
        targets.put("V1.ConfigureDomain", (a, o, w) ->
        {
            final DmaIommuInterfaceV1 table = table(a, w);
            final IommuDmaDomain domain = a.domain();
            final DomainConfiguration configuration = configuration(a);
            o.check("ConfigureDomain", () -> table.configureDomain(domain, configuration), domain, configuration);
        });
    }

    private static void createDomain(final HostileArgs a, final FuzzOracle o, final FuzzWorld w)
    {
        final DmaIommuInterfaceV1 table = table(a, w);
        final boolean osManaged = a.flag();
        final Ref<IommuDmaDomain> out = a.out(a.domain());
        if (o.check("CreateDomain", () -> table.createDomain(osManaged, out), osManaged, out) ==
            NtStatus.STATUS_SUCCESS)
        {
            w.domains.add(out.get());
        }
    }

    private static DmaIommuInterfaceV1 table(final HostileArgs a, final FuzzWorld w)
    {
        return a.flag() ? w.v1() : w.legacy();
    }

    /**
     * @param a the hostile arguments.
     * @return a list of logical addresses (edge values too), or null.
     */
    static long[] vaList(final HostileArgs a)
    {
        if (a.choose(8) == 0)
        {
            return null;
        }
        final long[] list = new long[a.choose(HostileArgs.MAX_ARRAY + 1)];
        for (int i = 0; i < list.length; i++)
        {
            list[i] = a.address();
        }
        return list;
    }

    /**
     * @param a    the hostile arguments.
     * @param list the list (may be null).
     * @return a count: the list's length, a little more or less, or any int.
     */
    static int listCount(final HostileArgs a, final long[] list)
    {
        final int length = null == list ? 0 : list.length;
        switch (a.choose(3))
        {
            case 0:
                return length;
            case 1:
                return length + a.choose(5) - 2;
            default:
                return a.anyInt();
        }
    }

    /**
     * @param a the hostile arguments.
     * @return a buffer of input-mapping elements (some null), or null.
     */
    static InputMappingElement[] inputMappings(final HostileArgs a)
    {
        if (a.choose(6) == 0)
        {
            return null;
        }
        final InputMappingElement[] buffer = new InputMappingElement[a.choose(6)];
        for (int i = 0; i < buffer.length; i++)
        {
            buffer[i] = a.choose(6) == 0 ? null : new InputMappingElement();
        }
        return buffer;
    }

    /**
     * @param a the hostile arguments.
     * @return a domain configuration of any architecture (null too) with any fields, or null.
     */
    static DomainConfiguration configuration(final HostileArgs a)
    {
        if (a.choose(6) == 0)
        {
            return null;
        }
        final DomainConfiguration configuration = new DomainConfiguration()
            .type(a.pickEnum(DomainConfigurationArch.values()));
        configuration.arm64().ttbr0(a.address()).ttbr1(a.address()).mair0(a.anyInt()).mair1(a.anyInt())
            .inputSize0(a.anyInt()).inputSize1(a.anyInt()).coherentTableWalks(a.flag()).translationEnabled(a.flag());
        return configuration;
    }

    /**
     * @param a the hostile arguments.
     * @return a fault configuration with or without a handler, or null.
     */
    static DeviceFaultConfiguration faultConfiguration(final HostileArgs a)
    {
        if (a.choose(4) == 0)
        {
            return null;
        }
        final DeviceFaultConfiguration config = new DeviceFaultConfiguration();
        if (a.flag())
        {
            config.faultHandler((context, fault) ->
            {
            });
        }
        return config.faultContext(a.flag() ? null : "context");
    }
}
