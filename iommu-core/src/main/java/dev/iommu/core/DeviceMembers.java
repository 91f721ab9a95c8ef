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
    private final ContextRecords records;

    private final Verifier verifier;

    DeviceMembers(final Platform platform, final DeviceRules rules, final Handles handles,
        final Notifications notifications, final Verifier verifier)
    {
        this.verifier = verifier;
        this.platform = platform;
        this.rules = rules;
        this.handles = handles;
        this.devices = handles.devices();
        this.records = handles.domains().records();
        this.notifications = notifications;
    }

    int createDevice(final DeviceObject deviceObject, final IommuDeviceCreationConfiguration config,
        final Ref<IommuDmaDevice> dmaDeviceOut)
    {
        rules.createDeviceOutputs(dmaDeviceOut);
        final DeviceCreationRules creation = new DeviceCreationRules();
        final int status = rules.createDevice(platform, devices, deviceObject, config, dmaDeviceOut, creation);
        if (verifier.on)
        {
            verifier.compare("CreateDevice", status, verifier.otherRules().devices.createDevice(
                platform, devices, deviceObject, config, dmaDeviceOut, new DeviceCreationRules()),
                () -> String.valueOf(deviceObject), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final PhysicalDeviceObject pdo = (PhysicalDeviceObject)deviceObject;
        // An ARM64 ACPI device's token stands for the input mappings of its ACPI configuration (checked equal to the
        // device's own): V1 SetDeviceFaultReporting names them by that base.
        final int base = pdo.bus() == Bus.ACPI && platform.architecture() == Architecture.ARM64 ?
            pdo.inputMappingBase() : 0;
        final DmaDevice device = rules.addDevice(devices, pdo, creation, base);
        if (device == DeviceTable.TAKEN)
        {
            return rules.deviceTaken();
        }
        if (null == device)
        {
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        synchronized (device)
        {
            // A new device, or one more reference to a shared one: its record is written before the token is out.
            records.deviceChanged(device);
        }
        dmaDeviceOut.set(device);
        return NtStatus.STATUS_SUCCESS;
    }

    int deleteDevice(final IommuDmaDevice dmaDevice)
    {
        final DmaDevice device = devices.resolve(dmaDevice);
        final int status = rules.deleteDevice(device);
        if (verifier.on)
        {
            verifier.compare("DeleteDevice", status, verifier.otherRules().devices.deleteDevice(device),
                () -> objects(null, device), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        synchronized (device)
        {
            final int inUse = rules.deleteDeviceLocked(device);
            if (verifier.on)
            {
                verifier.compare("DeleteDevice", inUse, verifier.otherRules().devices.deleteDeviceLocked(device),
                    () -> objects(null, device), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
            }
            if (inUse != NtStatus.STATUS_SUCCESS)
            {
                return inUse;
            }
            // One reference dropped; the device goes at the last (a device is shared only where the profile's
            // CreateDevice shares it, observed 3 DeleteDevice row 4).
            if (device.release() != 0)
            {
                records.deviceChanged(device);
                return NtStatus.STATUS_SUCCESS;
            }
            device.kill();
            records.deviceDeleted(device);
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
        if (verifier.on)
        {
            verifier.compare("AttachDeviceEx", status, verifier.otherRules().devices.attachDeviceEx(domain, device),
                () -> objects(domain, device), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
        return status != NtStatus.STATUS_SUCCESS ? status : attach("AttachDeviceEx", device, domain, false);
    }

    /**
     * Attaches a device under its monitor after the profile's check; a device the check lets through while it is
     * attached to this domain stays (a no-op), one attached to another domain moves (both only where the profile
     * allows it, observed 3 AttachDeviceEx rows 2 and 3).
     */
    private int attach(final String member, final DmaDevice device, final Domain domain, final boolean v1)
    {
        synchronized (device)
        {
            final int available = rules.availableDomainTypes(platform, device);
            final int status = v1 ? rules.attachV1Locked(device, domain, available) :
                rules.attachLocked(device, domain, available);
            final Domain current = device.domain();
            if (verifier.on)
            {
                verifyAttach(member, device, domain, v1, status, current);
            }
            if (status != NtStatus.STATUS_SUCCESS)
            {
                return status;
            }
            if (current == domain)
            {
                return NtStatus.STATUS_SUCCESS;
            }
            if (!domain.attach())
            {
                return rules.domainGone();
            }
            device.domain(domain);
            // The record first, then the count: a domain is never deletable while a record names it (DirectoryReader).
            try
            {
                records.deviceChanged(device);
            }
            finally
            {
                if (null != current)
                {
                    current.detach();
                }
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }

    private void verifyAttach(final String member, final DmaDevice device, final Domain domain, final boolean v1,
        final int status, final Domain current)
    {
        final DeviceRules other = verifier.otherRules().devices;
        final int available = other.availableDomainTypes(platform, device);
        verifier.compare(member, status, v1 ? other.attachV1Locked(device, domain, available) :
            other.attachLocked(device, domain, available), () -> objects(domain, device), VerifierReport.NO_ADDRESS,
            VerifierReport.NO_ADDRESS);
        if (null != current && current != domain)
        {
            verifier.hazard(VerifierRule.ATTACH_MOVES_DEVICE, member, objects(domain, device) + " from domain#" +
                current.id(), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS,
                "attached to another domain: Windows moves the device, the documented contract refuses it");
        }
    }

    /**
     * The objects string of a verifier report: {@code "domain#3 device#7"}, either part left out when null.
     */
    private static String objects(final Domain domain, final DmaDevice device)
    {
        final String d = Verifier.describe(domain);
        final String v = Verifier.describe(device);
        return d.isEmpty() || v.isEmpty() ? d + v : d + " " + v;
    }

    int detachDeviceEx(final IommuDmaDevice deviceHandle)
    {
        final DmaDevice device = devices.resolve(deviceHandle);
        final int status = rules.detachDeviceEx(device);
        if (verifier.on)
        {
            verifier.compare("DetachDeviceEx", status, verifier.otherRules().devices.detachDeviceEx(device),
                () -> objects(null, device), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        synchronized (device)
        {
            final int attached = rules.detachDeviceExLocked(device);
            if (verifier.on)
            {
                verifier.compare("DetachDeviceEx", attached,
                    verifier.otherRules().devices.detachDeviceExLocked(device), () -> objects(device.domain(), device),
                    VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
            }
            if (attached != NtStatus.STATUS_SUCCESS)
            {
                return attached;
            }
            final Domain domain = unlink(device);
            try
            {
                records.deviceChanged(device);
            }
            finally
            {
                domain.detach();
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Detaches a device from its domain, deleted or not (observed DeleteDomain leaves devices on a dead domain), but
     * leaves the domain's count of attached devices to the caller, who decrements it ({@link Domain#detach}) only
     * after the device's record no longer names the domain: until then DeleteDomain is refused, so a domain a
     * record names never has its tables freed (the argument of {@link DirectoryReader}, another process).
     *
     * @return the domain it was attached to.
     */
    private static Domain unlink(final DmaDevice device)
    {
        final Domain domain = device.domain();
        device.domain(null);
        return domain;
    }

    int attachDevice(final IommuDmaDomain domainHandle, final DeviceObject deviceObject, final int inputMappingIdBase,
        final int mappingCount)
    {
        final Domain domain = handles.domain(domainHandle);
        final int status = rules.attachDevice(platform, domain, deviceObject, inputMappingIdBase, mappingCount);
        if (verifier.on)
        {
            verifier.compare("AttachDevice", status, verifier.otherRules().devices.attachDevice(
                platform, domain, deviceObject, inputMappingIdBase, mappingCount), () -> objects(domain, null) + " " +
                deviceObject, VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final DmaDevice device = rules.v1Device(devices, (PhysicalDeviceObject)deviceObject, inputMappingIdBase);
        if (device == DeviceTable.TAKEN)
        {
            if (verifier.on)
            {
                v1Taken(domain, (PhysicalDeviceObject)deviceObject);
            }
            return rules.deviceTaken();
        }
        if (null == device)
        {
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        // A V1 device is attached from its creation until V1 DetachDevice deletes it: one without a domain is new (an
        // old one is the observed profile's: the verifier's compare in attach reports the documented refusal).
        final boolean fresh = null == device.domain();
        final int attached = attach("AttachDevice", device, domain, true);
        if (attached != NtStatus.STATUS_SUCCESS && fresh)
        {
            synchronized (device)
            {
                device.kill();
            }
            devices.remove(device);
        }
        return attached;
    }

    /**
     * The verifier's report of a V1 AttachDevice the documented profile refuses because V1 attached the device
     * object already (Windows attaches it again or moves it: SUCCESS).
     */
    private void v1Taken(final Domain domain, final PhysicalDeviceObject pdo)
    {
        final DmaDevice existing = devices.deviceOf(pdo);
        if (null != existing && existing.isV1())
        {
            verifier.divergence("AttachDevice", rules.deviceTaken(), NtStatus.STATUS_SUCCESS,
                objects(domain, existing), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS,
                "the device object is attached through V1 already: Windows attaches it again or moves it");
            final Domain current = existing.domain();
            if (null != current && current != domain)
            {
                verifier.hazard(VerifierRule.ATTACH_MOVES_DEVICE, "AttachDevice", objects(domain, existing) +
                    " from domain#" + current.id(), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS,
                    "attached to another domain: Windows moves the device, the documented contract refuses it");
            }
        }
    }

    int detachDevice(final IommuDmaDomain domainHandle, final DeviceObject deviceObject, final int inputMappingId)
    {
        final Domain domain = handles.domain(domainHandle);
        final int status = rules.detachDevice(platform, domain, deviceObject);
        if (verifier.on)
        {
            verifier.compare("DetachDevice", status, verifier.otherRules().devices.detachDevice(
                platform, domain, deviceObject), () -> objects(domain, null) + " " + deviceObject,
                VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
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
            final Domain attachedTo = unlink(device);
            device.kill();
            try
            {
                records.deviceDeleted(device);
            }
            finally
            {
                attachedTo.detach();
            }
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
        if (verifier.on)
        {
            verifier.compare("SetDeviceFaultReporting", status, verifier.otherRules().devices.setDeviceFaultReporting(
                platform, deviceObject, device, inputMappingIdBase, enable, faultConfig), () -> objects(null, device),
                VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
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
        final boolean was;
        synchronized (device)
        {
            final int status = rules.faultReportingLocked(device);
            if (status != NtStatus.STATUS_SUCCESS)
            {
                return status;
            }
            was = device.faultReporting();
            device.faultReporting(enable);
        }
        return register(device, was, enable, config);
    }

    /**
     * The registration half of SetDeviceFaultReporting(Ex), outside the device's monitor (disabling waits for a
     * delivery in progress): a refused registration (after close, or no memory for it) puts the device's switch
     * back, so the failed call changed nothing.
     */
    private int register(final DmaDevice device, final boolean was, final boolean enable,
        final DeviceFaultConfiguration config)
    {
        if (notifications.setDeviceFaultReporting(device.id(), enable, config))
        {
            return NtStatus.STATUS_SUCCESS;
        }
        synchronized (device)
        {
            device.faultReporting(was);
        }
        return NtStatus.STATUS_UNSUCCESSFUL;
    }

    /**
     * SetDeviceFaultReportingEx: the profile's rule under the device's monitor (it reads whether a handler is set),
     * then the registration changes as V1's does (disabling waits for a delivery in progress). The documented
     * profile refuses every call (STATUS_NOT_IMPLEMENTED), so only the observed one reaches the registration.
     */
    int setDeviceFaultReportingEx(final IommuDmaDevice dmaDevice, final int inputMappingIdBase, final boolean enable,
        final DeviceFaultConfiguration faultConfig)
    {
        final DmaDevice device = devices.resolve(dmaDevice);
        if (null == device)
        {
            return faultReportingEx(null, inputMappingIdBase, enable, faultConfig);
        }
        final boolean was;
        synchronized (device)
        {
            final int status = faultReportingEx(device, inputMappingIdBase, enable, faultConfig);
            if (status != NtStatus.STATUS_SUCCESS)
            {
                return status;
            }
            was = device.faultReporting();
            device.faultReporting(enable);
        }
        return register(device, was, enable, faultConfig);
    }

    private int faultReportingEx(final DmaDevice device, final int inputMappingIdBase, final boolean enable,
        final DeviceFaultConfiguration faultConfig)
    {
        final int status = rules.setDeviceFaultReportingEx(device, inputMappingIdBase, enable, faultConfig);
        if (verifier.on)
        {
            verifier.compare("SetDeviceFaultReportingEx", status, verifier.otherRules().devices
                .setDeviceFaultReportingEx(device, inputMappingIdBase, enable, faultConfig),
                () -> objects(null, device), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
        return status;
    }

    void queryAvailableDomainTypes(final IommuDmaDevice deviceHandle, final IntRef availableDomains)
    {
        if (null == availableDomains)
        {
            return;
        }
        final DmaDevice device = devices.resolve(deviceHandle);
        final int types = null == device ? 0 : rules.availableDomainTypes(platform, device);
        if (verifier.on && null != device)
        {
            final int other = verifier.otherRules().devices.availableDomainTypes(platform, device);
            if (other != types)
            {
                final boolean documented = verifier.otherRules().profile == BehaviourProfile.OBSERVED_WINDOWS;
                verifier.divergence("QueryAvailableDomainTypes", NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS,
                    objects(null, device), VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS,
                    "available domain types: documented 0x" + Integer.toHexString(documented ? types : other) +
                    ", observed 0x" + Integer.toHexString(documented ? other : types));
            }
        }
        availableDomains.set(types);
    }

    int queryInputMappings(final DeviceObject deviceObject, final InputMappingElement[] buffer,
        final int bufferLength, final IntRef returnLength)
    {
        final int status = rules.queryInputMappings(platform, deviceObject, buffer, bufferLength);
        if (verifier.on)
        {
            verifier.compare("QueryInputMappings", status, verifier.otherRules().devices.queryInputMappings(
                platform, deviceObject, buffer, bufferLength), () -> String.valueOf(deviceObject),
                VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
        }
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
