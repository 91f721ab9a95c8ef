/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.DmaTranslation;

/**
 * A {@link DmaMapper} over one domain of an {@link IommuEmulator}. The instance holds the call's scratch objects
 * (the physical-address description and the out-parameters), reused on every call: that is why an instance belongs
 * to one thread, and why the calls allocate nothing.
 */
final class LibraryDmaMapper implements DmaMapper
{
    private final LibraryDmaMapperFactory factory;
    private final IommuEmulator emulator;
    private final DmaIommuInterfaceV2 iommu;
    private final IommuDmaDomain domain;
    private final IommuDmaDevice device;
    private final String deviceName;
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
    private final LongRef addressOut = new LongRef();
    private final LongRef maxAddressRef = new LongRef();
    private boolean closed;

    LibraryDmaMapper(
        final LibraryDmaMapperFactory factory,
        final IommuEmulator emulator,
        final DmaIommuInterfaceV2 iommu,
        final IommuDmaDomain domain,
        final IommuDmaDevice device,
        final String deviceName)
    {
        this.factory = factory;
        this.emulator = emulator;
        this.iommu = iommu;
        this.domain = domain;
        this.device = device;
        this.deviceName = deviceName;
    }

    /** {@inheritDoc} */
    @Override
    public long map(final long[] frames, final int count, final int permissions, final long maxAddress)
    {
        physical.usePfnArray(frames, count);
        return mapped(permissions, maxAddress);
    }

    /** {@inheritDoc} */
    @Override
    public long mapContiguous(final long physicalAddress, final long bytes, final int permissions,
        final long maxAddress)
    {
        physical.useContiguousRange(physicalAddress, bytes);
        return mapped(permissions, maxAddress);
    }

    private long mapped(final int permissions, final long maxAddress)
    {
        final int status = iommu.mapLogicalRangeEx(domain, permissions, physical, null, null,
            maxAddress == NO_LIMIT ? null : maxAddressRef.set(maxAddress), addressOut);
        if (status == NtStatus.STATUS_SUCCESS)
        {
            return addressOut.get();
        }
        return status == NtStatus.STATUS_INSUFFICIENT_RESOURCES || status == NtStatus.STATUS_INVALID_PARAMETER_MIX ?
            MapperResult.NO_SPACE : MapperResult.INVALID_ARGUMENT;
    }

    /** {@inheritDoc} */
    @Override
    public int unmap(final long iova, final long pages)
    {
        final int status = iommu.unmapLogicalRange(domain, iova, pages);
        if (status == NtStatus.STATUS_SUCCESS)
        {
            return MapperResult.SUCCESS;
        }
        return status == NtStatus.STATUS_INVALID_PARAMETER ? MapperResult.NOT_MAPPED : MapperResult.INVALID_ARGUMENT;
    }

    /** {@inheritDoc} */
    @Override
    public long translate(final long iova, final int access)
    {
        if (access <= 0 || access > READ_WRITE)
        {
            return MapperResult.INVALID_ARGUMENT;
        }
        final long t = emulator.translate(device, iova, access);
        if (!DmaTranslation.isFault(t))
        {
            return DmaTranslation.outputAddress(t, iova);
        }
        return DmaTranslation.faultReason(t) == DmaTranslation.FAULT_PERMISSION ?
            MapperResult.FAULT_PERMISSION : MapperResult.FAULT_NOT_PRESENT;
    }

    /** {@inheritDoc} */
    @Override
    public DmaMapper share()
    {
        return new LibraryDmaMapper(null, emulator, iommu, domain, device, deviceName);
    }

    /** {@inheritDoc} */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (null != factory)
            {
                factory.release(domain, device, deviceName);
            }
        }
    }
}
