/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.callbacks.Notifications;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.Bus;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;

/**
 * The argument rules of the device members of all three tables: CreateDevice, DeleteDevice, AttachDeviceEx,
 * DetachDeviceEx, V1 AttachDevice and DetachDevice, QueryAvailableDomainTypes, QueryInputMappings, V1
 * SetDeviceFaultReporting, SetDeviceFaultReportingEx and the state-change registration (spec 2.4 to 2.7, 2.10,
 * 2.18, 2.19, 2.21 to 2.23, 2.28, 2.29, 5.2, 5.6). Methods named {@code ...Locked} are the checks of the same member
 * that read a device's state: the member calls them under the device's monitor, right before it changes that state.
 * <p>
 * Choices for what the spec leaves open, each made here once:
 * <ul>
 *     <li>5.2 item 6: a null device object, or one that is not a device of this platform, is
 *     STATUS_INVALID_PARAMETER; a device of this platform that no IOMMU translates is STATUS_NOT_FOUND;</li>
 *     <li>5.2 item 7 and 5.1 item 4: one device per physical device object (an IOMMU has one context entry per
 *     requester id): CreateDevice for a device that has a token, or that V1 AttachDevice attached, is
 *     STATUS_INVALID_PARAMETER, and so is V1 AttachDevice of a device that has a token;</li>
 *     <li>5.2 item 9: DeleteDevice with a state-change callback registered or PASID sub-devices alive is
 *     STATUS_RESOURCE_IN_USE, like an attached device;</li>
 *     <li>5.2 item 10: a null, foreign or deleted token is STATUS_INVALID_PARAMETER;</li>
 *     <li>5.3 item 15: AttachDeviceEx and V1 AttachDevice to a TranslateS1 domain are STATUS_ACCESS_DENIED (PASID
 *     sub-devices only); V1 AttachDevice applies the DMA Guard policy as AttachDeviceEx does;</li>
 *     <li>V1 AttachDevice: an input-mapping range that is not the device's (0 and 1 for every device but an ACPI
 *     device on ARM64, whose range must lie inside its ids) is STATUS_INVALID_PARAMETER_3; V1 DetachDevice of a
 *     device not attached through V1 to that domain with that base is STATUS_INVALID_PARAMETER_2 (both as
 *     Windows answers);</li>
 *     <li>5.6 item 47: fault reporting of a device that is not attached is STATUS_INVALID_PARAMETER_1; enabling
 *     twice replaces the handler; disabling when off succeeds; the Ex form is STATUS_NOT_IMPLEMENTED;</li>
 *     <li>5.6 item 42: Register with a null callback is STATUS_INVALID_PARAMETER_1, a null or deleted device _3,
 *     no known bit in StateFields _4 (reserved bits are ignored when bit 0 is set); 5.6 item 43: Unregister of a
 *     callback not registered for that device (or of a deleted device) is STATUS_UNSUCCESSFUL;</li>
 *     <li>QueryInputMappings: lengths in bytes; on x64, or for a device no IOMMU translates, STATUS_UNSUCCESSFUL;
 *     a buffer array shorter than its ids, or with null elements, STATUS_INVALID_PARAMETER_2.</li>
 * </ul>
 */
class DeviceRules
{
    /**
     * What {@code CreateDevice} writes before any check: nothing (the out-parameter is written only on success).
     *
     * @param dmaDeviceOut the caller's out-parameter, or null.
     */
    void createDeviceOutputs(final Ref<IommuDmaDevice> dmaDeviceOut)
    {
    }

    /**
     * {@code CreateDevice} (spec 2.28), in order: the device object, whether an IOMMU translates it, the
     * configuration list ({@link DeviceCreationRules}, _2), the IOMMU's device-id lookup (STATUS_UNSUCCESSFUL), the
     * out-parameter (_3), then a device object that already has a device: {@link #deviceTaken()} (the device table
     * checks it again when it adds the device).
     */
    int createDevice(final Platform platform, final DeviceTable devices, final DeviceObject deviceObject,
        final IommuDeviceCreationConfiguration config, final Object dmaDeviceOut, final DeviceCreationRules creation)
    {
        final int status = behindIommu(platform, deviceObject);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final PhysicalDeviceObject pdo = (PhysicalDeviceObject)deviceObject;
        final int configStatus = creation.check(pdo, platform.architecture(), config);
        if (configStatus != NtStatus.STATUS_SUCCESS)
        {
            return configStatus;
        }
        if (!pdo.iommu().implementsDeviceIdLookup())
        {
            return NtStatus.STATUS_UNSUCCESSFUL;
        }
        if (null == dmaDeviceOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        return null == devices.deviceOf(pdo) ? NtStatus.STATUS_SUCCESS : deviceTaken();
    }

    /**
     * The device table's part of {@code CreateDevice}: a new device for a device object that has none.
     *
     * @return the device; {@link DeviceTable#TAKEN} when the device object has one; null at the device limit.
     */
    DmaDevice addDevice(final DeviceTable devices, final PhysicalDeviceObject pdo, final DeviceCreationRules creation,
        final int attachBase)
    {
        return devices.add(pdo, creation.pasidConfig(), creation.suppressPasidFaults(), false, attachBase);
    }

    /**
     * CreateDevice or V1 AttachDevice of a device object that already has a device (spec 5.2 item 7, 5.1 item 4).
     */
    int deviceTaken()
    {
        return NtStatus.STATUS_INVALID_PARAMETER;
    }

    /**
     * {@code DeleteDevice} (spec 2.29): the token.
     */
    int deleteDevice(final DmaDevice device)
    {
        return null == device ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code DeleteDevice} under the device's monitor: attached, a callback registered, or PASID sub-devices alive:
     * STATUS_RESOURCE_IN_USE.
     */
    int deleteDeviceLocked(final DmaDevice device)
    {
        if (!device.isAlive())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return null != device.domain() || device.stateChangeRegistered() || device.pasidDeviceCount() != 0 ?
            NtStatus.STATUS_RESOURCE_IN_USE : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code AttachDeviceEx} (spec 2.6): both handles.
     */
    int attachDeviceEx(final Domain domain, final DmaDevice device)
    {
        return null == domain || null == device ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    /**
     * AttachDeviceEx and V1 AttachDevice under the device's monitor: already attached STATUS_INVALID_PARAMETER; a
     * TranslateS1 domain, or a type the DMA Guard policy does not offer the device now, STATUS_ACCESS_DENIED.
     */
    int attachLocked(final DmaDevice device, final Domain domain, final int availableDomainTypes)
    {
        if (!device.isAlive() || null != device.domain())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (domain.type() == IommuDmaDomainType.TRANSLATE_S1 || (availableDomainTypes & domain.type().mask()) == 0)
        {
            return NtStatus.STATUS_ACCESS_DENIED;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * V1 {@code AttachDevice} under the device's monitor: as {@link #attachLocked}.
     */
    int attachV1Locked(final DmaDevice device, final Domain domain, final int availableDomainTypes)
    {
        return attachLocked(device, domain, availableDomainTypes);
    }

    /**
     * The device V1 {@code AttachDevice} attaches: a new one for a device object that has none.
     *
     * @return the device; {@link DeviceTable#TAKEN} when the device object has one; null at the device limit.
     */
    DmaDevice v1Device(final DeviceTable devices, final PhysicalDeviceObject pdo, final int inputMappingIdBase)
    {
        return devices.add(pdo, null, false, true, inputMappingIdBase);
    }

    /**
     * The domain types a device may use now ({@code QueryAvailableDomainTypes}, spec 2.21, and the check of
     * AttachDeviceEx): the DMA Guard policy's set.
     */
    int availableDomainTypes(final Platform platform, final DmaDevice device)
    {
        return platform.policy().availableDomainTypes(device.pdo());
    }

    /**
     * An attach that found its domain deleted in the meantime.
     */
    int domainGone()
    {
        return NtStatus.STATUS_INVALID_PARAMETER;
    }

    /**
     * {@code DetachDeviceEx} (spec 2.7): the token.
     */
    int detachDeviceEx(final DmaDevice device)
    {
        return null == device ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code DetachDeviceEx} under the device's monitor: not attached STATUS_INVALID_PARAMETER_1.
     */
    int detachDeviceExLocked(final DmaDevice device)
    {
        return !device.isAlive() || null == device.domain() ?
            NtStatus.STATUS_INVALID_PARAMETER_1 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * V1 {@code AttachDevice} (spec 2.4): the domain, the device object (as CreateDevice), the IOMMU's device-id
     * lookup, then the input-mapping range (_3).
     */
    int attachDevice(final Platform platform, final Domain domain, final DeviceObject deviceObject,
        final int inputMappingIdBase, final int mappingCount)
    {
        if (null == domain)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
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
        return inputMappingsFit(platform, pdo, inputMappingIdBase, mappingCount) ?
            NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_3;
    }

    /**
     * V1 {@code DetachDevice} (spec 2.5): the domain and device object; then, under the device's monitor, a device
     * not attached through V1 to this domain with this base is STATUS_INVALID_PARAMETER_2.
     */
    int detachDevice(final Platform platform, final Domain domain, final DeviceObject deviceObject)
    {
        return null == domain || !platform.owns(deviceObject) ?
            NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
    }

    /**
     * V1 {@code DetachDevice} under the device's monitor.
     */
    int detachDeviceLocked(final DmaDevice device, final Domain domain, final int inputMappingId)
    {
        return null == device || !device.isV1() || !device.isAlive() || device.domain() != domain ||
            device.attachBase() != inputMappingId ? NtStatus.STATUS_INVALID_PARAMETER_2 : NtStatus.STATUS_SUCCESS;
    }

    /**
     * V1 {@code SetDeviceFaultReporting} (spec 2.18, 5.6 item 47) of the device a device object stands for
     * (attached through either table): the device object STATUS_INVALID_PARAMETER; enabling without a
     * configuration or handler _4; the device not attached _1; a base other than the one used at attach _2.
     */
    int setDeviceFaultReporting(final Platform platform, final DeviceObject deviceObject, final DmaDevice device,
        final int inputMappingIdBase, final boolean enable, final DeviceFaultConfiguration faultConfig)
    {
        if (!platform.owns(deviceObject))
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (enable && (null == faultConfig || null == faultConfig.faultHandler()))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        if (null == device || !device.isAlive() || null == device.domain())
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        return device.attachBase() == inputMappingIdBase ? NtStatus.STATUS_SUCCESS :
            NtStatus.STATUS_INVALID_PARAMETER_2;
    }

    /**
     * The embedder's fault reporting of a token ({@code IommuEmulator.setDeviceFaultReporting}), with the V1 rules:
     * the token STATUS_INVALID_PARAMETER; enabling without a configuration or handler _4; not attached _1.
     */
    int setDeviceFaultReporting(final DmaDevice device, final boolean enable, final DeviceFaultConfiguration config)
    {
        if (null == device)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (enable && (null == config || null == config.faultHandler()))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        return device.isAlive() && null != device.domain() ?
            NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1;
    }

    /**
     * Fault reporting, under the device's monitor: deleted or detached meanwhile STATUS_INVALID_PARAMETER_1.
     */
    int faultReportingLocked(final DmaDevice device)
    {
        return device.isAlive() && null != device.domain() ?
            NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER_1;
    }

    /**
     * {@code SetDeviceFaultReportingEx} (spec 2.19): always STATUS_NOT_IMPLEMENTED, as documented.
     */
    int setDeviceFaultReportingEx(final DmaDevice device, final int inputMappingIdBase, final boolean enable,
        final DeviceFaultConfiguration faultConfig)
    {
        return NtStatus.STATUS_NOT_IMPLEMENTED;
    }

    /**
     * {@code QueryInputMappings} (spec 2.10): every check, in order; STATUS_BUFFER_TOO_SMALL is
     * {@link #inputMappingsTooSmall}.
     */
    int queryInputMappings(final Platform platform, final DeviceObject deviceObject,
        final InputMappingElement[] buffer, final int bufferLength)
    {
        if (platform.architecture() != Architecture.ARM64 || !platform.owns(deviceObject) ||
            null == ((PhysicalDeviceObject)deviceObject).iommu())
        {
            return NtStatus.STATUS_UNSUCCESSFUL;
        }
        final PhysicalDeviceObject pdo = (PhysicalDeviceObject)deviceObject;
        final int count = pdo.inputMappingCount();
        if (bufferLength < count * InputMappingElement.SIZE_X64)
        {
            return NtStatus.STATUS_BUFFER_TOO_SMALL;
        }
        if (null == buffer || buffer.length < count)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        for (int i = 0; i < count; i++)
        {
            if (null == buffer[i])
            {
                return NtStatus.STATUS_INVALID_PARAMETER_2;
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code RegisterInterfaceStateChangeCallback} (spec 2.22): null callback _1, null or deleted device _3, no
     * known bit _4. Already registered is {@link #registerLocked}.
     */
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
        if (null == stateFields ||
            (stateFields.asUlong() & IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES) == 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Register under the device's monitor: deleted meanwhile _3; already registered STATUS_UNSUCCESSFUL; no room for
     * the registration ({@link StateChangeDelivery#hasRoom()}, never false in the documented delivery)
     * STATUS_INSUFFICIENT_RESOURCES.
     */
    int registerLocked(final DmaDevice device, final boolean room)
    {
        if (!device.isAlive())
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        if (device.stateChangeRegistered())
        {
            return NtStatus.STATUS_UNSUCCESSFUL;
        }
        return room ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INSUFFICIENT_RESOURCES;
    }

    /**
     * How this profile keeps and calls state-change callbacks, built once per emulator: the notification ring and
     * its dispatcher (spec 5.6 items 41, 44, 45).
     *
     * @param platform      the platform (its DMA Guard policy).
     * @param notifications the emulator's notifications.
     * @return the delivery strategy.
     */
    StateChangeDelivery stateChangeDelivery(final Platform platform, final Notifications notifications)
    {
        return new RingStateChangeDelivery(platform, notifications);
    }

    /**
     * {@code UnregisterInterfaceStateChangeCallback} (spec 2.23): null callback _1; a null or deleted device, or a
     * callback not registered for it ({@link #notRegistered()}): STATUS_UNSUCCESSFUL.
     */
    int unregister(final IommuInterfaceStateChangeCallback callback, final DmaDevice device)
    {
        if (null == callback)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        return null == device ? notRegistered() : NtStatus.STATUS_SUCCESS;
    }

    /**
     * Unregister of a callback that is not registered for the device.
     */
    int notRegistered()
    {
        return NtStatus.STATUS_UNSUCCESSFUL;
    }

    static int behindIommu(final Platform platform, final DeviceObject deviceObject)
    {
        if (!platform.owns(deviceObject))
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return null == ((PhysicalDeviceObject)deviceObject).iommu() ?
            NtStatus.STATUS_NOT_FOUND : NtStatus.STATUS_SUCCESS;
    }

    private static boolean inputMappingsFit(final Platform platform, final PhysicalDeviceObject pdo,
        final int base, final int count)
    {
        if (pdo.bus() == Bus.ACPI && platform.architecture() == Architecture.ARM64)
        {
            final long first = Integer.toUnsignedLong(pdo.inputMappingBase());
            final long from = Integer.toUnsignedLong(base);
            return count >= 1 && from >= first &&
                from + count <= first + pdo.inputMappingCount();
        }
        return base == 0 && count == 1;
    }
}
