/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

/**
 * Windows as observed (x64 build A) for the PASID members (observed record section 7): each method here overrides
 * the {@link PasidRules} method of the same
 * member, holds that member's checks in Windows' order, and cites the row of the observed-behaviour record it
 * reproduces. A member not overridden answers as documented in both profiles: CreatePasidDevice's argument checks
 * (row 2: not created for PASID-tagged DMA or no PASIDs _1), DeletePasidDevice's attached check
 * (RESOURCE_IN_USE), DetachPasidDevice's not attached (_1) and QueryDeviceInformation (Size below 3
 * STATUS_BUFFER_TOO_SMALL with {@code *BytesWritten} = 0).
 * <p>
 * PASID 0 is the parent's default sub-device on Windows; CreatePasidDevice never hands it out (an ASID of 0 is
 * STATUS_NONE_MAPPED), so only a forged handle reaches the PASID 0 rows.
 */
class ObservedPasidRules extends PasidRules
{
    /** The ASID Windows writes to {@code *AsidOut} before any check. */
    static final int NO_ASID = 0xFFFFFFFF;

    /**
     * Observed 7 CreatePasidDevice row 0: {@code *AsidOut} = 0xFFFFFFFF and {@code *PasidDeviceOut} = NULL before
     * any check. Windows checks neither pointer (NULL is undefined there); a null one is left alone and gets the
     * documented _2 / _3.
     */
    @Override
    void createPasidDeviceOutputs(final Ref<IommuDmaPasidDevice> pasidDeviceOut, final IntRef asidOut)
    {
        if (null != asidOut)
        {
            asidOut.set(NO_ASID);
        }
        if (null != pasidDeviceOut)
        {
            pasidDeviceOut.set(null);
        }
    }

    /**
     * Observed 7 CreatePasidDevice rows 3 and 4, under the parent's monitor: the ASID allocator has none left
     * STATUS_NONE_MAPPED, <b>before</b> the sub-device cannot be allocated (here: the platform's sub-device limit)
     * STATUS_INSUFFICIENT_RESOURCES, the ASID freed (the member gives it back). A parent deleted meanwhile is a use
     * after free on Windows: the documented STATUS_INVALID_PARAMETER.
     */
    @Override
    int createPasidDeviceLocked(final DmaDevice device, final boolean underLimit, final boolean pasidLeft)
    {
        if (!device.isAlive())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!pasidLeft)
        {
            return NtStatus.STATUS_NONE_MAPPED;
        }
        return underLimit ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INSUFFICIENT_RESOURCES;
    }

    /**
     * Observed 7 DeletePasidDevice row 1: PASID 0 (the parent's default sub-device) STATUS_NOT_SUPPORTED; row 2
     * (attached STATUS_RESOURCE_IN_USE) is the inherited {@link #deletePasidDeviceLocked}. A null or deleted handle
     * is undefined on Windows: the documented STATUS_INVALID_PARAMETER.
     */
    @Override
    int deletePasidDevice(final PasidDevice pasidDevice)
    {
        if (null == pasidDevice)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return pasidDevice.pasid() == 0 ? NtStatus.STATUS_NOT_SUPPORTED : NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 7 AttachPasidDevice row 1: PASID 0 STATUS_NOT_SUPPORTED; the rest is
     * {@link #attachPasidDeviceLocked} (the type is checked only after the policy, rows 2 and 4). Null handles are
     * undefined on Windows: the documented STATUS_INVALID_PARAMETER.
     */
    @Override
    int attachPasidDevice(final Domain domain, final PasidDevice pasidDevice)
    {
        if (null == domain || null == pasidDevice)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return pasidDevice.pasid() == 0 ? NtStatus.STATUS_NOT_SUPPORTED : NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 7 AttachPasidDevice rows 2 to 6, under the parent's monitor, in Windows' order: the domain's type not
     * among the parent's available types (as QueryAvailableDomainTypes computes them: a PASID-mode parent is offered
     * TranslateS1, not Translate) STATUS_ACCESS_DENIED; (row 3, parent blocked STATUS_NOT_SUPPORTED: the emulator's
     * devices have no blocked state, so it cannot occur); the type is not TranslateS1 STATUS_INVALID_PARAMETER_1;
     * already attached to this domain STATUS_SUCCESS (the member then changes nothing); attached to another
     * STATUS_UNSUCCESSFUL. A sub-device deleted meanwhile is the documented STATUS_INVALID_PARAMETER.
     */
    @Override
    int attachPasidDeviceLocked(final PasidDevice pasidDevice, final Domain domain, final int availableDomainTypes)
    {
        if (!pasidDevice.isAlive())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if ((availableDomainTypes & domain.type().mask()) == 0)
        {
            return NtStatus.STATUS_ACCESS_DENIED;
        }
        if (domain.type() != IommuDmaDomainType.TRANSLATE_S1)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        final Domain current = pasidDevice.domain();
        return null == current || current == domain ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_UNSUCCESSFUL;
    }

    /**
     * Observed 7 DetachPasidDevice row 1: PASID 0 STATUS_NOT_SUPPORTED; row 2 (not attached _1) is the inherited
     * {@link #detachPasidDeviceLocked}. A null or deleted handle is the documented STATUS_INVALID_PARAMETER.
     */
    @Override
    int detachPasidDevice(final PasidDevice pasidDevice)
    {
        if (null == pasidDevice)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return pasidDevice.pasid() == 0 ? NtStatus.STATUS_NOT_SUPPORTED : NtStatus.STATUS_SUCCESS;
    }
}
