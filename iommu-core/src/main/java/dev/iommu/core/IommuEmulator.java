/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.DomainConfigurationArch;
import dev.iommu.api.FaultInformationArch;
import dev.iommu.api.FaultInformationType;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaReservedRegion;
import dev.iommu.api.IommuInterfaceProvider;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.callbacks.HandleResolver;
import dev.iommu.callbacks.NotificationPublisher;
import dev.iommu.callbacks.Notifications;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaAllocatorConfig;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.AvailabilityListener;
import dev.iommu.core.platform.IommuUnit;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;
import dev.iommu.ptw.IotlbMode;
import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;
import dev.iommu.ptw.Translation;

/**
 * The emulated IOMMU of one {@link Platform}: the complete {@code DMA_IOMMU_INTERFACE_V2} (spec section 2), the
 * acquisition entry point {@code IoGetIommuInterfaceEx} (spec 1.1), and what a device emulator needs beside it: a
 * device-side {@link #translate(IommuDmaDevice, long, int)} on the hot path, fault reporting, and the notifications
 * that carry state changes and faults to the driver's callbacks.
 * <p>
 * Every member returns the status the spec documents for each case, or the choice recorded for an undocumented one
 * (the Javadoc of {@link DeviceTable}, {@link DomainCreationRules} and {@link MappingDomain} lists them), and a call
 * that fails changes nothing. Map, unmap and translate run on the caller's thread without locks and allocate nothing;
 * lifecycle calls take short per-object locks; no driver callback runs while a library lock is held.
 * <p>
 * Start one with {@link #launch(Context)}; close it when done (it owns the table memory and the notifications).
 */
public final class IommuEmulator implements DmaIommuInterfaceV2, IommuInterfaceProvider, AutoCloseable
{
    private static final int PAGE_SHIFT = 12;

    private final Context context;
    private final Platform platform;
    private final TableArena arena;
    private final Notifications notifications;
    private final NotificationPublisher publisher;
    private final DomainTable domains;
    private final DeviceTable devices;
    private final BoundedCounter unmanagedDomains;
    private final int tableWidth;
    private final int pageSizes;
    private final EmulatorCounters counters;
    private final AvailabilityListener policyListener = this::onAvailableDomainTypesChanged;
    private final Thread countersRefresher;
    private volatile boolean closed;

    private IommuEmulator(final Context context)
    {
        this.context = context;
        this.platform = context.platform();
        final int capacity = platform.limits().maxTablePages();
        this.arena = null == context.tableFile() ?
            TableArena.allocateDirect(capacity) : mapArena(context.tableFile(), capacity);
        this.domains = new DomainTable(platform.limits().maxDomains());
        this.devices = new DeviceTable(platform, domains);
        this.unmanagedDomains = new BoundedCounter(platform.limits().maxUnmanagedAsids());
        int width = 0;
        int sizes = dev.iommu.core.platform.PageSizes.ALL;
        for (final IommuUnit unit : platform.iommus())
        {
            width = Math.max(width, unit.addressWidth());
            sizes &= unit.pageSizes();
        }
        this.tableWidth = width == 0 ? 48 : tableWidthFor(width);
        this.pageSizes = (context.largePages() ? sizes : dev.iommu.core.platform.PageSizes.SIZE_4K) |
            dev.iommu.core.platform.PageSizes.SIZE_4K;
        final Notifications.Context notificationsContext = null == context.notifications() ?
            new Notifications.Context() : context.notifications();
        notificationsContext.handleResolver(new Resolver());
        if (null != context.countersDirectory())
        {
            notificationsContext.countersDirectory(context.countersDirectory());
        }
        this.notifications = Notifications.launch(notificationsContext);
        this.publisher = notifications.publisher();
        this.counters = new EmulatorCounters(notifications.counters(), arena, domains, devices);
        counters.refresh();
        platform.policy().addListener(policyListener);
        if (null != context.countersDirectory())
        {
            countersRefresher = new Thread(this::refreshCountersUntilClosed, "iommu-counters");
            countersRefresher.setDaemon(true);
            countersRefresher.start();
        }
        else
        {
            countersRefresher = null;
        }
    }

    private void refreshCountersUntilClosed()
    {
        while (!closed)
        {
            counters.refresh();
            LockSupport.parkNanos(context.countersRefreshNs());
        }
    }

    /**
     * Starts an emulator ({@link Context#conclude()} is called here).
     *
     * @param context the configuration.
     * @return the emulator.
     */
    public static IommuEmulator launch(final Context context)
    {
        context.conclude();
        return new IommuEmulator(context);
    }

    /**
     * The configuration this emulator runs with.
     *
     * @return the concluded context.
     */
    public Context context()
    {
        return context;
    }

    /**
     * The emulated machine.
     *
     * @return the platform.
     */
    public Platform platform()
    {
        return platform;
    }

    /**
     * The notifications: drive them with {@link Notifications#doWork()} unless their context runs an agent thread;
     * their counters tell what was produced, delivered and dropped.
     *
     * @return the notifications.
     */
    public Notifications notifications()
    {
        return notifications;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Acquisition (spec 1.1)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * {@code IoGetIommuInterfaceEx} (spec 1.1, 5.1): fills the table of the requested version and its Size.
     * Version 2 is offered; versions 1 and 3 (and any version above the platform's emulated OS) are
     * STATUS_NOT_SUPPORTED until they are built.
     *
     * @param version      1 to 3.
     * @param flags        must be 0.
     * @param interfaceOut filled on success.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1 (version outside 1 to 3), STATUS_INVALID_PARAMETER_2
     *     (flags), STATUS_INVALID_PARAMETER_3 (no holder) or STATUS_NOT_SUPPORTED.
     */
    @Override
    public int ioGetIommuInterfaceEx(final int version, final long flags, final DmaIommuInterfaceEx interfaceOut)
    {
        if (version < DmaIommuInterfaceEx.VERSION_MIN || version > DmaIommuInterfaceEx.VERSION_MAX)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (flags != 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (null == interfaceOut)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        if (version != DmaIommuInterfaceEx.VERSION_2 || version > platform.maxInterfaceVersion())
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        interfaceOut.fillV2(this);
        return NtStatus.STATUS_SUCCESS;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Domains
    // ------------------------------------------------------------------------------------------------------------

    /** {@inheritDoc} */
    @Override
    public int createDomainEx(
        final IommuDmaDomainType domainType,
        final long flags,
        final IommuDmaLogicalAllocatorConfig logicalAllocatorConfig,
        final IommuDmaReservedRegion reservedRegions,
        final Ref<IommuDmaDomain> domainOut)
    {
        final DomainCreationRules rules = new DomainCreationRules();
        final int status = rules.check(
            domainType, flags, logicalAllocatorConfig, reservedRegions, null != domainOut, tableWidth);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        // Spec 2.2: STATUS_NOT_SUPPORTED when "the requested domain type is not allowed". Caller-owned stage-1
        // tables exist only on ARM64 SMMUs (DmaGuardPolicy never offers Unmanaged elsewhere): without this check
        // the documented status was unreachable and an x64 Unmanaged domain could be created that no device may
        // ever attach to (found by ConformanceTest).
        if (domainType == IommuDmaDomainType.UNMANAGED && platform.architecture() != Architecture.ARM64)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        if (domainType == IommuDmaDomainType.UNMANAGED && !unmanagedDomains.tryAcquire())
        {
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        if (!domains.acquire())
        {
            if (domainType == IommuDmaDomainType.UNMANAGED)
            {
                unmanagedDomains.release();
            }
            return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        final Domain domain;
        if (domainType == IommuDmaDomainType.TRANSLATE || domainType == IommuDmaDomainType.PASS_THROUGH)
        {
            domain = newMappingDomain(domainType, rules, reservedRegions);
            if (null == domain)
            {
                domains.release();
                return NtStatus.STATUS_INSUFFICIENT_RESOURCES;
            }
        }
        else if (domainType == IommuDmaDomainType.UNMANAGED)
        {
            domain = new UnmanagedDomain(domains, domains.nextId(), unmanagedDomains);
        }
        else
        {
            domain = domains.newBareDomain(domainType);
        }
        domains.publish(domain);
        domainOut.set(domain);
        return NtStatus.STATUS_SUCCESS;
    }

    private MappingDomain newMappingDomain(
        final IommuDmaDomainType type, final DomainCreationRules rules, final IommuDmaReservedRegion regions)
    {
        final int width = rules.addressWidth();
        final PageTableConfig tableConfig = new PageTableConfig()
            .addressWidth(tableWidthFor(width))
            .allowedPageSizes(pageSizes)
            .iotlbEntries(context.iotlbEntries())
            .iotlbMode(context.iotlbMode());
        if (context.iotlbMode() == IotlbMode.DEFERRED)
        {
            tableConfig.deferredFlush(context.deferredBatchSize(), context.deferredMaxDelayNs());
        }
        final RadixPageTable table = RadixPageTable.create(arena, tableConfig);
        if (null == table)
        {
            return null;
        }
        IovaAllocator allocator = null;
        if (rules.hasAllocator())
        {
            final IovaAllocatorConfig allocatorConfig = new IovaAllocatorConfig().addressWidth(width)
                .explicitAllowed(false);
            if (null != regions)
            {
                allocatorConfig.reserve(regions);
            }
            allocator = new IovaAllocator(allocatorConfig);
        }
        final MappingDomain domain = new MappingDomain(domains, type, domains.nextId(), table, allocator, width);
        for (int i = 0; i < rules.regionCount(); i++)
        {
            final int status = domain.addReservedRegion(
                rules.regionBases()[i], rules.regionPages()[i], rules.regionIdentityMapped(i));
            if (status != NtStatus.STATUS_SUCCESS)
            {
                table.destroy();
                return null;
            }
        }
        return domain;
    }

    /** {@inheritDoc} */
    @Override
    public int deleteDomain(final IommuDmaDomain domain)
    {
        return domains.delete(domain);
    }

    /** {@inheritDoc} */
    @Override
    public int attachDeviceEx(final IommuDmaDomain domain, final IommuDmaDevice dmaDevice)
    {
        return devices.attach(domain, dmaDevice);
    }

    /** {@inheritDoc} */
    @Override
    public int detachDeviceEx(final IommuDmaDevice dmaDevice)
    {
        return devices.detach(dmaDevice);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Unmanaged domains only (spec 5.3 item 17: any other type is STATUS_INVALID_PARAMETER_1, as ConfigureDomain);
     * the library keeps no cache of caller-owned tables, so the flush is counted and succeeds.
     */
    @Override
    public int flushDomain(final IommuDmaDomain domain)
    {
        final Domain resolved = domains.resolve(domain);
        if (null == resolved)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!(resolved instanceof UnmanagedDomain))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        ((UnmanagedDomain)resolved).flushed(-1);
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Unmanaged domains only, as {@link #flushDomain}; {@code vaList} holds 64-bit logical addresses (spec 5.3
     * item 18): a negative {@code number}, or a list shorter than it, is STATUS_INVALID_PARAMETER_4.
     */
    @Override
    public int flushDomainByVaList(
        final IommuDmaDomain domain, final boolean lastLevel, final int number, final long[] vaList)
    {
        final Domain resolved = domains.resolve(domain);
        if (null == resolved)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!(resolved instanceof UnmanagedDomain))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (number < 0 || (number > 0 && (null == vaList || vaList.length < number)))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        ((UnmanagedDomain)resolved).flushed(number);
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Unmanaged domains only (spec 2.20): an X64 configuration is reserved for the system (STATUS_NOT_SUPPORTED);
     * an ARM64 configuration is accepted on any platform, and again later (spec 5.3 item 19: reconfiguration is
     * allowed, only the type is validated); a null configuration, or the Invalid type, is
     * STATUS_INVALID_PARAMETER_2.
     */
    @Override
    public int configureDomain(final IommuDmaDomain domain, final DomainConfiguration configuration)
    {
        final Domain resolved = domains.resolve(domain);
        if (null == resolved)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!(resolved instanceof UnmanagedDomain))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (null == configuration || null == configuration.type() ||
            configuration.type() == DomainConfigurationArch.INVALID)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        if (configuration.type() == DomainConfigurationArch.X64)
        {
            return NtStatus.STATUS_NOT_SUPPORTED;
        }
        ((UnmanagedDomain)resolved).configure(configuration.arm64());
        return NtStatus.STATUS_SUCCESS;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Devices
    // ------------------------------------------------------------------------------------------------------------

    /** {@inheritDoc} */
    @Override
    public int createDevice(
        final DeviceObject deviceObject,
        final IommuDeviceCreationConfiguration deviceConfig,
        final Ref<IommuDmaDevice> dmaDeviceOut)
    {
        return devices.create(deviceObject, deviceConfig, dmaDeviceOut);
    }

    /** {@inheritDoc} */
    @Override
    public int deleteDevice(final IommuDmaDevice dmaDevice)
    {
        final DmaDevice device = devices.resolve(dmaDevice);
        final int status = devices.delete(dmaDevice);
        if (status == NtStatus.STATUS_SUCCESS)
        {
            // A deleted device reports no more faults; the registration is gone with it.
            notifications.setDeviceFaultReporting(device.id(), false, null);
        }
        return status;
    }

    /** {@inheritDoc} */
    @Override
    public void queryAvailableDomainTypes(final IommuDmaDevice dmaDevice, final IntRef availableDomains)
    {
        devices.queryAvailableDomainTypes(dmaDevice, availableDomains);
    }

    /** {@inheritDoc} */
    @Override
    public int queryInputMappings(
        final DeviceObject physicalDeviceObject,
        final InputMappingElement[] buffer,
        final int bufferLength,
        final IntRef returnLength)
    {
        return devices.queryInputMappings(physicalDeviceObject, buffer, bufferLength, returnLength);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Always STATUS_NOT_IMPLEMENTED, as on Windows (spec 2.19). Embedders turn fault reporting on with
     * {@link #setDeviceFaultReporting(IommuDmaDevice, boolean, DeviceFaultConfiguration)}.
     */
    @Override
    public int setDeviceFaultReportingEx(
        final IommuDmaDevice dmaDevice,
        final int inputMappingIdBase,
        final boolean enable,
        final DeviceFaultConfiguration faultConfig)
    {
        return NtStatus.STATUS_NOT_IMPLEMENTED;
    }

    /**
     * Turns fault reporting of a DMA device on or off, with the rules of V1 {@code SetDeviceFaultReporting} (spec
     * 2.18, 5.6 item 47): the device must be attached (else STATUS_INVALID_PARAMETER_1); enabling twice replaces the
     * handler; disabling when off succeeds. When on, every fault of a device-side {@link #translate} is delivered to
     * the handler by the notifications' dispatcher.
     *
     * @param dmaDevice   the device token.
     * @param enable      on or off.
     * @param faultConfig the handler and its context (required when enabling: else STATUS_INVALID_PARAMETER_4).
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER (not a live token), STATUS_INVALID_PARAMETER_1 (not attached)
     *     or STATUS_INVALID_PARAMETER_4.
     */
    public int setDeviceFaultReporting(
        final IommuDmaDevice dmaDevice, final boolean enable, final DeviceFaultConfiguration faultConfig)
    {
        final DmaDevice device = devices.resolve(dmaDevice);
        if (null == device)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (enable && (null == faultConfig || null == faultConfig.faultHandler()))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        synchronized (device)
        {
            if (!device.isAlive())
            {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            if (null == device.domain())
            {
                return NtStatus.STATUS_INVALID_PARAMETER_1;
            }
            device.faultReporting(enable);
        }
        return notifications.setDeviceFaultReporting(device.id(), enable, faultConfig);
    }

    // ------------------------------------------------------------------------------------------------------------
    // State-change callbacks
    // ------------------------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     * <p>
     * The first call happens synchronously, before this returns, with every watched bit in PresentFields (spec 5.6
     * item 41). A null callback is STATUS_INVALID_PARAMETER_1, a null or invalid device STATUS_INVALID_PARAMETER_3
     * (spec 5.6 item 42).
     */
    @Override
    public int registerInterfaceStateChangeCallback(
        final IommuInterfaceStateChangeCallback stateChangeCallback,
        final Object context,
        final IommuDmaDevice dmaDevice,
        final IommuInterfaceStateChangeFields stateFields)
    {
        if (null == stateChangeCallback)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        final DmaDevice device = devices.resolve(dmaDevice);
        if (null == device)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_3;
        }
        if (null == stateFields ||
            (stateFields.asUlong() & IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES) == 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        synchronized (device)
        {
            if (!device.isAlive())
            {
                return NtStatus.STATUS_INVALID_PARAMETER_3;
            }
            if (device.stateChangeRegistered())
            {
                return NtStatus.STATUS_UNSUCCESSFUL;
            }
            // Claimed under the lock, so DeleteDevice refuses from here on; the callback runs outside it.
            device.stateChangeRegistered(true);
        }
        final int status = notifications.registerStateChangeCallback(
            stateChangeCallback, context, device.id(), stateFields.asUlong(),
            platform.policy().availableDomainTypes(device.pdo()));
        if (status != NtStatus.STATUS_SUCCESS)
        {
            synchronized (device)
            {
                device.stateChangeRegistered(false);
            }
        }
        return status;
    }

    /** {@inheritDoc} */
    @Override
    public int unregisterInterfaceStateChangeCallback(
        final IommuInterfaceStateChangeCallback stateChangeCallback, final IommuDmaDevice dmaDevice)
    {
        if (null == stateChangeCallback)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        final DmaDevice device = devices.resolve(dmaDevice);
        if (null == device)
        {
            return NtStatus.STATUS_UNSUCCESSFUL;
        }
        final int status = notifications.unregisterStateChangeCallback(stateChangeCallback, device.id());
        if (status == NtStatus.STATUS_SUCCESS)
        {
            synchronized (device)
            {
                device.stateChangeRegistered(false);
            }
        }
        return status;
    }

    private void onAvailableDomainTypesChanged(final PhysicalDeviceObject pdo, final int availableDomainTypes)
    {
        final DmaDevice device = devices.tokenOf(pdo);
        if (null != device)
        {
            publisher.publishStateChange(
                device.id(), IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES, availableDomainTypes);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Mappings
    // ------------------------------------------------------------------------------------------------------------

    /** {@inheritDoc} */
    @Override
    public int mapLogicalRangeEx(
        final IommuDmaDomain domain,
        final int permissions,
        final IommuMapPhysicalAddress physicalAddressToMap,
        final LongRef explicitLogicalAddress,
        final LongRef minLogicalAddress,
        final LongRef maxLogicalAddress,
        final LongRef logicalAddressOut)
    {
        final Domain resolved = domains.resolve(domain);
        if (null == resolved)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!(resolved instanceof MappingDomain))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        return ((MappingDomain)resolved).mapLogical(
            permissions, physicalAddressToMap, explicitLogicalAddress, minLogicalAddress, maxLogicalAddress,
            logicalAddressOut);
    }

    /** {@inheritDoc} */
    @Override
    public int unmapLogicalRange(final IommuDmaDomain domain, final long logicalAddress, final long numberOfPages)
    {
        final Domain resolved = domains.resolve(domain);
        if (null == resolved)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!(resolved instanceof MappingDomain))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        return ((MappingDomain)resolved).unmapLogical(logicalAddress, numberOfPages);
    }

    /** {@inheritDoc} */
    @Override
    public int mapIdentityRangeEx(
        final IommuDmaDomain domain, final int permissions, final IommuMapPhysicalAddress physicalAddressToMap)
    {
        final Domain resolved = domains.resolve(domain);
        if (null == resolved)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!(resolved instanceof MappingDomain))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        return ((MappingDomain)resolved).mapIdentity(permissions, physicalAddressToMap);
    }

    /** {@inheritDoc} */
    @Override
    public int unmapIdentityRangeEx(final IommuDmaDomain domain, final IommuMapPhysicalAddress mappedPhysicalAddress)
    {
        final Domain resolved = domains.resolve(domain);
        if (null == resolved)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!(resolved instanceof MappingDomain))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        return ((MappingDomain)resolved).unmapIdentity(mappedPhysicalAddress);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Logical address tokens
    // ------------------------------------------------------------------------------------------------------------

    /** {@inheritDoc} */
    @Override
    public int reserveLogicalAddressRange(
        final IommuDmaDomain domain,
        final long size,
        final LongRef explicitLogicalAddress,
        final LongRef minLogicalAddress,
        final LongRef maxLogicalAddress,
        final Ref<IommuDmaLogicalAddressToken> logicalAddressToken)
    {
        final Domain resolved = domains.resolve(domain);
        if (null == resolved)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!(resolved instanceof MappingDomain))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        return ((MappingDomain)resolved).reserve(
            size, explicitLogicalAddress, minLogicalAddress, maxLogicalAddress, logicalAddressToken);
    }

    /** {@inheritDoc} */
    @Override
    public int freeReservedLogicalAddressRange(final IommuDmaLogicalAddressToken logicalAddressToken)
    {
        final LogicalAddressToken token = resolveToken(logicalAddressToken);
        if (null == token)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return token.domain().freeToken(token);
    }

    /** {@inheritDoc} */
    @Override
    public int mapReservedLogicalRange(
        final IommuDmaLogicalAddressToken logicalAddressToken,
        final long offset,
        final int permissions,
        final IommuMapPhysicalAddress physicalAddressToMap,
        final IommuDmaLogicalAddressTokenMappedSegment mappedSegment)
    {
        final LogicalAddressToken token = resolveToken(logicalAddressToken);
        if (null == token)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return token.domain().mapReserved(token, offset, permissions, physicalAddressToMap, mappedSegment);
    }

    /** {@inheritDoc} */
    @Override
    public int unmapReservedLogicalRange(final IommuDmaLogicalAddressTokenMappedSegment mappedSegment)
    {
        if (null == mappedSegment)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final LogicalAddressToken token = resolveToken(mappedSegment.owningToken());
        if (null == token)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return token.domain().unmapReserved(token, mappedSegment);
    }

    private LogicalAddressToken resolveToken(final IommuDmaLogicalAddressToken handle)
    {
        if (handle instanceof LogicalAddressToken)
        {
            final LogicalAddressToken token = (LogicalAddressToken)handle;
            if (token.domain().owner() == domains)
            {
                return token;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Device side
    // ------------------------------------------------------------------------------------------------------------

    /**
     * What the IOMMU does with one DMA access of a device: the translation of {@code address} through the domain the
     * device is attached to, or the fault. Lock-free and allocation-free, on the caller's thread. A fault is also
     * reported to the device's fault handler when reporting is on ({@link #setDeviceFaultReporting}).
     * <ul>
     *     <li>Translate domain: its page tables (through the software IOTLB);</li>
     *     <li>PassThrough domain: the identity, read and write;</li>
     *     <li>a device attached to no domain, an Unmanaged domain (its caller-owned tables are walked from a later
     *     release; until configured all DMA is blocked, spec 5.3 item 20), a TranslateS1 domain, or a token that
     *     is not live: a not-present fault.</li>
     * </ul>
     *
     * @param dmaDevice the device token.
     * @param address   the device (logical) address.
     * @param access    {@link IommuPermissions} bits the access needs (read, write or both).
     * @return an encoded {@link Translation}: test with {@link Translation#isFault(long)}, read with
     *     {@link Translation#outputAddress(long, long)} or {@link Translation#faultReason(long)}.
     */
    public long translate(final IommuDmaDevice dmaDevice, final long address, final int access)
    {
        final DmaDevice device = devices.resolve(dmaDevice);
        if (null == device)
        {
            return Translation.fault(Translation.FAULT_NOT_PRESENT);
        }
        final Domain domain = device.domain();
        long result;
        if (domain instanceof MappingDomain)
        {
            if (domain.type() == IommuDmaDomainType.PASS_THROUGH)
            {
                result = address < 0 || !PtwPermissions.isValid(access) ?
                    Translation.fault(Translation.FAULT_BAD_ADDRESS) :
                    Translation.of(address, PtwPermissions.READ_WRITE);
            }
            else
            {
                result = ((MappingDomain)domain).translate(address, access);
                // Checked after the walk: a domain deleted while the walk ran may have had its pages reused, and a
                // walk that finds it alive afterwards read them before the deletion started (its tables are freed
                // only after the flag is cleared, and the walk ends with a load fence).
                if (!domain.isAlive())
                {
                    result = Translation.fault(Translation.FAULT_NOT_PRESENT);
                }
            }
        }
        else
        {
            result = Translation.fault(Translation.FAULT_NOT_PRESENT);
        }
        if (Translation.isFault(result) && device.faultReporting() && null != domain)
        {
            reportFault(device, domain, address, access, Translation.faultReason(result));
        }
        return result;
    }

    /**
     * The live DMA device token of a physical device object, as an IOMMU finds a device by its requester id: for a
     * device model that knows its PCI function or ACPI node but was not handed the driver's token.
     *
     * @param deviceObject a device object of this platform.
     * @return the token CreateDevice returned for it, or null when it has none (or is not of this platform).
     */
    public IommuDmaDevice dmaDeviceOf(final DeviceObject deviceObject)
    {
        return platform.owns(deviceObject) ? devices.tokenOf((PhysicalDeviceObject)deviceObject) : null;
    }

    private void reportFault(
        final DmaDevice device, final Domain domain, final long address, final int access, final int reason)
    {
        final PhysicalDeviceObject pdo = device.pdo();
        final IommuUnit unit = pdo.iommu();
        final int type = reason == Translation.FAULT_PERMISSION ? FaultInformationType.PERMISSION_FAULT.value() :
            reason == Translation.FAULT_BAD_ADDRESS ? FaultInformationType.ADDRESS_SIZE_FAULT.value() :
            FaultInformationType.TRANSLATION_FAULT.value();
        final boolean arm = platform.architecture() == Architecture.ARM64;
        // ARM64 flags: WriteNotRead (bit 0), FaultAddressValid (bit 3); x64 flags: FaultAddressValid (bit 0).
        final int flags = arm ? (((access & IommuPermissions.WRITE) != 0 ? 0x1 : 0) | 0x8) : 0x1;
        counters.onFault();
        publisher.publishFault(
            device.id(), domain.id(), address, access & IommuPermissions.READ_WRITE, type, false,
            arm ? FaultInformationArch.ARM64.value() : FaultInformationArch.X64.value(), flags,
            pdo.inputMappingBase(), unit.pciSegment(), unit.mmioBase());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Introspection and lifecycle
    // ------------------------------------------------------------------------------------------------------------

    /**
     * How many domains are alive.
     *
     * @return the count.
     */
    public int liveDomains()
    {
        return domains.liveCount();
    }

    /**
     * How many DMA device tokens are alive.
     *
     * @return the count.
     */
    public int liveDevices()
    {
        return devices.liveCount();
    }

    /**
     * How many page-table pages all domains use together (root pages included).
     *
     * @return the count.
     */
    public long tablePagesInUse()
    {
        return arena.pagesInUse();
    }

    /**
     * The page-table page limit (the platform's {@code maxTablePages}).
     *
     * @return the capacity.
     */
    public int tablePageCapacity()
    {
        return arena.capacity();
    }

    /**
     * Samples the emulator's gauges (table pages, domains, devices, IOTLB hits and misses, faults) into the
     * counters buffer beside the notification counters ({@link Notifications#counters()}). With a counters
     * directory a background thread does this every {@link Context#countersRefreshNs()}.
     */
    public void refreshCounters()
    {
        counters.refresh();
    }

    /**
     * Closes the notifications (no callback runs after this returns) and releases the table memory. Handles of this
     * emulator must not be used afterwards.
     */
    @Override
    public void close()
    {
        closed = true;
        // The platform may outlive this emulator (and serve others): it must not keep this one reachable.
        platform.policy().removeListener(policyListener);
        if (null != countersRefresher)
        {
            LockSupport.unpark(countersRefresher);
            try
            {
                countersRefresher.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        counters.refresh();
        notifications.close();
        arena.close();
    }

    static int tableWidthFor(final int width)
    {
        return width <= 39 ? 39 : width <= 48 ? 48 : 57;
    }

    private static TableArena mapArena(final Path file, final int capacity)
    {
        return TableArena.mapFile(file, capacity);
    }

    private final class Resolver implements HandleResolver
    {
        public IommuDmaDomain domain(final long domainId)
        {
            return domains.byId(domainId);
        }

        public DeviceObject physicalDeviceObject(final long deviceId)
        {
            final DmaDevice device = devices.byId(deviceId);
            return null == device ? null : device.pdo();
        }
    }

    /**
     * Configuration of an {@link IommuEmulator}, validated once by {@link #conclude()} (Aeron style).
     */
    public static final class Context
    {
        /** Default IOTLB entries per domain. */
        public static final int DEFAULT_IOTLB_ENTRIES = 256;

        private boolean concluded;
        private Platform platform;
        private Notifications.Context notifications;
        private Path tableFile;
        private boolean largePages = true;
        private int iotlbEntries = DEFAULT_IOTLB_ENTRIES;
        private IotlbMode iotlbMode = IotlbMode.STRICT;
        private int deferredBatchSize = 64;
        private long deferredMaxDelayNs = 1_000_000L;
        private File countersDirectory;
        private long countersRefreshNs = 100_000_000L;

        /**
         * Checks the configuration.
         *
         * @return this.
         * @throws IllegalStateException    when already concluded.
         * @throws IllegalArgumentException when a value is missing or out of range.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("context already concluded");
            }
            if (null == platform)
            {
                throw new IllegalArgumentException("a platform is required");
            }
            if (iotlbEntries < 0)
            {
                throw new IllegalArgumentException("iotlbEntries must be >= 0: " + iotlbEntries);
            }
            if (null == iotlbMode)
            {
                throw new IllegalArgumentException("iotlbMode is required");
            }
            if (iotlbMode == IotlbMode.CALLER_FLUSH)
            {
                throw new IllegalArgumentException(
                    "library-owned tables invalidate on unmap: iotlbMode must be STRICT or DEFERRED");
            }
            if (deferredBatchSize < 1 || deferredMaxDelayNs < 0)
            {
                throw new IllegalArgumentException("deferred flush needs batchSize >= 1 and maxDelayNs >= 0");
            }
            if (countersRefreshNs < 1_000_000L)
            {
                throw new IllegalArgumentException("countersRefreshNs must be at least 1 ms: " + countersRefreshNs);
            }
            concluded = true;
            return this;
        }

        private void mutable()
        {
            if (concluded)
            {
                throw new IllegalStateException("context already concluded");
            }
        }

        /**
         * @return the emulated machine.
         */
        public Platform platform()
        {
            return platform;
        }

        /**
         * @param platform the emulated machine (required).
         * @return this.
         */
        public Context platform(final Platform platform)
        {
            mutable();
            this.platform = platform;
            return this;
        }

        /**
         * @return the notifications configuration, or null for the defaults.
         */
        public Notifications.Context notifications()
        {
            return notifications;
        }

        /**
         * @param notifications the notifications configuration (its handle resolver is set by the emulator), or
         *                      null for the defaults (a dispatcher agent on its own thread).
         * @return this.
         */
        public Context notifications(final Notifications.Context notifications)
        {
            mutable();
            this.notifications = notifications;
            return this;
        }

        /**
         * @return the file holding the page-table memory, or null for anonymous memory.
         */
        public Path tableFile()
        {
            return tableFile;
        }

        /**
         * @param tableFile a file to hold the page-table memory (another process may map it), or null.
         * @return this.
         */
        public Context tableFile(final Path tableFile)
        {
            mutable();
            this.tableFile = tableFile;
            return this;
        }

        /**
         * @return whether 2 MiB and 1 GiB leaves are used where the IOMMUs support them.
         */
        public boolean largePages()
        {
            return largePages;
        }

        /**
         * @param largePages use 2 MiB and 1 GiB leaves when address, physical address and length are aligned.
         * @return this.
         */
        public Context largePages(final boolean largePages)
        {
            mutable();
            this.largePages = largePages;
            return this;
        }

        /**
         * @return software IOTLB entries per domain (0: none).
         */
        public int iotlbEntries()
        {
            return iotlbEntries;
        }

        /**
         * @param iotlbEntries software IOTLB entries per domain (0: none).
         * @return this.
         */
        public Context iotlbEntries(final int iotlbEntries)
        {
            mutable();
            this.iotlbEntries = iotlbEntries;
            return this;
        }

        /**
         * @return the IOTLB invalidation mode of library-owned tables.
         */
        public IotlbMode iotlbMode()
        {
            return iotlbMode;
        }

        /**
         * @param iotlbMode STRICT (unmap invalidates, the default) or DEFERRED (batched).
         * @return this.
         */
        public Context iotlbMode(final IotlbMode iotlbMode)
        {
            mutable();
            this.iotlbMode = iotlbMode;
            return this;
        }

        /**
         * @return the directory of the counters file, or null for counters in memory only.
         */
        public File countersDirectory()
        {
            return countersDirectory;
        }

        /**
         * @param countersDirectory a directory for the counters file that {@code iommu stat} reads from another
         *                          process (notifications and emulator gauges), or null (the default).
         * @return this.
         */
        public Context countersDirectory(final File countersDirectory)
        {
            mutable();
            this.countersDirectory = countersDirectory;
            return this;
        }

        /**
         * @return how often the gauges are sampled when a counters directory is set, in nanoseconds.
         */
        public long countersRefreshNs()
        {
            return countersRefreshNs;
        }

        /**
         * @param countersRefreshNs how often the gauges are sampled when a counters directory is set (at least 1 ms).
         * @return this.
         */
        public Context countersRefreshNs(final long countersRefreshNs)
        {
            mutable();
            this.countersRefreshNs = countersRefreshNs;
            return this;
        }

        /**
         * @return invalidations queued before a deferred flush.
         */
        public int deferredBatchSize()
        {
            return deferredBatchSize;
        }

        /**
         * @return the longest a deferred invalidation waits, in nanoseconds.
         */
        public long deferredMaxDelayNs()
        {
            return deferredMaxDelayNs;
        }

        /**
         * @param batchSize  invalidations queued before a flush, at least 1.
         * @param maxDelayNs the longest an invalidation waits, in nanoseconds.
         * @return this.
         */
        public Context deferredFlush(final int batchSize, final long maxDelayNs)
        {
            mutable();
            this.deferredBatchSize = batchSize;
            this.deferredMaxDelayNs = maxDelayNs;
            return this;
        }
    }
}
