/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DmaIommuInterface;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.NtStatus;

/**
 * The rules of the two acquisition entry points (spec 1.1, 5.1 items 1 to 3). The documentation gives no codes; the
 * choices here are the codes and the order shipped x64 kernels use (the observed-behaviour record, section 1), so
 * that a driver tested here gets what Windows answers, and a platform whose kernel predates a version answers as that
 * kernel does (a version above its newest is STATUS_INVALID_PARAMETER_1, as the V1/V2-only kernel answers 3).
 */
class AcquisitionRules
{
    /**
     * {@code IoGetIommuInterfaceEx}: version (1 to the platform's newest) _1, null out _2, non-zero flags _3.
     *
     * @param version      the version asked for.
     * @param flags        the flags.
     * @param interfaceOut the holder.
     * @param newest       the newest version the platform's kernel offers.
     * @return STATUS_SUCCESS or the status of the first rule broken.
     */
    int ioGetIommuInterfaceEx(final int version, final long flags, final DmaIommuInterfaceEx interfaceOut,
        final int newest)
    {
        if (version < DmaIommuInterfaceEx.VERSION_MIN || version > Math.min(newest, DmaIommuInterfaceEx.VERSION_MAX))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (null == interfaceOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (flags != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code IoGetIommuInterface}: version other than 1 _1, null out _2.
     *
     * @param version      the version asked for.
     * @param interfaceOut the holder.
     * @return STATUS_SUCCESS or the status of the first rule broken.
     */
    int ioGetIommuInterface(final int version, final DmaIommuInterface interfaceOut)
    {
        if (version != DmaIommuInterface.VERSION)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (null == interfaceOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        return NtStatus.STATUS_SUCCESS;
    }
}
