/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.callbacks.Notifications;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.Bus;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;

/**
 * The device members of all three tables, each written once: CreateDevice, DeleteDevice, AttachDeviceEx,
 * DetachDeviceEx, the V1 AttachDevice, DetachDevice and SetDeviceFaultReporting, SetDeviceFaultReportingEx,
 * QueryAvailableDomainTypes and QueryInputMappings. Each runs its {@link DeviceRules}, then changes the
 * {@link DeviceTable} and the domain under the device's monitor (lock order: device, then domain).
 */
final class DeviceMembers
{
    private final Platform platform;
    private final DeviceRules rules;
    private final Handles handles;
    private final DeviceTable devices;
    private final Notifications notifications;

    private final Verifier verifier;

    DeviceMembers(final Platform platform, final DeviceRules rules, final Handles handles,
        final Notifications notifications, final Verifier verifier)
    {
        this.verifier = verifier;
        this.platform = platform;
        this.rules = rules;
        this.handles = handles;
        this.devices = handles.devices();
        this.notifications = notifications;
    }

    int createDevice(final DeviceObject deviceObject, final IommuDeviceCreationConfiguration config,
        final Ref<IommuDmaDevice> dmaDeviceOut)
    {
        final DeviceCreationRules creation = new DeviceCreationRules();
        final int status = rules.createDevice(platform, deviceObject, config, dmaDeviceOut, creation);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final PhysicalDeviceObject pdo = (PhysicalDeviceObject)deviceObject;
        // An ARM64 ACPI device's token stands for the input mappings of its ACPI configuration (checked equal to the
        // device's own): V1 SetDeviceFaultReporting names them by that base.
        final int base = pdo.bus() == Bus.ACPI && platform.architecture() == Architecture.ARM64 ?
            pdo.inputMappingBase() : 0;
        final DmaDevice device = devices.add(pdo, creation.pasidConfig(), creation.suppressPasidFaults(), false, base);
        if (device == DeviceTable.TAKEN)
        {
            return rules.deviceTaken();
        }
        if (null == device)
        {
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        dmaDeviceOut.set(device);
        return NtStatus.STATUS_SUCCESS;
    }

    int deleteDevice(final IommuDmaDevice dmaDevice)
    {
        final DmaDevice device = devices.resolve(dmaDevice);
        final int status = rules.deleteDevice(device);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        synchronized (device)
        {
            final int inUse = rules.deleteDeviceLocked(device);
            if (inUse != NtStatus.STATUS_SUCCESS)
            {
                return inUse;
            }
            device.kill();
        }
        devices.remove(device);
        // A deleted device reports no more faults; its registration goes with it.
        notifications.setDeviceFaultReporting(device.id(), false, null);
        return NtStatus.STATUS_SUCCESS;
    }

    int attachDeviceEx(final IommuDmaDomain domainHandle, final IommuDmaDevice deviceHandle)
    {
        final Domain domain = handles.domain(domainHandle);
        final DmaDevice device = devices.resolve(deviceHandle);
        final int status = rules.attachDeviceEx(domain, device);
        return status != NtStatus.STATUS_SUCCESS ? status : attach(device, domain);
    }

    private int attach(final DmaDevice device, final Domain domain)
    {
        synchronized (device)
        {
            final int status = rules.attachLocked(device, domain, platform.policy().availableDomainTypes(device.pdo()));
            if (status != NtStatus.STATUS_SUCCESS)
            {
                return status;
            }
            if (!domain.attach())
            {
                return rules.domainGone();
            }
            device.domain(domain);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    int detachDeviceEx(final IommuDmaDevice deviceHandle)
    {
        final DmaDevice device = devices.resolve(deviceHandle);
        final int status = rules.detachDeviceEx(device);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        synchronized (device)
        {
            final int attached = rules.detachDeviceExLocked(device);
            if (attached != NtStatus.STATUS_SUCCESS)
            {
                return attached;
            }
            detach(device);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    private static void detach(final DmaDevice device)
    {
        final Domain domain = device.domain();
        device.domain(null);
        domain.detach();
    }

    int attachDevice(final IommuDmaDomain domainHandle, final DeviceObject deviceObject, final int inputMappingIdBase,
        final int mappingCount)
    {
        final Domain domain = handles.domain(domainHandle);
        final int status = rules.attachDevice(platform, domain, deviceObject, inputMappingIdBase, mappingCount);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final DmaDevice device = devices.add((PhysicalDeviceObject)deviceObject, null, false, true, inputMappingIdBase);
        if (device == DeviceTable.TAKEN)
        {
            return rules.deviceTaken();
        }
        if (null == device)
        {
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        final int attached = attach(device, domain);
        if (attached != NtStatus.STATUS_SUCCESS)
        {
            synchronized (device)
            {
                device.kill();
            }
            devices.remove(device);
        }
        return attached;
    }

    int detachDevice(final IommuDmaDomain domainHandle, final DeviceObject deviceObject, final int inputMappingId)
    {
        final Domain domain = handles.domain(domainHandle);
        final int status = rules.detachDevice(platform, domain, deviceObject);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final DmaDevice device = devices.deviceOf((PhysicalDeviceObject)deviceObject);
        if (null == device)
        {
            return rules.detachDeviceLocked(null, domain, inputMappingId);
        }
        synchronized (device)
        {
            final int attached = rules.detachDeviceLocked(device, domain, inputMappingId);
            if (attached != NtStatus.STATUS_SUCCESS)
            {
                return attached;
            }
            detach(device);
            device.kill();
        }
        devices.remove(device);
        notifications.setDeviceFaultReporting(device.id(), false, null);
        return NtStatus.STATUS_SUCCESS;
    }

    int setDeviceFaultReporting(final DeviceObject deviceObject, final int inputMappingIdBase, final boolean enable,
        final DeviceFaultConfiguration faultConfig)
    {
        final DmaDevice device = platform.owns(deviceObject) ?
            devices.deviceOf((PhysicalDeviceObject)deviceObject) : null;
        final int status = rules.setDeviceFaultReporting(
            platform, deviceObject, device, inputMappingIdBase, enable, faultConfig);
        return status != NtStatus.STATUS_SUCCESS ? status : faultReporting(device, enable, faultConfig);
    }

    int setDeviceFaultReporting(final IommuDmaDevice dmaDevice, final boolean enable,
        final DeviceFaultConfiguration faultConfig)
    {
        final DmaDevice device = devices.resolve(dmaDevice);
        final int status = rules.setDeviceFaultReporting(device, enable, faultConfig);
        return status != NtStatus.STATUS_SUCCESS ? status : faultReporting(device, enable, faultConfig);
    }

    private int faultReporting(final DmaDevice device, final boolean enable, final DeviceFaultConfiguration config)
    {
        synchronized (device)
        {
            final int status = rules.faultReportingLocked(device);
            if (status != NtStatus.STATUS_SUCCESS)
            {
                return status;
            }
            device.faultReporting(enable);
        }
        return notifications.setDeviceFaultReporting(device.id(), enable, config) ?
            NtStatus.STATUS_SUCCESS : NtStatus.STATUS_UNSUCCESSFUL;
    }

    int setDeviceFaultReportingEx()
    {
        return rules.setDeviceFaultReportingEx();
    }

    void queryAvailableDomainTypes(final IommuDmaDevice deviceHandle, final IntRef availableDomains)
    {
        if (null == availableDomains)
        {
            return;
        }
        final DmaDevice device = devices.resolve(deviceHandle);
        availableDomains.set(null == device ? 0 : platform.policy().availableDomainTypes(device.pdo()));
    }

    int queryInputMappings(final DeviceObject deviceObject, final InputMappingElement[] buffer,
        final int bufferLength, final IntRef returnLength)
    {
        final int status = rules.queryInputMappings(platform, deviceObject, buffer, bufferLength);
        if (status != NtStatus.STATUS_SUCCESS && status != NtStatus.STATUS_BUFFER_TOO_SMALL)
        {
            return status;
        }
        final PhysicalDeviceObject pdo = (PhysicalDeviceObject)deviceObject;
        final int count = pdo.inputMappingCount();
        if (status == NtStatus.STATUS_SUCCESS)
        {
            for (int i = 0; i < count; i++)
            {
                buffer[i].inputMappingId(pdo.inputMappingBase() + i);
            }
        }
        if (null != returnLength)
        {
            returnLength.set(count * InputMappingElement.SIZE_X64);
        }
        return status;
    }
}
