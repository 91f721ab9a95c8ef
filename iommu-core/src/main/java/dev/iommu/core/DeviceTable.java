/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.iommu.api.DeviceObject;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;

/**
 * The DMA device tokens of one emulator and the device-side members of the interface: CreateDevice,
 * DeleteDevice, AttachDeviceEx, DetachDeviceEx, QueryAvailableDomainTypes and QueryInputMappings (spec 2.6,
 * 2.7, 2.10, 2.21, 2.28, 2.29).
 * <p>
 * Choices for what the spec leaves open, each made here once:
 * <ul>
 *     <li>spec 5.2 item 6: a null device object, or one that is not a device of this platform, is
 *     STATUS_INVALID_PARAMETER; a device of this platform that no IOMMU translates (it has direct physical
 *     access) is STATUS_NOT_FOUND;</li>
 *     <li>spec 5.2 item 7: one live token per physical device object; CreateDevice for a device that has one
 *     is STATUS_INVALID_PARAMETER (an IOMMU has one context entry per requester id, so two tokens attached to
 *     two domains could not both be honoured);</li>
 *     <li>spec 5.2 item 9: DeleteDevice with a state-change callback still registered is
 *     STATUS_RESOURCE_IN_USE, like an attached device;</li>
 *     <li>spec 5.2 item 10: a null, foreign or deleted token is STATUS_INVALID_PARAMETER in every member;</li>
 *     <li>spec 5.2 item 11: QueryAvailableDomainTypes of an invalid token writes 0;</li>
 *     <li>spec 5.3 item 15: AttachDeviceEx to a TranslateS1 domain is STATUS_ACCESS_DENIED (only PASID
 *     sub-devices use stage-1 domains);</li>
 *     <li>QueryInputMappings: lengths are in bytes; on x64, or for a device no IOMMU translates, the request
 *     cannot be satisfied (STATUS_UNSUCCESSFUL); a buffer array shorter than the ids it must hold, or with
 *     null elements, is STATUS_INVALID_PARAMETER_2.</li>
 * </ul>
 * CreateDevice checks in this order: the device object, whether an IOMMU translates it, the configuration,
 * the IOMMU's device-id lookup, the out-parameter (STATUS_INVALID_PARAMETER_3), an existing token, the limit.
 */
final class DeviceTable
{
    private final Platform platform;
    private final DomainTable domains;
    private final BoundedCounter live;
    private final ConcurrentHashMap<PhysicalDeviceObject, DmaDevice> tokens = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, DmaDevice> byId = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    DeviceTable(final Platform platform, final DomainTable domains)
    {
        this.platform = platform;
        this.domains = domains;
        this.live = new BoundedCounter(platform.limits().maxDmaDevices());
    }

    /**
     * The live device behind a token.
     *
     * @param handle any token, or null.
     * @return the device, or null when the token is null, of another emulator, or deleted.
     */
    DmaDevice resolve(final IommuDmaDevice handle)
    {
        if (handle instanceof DmaDevice)
        {
            final DmaDevice device = (DmaDevice)handle;
            if (device.owner() == this && device.isAlive())
            {
                return device;
            }
        }
        return null;
    }

    int create(
        final DeviceObject deviceObject,
        final IommuDeviceCreationConfiguration deviceConfig,
        final Ref<IommuDmaDevice> dmaDeviceOut)
    {
        if (!platform.owns(deviceObject))
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final PhysicalDeviceObject pdo = (PhysicalDeviceObject)deviceObject;
        if (null == pdo.iommu())
        {
            return NtStatus.STATUS_NOT_FOUND;
        }
        final DeviceCreationRules rules = new DeviceCreationRules();
        final int configStatus = rules.check(pdo, platform.architecture(), deviceConfig);
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
        final DmaDevice device =
            new DmaDevice(this, ids.incrementAndGet(), pdo, rules.pasidConfig(), rules.suppressPasidFaults());
        if (null != tokens.putIfAbsent(pdo, device))
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!live.tryAcquire())
        {
            tokens.remove(pdo, device);
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        byId.put(device.id(), device);
        dmaDeviceOut.set(device);
        return NtStatus.STATUS_SUCCESS;
    }

    int delete(final IommuDmaDevice handle)
    {
        final DmaDevice device = resolve(handle);
        if (null == device)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        synchronized (device)
        {
            if (!device.isAlive())
            {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            if (null != device.domain() || device.stateChangeRegistered())
            {
                return NtStatus.STATUS_RESOURCE_IN_USE;
            }
            device.kill();
        }
        // Give the limit back before the device object is free for a new token: the other order lets a racing
        // CreateDevice of the same device take the map slot while the count is still full, and fail with a
        // spurious STATUS_INSUFFICIENT_RESOURCES (LifecycleConcurrencyTest found it).
        live.release();
        byId.remove(device.id(), device);
        tokens.remove(device.pdo(), device);
        return NtStatus.STATUS_SUCCESS;
    }

    int attach(final IommuDmaDomain domainHandle, final IommuDmaDevice deviceHandle)
    {
        final DmaDevice device = resolve(deviceHandle);
        final Domain domain = domains.resolve(domainHandle);
        if (null == device || null == domain)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        synchronized (device)
        {
            if (!device.isAlive() || null != device.domain())
            {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            final int allowed = platform.policy().availableDomainTypes(device.pdo());
            if (domain.type() == IommuDmaDomainType.TRANSLATE_S1 || (allowed & domain.type().mask()) == 0)
            {
                return NtStatus.STATUS_ACCESS_DENIED;
            }
            if (!domain.attach())
            {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            device.domain(domain);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    int detach(final IommuDmaDevice deviceHandle)
    {
        final DmaDevice device = resolve(deviceHandle);
        if (null == device)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        synchronized (device)
        {
            final Domain domain = device.domain();
            if (!device.isAlive() || null == domain)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_1;
            }
            device.domain(null);
            domain.detach();
        }
        return NtStatus.STATUS_SUCCESS;
    }

    void queryAvailableDomainTypes(final IommuDmaDevice deviceHandle, final IntRef availableDomains)
    {
        if (null == availableDomains)
        {
            return;
        }
        final DmaDevice device = resolve(deviceHandle);
        availableDomains.set(null == device ? 0 : platform.policy().availableDomainTypes(device.pdo()));
    }

    int queryInputMappings(
        final DeviceObject deviceObject,
        final InputMappingElement[] buffer,
        final int bufferLength,
        final IntRef returnLength)
    {
        if (platform.architecture() != Architecture.ARM64 || !platform.owns(deviceObject) ||
            null == ((PhysicalDeviceObject)deviceObject).iommu())
        {
            return NtStatus.STATUS_UNSUCCESSFUL;
        }
        final PhysicalDeviceObject pdo = (PhysicalDeviceObject)deviceObject;
        final int count = pdo.inputMappingCount();
        final int needed = count * InputMappingElement.SIZE_X64;
        if (bufferLength < needed)
        {
            if (null != returnLength)
            {
                returnLength.set(needed);
            }
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
        for (int i = 0; i < count; i++)
        {
            buffer[i].inputMappingId(pdo.inputMappingBase() + i);
        }
        if (null != returnLength)
        {
            returnLength.set(needed);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * The live device with an id.
     *
     * @param id the id.
     * @return the device, or null.
     */
    DmaDevice byId(final long id)
    {
        return byId.get(id);
    }

    /**
     * The live token of a physical device object.
     *
     * @param pdo the device object.
     * @return the token, or null.
     */
    DmaDevice tokenOf(final PhysicalDeviceObject pdo)
    {
        return tokens.get(pdo);
    }

    /**
     * How many device tokens are alive.
     *
     * @return the count.
     */
    int liveCount()
    {
        return live.get();
    }
}
