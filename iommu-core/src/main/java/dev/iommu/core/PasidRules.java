/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;

/**
 * The argument rules of the V3 members: CreatePasidDevice, DeletePasidDevice, AttachPasidDevice, DetachPasidDevice
 * and QueryDeviceInfo (spec 2.30 to 2.34, 5.7). A null, foreign or deleted device, sub-device or domain is
 * STATUS_INVALID_PARAMETER (spec 5.2 item 10).
 * <p>
 * Choices for what the spec leaves open, each made here once:
 * <ul>
 *     <li>item 48: PASIDs (the ASID a sub-device gets) come from one emulator-wide space, lowest free first, from 1
 *     (PASID 0 is the parent's default PASID: untagged DMA and PASID 0 walk the domain the parent is attached to)
 *     to below 2^PasidWidth of the device's IOMMU; none left is STATUS_NONE_MAPPED; the platform's sub-device
 *     limit is STATUS_INSUFFICIENT_RESOURCES;</li>
 *     <li>item 49: a sub-device attaches to Translate and TranslateS1 domains; any other type is
 *     STATUS_INVALID_PARAMETER_1; a type the DMA Guard policy does not offer the parent now STATUS_ACCESS_DENIED;
 *     attached already (to any domain, this one too) STATUS_UNSUCCESSFUL;</li>
 *     <li>item 50: a sub-device works whether or not its parent is attached, and may join the parent's domain;</li>
 *     <li>item 51: QueryDeviceInfo of a device created without a PASID configuration reports all FALSE; on
 *     STATUS_BUFFER_TOO_SMALL {@code *BytesWritten} = 0;</li>
 *     <li>out-parameters: no PasidDeviceOut _2, no AsidOut _3; no BytesWritten _3, no Buffer _4.</li>
 * </ul>
 */
class PasidRules
{
    /**
     * {@code CreatePasidDevice} (spec 2.30): the device; not created for PASID-tagged DMA (or its IOMMU has no
     * PASIDs) _1; the out-parameters _2 and _3.
     */
    int createPasidDevice(final DmaDevice device, final Object pasidDeviceOut, final Object asidOut)
    {
        if (null == device)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (device.pasidConfig() != IommuPasidConfigurationType.PASID_TAGGED_DMA ||
            !device.pdo().iommu().supportsPasid())
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (null == pasidDeviceOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        return null == asidOut ? NtStatus.STATUS_INVALID_PARAMETER_3 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * What CreatePasidDevice writes before any check: nothing (a refused call leaves the out-parameters as they were).
     */
    void createPasidDeviceOutputs(final Ref<IommuDmaPasidDevice> pasidDeviceOut, final IntRef asidOut)
    {
    }

    /**
     * CreatePasidDevice, under the parent's monitor, once the member has tried to take a sub-device slot and a PASID
     * (it gives back what it took when this refuses): the parent deleted meanwhile STATUS_INVALID_PARAMETER; the
     * sub-device limit STATUS_INSUFFICIENT_RESOURCES; no PASID left in the device's range STATUS_NONE_MAPPED.
     *
     * @param underLimit whether a slot under the platform's sub-device limit was taken.
     * @param pasidLeft  whether a PASID was taken.
     */
    int createPasidDeviceLocked(final DmaDevice device, final boolean underLimit, final boolean pasidLeft)
    {
        if (!device.isAlive())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!underLimit)
        {
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        return pasidLeft ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_NONE_MAPPED;
    }

    /**
     * {@code DeletePasidDevice} (spec 2.31): the sub-device; under the parent's monitor, attached
     * STATUS_RESOURCE_IN_USE.
     */
    int deletePasidDevice(final PasidDevice pasidDevice)
    {
        return null == pasidDevice ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    /**
     * DeletePasidDevice under the parent's monitor.
     */
    int deletePasidDeviceLocked(final PasidDevice pasidDevice)
    {
        if (!pasidDevice.isAlive())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return null != pasidDevice.domain() ? NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code AttachPasidDevice} (spec 2.32): the handles; a domain that is neither Translate nor TranslateS1 _1.
     */
    int attachPasidDevice(final Domain domain, final PasidDevice pasidDevice)
    {
        if (null == domain || null == pasidDevice)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final IommuDmaDomainType type = domain.type();
        return type == IommuDmaDomainType.TRANSLATE || type == IommuDmaDomainType.TRANSLATE_S1 ?
            NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1;
    }

    /**
     * AttachPasidDevice under the parent's monitor: deleted meanwhile STATUS_INVALID_PARAMETER; attached already
     * STATUS_UNSUCCESSFUL; a type the policy does not offer the parent STATUS_ACCESS_DENIED.
     */
    int attachPasidDeviceLocked(final PasidDevice pasidDevice, final Domain domain, final int availableDomainTypes)
    {
        if (!pasidDevice.isAlive())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (null != pasidDevice.domain())
        {
            return NtStatus.STATUS_UNSUCCESSFUL;
        }
        return (availableDomainTypes & domain.type().mask()) == 0 ?
            NtStatus.STATUS_ACCESS_DENIED : NtStatus.STATUS_SUCCESS;
    }

    /**
     * An attach that found its domain deleted in the meantime (as a deleted domain handle).
     */
    int domainGone()
    {
        return NtStatus.STATUS_INVALID_PARAMETER;
    }

    /**
     * {@code DetachPasidDevice} (spec 2.33): the sub-device.
     */
    int detachPasidDevice(final PasidDevice pasidDevice)
    {
        return null == pasidDevice ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    /**
     * DetachPasidDevice under the parent's monitor: not attached STATUS_INVALID_PARAMETER_1.
     */
    int detachPasidDeviceLocked(final PasidDevice pasidDevice)
    {
        return pasidDevice.isAlive() && null != pasidDevice.domain() ?
            NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1;
    }

    /**
     * {@code QueryDeviceInfo} (spec 2.34): the device; no BytesWritten _3; Size below
     * {@link IommuDmaDeviceInformation#SIZE_X64} STATUS_BUFFER_TOO_SMALL (the member writes 0 to BytesWritten); no
     * Buffer _4.
     */
    int queryDeviceInfo(final DmaDevice device, final int size, final Object bytesWritten, final Object buffer)
    {
        if (null == device)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (null == bytesWritten)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        if (size < IommuDmaDeviceInformation.SIZE_X64)
        {
            return NtStatus.STATUS_BUFFER_TOO_SMALL;
        }
        return null == buffer ? NtStatus.STATUS_INVALID_PARAMETER_4 : NtStatus.STATUS_SUCCESS;
    }
}
