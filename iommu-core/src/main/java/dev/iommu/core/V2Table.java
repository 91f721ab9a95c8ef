/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.Ref;

/**
 * {@code DMA_IOMMU_INTERFACE_V2}: a view of the one {@link InterfaceCore}, one line a member. Each member's rules are
 * in {@link DomainRules}, {@link DeviceRules} and {@link MappingRules}.
 */
class V2Table implements DmaIommuInterfaceV2
{
    final InterfaceCore core;

    V2Table(final InterfaceCore core)
    {
        this.core = core;
    }

    /** {@inheritDoc} */
    @Override
    public int createDomainEx(
        final IommuDmaDomainType domainType,
        final long flags,
        final IommuDmaLogicalAllocatorConfig logicalAllocatorConfig,
        final IommuDmaReservedRegion reservedRegions,
        final Ref<IommuDmaDomain> domainOut)
    {
        return core.domains.createDomainEx(domainType, flags, logicalAllocatorConfig, reservedRegions, domainOut);
    }

    /** {@inheritDoc} */
    @Override
    public int deleteDomain(final IommuDmaDomain domain)
    {
        return core.domains.deleteDomain(domain);
    }

    /** {@inheritDoc} */
    @Override
    public int attachDeviceEx(final IommuDmaDomain domain, final IommuDmaDevice dmaDevice)
    {
        return core.devices.attachDeviceEx(domain, dmaDevice);
    }

    /** {@inheritDoc} */
    @Override
    public int detachDeviceEx(final IommuDmaDevice dmaDevice)
    {
        return core.devices.detachDeviceEx(dmaDevice);
    }

    /** {@inheritDoc} */
    @Override
    public int flushDomain(final IommuDmaDomain domain)
    {
        return core.domains.flushDomain(domain);
    }

    /** {@inheritDoc} */
    @Override
    public int flushDomainByVaList(
        final IommuDmaDomain domain,
        final boolean lastLevel,
        final int number,
        final long[] vaList)
    {
        return core.domains.flushDomainByVaList(domain, lastLevel, number, vaList);
    }

    /** {@inheritDoc} */
    @Override
    public int queryInputMappings(
        final DeviceObject physicalDeviceObject,
        final InputMappingElement[] buffer,
        final int bufferLength,
        final IntRef returnLength)
    {
        return core.devices.queryInputMappings(physicalDeviceObject, buffer, bufferLength, returnLength);
    }

    /** {@inheritDoc} */
    @Override
    public int mapLogicalRangeEx(
        final IommuDmaDomain domain,
        final int permissions,
        final IommuMapPhysicalAddress physicalAddressToMap,
        final LongRef explicitLogicalAddress,
        final LongRef minLogicalAddress,
        final LongRef maxLogicalAddress,
        final LongRef logicalAddressOut)
    {
        return core.mappings.mapLogicalRangeEx(
            domain, permissions, physicalAddressToMap, explicitLogicalAddress, minLogicalAddress, maxLogicalAddress,
            logicalAddressOut);
    }

    /** {@inheritDoc} */
    @Override
    public int unmapLogicalRange(final IommuDmaDomain domain, final long logicalAddress, final long numberOfPages)
    {
        return core.mappings.unmapLogicalRange(domain, logicalAddress, numberOfPages);
    }

    /** {@inheritDoc} */
    @Override
    public int mapIdentityRangeEx(
        final IommuDmaDomain domain,
        final int permissions,
        final IommuMapPhysicalAddress physicalAddressToMap)
    {
        return core.mappings.mapIdentityRangeEx(domain, permissions, physicalAddressToMap);
    }

    /** {@inheritDoc} */
    @Override
    public int unmapIdentityRangeEx(final IommuDmaDomain domain, final IommuMapPhysicalAddress mappedPhysicalAddress)
    {
        return core.mappings.unmapIdentityRangeEx(domain, mappedPhysicalAddress);
    }

    /** {@inheritDoc} */
    @Override
    public int setDeviceFaultReportingEx(
        final IommuDmaDevice dmaDevice,
        final int inputMappingIdBase,
        final boolean enable,
        final DeviceFaultConfiguration faultConfig)
    {
        return core.devices.setDeviceFaultReportingEx(dmaDevice, inputMappingIdBase, enable, faultConfig);
    }

    /** {@inheritDoc} */
    @Override
    public int configureDomain(final IommuDmaDomain domain, final DomainConfiguration configuration)
    {
        return core.domains.configureDomain(domain, configuration);
    }

    /** {@inheritDoc} */
    @Override
    public void queryAvailableDomainTypes(final IommuDmaDevice dmaDevice, final IntRef availableDomains)
    {
        core.devices.queryAvailableDomainTypes(dmaDevice, availableDomains);
    }

    /** {@inheritDoc} */
    @Override
    public int registerInterfaceStateChangeCallback(
        final IommuInterfaceStateChangeCallback stateChangeCallback,
        final Object context,
        final IommuDmaDevice dmaDevice,
        final IommuInterfaceStateChangeFields stateFields)
    {
        return core.stateChanges.register(stateChangeCallback, context, dmaDevice, stateFields);
    }

    /** {@inheritDoc} */
    @Override
    public int unregisterInterfaceStateChangeCallback(
        final IommuInterfaceStateChangeCallback stateChangeCallback,
        final IommuDmaDevice dmaDevice)
    {
        return core.stateChanges.unregister(stateChangeCallback, dmaDevice);
    }

    /** {@inheritDoc} */
    @Override
    public int reserveLogicalAddressRange(
        final IommuDmaDomain domain,
        final long size,
        final LongRef explicitLogicalAddress,
        final LongRef minLogicalAddress,
        final LongRef maxLogicalAddress,
        final Ref<IommuDmaLogicalAddressToken> logicalAddressToken)
    {
        return core.mappings.reserveLogicalAddressRange(
            domain, size, explicitLogicalAddress, minLogicalAddress, maxLogicalAddress, logicalAddressToken);
    }

    /** {@inheritDoc} */
    @Override
    public int freeReservedLogicalAddressRange(final IommuDmaLogicalAddressToken logicalAddressToken)
    {
        return core.mappings.freeReservedLogicalAddressRange(logicalAddressToken);
    }

    /** {@inheritDoc} */
    @Override
    public int mapReservedLogicalRange(
        final IommuDmaLogicalAddressToken logicalAddressToken,
        final long offset,
        final int permissions,
        final IommuMapPhysicalAddress physicalAddressToMap,
        final IommuDmaLogicalAddressTokenMappedSegment mappedSegment)
    {
        return core.mappings.mapReservedLogicalRange(
            logicalAddressToken, offset, permissions, physicalAddressToMap, mappedSegment);
    }

    /** {@inheritDoc} */
    @Override
    public int unmapReservedLogicalRange(final IommuDmaLogicalAddressTokenMappedSegment mappedSegment)
    {
        return core.mappings.unmapReservedLogicalRange(mappedSegment);
    }

    /** {@inheritDoc} */
    @Override
    public int createDevice(
        final DeviceObject deviceObject,
        final IommuDeviceCreationConfiguration deviceConfig,
        final Ref<IommuDmaDevice> dmaDeviceOut)
    {
        return core.devices.createDevice(deviceObject, deviceConfig, dmaDeviceOut);
    }

    /** {@inheritDoc} */
    @Override
    public int deleteDevice(final IommuDmaDevice dmaDevice)
    {
        return core.devices.deleteDevice(dmaDevice);
    }
}
