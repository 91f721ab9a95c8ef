/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DeviceObject;
import dev.iommu.api.DmaIommuInterface;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuInterfaceProvider;
import dev.iommu.api.NtStatus;
import dev.iommu.callbacks.Notifications;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;
import dev.iommu.ptw.TableArena;

/**
 * The emulated IOMMU of one {@link Platform}: the acquisition entry points {@code IoGetIommuInterfaceEx} (versions 1,
 * 2 and 3) and the deprecated {@code IoGetIommuInterface} (spec 1.1), which hand out the three function tables, and
 * what a device emulator needs beside them: a device-side {@link #translate(IommuDmaDevice, long, int)} on the hot
 * path (with a PASID: {@link #translate(IommuDmaDevice, int, long, int)}), fault reporting, and the delivery of state
 * changes and faults to the driver's callbacks.
 * <p>
 * The three tables and the legacy one are views of one implementation; every member returns the status the spec
 * documents for each case, or the choice recorded for an undocumented one (docs/spec-choices.md), and a call that
 * fails changes nothing. Map, unmap and translate run on the caller's thread without locks and allocate nothing;
 * lifecycle calls take short per-object locks; no driver callback runs while a library lock is held.
 * <p>
 * Start one with {@link #launch(EmulatorContext)}; close it when done (it owns the table memory and the notification
 * ring).
 */
public final class IommuEmulator implements IommuInterfaceProvider, AutoCloseable
{
    /** The PASID argument of an untagged DMA access (the device's default PASID). */
    public static final int NO_PASID = DeviceDma.NO_PASID;
    /** The page-table arena's file in a persistent directory. */
    public static final String TABLES_FILE = "tables.arena";

    private final EmulatorContext context;
    private final Platform platform;
    private final TableArena arena;
    private final Notifications notifications;
    private final Handles handles;
    private final RuleSet rules;
    private final Verifier verifier;
    private final DeviceMembers deviceMembers;
    private final PasidMembers pasidMembers;
    private final StateChangeService stateChanges;
    private final DeviceDma dma;
    private final V1Table v1;
    private final V2Table v2;
    private final V3Table v3;
    private final EmulatorCounters counters;
    private final PersistedContext persisted;
    private final InFlightLog inFlightLog;
    private final RecoveryReport recoveryReport;
    private final Thread countersRefresher;
    private volatile boolean closed;

    private IommuEmulator(final EmulatorContext context)
    {
        this.context = context;
        this.platform = context.platform();
        this.rules = RuleSet.of(context.profile());
        final int capacity = platform.limits().maxTablePages();
        // Without a configured injection the hooks of ptw, the allocators and the notifications stay null (no cost
        // on their hot paths); core's lifecycle-rate points ask a never-armed one.
        final FailureInjection configured = context.failureInjection();
        final FailureInjection injection = null == configured ? new FailureInjection() : configured;
        final BooleanSupplier tablePageGate = gate(configured, FailureInjection.AllocationKind.TABLE_PAGE);
        final Path directory = context.persistentDirectory();
        final boolean reopened = null != directory && Files.exists(directory.resolve(TABLES_FILE));
        this.arena = null == directory ? TableArena.allocateDirect(capacity, tablePageGate) :
            PersistentDirectory.openArena(directory, capacity, tablePageGate);
        final boolean cleanShutdown = !arena.needsRebuild();
        try
        {
            this.persisted = null == directory ? null : PersistentDirectory.openContext(
                directory, platform.limits(), reopened, cleanShutdown);
            this.inFlightLog = null == directory ? null : PersistentDirectory.openInFlightLog(directory);
        }
        catch (final RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
        final ContextRecords records = null == persisted ? ContextRecords.NONE : persisted;
        final DomainTable domains = new DomainTable(platform.limits().maxDomains(), injection, records);
        final DeviceTable devices = new DeviceTable(platform.limits().maxDmaDevices(), injection, records);
        this.handles = new Handles(domains, devices);
        final Notifications.Context notificationsContext = new Notifications.Context()
            .useAgentThread(context.dispatcherThread())
            .ringCapacity(context.notificationRingBytes())
            .handleResolver(handles)
            .mayInstallStateChange(gate(configured, FailureInjection.AllocationKind.STATE_CHANGE_REGISTRATION))
            .mayInstallFaultHandler(gate(configured, FailureInjection.AllocationKind.FAULT_REGISTRATION))
            .mayClaimRingSlot(gate(configured, FailureInjection.AllocationKind.RING_SLOT));
        if (null != context.countersDirectory())
        {
            notificationsContext.countersDirectory(context.countersDirectory());
        }
        this.notifications = Notifications.launch(notificationsContext);
        this.counters = new EmulatorCounters(
            notifications.counters(), arena, domains, devices, context.iotlbHitCounting());
        this.verifier = context.verifier() ? new Verifier(context.profile(), context.verifierListener(),
            context.verifierFatal(), notifications.counters()) : Verifier.off();
        this.deviceMembers = new DeviceMembers(platform, rules.devices, handles, notifications, verifier);
        this.pasidMembers = new PasidMembers(platform, rules.pasids, rules.devices, handles, verifier, injection);
        this.stateChanges = new StateChangeService(platform, rules.devices, handles, notifications, verifier);
        this.dma = new DeviceDma(handles, notifications.publisher(), counters, platform.architecture(), verifier);
        final DomainFactory factory = new DomainFactory(context, arena, domains, verifier, injection, records,
            inFlightLog);
        final InterfaceCore core = new InterfaceCore(
            new DomainMembers(rules.domains, handles, factory, platform.architecture(), verifier),
            deviceMembers,
            new MappingMembers(rules.mappings, handles, verifier, injection),
            stateChanges,
            pasidMembers);
        this.v1 = new V1Table(core);
        this.v2 = new V2Table(core);
        this.v3 = new V3Table(core);
        this.recoveryReport = !reopened ? RecoveryReport.NOTHING : restore(factory, domains, devices, cleanShutdown);
        counters.recovered(recoveryReport);
        counters.refresh();
        platform.policy().addListener(stateChanges);
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

    /**
     * Restores a reopened directory's objects; when it refuses the directory, releases everything the constructor
     * opened (the files' locks first among them) before the exception leaves launch.
     */
    private RecoveryReport restore(final DomainFactory factory, final DomainTable domains, final DeviceTable devices,
        final boolean cleanShutdown)
    {
        try
        {
            return new EmulatorRestore(persisted, arena, factory, domains, devices, pasidMembers, platform,
                new InFlightRepair(inFlightLog)).run(cleanShutdown);
        }
        catch (final RuntimeException ex)
        {
            // The arena is marked clean only if its free list was rebuilt (or never needed it): the next launch repeats
            // whatever this restore had not finished (every repair is idempotent, the in-flight records are kept).
            notifications.close();
            inFlightLog.close();
            persisted.close();
            arena.close();
            throw ex;
        }
    }

    private static BooleanSupplier gate(final FailureInjection configured, final FailureInjection.AllocationKind kind)
    {
        return null == configured ? null : configured.gate(kind);
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
     * Starts an emulator ({@link EmulatorContext#conclude()} is called here).
     *
     * @param context the configuration.
     * @return the emulator.
     */
    public static IommuEmulator launch(final EmulatorContext context)
    {
        context.conclude();
        return new IommuEmulator(context);
    }

    /**
     * The configuration this emulator runs with.
     *
     * @return the concluded context.
     */
    public EmulatorContext context()
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

    // ------------------------------------------------------------------------------------------------------------
    // Acquisition (spec 1.1)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * {@code IoGetIommuInterfaceEx} (spec 1.1, 5.1): fills the table of the requested version, its Size and Version.
     *
     * @param version      1, 2 or 3 (up to the platform's {@link Platform#maxInterfaceVersion()}).
     * @param flags        must be 0.
     * @param interfaceOut filled on success, untouched on failure.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1 (version), STATUS_INVALID_PARAMETER_2 (no holder) or
     *     STATUS_INVALID_PARAMETER_3 (flags).
     */
    @Override
    public int ioGetIommuInterfaceEx(final int version, final long flags, final DmaIommuInterfaceEx interfaceOut)
    {
        final int status = rules.acquisition.ioGetIommuInterfaceEx(
            version, flags, interfaceOut, platform.maxInterfaceVersion());
        if (status == NtStatus.STATUS_SUCCESS)
        {
            if (version == DmaIommuInterfaceEx.VERSION_1)
            {
                interfaceOut.fillV1(v1);
            }
            else if (version == DmaIommuInterfaceEx.VERSION_2)
            {
                interfaceOut.fillV2(v2);
            }
            else
            {
                interfaceOut.fillV3(v3);
            }
        }
        return status;
    }

    /**
     * {@code IoGetIommuInterface} (deprecated, spec 1.1): fills the V1 table.
     *
     * @param version      must be 1.
     * @param interfaceOut filled on success, untouched on failure.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1 (version) or STATUS_INVALID_PARAMETER_2 (no holder).
     */
    @Override
    public int ioGetIommuInterface(final int version, final DmaIommuInterface interfaceOut)
    {
        final int status = rules.acquisition.ioGetIommuInterface(version, interfaceOut);
        if (status == NtStatus.STATUS_SUCCESS)
        {
            interfaceOut.fill(v1);
        }
        return status;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Device side
    // ------------------------------------------------------------------------------------------------------------

    /**
     * What the IOMMU does with one untagged DMA access of a device: the translation of {@code address} through the
     * domain the device is attached to, or the fault. Lock-free and allocation-free, on the caller's thread. A fault
     * is also reported to the device's fault handler when reporting is on.
     *
     * @param device  a token from CreateDevice, or {@link #dmaDeviceOf(DeviceObject)} of a device V1 attached.
     * @param address the device (logical) address.
     * @param access  {@code IommuPermissions} bits the access needs (read, write or both).
     * @return the translation or fault: read it with {@link DmaTranslation}.
     */
    public long translate(final IommuDmaDevice device, final long address, final int access)
    {
        return dma.translate(device, address, access);
    }

    /**
     * What the IOMMU does with one DMA access tagged with a PASID (spec 5.7): PASID 0, or {@link #NO_PASID}, walks
     * the domain the device is attached to (its default PASID); a PASID from CreatePasidDevice walks the domain that
     * sub-device is attached to; any other PASID faults (not present). PASID-tagged faults of a device created with
     * SuppressPasidFaults are not reported.
     *
     * @param device  the parent device's token.
     * @param pasid   the PASID of the access, or {@link #NO_PASID}.
     * @param address the device (logical) address.
     * @param access  {@code IommuPermissions} bits the access needs.
     * @return the translation or fault: read it with {@link DmaTranslation}.
     */
    public long translate(final IommuDmaDevice device, final int pasid, final long address, final int access)
    {
        return dma.translate(device, pasid, address, access);
    }

    /**
     * The live device of a physical device object, as an IOMMU finds a device by its requester id: the token
     * CreateDevice returned for it, or the device V1 AttachDevice attached (usable with {@link #translate} only).
     *
     * @param deviceObject a device object of this platform.
     * @return the device, or null when it has none (or is not of this platform).
     */
    public IommuDmaDevice dmaDeviceOf(final DeviceObject deviceObject)
    {
        return platform.owns(deviceObject) ? handles.devices().deviceOf((PhysicalDeviceObject)deviceObject) : null;
    }

    /**
     * Turns fault reporting of a DMA device token on or off, with the rules of V1 {@code SetDeviceFaultReporting}
     * (spec 2.18, 5.6 item 47), for embedders of V2 and V3 drivers (whose {@code SetDeviceFaultReportingEx} is
     * STATUS_NOT_IMPLEMENTED, as documented): the device must be attached (else STATUS_INVALID_PARAMETER_1);
     * enabling twice replaces the handler; disabling when off succeeds. Faults are delivered by the dispatcher.
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
        return deviceMembers.setDeviceFaultReporting(dmaDevice, enable, faultConfig);
    }

    /**
     * Delivers pending state changes and faults to the driver's callbacks on the calling thread, when the context
     * turned the dispatcher thread off ({@link EmulatorContext#dispatcherThread(boolean)}). Returns 0 when called
     * from inside a callback or after close.
     *
     * @return the number of notifications handled (0 when idle).
     * @throws IllegalStateException when the emulator's own dispatcher thread delivers them.
     */
    public int deliverNotifications()
    {
        return notifications.doWork();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Stable ids (an embedder finds its objects again after a restart)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The stable id of a domain, DMA device or logical address token of this emulator: unique among objects of its
     * kind, never given twice, and the same after a persistent emulator is launched again on its directory.
     *
     * @param handle a domain, device token or logical address token this emulator returned.
     * @return the id (at least 1), or -1 when the handle is not one of this emulator's.
     */
    public long stableId(final Object handle)
    {
        if (handle instanceof Domain && ((Domain)handle).owner() == handles.domains())
        {
            return ((Domain)handle).id();
        }
        if (handle instanceof DmaDevice && ((DmaDevice)handle).owner() == handles.devices())
        {
            return ((DmaDevice)handle).id();
        }
        if (handle instanceof LogicalAddressToken &&
            ((LogicalAddressToken)handle).domain().owner() == handles.domains())
        {
            return ((LogicalAddressToken)handle).id();
        }
        return -1;
    }

    /**
     * The live domain with a stable id ({@link #stableId}).
     *
     * @param id the id.
     * @return the domain, or null when none is alive with that id.
     */
    public IommuDmaDomain domainById(final long id)
    {
        return handles.domains().byId(id);
    }

    /**
     * The live DMA device with a stable id ({@link #stableId}): a token of CreateDevice, or a device V1 attached
     * (usable with {@link #translate} only).
     *
     * @param id the id.
     * @return the device, or null when none is alive with that id.
     */
    public IommuDmaDevice deviceById(final long id)
    {
        return handles.devices().byId(id);
    }

    /**
     * The live logical address token with a stable id ({@link #stableId}).
     *
     * @param id the id.
     * @return the token, or null when none is alive with that id.
     */
    public IommuDmaLogicalAddressToken tokenById(final long id)
    {
        return handles.domains().tokenById(id);
    }

    /**
     * What this emulator found in its persistent directory at launch and repaired
     * ({@link EmulatorContext#persistentDirectory}).
     *
     * @return the report; {@link RecoveryReport#reopened()} is false for a new directory or none.
     */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
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
        return handles.domains().liveCount();
    }

    /**
     * How many DMA devices are alive (tokens and devices attached through V1).
     *
     * @return the count.
     */
    public int liveDevices()
    {
        return handles.devices().liveCount();
    }

    /**
     * How many PASID sub-devices are alive.
     *
     * @return the count.
     */
    public int livePasidDevices()
    {
        return pasidMembers.liveCount();
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
     * Everything observable about this emulator's objects now (see {@link EmulatorSnapshot}): for tests that check
     * a refused call changed nothing, and for leak checks. Exact when no call is in flight. Allocates.
     *
     * @return the snapshot.
     */
    public EmulatorSnapshot snapshot()
    {
        return EmulatorSnapshot.of(this);
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
     * How many times the DMA verifier has reported a rule (0 when the verifier is off).
     *
     * @param rule the rule.
     * @return the count.
     */
    public long verifierReports(final VerifierRule rule)
    {
        return verifier.count(rule);
    }

    /**
     * How many notifications the dispatcher has delivered to callbacks so far (state changes and faults).
     *
     * @return the count.
     */
    public long notificationsDelivered()
    {
        return notifications.counters().get(dev.iommu.callbacks.NotificationCounters.DELIVERED_TYPE_ID);
    }

    /**
     * Samples the emulator's gauges (table pages, domains, devices, IOTLB hits and misses, faults) into the counters
     * file beside the notification counters. With a counters directory a background thread does this every
     * {@link EmulatorContext#countersRefreshNs()}.
     */
    public void refreshCounters()
    {
        counters.refresh();
    }

    /**
     * The handle resolver (package-private: tests read the emulator's state through it).
     */
    Handles handles()
    {
        return handles;
    }

    /**
     * Closes the notifications (no callback runs after this returns) and releases the table memory. Handles of this
     * emulator must not be used afterwards. With the verifier on, everything the driver left live is reported first
     * (the {@code LEAKED_*} rules); a fatal verifier throws the first of those reports once everything is closed.
     * Closing twice does nothing the second time.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        VerifierException leak = null;
        try
        {
            LeakAudit.run(verifier, handles.domains(), handles.devices());
        }
        catch (final VerifierException ex)
        {
            leak = ex;
        }
        closed = true;
        // The platform may outlive this emulator (and serve others): it must not keep this one reachable.
        platform.policy().removeListener(stateChanges);
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
        // The arena last: its header's clean flag says the context table and the log were closed before it.
        if (null != inFlightLog)
        {
            inFlightLog.close();
        }
        if (null != persisted)
        {
            persisted.close();
        }
        arena.close();
        if (null != leak)
        {
            throw leak;
        }
    }
}
