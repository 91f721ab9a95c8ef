/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.FaultInformation;
import dev.iommu.api.FaultInformationArch;
import dev.iommu.api.FaultInformationType;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

/**
 * Drains the ring and the fault recorder and calls the registered callbacks. One thread at a time runs it (the
 * agent thread, or the embedder through {@link Notifications#doWork()}). Allocates nothing per event: the
 * structures handed to callbacks are reused.
 */
final class Dispatcher implements Agent, MessageHandler
{
    /** Duty cycles between refreshes of PRODUCED and RING_OCCUPANCY on the agent thread. */
    static final int PRODUCER_COUNTERS_PERIOD = 64;

    private static final FaultInformationArch[] ARCHES = new FaultInformationArch[3];
    private static final FaultInformationType[] TYPES = new FaultInformationType[8];

    static
    {
        for (int i = 0; i < ARCHES.length; i++)
        {
            ARCHES[i] = FaultInformationArch.fromValue(i);
        }
        for (int i = 0; i < TYPES.length; i++)
        {
            TYPES[i] = FaultInformationType.fromValue(i);
        }
    }

    /** {@link #show} outcomes. */
    private static final int SHOWN = 0;
    private static final int ALREADY_SHOWN = 1;
    private static final int NOT_NOW = 2;
    private static final int CLOSED = 3;

    private final ManyToOneRingBuffer ring;
    private final CallbackRegistry registry;
    private final FaultRecorder recorder;
    private final NotificationCounters counters;
    private final HandleResolver resolver;
    private final ErrorHandler errorHandler;
    private final int limit;

    private final IommuInterfaceStateChange stateChange = new IommuInterfaceStateChange();
    private final FaultInformation faultInformation = new FaultInformation();
    private final FaultDetails details = new FaultDetails();
    private final MessageHandler discarder = this::discard;

    /**
     * The registration whose consecutive ring records are being delivered: its gate stays entered between its calls
     * ({@link CallbackGate#mayCallAgain()}), so a run of records of one registration costs one enter and one exit.
     * Null when no gate is held; always null between duty cycles and while any other callback runs.
     */
    private CallbackRegistry.StateChangeRegistration run;
    private int cycles;
    private long delivered;
    private long unhandled;
    private long discarded;
    private long healed;

    private long faultDeviceId;
    private long faultDomainId;
    private long faultAddress;
    private long faultIommuBase;
    private int faultArchFlags;
    private int faultInputMappingId;
    private int faultPciSegment;
    private int faultArch;
    private int faultReason;
    private int faultAccess;
    private int faultFlags;

    Dispatcher(
        final ManyToOneRingBuffer ring,
        final CallbackRegistry registry,
        final FaultRecorder recorder,
        final NotificationCounters counters,
        final HandleResolver resolver,
        final ErrorHandler errorHandler,
        final int limit)
    {
        this.ring = ring;
        this.registry = registry;
        this.recorder = recorder;
        this.counters = counters;
        this.resolver = resolver;
        this.errorHandler = errorHandler;
        this.limit = limit;
    }

    /** {@inheritDoc} */
    public String roleName()
    {
        return "iommu-notifications";
    }

    /** {@inheritDoc} */
    public int doWork()
    {
        int work;
        try
        {
            work = ring.read(this, limit);
        }
        finally
        {
            endRun();
        }
        if (recorder.hasPending())
        {
            work += drainRecorder();
        }
        if (registry.takeStateChangesPending())
        {
            work += deliverPendingStateChanges();
        }
        publishDeliveryCounters();
        // PRODUCED and RING_OCCUPANCY read the producers' hot tail line: refreshing them on every duty cycle would
        // make that line bounce between the dispatcher and the producers' claims, so only every few cycles.
        if (++cycles >= PRODUCER_COUNTERS_PERIOD)
        {
            cycles = 0;
            publishProducerCounters();
        }
        return work;
    }

    FaultDetails details()
    {
        return details;
    }

    long produced()
    {
        return ring.producerPosition() / RecordDescriptor.RECORD_LENGTH +
            counters.held.get() + counters.coalesced.get() + counters.dropped.get();
    }

    void publishCounters()
    {
        publishDeliveryCounters();
        publishProducerCounters();
    }

    private void publishProducerCounters()
    {
        counters.ringOccupancy.setRelease(ring.producerPosition() - ring.consumerPosition());
        counters.produced.setRelease(produced());
    }

    private void publishDeliveryCounters()
    {
        // Single writer (whichever thread holds the dispatcher); release so a reader in another process sees
        // values no older than the deliveries they count.
        if (0 != delivered)
        {
            counters.delivered.getAndAddRelease(delivered);
            delivered = 0;
        }
        if (0 != unhandled)
        {
            counters.unhandled.getAndAddRelease(unhandled);
            unhandled = 0;
        }
        if (0 != discarded)
        {
            counters.discarded.getAndAddRelease(discarded);
            discarded = 0;
        }
        if (0 != healed)
        {
            counters.healed.getAndAddRelease(healed);
            healed = 0;
        }
    }

    /**
     * Consumes everything in the ring and the recorder without calling anyone, counting it as discarded.
     */
    void discardAll()
    {
        while (ring.read(discarder, Integer.MAX_VALUE) > 0)
        {
            Thread.onSpinWait();
        }
        for (int slot = 0, n = recorder.slotCount(); slot < n; slot++)
        {
            if (recorder.isReady(slot))
            {
                discarded += recorder.take(slot);
            }
        }
        publishCounters();
    }

    private void discard(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        discarded++;
    }

    /** {@inheritDoc} */
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switch (msgTypeId)
        {
            case RecordDescriptor.STATE_CHANGE_TYPE_ID:
                onStateChange(buffer, index);
                break;

            case RecordDescriptor.FAULT_TYPE_ID:
                endRun();
                decodeFault(buffer, index);
                deliverFault(buffer.getInt(index + FaultDescriptor.COUNT_OFFSET));
                break;

            case RecordDescriptor.MAP_TYPE_ID:
            case RecordDescriptor.UNMAP_TYPE_ID:
                endRun();
                onMapping(msgTypeId, buffer, index);
                break;

            default:
                unhandled++;
                break;
        }
    }

    private int drainRecorder()
    {
        int work = 0;
        for (int slot = 0, n = recorder.slotCount(); slot < n; slot++)
        {
            if (recorder.isReady(slot))
            {
                // Read the fault before emptying the slot: once EMPTY, a producer may overwrite it.
                decodeFault(recorder.buffer(), FaultRecorder.faultOffset(slot));
                deliverFault(recorder.take(slot));
                work++;
            }
        }
        return work;
    }

    /**
     * A state-change record carries the state after one numbered change: its callback is called with it, in
     * publication order, unless the callback already showed that change or a newer one (the healing scan ran first):
     * then it counts as unhandled (no call). A change lost to a full ring is healed by
     * {@link #deliverPendingStateChanges()}.
     */
    private void onStateChange(final DirectBuffer buffer, final int index)
    {
        final long deviceId = buffer.getLong(index + StateChangeDescriptor.DEVICE_ID_OFFSET);
        final int presentFields = buffer.getInt(index + StateChangeDescriptor.PRESENT_FIELDS_OFFSET);
        final CallbackRegistry.StateChangeRegistration registration = registry.stateChange(deviceId);
        final int sequence = buffer.getInt(index + StateChangeDescriptor.CHANGE_SEQUENCE_OFFSET);
        if (null == registration || 0 == (presentFields & registration.watchedFields) ||
            buffer.getInt(index + StateChangeDescriptor.REGISTRATION_ID_OFFSET) != registration.id)
        {
            unhandled++;
            return;
        }
        final int value = buffer.getInt(index + StateChangeDescriptor.AVAILABLE_DOMAIN_TYPES_OFFSET);
        switch (showInRun(registration, presentFields & registration.watchedFields, sequence, value))
        {
            case SHOWN:
                delivered++;
                break;

            case NOT_NOW:
                // This thread is inside the callback (it drives doWork from there): the scan shows it later.
                registry.markLost(registration, sequence);
                unhandled++;
                break;

            default:
                unhandled++;
                break;
        }
    }

    /**
     * {@link #show} for a ring record, keeping the registration's gate entered for its next records in this duty
     * cycle (a run ends at a record of another registration or type, or at the end of the ring read).
     *
     * @return as {@link #show}; {@link #CLOSED} also when a call of the run unregistered the callback.
     */
    private int showInRun(
        final CallbackRegistry.StateChangeRegistration registration, final int presentFields, final int sequence,
        final int value)
    {
        final CallbackGate gate = registration.gate;
        if (registration != run)
        {
            endRun();
            if (!gate.tryEnter())
            {
                return gate.isClosed() ? CLOSED : NOT_NOW;
            }
            run = registration;
        }
        else if (!gate.mayCallAgain())
        {
            return CLOSED;
        }
        return callEntered(registration, presentFields, sequence, value);
    }

    /**
     * Exits the gate of the current run, if any.
     */
    private void endRun()
    {
        final CallbackRegistry.StateChangeRegistration registration = run;
        if (null != registration)
        {
            run = null;
            registration.gate.exit();
        }
    }

    /**
     * Shows each marked registration's latest change (stored before any publish attempt) when that is the lost one:
     * a newer change is on its way through the ring (it was published; had it been lost too, the mark would name
     * it), and its record will show it. The records older than the shown change still in the ring are then skipped.
     */
    private int deliverPendingStateChanges()
    {
        int work = 0;
        for (final CallbackRegistry.StateChangeRegistration registration : registry.stateChangeRegistrations())
        {
            final int lost = registration.takeLost();
            if (lost == CallbackRegistry.StateChangeRegistration.NO_CHANGE)
            {
                continue;
            }
            // Acquire: pairs with the publisher's CAS of the latest change.
            final long latest = registration.lvLatest();
            final int sequence = (int)(latest >>> 32);
            if (sequence != lost)
            {
                continue;
            }
            final int shown = show(registration,
                IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES & registration.watchedFields, sequence,
                (int)latest);
            if (shown == SHOWN)
            {
                healed++;
                work++;
            }
            else if (shown == NOT_NOW)
            {
                // This thread is inside the callback (it drives doWork from there): scan again on a later cycle.
                registry.markLost(registration, sequence);
            }
        }
        return work;
    }

    /**
     * Calls the callback with change {@code sequence} unless it already showed that change or a newer one.
     *
     * @return {@link #SHOWN}, {@link #ALREADY_SHOWN} (that change or a newer one), {@link #NOT_NOW} (the calling
     *     thread is inside the callback) or {@link #CLOSED}.
     */
    private int show(
        final CallbackRegistry.StateChangeRegistration registration, final int presentFields, final int sequence,
        final int value)
    {
        final CallbackGate gate = registration.gate;
        if (!gate.tryEnter())
        {
            return gate.isClosed() ? CLOSED : NOT_NOW;
        }
        try
        {
            return callEntered(registration, presentFields, sequence, value);
        }
        finally
        {
            gate.exit();
        }
    }

    /**
     * Calls the callback, its gate entered by this thread, with change {@code sequence} unless it already showed
     * that change or a newer one.
     *
     * @return {@link #SHOWN} or {@link #ALREADY_SHOWN}.
     */
    private int callEntered(
        final CallbackRegistry.StateChangeRegistration registration, final int presentFields, final int sequence,
        final int value)
    {
        // Inside the gate: shownSequence is ordered with the previous runner by the gate's acquire/release.
        final int shown = registration.shownSequence();
        if (sequence - shown <= 0)
        {
            return ALREADY_SHOWN;
        }
        registration.shownSequence(sequence);
        try
        {
            stateChange.presentFields(presentFields).availableDomainTypes(value);
            registration.callback.onStateChange(stateChange, registration.context);
        }
        catch (final Throwable ex)
        {
            onCallbackError(ex);
        }
        return SHOWN;
    }

    private void decodeFault(final DirectBuffer buffer, final int index)
    {
        faultDeviceId = buffer.getLong(index + FaultDescriptor.DEVICE_ID_OFFSET);
        faultDomainId = buffer.getLong(index + FaultDescriptor.DOMAIN_ID_OFFSET);
        faultAddress = buffer.getLong(index + FaultDescriptor.FAULT_ADDRESS_OFFSET);
        faultIommuBase = buffer.getLong(index + FaultDescriptor.IOMMU_BASE_ADDRESS_OFFSET);
        faultArchFlags = buffer.getInt(index + FaultDescriptor.ARCH_FLAGS_OFFSET);
        faultInputMappingId = buffer.getInt(index + FaultDescriptor.INPUT_MAPPING_ID_OFFSET);
        faultPciSegment = buffer.getInt(index + FaultDescriptor.PCI_SEGMENT_OFFSET);
        faultArch = buffer.getByte(index + FaultDescriptor.ARCH_OFFSET);
        faultReason = buffer.getByte(index + FaultDescriptor.REASON_OFFSET);
        faultAccess = buffer.getByte(index + FaultDescriptor.ACCESS_OFFSET);
        faultFlags = buffer.getByte(index + FaultDescriptor.FLAGS_OFFSET);
    }

    private void deliverFault(final int count)
    {
        final CallbackRegistry.FaultRegistration registration = registry.fault(faultDeviceId);
        if (null == registration)
        {
            unhandled += count;
            return;
        }
        final FaultInformationType type = TYPES[faultReason];
        final FaultInformation info = faultInformation;
        info.type(ARCHES[faultArch]).isStage1(0 != (faultFlags & FaultDescriptor.STAGE1_FLAG));
        if (FaultInformationArch.ARM64.value() == faultArch)
        {
            info.arm64()
                .domainHandle(resolver.domain(faultDomainId))
                .faultAddress(faultAddress)
                .physicalDeviceObject(resolver.physicalDeviceObject(faultDeviceId))
                .inputMappingId(faultInputMappingId)
                .flags(faultArchFlags)
                .type(type)
                .iommuBaseAddress(faultIommuBase);
        }
        else if (FaultInformationArch.X64.value() == faultArch)
        {
            info.x64()
                .domainHandle(resolver.domain(faultDomainId))
                .faultAddress(faultAddress)
                .flags(faultArchFlags)
                .type(type)
                .iommuBaseAddress(faultIommuBase)
                .pciSegment(faultPciSegment);
        }
        details.set(
            faultDeviceId, faultDomainId, faultAddress, faultAccess, faultReason, count, recorder.takeOverflow());
        final CallbackGate gate = registration.gate;
        if (!gate.tryEnter())
        {
            unhandled += count;
            return;
        }
        try
        {
            registration.handler.onFault(registration.context, info);
        }
        catch (final Throwable ex)
        {
            onCallbackError(ex);
        }
        finally
        {
            gate.exit();
        }
        delivered += count;
    }

    private void onMapping(final int msgTypeId, final DirectBuffer buffer, final int index)
    {
        final CallbackRegistry.MappingRegistration[] listeners = registry.listeners();
        final long domainId = buffer.getLong(index + MappingDescriptor.DOMAIN_ID_OFFSET);
        final long address = buffer.getLong(index + MappingDescriptor.ADDRESS_OFFSET);
        final long length = buffer.getLong(index + MappingDescriptor.LENGTH_OFFSET);
        final long physicalAddress = buffer.getLong(index + MappingDescriptor.PHYSICAL_ADDRESS_OFFSET);
        final int permissions = buffer.getInt(index + MappingDescriptor.PERMISSIONS_OFFSET);
        boolean anyone = false;
        for (final CallbackRegistry.MappingRegistration registration : listeners)
        {
            final CallbackGate gate = registration.gate;
            if (gate.tryEnter())
            {
                anyone = true;
                try
                {
                    if (RecordDescriptor.MAP_TYPE_ID == msgTypeId)
                    {
                        registration.listener.onMap(domainId, address, length, physicalAddress, permissions);
                    }
                    else
                    {
                        registration.listener.onUnmap(domainId, address, length);
                    }
                }
                catch (final Throwable ex)
                {
                    onCallbackError(ex);
                }
                finally
                {
                    gate.exit();
                }
            }
        }
        if (anyone)
        {
            delivered++;
        }
        else
        {
            unhandled++;
        }
    }

    void onCallbackError(final Throwable ex)
    {
        counters.callbackErrors.increment();
        try
        {
            errorHandler.onError(ex);
        }
        catch (final Throwable ignore)
        {
            // The error handler itself failed: the error is counted; the dispatcher must go on.
        }
    }
}
