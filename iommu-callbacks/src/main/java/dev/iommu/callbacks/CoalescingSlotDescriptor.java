/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

/**
 * Layout of the fault recorder that holds faults while the ring is full ({@link FaultRecorder}): a header line,
 * then one 64-byte slot per (device, page) hash bucket. A slot holds the first fault of its key and a count of the
 * identical faults that followed, as VT-d's fault recording registers collapse repeats.
 * <pre>
 * Header (64 bytes, at offset 0):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Pending slots (READY, not yet delivered)           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     Overflow flag (1: faults were coalesced or dropped)       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Padding                              ...
 *  +---------------------------------------------------------------+
 *
 * Slot i (64 bytes, at offset 64 * (i + 1)):
 *  +---------------------------------------------------------------+
 *  |      Generation (32 bits)     |   Count (30 bits)     | Phase |
 *  +---------------------------------------------------------------+
 *  |   The first fault, laid out as FaultDescriptor (56 bytes;     |
 *  |   its Count field unused: the count lives in the state)      ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Phase: {@link #EMPTY}, {@link #WRITING} (one producer owns the slot and writes the fault) or {@link #READY}
 * (published; producers with the same key add to the count with a CAS on the whole state word; only the
 * dispatcher moves it back to EMPTY, bumping the generation so that a stale CAS cannot succeed).
 */
final class CoalescingSlotDescriptor
{
    static final int PENDING_OFFSET = 0;
    static final int OVERFLOW_OFFSET = 8;
    static final int HEADER_LENGTH = 64;

    static final int SLOT_LENGTH = 64;
    static final int STATE_OFFSET = 0;
    static final int FAULT_OFFSET = 8;

    static final long PHASE_MASK = 0x3L;
    static final long EMPTY = 0L;
    static final long WRITING = 1L;
    static final long READY = 2L;

    static final int COUNT_SHIFT = 2;
    static final long COUNT_MASK = (1L << 30) - 1;
    static final long COUNT_ONE = 1L << COUNT_SHIFT;

    static final int GENERATION_SHIFT = 32;

    private CoalescingSlotDescriptor()
    {
    }

    static long phase(final long state)
    {
        return state & PHASE_MASK;
    }

    static long count(final long state)
    {
        return (state >>> COUNT_SHIFT) & COUNT_MASK;
    }

    static long generation(final long state)
    {
        return state >>> GENERATION_SHIFT;
    }

    static long state(final long generation, final long count, final long phase)
    {
        return (generation << GENERATION_SHIFT) | (count << COUNT_SHIFT) | phase;
    }

    static int slotOffset(final int slot)
    {
        return HEADER_LENGTH + slot * SLOT_LENGTH;
    }
}
