/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import static dev.iommu.callbacks.CoalescingSlotDescriptor.COUNT_MASK;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.COUNT_ONE;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.EMPTY;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.FAULT_OFFSET;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.HEADER_LENGTH;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.OVERFLOW_OFFSET;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.PENDING_OFFSET;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.READY;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.SLOT_LENGTH;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.STATE_OFFSET;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.WRITING;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.count;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.generation;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.phase;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.slotOffset;
import static dev.iommu.callbacks.CoalescingSlotDescriptor.state;

/**
 * Holds faults that found the ring full (layout: {@link CoalescingSlotDescriptor}). Producers on any thread
 * {@link #record record} into it without blocking or allocating; only the dispatcher takes slots out.
 */
final class FaultRecorder
{
    static final int PAGE_SHIFT = 12;
    private static final int MAX_ATTEMPTS = 8;

    private final AtomicBuffer buffer;
    private final int slotMask;
    private final int slotCount;
    private final AtomicCounter held;
    private final AtomicCounter coalesced;
    private final AtomicCounter dropped;

    FaultRecorder(
        final int slotCount, final AtomicCounter held, final AtomicCounter coalesced, final AtomicCounter dropped)
    {
        if (!BitUtil.isPowerOfTwo(slotCount))
        {
            throw new IllegalArgumentException("slot count must be a power of two: " + slotCount);
        }
        this.slotCount = slotCount;
        this.slotMask = slotCount - 1;
        this.buffer = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(HEADER_LENGTH + slotCount * SLOT_LENGTH, BitUtil.CACHE_LINE_LENGTH));
        this.held = held;
        this.coalesced = coalesced;
        this.dropped = dropped;
    }

    static int slotIndex(final long deviceId, final long faultAddress, final int slotMask)
    {
        long h = deviceId * 0x9E37_79B9_7F4A_7C15L ^ (faultAddress >>> PAGE_SHIFT);
        h *= 0xBF58_476D_1CE4_E5B9L;
        return (int)(h >>> 40) & slotMask;
    }

    int slotCount()
    {
        return slotCount;
    }

    int slotMask()
    {
        return slotMask;
    }

    /**
     * Records a fault that found the ring full: into an empty slot (held), or added to the count of the slot that
     * already holds the same device and page (coalesced), else dropped. Raises the overflow flag in every case.
     *
     * @return {@link PublishResult#COALESCED} or {@link PublishResult#DROPPED}.
     */
    int record(
        final long deviceId,
        final long domainId,
        final long faultAddress,
        final long iommuBaseAddress,
        final int archFlags,
        final int inputMappingId,
        final int pciSegment,
        final int arch,
        final int reason,
        final int access,
        final int flags)
    {
        raiseOverflow();
        final int offset = slotOffset(slotIndex(deviceId, faultAddress, slotMask));
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
            final long s = buffer.getLongVolatile(offset + STATE_OFFSET);
            final long phase = phase(s);
            if (EMPTY == phase)
            {
                if (buffer.compareAndSetLong(offset + STATE_OFFSET, s, state(generation(s), 0, WRITING)))
                {
                    final int f = offset + FAULT_OFFSET;
                    buffer.putLong(f + FaultDescriptor.DEVICE_ID_OFFSET, deviceId);
                    buffer.putLong(f + FaultDescriptor.DOMAIN_ID_OFFSET, domainId);
                    buffer.putLong(f + FaultDescriptor.FAULT_ADDRESS_OFFSET, faultAddress);
                    buffer.putLong(f + FaultDescriptor.IOMMU_BASE_ADDRESS_OFFSET, iommuBaseAddress);
                    buffer.putInt(f + FaultDescriptor.ARCH_FLAGS_OFFSET, archFlags);
                    buffer.putInt(f + FaultDescriptor.INPUT_MAPPING_ID_OFFSET, inputMappingId);
                    buffer.putInt(f + FaultDescriptor.PCI_SEGMENT_OFFSET, pciSegment);
                    buffer.putInt(f + FaultDescriptor.COUNT_OFFSET, 0);
                    buffer.putByte(f + FaultDescriptor.ARCH_OFFSET, (byte)arch);
                    buffer.putByte(f + FaultDescriptor.REASON_OFFSET, (byte)reason);
                    buffer.putByte(f + FaultDescriptor.ACCESS_OFFSET, (byte)access);
                    buffer.putByte(f + FaultDescriptor.FLAGS_OFFSET, (byte)flags);
                    // Release: the plain field writes above happen-before any acquire that sees READY (the
                    // dispatcher's, and other producers' key comparisons).
                    buffer.putLongRelease(offset + STATE_OFFSET, state(generation(s), 1, READY));
                    buffer.getAndAddLong(PENDING_OFFSET, 1);
                    held.increment();
                    return PublishResult.COALESCED;
                }
            }
            else if (READY == phase)
            {
                final int added = tryAddToCount(offset, s, deviceId, faultAddress);
                if (added < 0)
                {
                    break;
                }
                if (added > 0)
                {
                    coalesced.increment();
                    return PublishResult.COALESCED;
                }
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        dropped.increment();
        return PublishResult.DROPPED;
    }

    /**
     * Adds one to the count of the READY slot at offset, whose state word was read as s, when it holds the same
     * device and page.
     *
     * @return 1 when added, 0 when the state word changed since s was read (retry), -1 when the slot holds another
     * key or its count is saturated (drop).
     */
    int tryAddToCount(final int offset, final long s, final long deviceId, final long faultAddress)
    {
        if (!holds(offset, s, deviceId, faultAddress))
        {
            return -1;
        }
        return addOne(offset, s) ? 1 : 0;
    }

    /**
     * Whether the READY slot at offset, whose state word was read as s, holds this device and page and can count
     * one more. Plain reads after the acquire of READY (s): they may be stale or torn if the slot moved on since,
     * which {@link #addOne(int, long)} then detects.
     */
    boolean holds(final int offset, final long s, final long deviceId, final long faultAddress)
    {
        final int f = offset + FAULT_OFFSET;
        final long slotDevice = buffer.getLong(f + FaultDescriptor.DEVICE_ID_OFFSET);
        final long slotAddress = buffer.getLong(f + FaultDescriptor.FAULT_ADDRESS_OFFSET);
        return slotDevice == deviceId &&
            (slotAddress >>> PAGE_SHIFT) == (faultAddress >>> PAGE_SHIFT) &&
            count(s) != COUNT_MASK;
    }

    /**
     * Adds one to the count of the slot at offset if its state word is still s.
     */
    boolean addOne(final int offset, final long s)
    {
        // CAS on the whole word: if the slot moved on since s was read (the dispatcher took it, another producer
        // refilled it), its generation changed and this fails, so a stale key check in holds() can never add to
        // another fault's count. Without the generation, a slot taken and refilled to the same (count, phase)
        // would accept this stale CAS (ABA).
        return buffer.compareAndSetLong(offset + STATE_OFFSET, s, s + COUNT_ONE);
    }

    long stateWord(final int slot)
    {
        return buffer.getLongVolatile(slotOffset(slot) + STATE_OFFSET);
    }

    void raiseOverflow()
    {
        // Read first so that a storm of full-ring faults does not keep the line bouncing between cores.
        if (0 == buffer.getLongVolatile(OVERFLOW_OFFSET))
        {
            buffer.putLongVolatile(OVERFLOW_OFFSET, 1);
        }
    }

    /**
     * Takes the overflow flag (dispatcher only).
     *
     * @return true when it was raised since the last take.
     */
    boolean takeOverflow()
    {
        return 0 != buffer.getLongVolatile(OVERFLOW_OFFSET) && 0 != buffer.getAndSetLong(OVERFLOW_OFFSET, 0);
    }

    /**
     * Whether any slot may be READY (dispatcher only).
     *
     * @return true when the pending count is not zero.
     */
    boolean hasPending()
    {
        return 0 != buffer.getLongVolatile(PENDING_OFFSET);
    }

    /**
     * Whether a slot is READY (dispatcher only); its fault may then be read at {@link #faultOffset(int)}.
     */
    boolean isReady(final int slot)
    {
        // Acquire: pairs with the producer's release of READY, making the fault fields visible.
        return READY == phase(buffer.getLongAcquire(slotOffset(slot) + STATE_OFFSET));
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    static int faultOffset(final int slot)
    {
        return slotOffset(slot) + FAULT_OFFSET;
    }

    /**
     * Empties a READY slot (dispatcher only; call after reading its fault) and returns how many faults it stood
     * for. Retries while producers keep adding to the count.
     */
    int take(final int slot)
    {
        final int offset = slotOffset(slot) + STATE_OFFSET;
        while (true)
        {
            final long s = buffer.getLongVolatile(offset);
            // Bumping the generation makes every producer CAS based on the old word fail.
            if (buffer.compareAndSetLong(offset, s, state(generation(s) + 1, 0, EMPTY)))
            {
                buffer.getAndAddLong(PENDING_OFFSET, -1);
                return (int)count(s);
            }
        }
    }
}
