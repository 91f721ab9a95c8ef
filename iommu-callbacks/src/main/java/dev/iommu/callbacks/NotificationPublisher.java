/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.FaultInformationArch;
import dev.iommu.api.FaultInformationType;
import dev.iommu.api.IommuPermissions;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Writes events into the ring. Thread-safe: any number of threads may publish at once. Every method returns at
 * once with a {@link PublishResult}, never blocks and allocates nothing.
 * <p>
 * Order: records are delivered in the order they were claimed in the ring, so two events of one device whose
 * publications are ordered (same thread, or ordered by happens-before) are delivered in that order. A fault held
 * in the fault recorder while the ring was full is delivered after the ring records the dispatcher drains in the
 * same duty cycle, with its count and the overflow flag.
 */
public final class NotificationPublisher
{
    private static final VarHandle CLOSED_VH;

    static
    {
        try
        {
            CLOSED_VH = MethodHandles.lookup().findVarHandle(NotificationPublisher.class, "closed", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ManyToOneRingBuffer ring;
    private final AtomicBuffer buffer;
    private final FaultRecorder recorder;
    private final CallbackRegistry registry;
    private final AtomicCounter dropped;
    @SuppressWarnings("unused")
    private boolean closed;

    NotificationPublisher(
        final ManyToOneRingBuffer ring, final FaultRecorder recorder, final CallbackRegistry registry,
        final AtomicCounter dropped)
    {
        this.ring = ring;
        this.buffer = ring.buffer();
        this.recorder = recorder;
        this.registry = registry;
        this.dropped = dropped;
    }

    void close()
    {
        CLOSED_VH.setVolatile(this, true);
    }

    /**
     * Whether {@link Notifications#close()} has begun.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return (boolean)CLOSED_VH.getAcquire(this);
    }

    /**
     * Publishes an interface state change of a device (spec 2.35, 3.11). The device's registered callback is
     * called with each published state, in order; when the ring is full the record is dropped (and counted), but the
     * state is not lost: it is held as the device's latest state, and once the dispatcher has consumed the records
     * published before it, the callback is called with the newest state it has not seen (changes merged, as held
     * faults are). One thread at a time publishes the changes of one device (the core publishes under its policy's
     * monitor), so the latest state stored here is the newest.
     *
     * @param deviceId             the device, {@code >= 0}.
     * @param presentFields        which states changed ({@code IommuInterfaceStateChangeFields} bits).
     * @param availableDomainTypes the new available domain types ({@code 1 << IommuDmaDomainType.value()} bits).
     * @return {@link PublishResult#PUBLISHED}, {@link PublishResult#DROPPED}, {@link PublishResult#CLOSED}, or
     * {@link PublishResult#INVALID_ARGUMENT} for a negative device id.
     */
    public int publishStateChange(final long deviceId, final int presentFields, final int availableDomainTypes)
    {
        if (deviceId < 0)
        {
            return PublishResult.INVALID_ARGUMENT;
        }
        if (isClosed())
        {
            return PublishResult.CLOSED;
        }
        final CallbackRegistry.StateChangeRegistration registration = registry.stateChange(deviceId);
        final int sequence = null == registration ?
            CallbackRegistry.StateChangeRegistration.NO_CHANGE : registration.nextChange(availableDomainTypes);
        final int index = ring.tryClaim(RecordDescriptor.STATE_CHANGE_TYPE_ID, RecordDescriptor.PAYLOAD_LENGTH);
        if (index < 0)
        {
            dropped.increment();
            if (null != registration)
            {
                registry.markLost(registration, sequence);
            }
            return PublishResult.DROPPED;
        }
        buffer.putLong(index + StateChangeDescriptor.DEVICE_ID_OFFSET, deviceId);
        buffer.putInt(index + StateChangeDescriptor.PRESENT_FIELDS_OFFSET, presentFields);
        buffer.putInt(index + StateChangeDescriptor.AVAILABLE_DOMAIN_TYPES_OFFSET, availableDomainTypes);
        buffer.putInt(index + StateChangeDescriptor.CHANGE_SEQUENCE_OFFSET, sequence);
        buffer.putInt(index + StateChangeDescriptor.REGISTRATION_ID_OFFSET, null == registration ? 0 : registration.id);
        // commit() is Agrona's release store of the record length: the plain field writes above happen-before the
        // dispatcher's acquire read of that length.
        ring.commit(index);
        return PublishResult.PUBLISHED;
    }

    /**
     * Publishes a device fault (spec 2.36, 3.12). When the ring is full, an identical fault (same device, same
     * 4 KiB page of faultAddress) already held is counted instead of dropped ({@link PublishResult#COALESCED}).
     *
     * @param deviceId         the device, {@code >= 0}.
     * @param domainId         the domain the device was attached to.
     * @param faultAddress     the faulting input (logical) address.
     * @param access           what the device attempted: {@code IommuPermissions} bits only.
     * @param reason           a {@code FaultInformationType} value below {@code MAX_FAULT_TYPE}.
     * @param stage1           the fault came from stage-1 translation ({@code IsStage1}).
     * @param arch             a {@code FaultInformationArch} value: which architecture record to fill.
     * @param archFlags        the architecture's {@code Flags} word (ARM64 or x64 flags bits), as given.
     * @param inputMappingId   ARM64 {@code InputMappingId} (stream id); ignored for x64.
     * @param pciSegment       x64 {@code PciSegment}; ignored for ARM64.
     * @param iommuBaseAddress the MMIO base of the reporting IOMMU.
     * @return {@link PublishResult#PUBLISHED}, {@link PublishResult#COALESCED}, {@link PublishResult#DROPPED},
     * {@link PublishResult#CLOSED}, or {@link PublishResult#INVALID_ARGUMENT} (negative device id, reserved access
     * bits, unknown reason or architecture).
     */
    public int publishFault(
        final long deviceId,
        final long domainId,
        final long faultAddress,
        final int access,
        final int reason,
        final boolean stage1,
        final int arch,
        final int archFlags,
        final int inputMappingId,
        final int pciSegment,
        final long iommuBaseAddress)
    {
        if (deviceId < 0 || !IommuPermissions.isValid(access) ||
            reason < 0 || reason >= FaultInformationType.MAX_FAULT_TYPE.value() ||
            arch < FaultInformationArch.INVALID.value() || arch > FaultInformationArch.X64.value())
        {
            return PublishResult.INVALID_ARGUMENT;
        }
        if (isClosed())
        {
            return PublishResult.CLOSED;
        }
        final int flags = stage1 ? FaultDescriptor.STAGE1_FLAG : 0;
        final int index = ring.tryClaim(RecordDescriptor.FAULT_TYPE_ID, RecordDescriptor.PAYLOAD_LENGTH);
        if (index < 0)
        {
            return recorder.record(
                deviceId, domainId, faultAddress, iommuBaseAddress, archFlags, inputMappingId, pciSegment,
                arch, reason, access, flags);
        }
        buffer.putLong(index + FaultDescriptor.DEVICE_ID_OFFSET, deviceId);
        buffer.putLong(index + FaultDescriptor.DOMAIN_ID_OFFSET, domainId);
        buffer.putLong(index + FaultDescriptor.FAULT_ADDRESS_OFFSET, faultAddress);
        buffer.putLong(index + FaultDescriptor.IOMMU_BASE_ADDRESS_OFFSET, iommuBaseAddress);
        buffer.putInt(index + FaultDescriptor.ARCH_FLAGS_OFFSET, archFlags);
        buffer.putInt(index + FaultDescriptor.INPUT_MAPPING_ID_OFFSET, inputMappingId);
        buffer.putInt(index + FaultDescriptor.PCI_SEGMENT_OFFSET, pciSegment);
        buffer.putInt(index + FaultDescriptor.COUNT_OFFSET, 1);
        buffer.putByte(index + FaultDescriptor.ARCH_OFFSET, (byte)arch);
        buffer.putByte(index + FaultDescriptor.REASON_OFFSET, (byte)reason);
        buffer.putByte(index + FaultDescriptor.ACCESS_OFFSET, (byte)access);
        buffer.putByte(index + FaultDescriptor.FLAGS_OFFSET, (byte)flags);
        // Release store of the record length (see publishStateChange).
        ring.commit(index);
        return PublishResult.PUBLISHED;
    }

    /**
     * Publishes a map notification, for embedders that shadow mappings.
     *
     * @param domainId        the domain.
     * @param address         the logical (device) address.
     * @param length          the length in bytes, {@code > 0}.
     * @param physicalAddress the physical address mapped at address.
     * @param permissions     {@code IommuPermissions} bits only.
     * @return {@link PublishResult#PUBLISHED}, {@link PublishResult#DROPPED}, {@link PublishResult#CLOSED}, or
     * {@link PublishResult#INVALID_ARGUMENT} (length not positive, reserved permission bits).
     */
    public int publishMap(
        final long domainId, final long address, final long length, final long physicalAddress, final int permissions)
    {
        if (length <= 0 || !IommuPermissions.isValid(permissions))
        {
            return PublishResult.INVALID_ARGUMENT;
        }
        return publishMapping(RecordDescriptor.MAP_TYPE_ID, domainId, address, length, physicalAddress, permissions);
    }

    /**
     * Publishes an unmap notification, for embedders that shadow mappings.
     *
     * @param domainId the domain.
     * @param address  the logical (device) address.
     * @param length   the length in bytes, {@code > 0}.
     * @return {@link PublishResult#PUBLISHED}, {@link PublishResult#DROPPED}, {@link PublishResult#CLOSED}, or
     * {@link PublishResult#INVALID_ARGUMENT} (length not positive).
     */
    public int publishUnmap(final long domainId, final long address, final long length)
    {
        if (length <= 0)
        {
            return PublishResult.INVALID_ARGUMENT;
        }
        return publishMapping(RecordDescriptor.UNMAP_TYPE_ID, domainId, address, length, 0, 0);
    }

    private int publishMapping(
        final int typeId,
        final long domainId,
        final long address,
        final long length,
        final long physicalAddress,
        final int permissions)
    {
        if (isClosed())
        {
            return PublishResult.CLOSED;
        }
        final int index = ring.tryClaim(typeId, RecordDescriptor.PAYLOAD_LENGTH);
        if (index < 0)
        {
            dropped.increment();
            return PublishResult.DROPPED;
        }
        buffer.putLong(index + MappingDescriptor.DOMAIN_ID_OFFSET, domainId);
        buffer.putLong(index + MappingDescriptor.ADDRESS_OFFSET, address);
        buffer.putLong(index + MappingDescriptor.LENGTH_OFFSET, length);
        buffer.putLong(index + MappingDescriptor.PHYSICAL_ADDRESS_OFFSET, physicalAddress);
        buffer.putInt(index + MappingDescriptor.PERMISSIONS_OFFSET, permissions);
        // Release store of the record length (see publishStateChange).
        ring.commit(index);
        return PublishResult.PUBLISHED;
    }
}
