/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.NtStatus;
import dev.iommu.callbacks.Notifications;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.Platform;

/**
 * Windows as observed (x64 build A) for the device members (CreateDevice, DeleteDevice, AttachDeviceEx,
 * DetachDeviceEx, QueryAvailableDomainTypes, QueryInputMappings, SetDeviceFaultReportingEx, the V1 device members
 * and the state-change members; observed record sections 3 and 6): each method here overrides the {@link
 * DeviceRules} method of the same
 * member, holds that member's checks in Windows' order, and cites the row of the observed-behaviour record it
 * reproduces. A member not overridden answers as documented in both profiles.
 */
class ObservedDeviceRules extends DeviceRules
{
    // --------------------------------------------------------------------------------------------------------------
    // State-change callbacks (observed record section 6, new variant: build A with IommuInterfacePointerReset on)
    // --------------------------------------------------------------------------------------------------------------

    /**
     * Observed 6 RegisterInterfaceStateChangeCallback rows 1, 2 and 5: {@code *StateFields == 0} (the whole ULONG)
     * STATUS_INVALID_PARAMETER_4; only reserved bits set is accepted. Windows checks neither the callback nor the
     * device (row 5: NULL is undefined behaviour there), nor reads a NULL StateFields: those keep the documented
     * answers (_1, _3, _4).
     */
    @Override
    int register(final IommuInterfaceStateChangeCallback callback, final DmaDevice device,
        final IommuInterfaceStateChangeFields stateFields)
    {
        if (null == callback)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (null == device)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        return null == stateFields || stateFields.asUlong() == 0 ?
            NtStatus.STATUS_INVALID_PARAMETER_4 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 6 RegisterInterfaceStateChangeCallback rows 3 and 4, under the device's monitor: the registration
     * cannot be allocated STATUS_INSUFFICIENT_RESOURCES, <b>before</b> already registered STATUS_UNSUCCESSFUL. A
     * device deleted meanwhile is a use after free on Windows: the documented _3.
     */
    @Override
    int registerLocked(final DmaDevice device, final boolean room)
    {
        if (!device.isAlive())
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        if (!room)
        {
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        return device.stateChangeRegistered() ? NtStatus.STATUS_UNSUCCESSFUL : NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 6 UnregisterInterfaceStateChangeCallback row 1: no registration, or its callback is not Callback
     * (NULL included) STATUS_UNSUCCESSFUL; the member finds the registration ({@link #notRegistered()}). A NULL or
     * deleted device is undefined on Windows: the documented STATUS_UNSUCCESSFUL.
     */
    @Override
    int unregister(final IommuInterfaceStateChangeCallback callback, final DmaDevice device)
    {
        return null == callback || null == device ? notRegistered() : NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 6 rows 6 and 7, the later notifications and Unregister row 3 (new variant): callbacks run
     * synchronously on the thread that registered or changed the policy, only on a change, and Unregister does not
     * wait ({@link DirectStateChangeDelivery}).
     */
    @Override
    StateChangeDelivery stateChangeDelivery(final Platform platform, final Notifications notifications)
    {
        return new DirectStateChangeDelivery(platform, this, notifications.context().errorHandler());
    }

    /**
     * Observed 3 QueryAvailableDomainTypes (HalpIommuDeviceGetDomainTypes), as far as the platform model shows it:
     * PassThrough as the DMA Guard policy offers it; a device behind an IOMMU is offered Translate, or, in PASID mode
     * (either PASID configuration), <b>TranslateS1 instead of Translate</b>; TranslateS1 is never offered to a
     * device not in PASID mode, Unmanaged never on x64. ARM64 follows the documented contract (no x64 evidence).
     */
    @Override
    int availableDomainTypes(final Platform platform, final DmaDevice device)
    {
        final int documented = super.availableDomainTypes(platform, device);
        if (platform.architecture() == Architecture.ARM64 || null == device.pdo().iommu())
        {
            return documented;
        }
        final int translate = IommuDmaDomainType.TRANSLATE.mask();
        final int stage1 = IommuDmaDomainType.TRANSLATE_S1.mask();
        int types = documented & ~(translate | stage1 | IommuDmaDomainType.UNMANAGED.mask());
        if ((documented & translate) != 0)
        {
            types |= null == device.pasidConfig() ? translate : stage1;
        }
        return types;
    }
}
