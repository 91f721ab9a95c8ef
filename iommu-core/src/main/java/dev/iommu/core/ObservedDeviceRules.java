/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDeviceCreationConfigurationType;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.callbacks.Notifications;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;

/**
 * Windows as observed (x64 build A) for the device members (CreateDevice, DeleteDevice, AttachDeviceEx,
 * DetachDeviceEx, QueryAvailableDomainTypes, QueryInputMappings, SetDeviceFaultReportingEx, the V1 device members
 * and the state-change members; observed record sections 3 and 6): each method here overrides the {@link
 * DeviceRules} method of the same member, holds that member's checks in Windows' order, and cites the row of the
 * observed-behaviour record it reproduces. A member not overridden answers as documented in both profiles
 * (DeleteDevice's checks, DetachDeviceEx, V1 DetachDevice: observed 3 agrees with the documented rules).
 * <p>
 * Where Windows does not check (a null or foreign token, a null out-parameter, a configuration list that never
 * returns to its first element) its behaviour is undefined and the documented answer is kept. On ARM64 the
 * documented contract stands for what x64 evidence cannot show (ACPI configurations, QueryInputMappings, V1
 * SetDeviceFaultReporting, the Unmanaged type).
 * <p>
 * The configuration list: the Java {@link IommuDeviceCreationConfiguration} chain is Windows' circular list, the
 * configuration passed being its first element; the walk follows {@code nextConfiguration} until it is back at the
 * first element (a null link ends the walk: Windows does not handle one). The Java API has no DefaultDma (5),
 * FaultHandling (6) or ATS configuration types, so observed 3 CreateDevice rows 5, 6 and 10 cannot be expressed and
 * the settings compared by row 7 are the PASID configuration type and SuppressPasidFaults.
 */
class ObservedDeviceRules extends DeviceRules
{
    /** A list longer than this never returned to its first element (Windows would walk it for ever). */
    static final int LONGEST_LIST = 1024;

    /**
     * Observed 3 CreateDevice row 0: {@code *DmaDeviceOut = NULL} before any check (a null out-parameter is not
     * written: Windows would crash).
     */
    @Override
    void createDeviceOutputs(final Ref<IommuDmaDevice> dmaDeviceOut)
    {
        if (null != dmaDeviceOut)
        {
            dmaDeviceOut.set(null);
        }
    }

    /**
     * Observed 3 CreateDevice rows 1-13, in order: a null device object STATUS_NOT_SUPPORTED (row 1); a device no
     * IOMMU translates STATUS_NOT_FOUND (row 2); an IOMMU without the device-id lookup STATUS_UNSUCCESSFUL (row 3);
     * the list walk (row 4: first entry of each type wins; unknown types, duplicates, None, DeviceId and, on x64,
     * ACPI ignored); a device object that already has a device: the same settings share it (SUCCESS, the table
     * raises its reference count), others STATUS_NOT_SUPPORTED (row 7); a PASID configuration type of Max or above
     * _2 (row 9); a PASID configuration on an IOMMU without PASIDs STATUS_NOT_SUPPORTED (row 11). A null
     * out-parameter (never checked by Windows) is _3, as documented. On ARM64 the documented list rules apply.
     */
    @Override
    int createDevice(final Platform platform, final DeviceTable devices, final DeviceObject deviceObject,
        final IommuDeviceCreationConfiguration config, final Object dmaDeviceOut, final DeviceCreationRules creation)
    {
        if (null == deviceObject)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        final int status = behindIommu(platform, deviceObject);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final PhysicalDeviceObject pdo = (PhysicalDeviceObject)deviceObject;
        if (!pdo.iommu().implementsDeviceIdLookup())
        {
            return NtStatus.STATUS_UNSUCCESSFUL;
        }
        final int listStatus = platform.architecture() == Architecture.ARM64 ?
            creation.check(pdo, platform.architecture(), config) : walk(config, creation);
        if (listStatus != NtStatus.STATUS_SUCCESS)
        {
            return listStatus;
        }
        final IommuPasidConfigurationType pasid = creation.pasidConfig();
        final DmaDevice existing = devices.deviceOf(pdo);
        if (null != existing)
        {
            return existing.sameSettings(pasid, creation.suppressPasidFaults()) ?
                NtStatus.STATUS_SUCCESS : deviceTaken();
        }
        if (creation.pasidGiven() && (null == pasid || pasid == IommuPasidConfigurationType.MAX))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (null != pasid && !pdo.iommu().supportsPasid())
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        return null == dmaDeviceOut ? NtStatus.STATUS_INVALID_PARAMETER_3 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 3 CreateDevice row 4, x64: the first PASID entry wins; every other entry is ignored.
     */
    private static int walk(final IommuDeviceCreationConfiguration first, final DeviceCreationRules creation)
    {
        creation.clear();
        boolean pasidSeen = false;
        IommuDeviceCreationConfiguration config = first;
        for (int i = 0; null != config; i++)
        {
            if (i == LONGEST_LIST)
            {
                creation.clear();
                return NtStatus.STATUS_INVALID_PARAMETER_2;
            }
            if (!pasidSeen && config.configType() == IommuDeviceCreationConfigurationType.PASID)
            {
                pasidSeen = true;
                creation.result(config.pasidConfigType(), config.suppressPasidFaults());
            }
            config = config.nextConfiguration();
            if (config == first)
            {
                break;
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 3 CreateDevice row 7: the same device object again with other settings is STATUS_NOT_SUPPORTED (with
     * the same settings the device is shared, {@link #addDevice}).
     */
    @Override
    int deviceTaken()
    {
        return NtStatus.STATUS_NOT_SUPPORTED;
    }

    /**
     * Observed 3 CreateDevice rows 7, 8 and 12: the device table shares a device object's device when the settings
     * match (its reference count raised; DeleteDevice drops one, observed 3 DeleteDevice row 4), else adds one (at
     * the limit STATUS_INSUFFICIENT_RESOURCES); any PASID configuration puts the device in PASID mode.
     */
    @Override
    DmaDevice addDevice(final DeviceTable devices, final PhysicalDeviceObject pdo, final DeviceCreationRules creation,
        final int attachBase)
    {
        return devices.addOrShare(pdo, creation.pasidConfig(), creation.suppressPasidFaults(), attachBase);
    }

    /**
     * Observed 3 AttachDeviceEx rows 1-6, in order: the domain's type not among the device's available types
     * STATUS_ACCESS_DENIED (row 1, first); already attached to this domain SUCCESS, a no-op (row 2); attached to
     * another: SUCCESS, the device moves (row 3); a PASID-mode device attaches through its default sub-device (row
     * 6, then observed 7 AttachPasidDevice rows 4-6): attached elsewhere STATUS_UNSUCCESSFUL, a domain other than
     * TranslateS1 _1. Row 4 (a blocked device) has no state in this model; row 5 (the IOMMU lacks the stage) is
     * always caught by row 1, since the available types are computed from the IOMMU's stages; rows 7 and 8 are the
     * engine's. A deleted device (use after free on Windows) is STATUS_INVALID_PARAMETER, as documented.
     */
    @Override
    int attachLocked(final DmaDevice device, final Domain domain, final int availableDomainTypes)
    {
        if (!device.isAlive())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if ((availableDomainTypes & domain.type().mask()) == 0)
        {
            return NtStatus.STATUS_ACCESS_DENIED;
        }
        final Domain current = device.domain();
        if (current == domain)
        {
            return NtStatus.STATUS_SUCCESS;
        }
        if (null != device.pasidConfig())
        {
            if (null != current)
            {
                return NtStatus.STATUS_UNSUCCESSFUL;
            }
            if (domain.type() != IommuDmaDomainType.TRANSLATE_S1)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_1;
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 3 V1 AttachDevice: already attached to this domain SUCCESS; attached elsewhere, moved; no domain-type
     * policy check (no STATUS_ACCESS_DENIED).
     */
    @Override
    int attachV1Locked(final DmaDevice device, final Domain domain, final int availableDomainTypes)
    {
        return device.isAlive() ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER;
    }

    /**
     * Observed 3 V1 AttachDevice, "internal device creation": a device object that V1 AttachDevice already attached
     * (with the same base) keeps its device (then attached again or moved); one with a token device stays refused
     * ({@link #deviceTaken()}: the token and the V1 record are separate objects in this model).
     */
    @Override
    DmaDevice v1Device(final DeviceTable devices, final PhysicalDeviceObject pdo, final int inputMappingIdBase)
    {
        final DmaDevice existing = devices.deviceOf(pdo);
        if (null != existing && existing.isV1() && existing.isAlive() && existing.attachBase() == inputMappingIdBase)
        {
            return existing;
        }
        return super.v1Device(devices, pdo, inputMappingIdBase);
    }

    /**
     * Observed 3 QueryAvailableDomainTypes: PassThrough as the policy offers it; Translate for a device not in PASID
     * mode, TranslateS1 (0x8) instead of Translate for a PASID-mode device (both only when the IOMMU has the stage);
     * Unmanaged never on x64 (on ARM64 as documented).
     */
    @Override
    int availableDomainTypes(final Platform platform, final DmaDevice device)
    {
        final int documented = platform.policy().availableDomainTypes(device.pdo());
        final int translate = IommuDmaDomainType.TRANSLATE.mask();
        final int stage1 = IommuDmaDomainType.TRANSLATE_S1.mask();
        final int types = documented & ~(translate | stage1);
        if (null != device.pasidConfig())
        {
            return types | (documented & stage1);
        }
        return types | (documented & translate);
    }

    /**
     * Observed 3 V1 SetDeviceFaultReporting, x64 native: always STATUS_NOT_SUPPORTED (on ARM64 as documented).
     */
    @Override
    int setDeviceFaultReporting(final Platform platform, final DeviceObject deviceObject, final DmaDevice device,
        final int inputMappingIdBase, final boolean enable, final DeviceFaultConfiguration faultConfig)
    {
        return platform.architecture() == Architecture.ARM64 ? super.setDeviceFaultReporting(
            platform, deviceObject, device, inputMappingIdBase, enable, faultConfig) : NtStatus.STATUS_NOT_SUPPORTED;
    }

    /**
     * Observed 3 SetDeviceFaultReportingEx, build A, rows 1-7 in order: InputMappingIdBase not 0 _2; disabling with
     * a configuration _4; disabling SUCCESS (always, registered or not); enabling without a configuration _4;
     * enabling when a handler is set STATUS_ALREADY_REGISTERED; a null FaultHandler _4; otherwise SUCCESS. Whether
     * the device is attached is not checked. A null or deleted token (undefined on Windows) is
     * STATUS_INVALID_PARAMETER, the documented choice for a bad token (spec 5.2 item 10).
     */
    @Override
    int setDeviceFaultReportingEx(final DmaDevice device, final int inputMappingIdBase, final boolean enable,
        final DeviceFaultConfiguration faultConfig)
    {
        if (null == device || !device.isAlive())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (inputMappingIdBase != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (!enable)
        {
            return null != faultConfig ? NtStatus.STATUS_INVALID_PARAMETER_4 : NtStatus.STATUS_SUCCESS;
        }
        if (null == faultConfig)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        if (device.faultReporting())
        {
            return NtStatus.STATUS_ALREADY_REGISTERED;
        }
        return null == faultConfig.faultHandler() ? NtStatus.STATUS_INVALID_PARAMETER_4 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 3 QueryInputMappings: on x64 the shared stub, STATUS_NOT_SUPPORTED, reading no argument (on ARM64 as
     * documented).
     */
    @Override
    int queryInputMappings(final Platform platform, final DeviceObject deviceObject,
        final InputMappingElement[] buffer, final int bufferLength)
    {
        return platform.architecture() == Architecture.ARM64 ?
            super.queryInputMappings(platform, deviceObject, buffer, bufferLength) : NtStatus.STATUS_NOT_SUPPORTED;
    }

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
}
