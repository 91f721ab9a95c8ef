/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.FaultInformationArch;
import dev.iommu.api.FaultInformationType;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuPermissions;
import dev.iommu.callbacks.NotificationPublisher;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.Bus;
import dev.iommu.core.platform.IommuUnit;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.Translation;

/**
 * The device side of the IOMMU: what one DMA access of a device reaches, and the fault it raises when it reaches
 * nothing, encoded into the {@code FAULT_INFORMATION} form of the platform (spec 3.12, 5.6 item 46). Lock-free and
 * allocation-free on the caller's thread.
 * <ul>
 *     <li>Untagged DMA, and PASID 0 (the default PASID), walk the domain the device is attached to (by either
 *     table); a PASID of 1 or more walks the domain its sub-device is attached to (spec 5.7);</li>
 *     <li>Translate and TranslateS1 domains: their page tables, through the software IOTLB;</li>
 *     <li>PassThrough domain: the identity, read and write;</li>
 *     <li>no domain, an unknown PASID, an Unmanaged domain (until configured all DMA is blocked, spec 5.3 item 20;
 *     caller-owned tables are not walked), or a deleted device: a not-present fault.</li>
 * </ul>
 * A fault is reported to the device's handler when reporting is on, except a PASID-tagged access of a device created
 * with SuppressPasidFaults (spec 3.9); an access that reached no domain (the device detached, a PASID unknown or not
 * attached) is reported with a null DomainHandle, as an IOMMU reports a missing context or PASID entry.
 */
final class DeviceDma
{
    /** The PASID argument of an untagged access. */
    static final int NO_PASID = -1;

    private final DeviceTable devices;
    private final NotificationPublisher publisher;
    private final EmulatorCounters counters;
    private final boolean arm;

    private static final long PAGE_MASK = 4095;

    private final Verifier verifier;
    private final boolean verifying;

    DeviceDma(final Handles handles, final NotificationPublisher publisher, final EmulatorCounters counters,
        final Architecture architecture, final Verifier verifier)
    {
        this.verifier = verifier;
        this.verifying = verifier.on;
        this.devices = handles.devices();
        this.publisher = publisher;
        this.counters = counters;
        this.arm = architecture == Architecture.ARM64;
    }

    /**
     * An untagged access (the device's default PASID): the domain the device is attached to. The hot path of every
     * device: a successful translation through a Translate domain takes the first branch, a handful of loads and
     * the IOTLB probe, with no type test and no call that the JIT cannot inline (a chain of small calls here once
     * kept it from inlining the walk); everything else (faults, PassThrough, no domain, a foreign or dead handle,
     * the verifier on) goes through {@link #translateChecked}, which walks again from the start.
     */
    long translate(final IommuDmaDevice handle, final long address, final int access)
    {
        if (handle instanceof DmaDevice)
        {
            final DmaDevice device = (DmaDevice)handle;
            final MappingDomain domain = device.walkedDomain();
            if (null != domain && device.owner() == devices)
            {
                final long walked = domain.translate(address, access);
                // Liveness checked after the walk (volatile loads): a domain deleted while the walk ran may have
                // had its pages reused, and a walk that finds it alive afterwards read them before the deletion
                // started (its tables are freed only after the flag is cleared, and the walk ends with a load
                // fence). A device deleted meanwhile makes the access fault, as one that started after it.
                if (!Translation.isFault(walked) && !verifying && device.isAlive() && domain.isAlive())
                {
                    return walked;
                }
            }
        }
        return translateChecked(handle, address, access);
    }

    private long translateChecked(final IommuDmaDevice handle, final long address, final int access)
    {
        final DmaDevice device = devices.resolveForDma(handle);
        if (null == device)
        {
            return Translation.fault(Translation.FAULT_NOT_PRESENT);
        }
        final Domain domain = device.domain();
        final long result = walk(domain, address, access);
        if (Translation.isFault(result))
        {
            return faulted(device, domain, NO_PASID, address, access, result);
        }
        if (verifying)
        {
            checkFlushed(device, domain, NO_PASID, address);
        }
        return result;
    }

    /**
     * An access tagged with a PASID: 0 (or {@link #NO_PASID}) as untagged, else the domain of that sub-device.
     */
    long translate(final IommuDmaDevice handle, final int pasid, final long address, final int access)
    {
        if (pasid <= 0)
        {
            return translate(handle, address, access);
        }
        final DmaDevice device = devices.resolveForDma(handle);
        if (null == device)
        {
            return Translation.fault(Translation.FAULT_NOT_PRESENT);
        }
        final PasidDevice sub = device.pasidDevice(pasid);
        final Domain domain = null == sub ? null : sub.domain();
        final long result = walk(domain, address, access);
        if (Translation.isFault(result))
        {
            return faulted(device, domain, pasid, address, access, result);
        }
        if (verifying)
        {
            checkFlushed(device, domain, pasid, address);
        }
        return result;
    }

    /**
     * Verifier: a translation that succeeded through the IOTLB while the tables no longer map the address is DMA
     * through an unmap whose invalidation has not been flushed yet (deferred invalidation: the window in which a
     * device can still reach memory its driver unmapped).
     */
    private void checkFlushed(final DmaDevice device, final Domain domain, final int pasid, final long address)
    {
        if (domain instanceof MappingDomain && ((MappingDomain)domain).deferredInvalidation() &&
            domain.type() != IommuDmaDomainType.PASS_THROUGH &&
            Translation.isFault(((MappingDomain)domain).table().walk(address)))
        {
            verifier.hazard(VerifierRule.DMA_TO_UNFLUSHED_UNMAP, "DeviceDma", objects(device, domain, pasid),
                address & ~PAGE_MASK, PAGE_MASK + 1, "the IOTLB still holds a translation the tables no longer have");
        }
    }

    private static String objects(final DmaDevice device, final Domain domain, final int pasid)
    {
        final StringBuilder text = new StringBuilder(48).append("device#").append(device.id());
        if (pasid > 0)
        {
            text.append(" pasid#").append(pasid);
        }
        return null == domain ? text.toString() : text.append(" domain#").append(domain.id()).toString();
    }

    /**
     * The cold path of a fault: reported when the device's reporting is on, unless it is PASID-tagged on a device
     * created with SuppressPasidFaults.
     */
    private long faulted(final DmaDevice device, final Domain domain, final int pasid, final long address,
        final int access, final long result)
    {
        if (device.faultReporting() && !(pasid > 0 && device.pasidFaultsSuppressed()))
        {
            reportFault(device, domain, address, access, Translation.faultReason(result));
        }
        if (verifying && null != domain && Translation.faultReason(result) == Translation.FAULT_NOT_PRESENT)
        {
            verifier.hazard(VerifierRule.DMA_TO_UNMAPPED, "DeviceDma", objects(device, domain, pasid),
                address & ~PAGE_MASK, PAGE_MASK + 1,
                domain.isAlive() ? "no mapping at this address" : "the domain was deleted");
        }
        return result;
    }

    private static long walk(final Domain domain, final long address, final int access)
    {
        if (!(domain instanceof MappingDomain))
        {
            return Translation.fault(Translation.FAULT_NOT_PRESENT);
        }
        if (domain.type() == IommuDmaDomainType.PASS_THROUGH)
        {
            // A PassThrough domain deleted under its devices (observed profile) translates nothing.
            return address < 0 || !PtwPermissions.isValid(access) ? Translation.fault(Translation.FAULT_BAD_ADDRESS) :
                domain.isAlive() ? Translation.of(address, PtwPermissions.READ_WRITE) :
                Translation.fault(Translation.FAULT_NOT_PRESENT);
        }
        final long result = ((MappingDomain)domain).translate(address, access);
        // Checked after the walk: a domain deleted while the walk ran may have had its pages reused, and a walk that
        // finds it alive afterwards read them before the deletion started (its tables are freed only after the flag
        // is cleared, and the walk ends with a load fence).
        return domain.isAlive() ? result : Translation.fault(Translation.FAULT_NOT_PRESENT);
    }

    private void reportFault(
        final DmaDevice device, final Domain domain, final long address, final int access, final int reason)
    {
        final PhysicalDeviceObject pdo = device.pdo();
        final IommuUnit unit = pdo.iommu();
        final int type = reason == Translation.FAULT_PERMISSION ? FaultInformationType.PERMISSION_FAULT.value() :
            reason == Translation.FAULT_BAD_ADDRESS ? FaultInformationType.ADDRESS_SIZE_FAULT.value() :
            FaultInformationType.TRANSLATION_FAULT.value();
        // ARM64 flags: WriteNotRead (bit 0), FaultAddressValid (bit 3); x64 flags: FaultAddressValid (bit 0).
        final int flags = arm ? (((access & IommuPermissions.WRITE) != 0 ? 0x1 : 0) | 0x8) : 0x1;
        counters.onFault();
        publisher.publishFault(
            device.id(), null == domain ? 0 : domain.id(), address, access & IommuPermissions.READ_WRITE, type,
            null != domain && domain.type() == IommuDmaDomainType.TRANSLATE_S1,
            arm ? FaultInformationArch.ARM64.value() : FaultInformationArch.X64.value(), flags,
            pdo.bus() == Bus.ACPI && arm ? device.attachBase() : pdo.inputMappingBase(), unit.pciSegment(),
            unit.mmioBase());
    }
}
