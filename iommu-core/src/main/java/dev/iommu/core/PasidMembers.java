/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Platform;

/**
 * The V3 members, each written once: CreatePasidDevice, DeletePasidDevice, AttachPasidDevice, DetachPasidDevice and
 * QueryDeviceInfo (spec 2.30 to 2.34). Sub-device lifecycle changes run under the parent device's monitor (lock
 * order: device, then domain), take a PASID from the emulator-wide {@link AsidSpace}, and count against the
 * platform's sub-device limit; an attached sub-device counts as a device attached to its domain, so DeleteDomain
 * refuses while one is there.
 */
final class PasidMembers
{
    private static final String CREATE = "CreatePasidDevice";
    private static final String DELETE = "DeletePasidDevice";
    private static final String ATTACH = "AttachPasidDevice";
    private static final String DETACH = "DetachPasidDevice";
    private static final String QUERY = "QueryDeviceInformation";

    private final Platform platform;
    private final PasidRules rules;
    private final DeviceRules deviceRules;
    private final Handles handles;
    private final AsidSpace asids;
    private final BoundedCounter live;

    private final Verifier verifier;

    PasidMembers(final Platform platform, final PasidRules rules, final DeviceRules deviceRules,
        final Handles handles, final Verifier verifier, final FailureInjection injection)
    {
        this.verifier = verifier;
        this.asids = new AsidSpace(injection);
        this.platform = platform;
        this.rules = rules;
        this.deviceRules = deviceRules;
        this.handles = handles;
        this.live = new BoundedCounter(platform.limits().maxPasidDevices(), injection,
            FailureInjection.AllocationKind.PASID_DEVICE_SLOT);
    }

    int createPasidDevice(final IommuDmaDevice dmaDevice, final Ref<IommuDmaPasidDevice> pasidDeviceOut,
        final IntRef asidOut)
    {
        rules.createPasidDeviceOutputs(pasidDeviceOut, asidOut);
        final DmaDevice device = handles.device(dmaDevice);
        final int status = rules.createPasidDevice(device, pasidDeviceOut, asidOut);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            if (verifier.on)
            {
                // The other profile's argument checks agree (CreatePasidDevice rows 1 and 2 are shared).
                verifier.compare(CREATE, status, verifier.otherRules().pasids.createPasidDevice(
                    device, pasidDeviceOut, asidOut), () -> objects(device), VerifierReport.NO_ADDRESS,
                    VerifierReport.NO_ADDRESS);
            }
            return status;
        }
        final PasidDevice created;
        synchronized (device)
        {
            final int pasid = asids.allocate(device.pdo().iommu().pasidWidth());
            final boolean underLimit = live.tryAcquire();
            final int allowed = rules.createPasidDeviceLocked(device, underLimit, pasid >= 0);
            if (verifier.on)
            {
                verifier.compare(CREATE, allowed, verifier.otherRules().pasids.createPasidDeviceLocked(
                    device, underLimit, pasid >= 0), () -> objects(device), VerifierReport.NO_ADDRESS,
                    VerifierReport.NO_ADDRESS);
            }
            if (allowed != NtStatus.STATUS_SUCCESS)
            {
                if (underLimit)
                {
                    live.release();
                }
                if (pasid >= 0)
                {
                    asids.free(pasid);
                }
                return allowed;
            }
            created = new PasidDevice(device, pasid);
            device.addPasidDevice(created);
            handles.domains().records().pasidChanged(created);
        }
        pasidDeviceOut.set(created);
        asidOut.set(created.pasid());
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Puts back a PASID sub-device of a persisted context table (a reopening emulator, before any call).
     *
     * @param parent its parent device, restored.
     * @param pasid  its PASID.
     * @param domain the domain it was attached to, restored, or null.
     * @throws IllegalStateException when this platform's limits cannot hold it or its PASID is taken.
     */
    void restore(final DmaDevice parent, final int pasid, final Domain domain)
    {
        if (!live.tryAcquire() || !asids.take(pasid))
        {
            throw new IllegalStateException("PASID " + pasid + " of device#" + parent.id() +
                " of the persisted context: taken twice, or beyond this platform's PASID device limit");
        }
        final PasidDevice device = new PasidDevice(parent, pasid);
        parent.addPasidDevice(device);
        if (null != domain && domain.attachPasid())
        {
            device.domain(domain);
        }
    }

    int deletePasidDevice(final IommuDmaPasidDevice handle)
    {
        final PasidDevice pasidDevice = handles.pasidDevice(handle);
        final int status = rules.deletePasidDevice(pasidDevice);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            if (verifier.on)
            {
                verifier.compare(DELETE, status, otherDelete(pasidDevice), () -> objects(pasidDevice),
                    VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
            }
            return status;
        }
        final DmaDevice parent = pasidDevice.parent();
        synchronized (parent)
        {
            final int idle = rules.deletePasidDeviceLocked(pasidDevice);
            if (verifier.on)
            {
                verifier.compare(DELETE, idle, otherDelete(pasidDevice), () -> objects(pasidDevice),
                    VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
            }
            if (idle != NtStatus.STATUS_SUCCESS)
            {
                return idle;
            }
            pasidDevice.kill();
            parent.removePasidDevice(pasidDevice);
            asids.free(pasidDevice.pasid());
            handles.domains().records().pasidDeleted(pasidDevice);
        }
        live.release();
        return NtStatus.STATUS_SUCCESS;
    }

    int attachPasidDevice(final IommuDmaDomain domainHandle, final IommuDmaPasidDevice handle)
    {
        final Domain domain = handles.domain(domainHandle);
        final PasidDevice pasidDevice = handles.pasidDevice(handle);
        final int status = rules.attachPasidDevice(domain, pasidDevice);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            if (verifier.on)
            {
                verifier.compare(ATTACH, status, otherAttach(domain, pasidDevice), () -> objects(domain, pasidDevice),
                    VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
            }
            return status;
        }
        final DmaDevice parent = pasidDevice.parent();
        synchronized (parent)
        {
            final int allowed = rules.attachPasidDeviceLocked(
                pasidDevice, domain, deviceRules.availableDomainTypes(platform, parent));
            if (verifier.on)
            {
                verifier.compare(ATTACH, allowed, otherAttach(domain, pasidDevice), () -> objects(domain, pasidDevice),
                    VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
            }
            if (allowed != NtStatus.STATUS_SUCCESS)
            {
                return allowed;
            }
            if (pasidDevice.domain() == domain)
            {
                // Attached to it already and the rules accept that: nothing to do.
                return NtStatus.STATUS_SUCCESS;
            }
            if (!domain.attachPasid())
            {
                return rules.domainGone();
            }
            pasidDevice.domain(domain);
            handles.domains().records().pasidChanged(pasidDevice);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    int detachPasidDevice(final IommuDmaPasidDevice handle)
    {
        final PasidDevice pasidDevice = handles.pasidDevice(handle);
        final int status = rules.detachPasidDevice(pasidDevice);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            if (verifier.on)
            {
                verifier.compare(DETACH, status, otherDetach(pasidDevice), () -> objects(pasidDevice),
                    VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
            }
            return status;
        }
        synchronized (pasidDevice.parent())
        {
            final int attached = rules.detachPasidDeviceLocked(pasidDevice);
            if (verifier.on)
            {
                verifier.compare(DETACH, attached, otherDetach(pasidDevice), () -> objects(pasidDevice),
                    VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS);
            }
            if (attached != NtStatus.STATUS_SUCCESS)
            {
                return attached;
            }
            final Domain domain = pasidDevice.domain();
            pasidDevice.domain(null);
            domain.detachPasid();
            handles.domains().records().pasidChanged(pasidDevice);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    int queryDeviceInfo(final IommuDmaDevice dmaDevice, final int size, final IntRef bytesWritten,
        final IommuDmaDeviceInformation buffer)
    {
        final DmaDevice device = handles.device(dmaDevice);
        final int status = rules.queryDeviceInfo(device, size, bytesWritten, buffer);
        if (verifier.on)
        {
            verifier.compare(QUERY, status, verifier.otherRules().pasids.queryDeviceInfo(
                device, size, bytesWritten, buffer), () -> objects(device), VerifierReport.NO_ADDRESS,
                VerifierReport.NO_ADDRESS);
        }
        if (status == NtStatus.STATUS_BUFFER_TOO_SMALL)
        {
            bytesWritten.set(0);
        }
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        final IommuPasidConfigurationType config = device.pasidConfig();
        buffer.defaultPasidEnabled(null != config)
            .pasidTaggedDmaEnabled(config == IommuPasidConfigurationType.PASID_TAGGED_DMA)
            .pasidFaultsSuppressed(null != config && device.pasidFaultsSuppressed());
        bytesWritten.set(IommuDmaDeviceInformation.SIZE_X64);
        return NtStatus.STATUS_SUCCESS;
    }

    // The other profile's whole answer (its checks are side-effect free), for the verifier only.

    private int otherDelete(final PasidDevice pasidDevice)
    {
        final PasidRules other = verifier.otherRules().pasids;
        final int status = other.deletePasidDevice(pasidDevice);
        return status != NtStatus.STATUS_SUCCESS ? status : other.deletePasidDeviceLocked(pasidDevice);
    }

    private int otherAttach(final Domain domain, final PasidDevice pasidDevice)
    {
        final RuleSet other = verifier.otherRules();
        final int status = other.pasids.attachPasidDevice(domain, pasidDevice);
        return status != NtStatus.STATUS_SUCCESS ? status : other.pasids.attachPasidDeviceLocked(
            pasidDevice, domain, other.devices.availableDomainTypes(platform, pasidDevice.parent()));
    }

    private int otherDetach(final PasidDevice pasidDevice)
    {
        final PasidRules other = verifier.otherRules().pasids;
        final int status = other.detachPasidDevice(pasidDevice);
        return status != NtStatus.STATUS_SUCCESS ? status : other.detachPasidDeviceLocked(pasidDevice);
    }

    private static String objects(final DmaDevice device)
    {
        return null == device ? "device#null" : "device#" + device.id();
    }

    private static String objects(final PasidDevice pasidDevice)
    {
        return null == pasidDevice ? "pasidDevice#null" :
            "device#" + pasidDevice.parent().id() + " pasid#" + pasidDevice.pasid();
    }

    private static String objects(final Domain domain, final PasidDevice pasidDevice)
    {
        return (null == domain ? "domain#null " : "domain#" + domain.id() + " ") + objects(pasidDevice);
    }

    /**
     * How many PASID sub-devices are alive.
     *
     * @return the count.
     */
    int liveCount()
    {
        return live.get();
    }
}
