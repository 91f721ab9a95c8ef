/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.Mdl;
import dev.iommu.api.Ref;

/**
 * {@code DMA_IOMMU_INTERFACE_V1} (and the legacy {@code DMA_IOMMU_INTERFACE}, the same 13 members): a view of the one
 * {@link InterfaceCore}. Devices are named by their device object; a V1 AttachDevice makes the device's context entry
 * and the V1 DetachDevice removes it. Each member's rules are in {@link DomainRules}, {@link DeviceRules} and
 * {@link MappingRules}.
 */
final class V1Table implements DmaIommuInterfaceV1
{
    private final InterfaceCore core;

    V1Table(final InterfaceCore core)
    {
        this.core = core;
    }

    /** {@inheritDoc} */
    @Override
    public int createDomain(final boolean osManagedPageTable, final Ref<IommuDmaDomain> domainOut)
    {
        return core.domains.createDomain(osManagedPageTable, domainOut);
    }

    /** {@inheritDoc} */
    @Override
    public int deleteDomain(final IommuDmaDomain domain)
    {
        return core.domains.deleteDomain(domain);
    }

    /** {@inheritDoc} */
    @Override
    public int attachDevice(final IommuDmaDomain domain, final DeviceObject physicalDeviceObject,
        final int inputMappingIdBase, final int mappingCount)
    {
        return core.devices.attachDevice(domain, physicalDeviceObject, inputMappingIdBase, mappingCount);
    }

    /** {@inheritDoc} */
    @Override
    public int detachDevice(final IommuDmaDomain domain, final DeviceObject physicalDeviceObject,
        final int inputMappingId)
    {
        return core.devices.detachDevice(domain, physicalDeviceObject, inputMappingId);
    }

    /** {@inheritDoc} */
    @Override
    public int flushDomain(final IommuDmaDomain domain)
    {
        return core.domains.flushDomain(domain);
    }

    /** {@inheritDoc} */
    @Override
    public int flushDomainByVaList(final IommuDmaDomain domain, final boolean lastLevel, final int number,
        final long[] vaList)
    {
        return core.domains.flushDomainByVaList(domain, lastLevel, number, vaList);
    }

    /** {@inheritDoc} */
    @Override
    public int queryInputMappings(final DeviceObject physicalDeviceObject, final InputMappingElement[] buffer,
        final int bufferLength, final IntRef returnLength)
    {
        return core.devices.queryInputMappings(physicalDeviceObject, buffer, bufferLength, returnLength);
    }

    /** {@inheritDoc} */
    @Override
    public int mapLogicalRange(final IommuDmaDomain domain, final int permissions, final Mdl mdl,
        final long logicalAddress)
    {
        return core.mappings.mapLogicalRange(domain, permissions, mdl, logicalAddress);
    }

    /** {@inheritDoc} */
    @Override
    public int unmapLogicalRange(final IommuDmaDomain domain, final long logicalAddress, final long numberOfPages)
    {
        return core.mappings.unmapLogicalRange(domain, logicalAddress, numberOfPages);
    }

    /** {@inheritDoc} */
    @Override
    public int mapIdentityRange(final IommuDmaDomain domain, final int permissions, final Mdl mdl)
    {
        return core.mappings.mapIdentityRange(domain, permissions, mdl);
    }

    /** {@inheritDoc} */
    @Override
    public int unmapIdentityRange(final IommuDmaDomain domain, final Mdl mdl)
    {
        return core.mappings.unmapIdentityRange(domain, mdl);
    }

    /** {@inheritDoc} */
    @Override
    public int setDeviceFaultReporting(final DeviceObject physicalDeviceObject, final int inputMappingIdBase,
        final boolean enable, final DeviceFaultConfiguration faultConfig)
    {
        return core.devices.setDeviceFaultReporting(physicalDeviceObject, inputMappingIdBase, enable, faultConfig);
    }

    /** {@inheritDoc} */
    @Override
    public int configureDomain(final IommuDmaDomain domain, final DomainConfiguration configuration)
    {
        return core.domains.configureDomain(domain, configuration);
    }
}
