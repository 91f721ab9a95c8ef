/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * The counters of one {@link Notifications}, in an Agrona counters buffer (direct memory, or the memory-mapped
 * file of {@link CountersFileDescriptor} when a directory is configured). Each counter has a type id of this class
 * and is allocated in the order of the ids, so its counter id is {@code typeId - PRODUCED_TYPE_ID}.
 * <p>
 * Accounting, once the ring is drained: {@code PRODUCED == DELIVERED + UNHANDLED + DROPPED + DISCARDED}, where a
 * record standing for n coalesced faults counts n. {@code COALESCED} (faults added to a held fault's count) and
 * {@code HELD} (faults that found the ring full and were held in the recorder) are parts of the first two.
 * Registration-time calls of state-change callbacks are not events and are not counted; nor are the calls of the
 * healing scan ({@code HEALED}): a state change record whose change the scan already showed (or superseded) counts
 * as unhandled. Callbacks called = {@code DELIVERED + HEALED}.
 * <p>
 * Freshness: the delivery counters are updated at the end of every duty cycle; {@code PRODUCED} and
 * {@code RING_OCCUPANCY} (which read the producers' position) every 64 duty cycles of the agent thread, after each
 * {@link Notifications#doWork()}, and at close. {@link Notifications#producedCount()} is always current.
 */
public final class NotificationCounters
{
    /** Events accepted by a publisher (valid arguments, not closed). */
    public static final int PRODUCED_TYPE_ID = 1001;
    /** Events delivered to at least one callback, handler or listener. */
    public static final int DELIVERED_TYPE_ID = 1002;
    /** Events dispatched that no registered callback took (none registered, or not watched). */
    public static final int UNHANDLED_TYPE_ID = 1003;
    /** Faults added to the count of an identical held fault instead of being dropped. */
    public static final int COALESCED_TYPE_ID = 1004;
    /** Events lost because the ring (and the fault recorder) was full. */
    public static final int DROPPED_TYPE_ID = 1005;
    /** Callbacks, handlers or listeners that threw. */
    public static final int CALLBACK_ERRORS_TYPE_ID = 1006;
    /** Bytes of records in the ring, as of the dispatcher's last duty cycle. */
    public static final int RING_OCCUPANCY_TYPE_ID = 1007;
    /** Faults that found the ring full and took an empty recorder slot. */
    public static final int HELD_TYPE_ID = 1008;
    /** Events discarded undelivered by a close that does not drain. */
    public static final int DISCARDED_TYPE_ID = 1009;
    /** State-change callbacks made by the healing scan: a device's latest state, after changes lost to a full ring. */
    public static final int HEALED_TYPE_ID = 1010;

    private static final String[] LABELS =
    {
        "notifications produced", "notifications delivered", "notifications unhandled", "faults coalesced",
        "notifications dropped", "callback errors", "ring occupancy bytes", "faults held while ring full",
        "notifications discarded at close", "state changes healed after a full ring",
    };

    final AtomicCounter produced;
    final AtomicCounter delivered;
    final AtomicCounter unhandled;
    final AtomicCounter coalesced;
    final AtomicCounter dropped;
    final AtomicCounter callbackErrors;
    final AtomicCounter ringOccupancy;
    final AtomicCounter held;
    final AtomicCounter discarded;
    final AtomicCounter healed;

    private final CountersManager manager;
    // Never unmapped explicitly: a late counter update (a producer racing close) must not touch freed memory.
    private final MappedByteBuffer mapped;

    NotificationCounters(final File directory)
    {
        final AtomicBuffer metadata;
        final AtomicBuffer values;
        if (null == directory)
        {
            mapped = null;
            metadata = new UnsafeBuffer(
                ByteBuffer.allocateDirect(CountersFileDescriptor.METADATA_LENGTH));
            values = new UnsafeBuffer(ByteBuffer.allocateDirect(CountersFileDescriptor.VALUES_LENGTH));
        }
        else
        {
            IoUtil.ensureDirectoryExists(directory, "counters directory");
            final File file = new File(directory, CountersFileDescriptor.FILE_NAME);
            IoUtil.deleteIfExists(file);
            mapped = IoUtil.mapNewFile(file, CountersFileDescriptor.FILE_LENGTH);
            final UnsafeBuffer whole = new UnsafeBuffer(mapped);
            whole.putInt(CountersFileDescriptor.VERSION_OFFSET, CountersFileDescriptor.VERSION);
            whole.putInt(CountersFileDescriptor.METADATA_LENGTH_OFFSET, CountersFileDescriptor.METADATA_LENGTH);
            whole.putInt(CountersFileDescriptor.VALUES_LENGTH_OFFSET, CountersFileDescriptor.VALUES_LENGTH);
            // Release: a reader that sees the magic sees the lengths above.
            whole.putIntRelease(CountersFileDescriptor.MAGIC_OFFSET, CountersFileDescriptor.MAGIC);
            metadata = new UnsafeBuffer(
                whole, CountersFileDescriptor.HEADER_LENGTH, CountersFileDescriptor.METADATA_LENGTH);
            values = new UnsafeBuffer(
                whole,
                CountersFileDescriptor.HEADER_LENGTH + CountersFileDescriptor.METADATA_LENGTH,
                CountersFileDescriptor.VALUES_LENGTH);
        }
        manager = new CountersManager(metadata, values);
        produced = manager.newCounter(LABELS[0], PRODUCED_TYPE_ID);
        delivered = manager.newCounter(LABELS[1], DELIVERED_TYPE_ID);
        unhandled = manager.newCounter(LABELS[2], UNHANDLED_TYPE_ID);
        coalesced = manager.newCounter(LABELS[3], COALESCED_TYPE_ID);
        dropped = manager.newCounter(LABELS[4], DROPPED_TYPE_ID);
        callbackErrors = manager.newCounter(LABELS[5], CALLBACK_ERRORS_TYPE_ID);
        ringOccupancy = manager.newCounter(LABELS[6], RING_OCCUPANCY_TYPE_ID);
        held = manager.newCounter(LABELS[7], HELD_TYPE_ID);
        discarded = manager.newCounter(LABELS[8], DISCARDED_TYPE_ID);
        healed = manager.newCounter(LABELS[9], HEALED_TYPE_ID);
    }

    /**
     * The counters, for reading them (labels, type ids, values).
     *
     * @return the reader over this instance's buffers.
     */
    public CountersReader reader()
    {
        return manager;
    }

    /**
     * Allocates one more counter in this buffer, for the component that owns these notifications (the emulator
     * publishes its gauges beside them, so that one file holds everything a reader in another process shows).
     * Counter ids follow the notification counters; at most {@link CountersFileDescriptor#MAX_COUNTERS} in all.
     *
     * @param label  what the counter counts.
     * @param typeId its type id (outside the {@code *_TYPE_ID} range of this class).
     * @return the counter.
     * @throws IllegalStateException when the buffer is full.
     */
    public synchronized AtomicCounter newCounter(final String label, final int typeId)
    {
        if (typeId >= PRODUCED_TYPE_ID && typeId <= HEALED_TYPE_ID)
        {
            throw new IllegalArgumentException("type id taken by the notification counters: " + typeId);
        }
        return manager.newCounter(label, typeId);
    }

    /**
     * The value of a counter of this instance.
     *
     * @param typeId one of the {@code *_TYPE_ID} constants.
     * @return its value.
     */
    public long get(final int typeId)
    {
        return manager.getCounterValue(typeId - PRODUCED_TYPE_ID);
    }

    /**
     * Maps the counters file of another (or this) process for reading.
     *
     * @param directory the counters directory given to the writer's context.
     * @return a reader over the mapped file.
     * @throws IllegalStateException when the file is not (yet) a complete counters file.
     */
    public static CountersReader mapReader(final File directory)
    {
        final File file = new File(directory, CountersFileDescriptor.FILE_NAME);
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, "notification counters");
        final UnsafeBuffer whole = new UnsafeBuffer(mapped);
        if (whole.capacity() < CountersFileDescriptor.HEADER_LENGTH ||
            CountersFileDescriptor.MAGIC != whole.getIntAcquire(CountersFileDescriptor.MAGIC_OFFSET) ||
            CountersFileDescriptor.VERSION != whole.getInt(CountersFileDescriptor.VERSION_OFFSET))
        {
            throw new IllegalStateException("not a notification counters file: " + file);
        }
        final int metadataLength = whole.getInt(CountersFileDescriptor.METADATA_LENGTH_OFFSET);
        final int valuesLength = whole.getInt(CountersFileDescriptor.VALUES_LENGTH_OFFSET);
        return new CountersReader(
            new UnsafeBuffer(whole, CountersFileDescriptor.HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(whole, CountersFileDescriptor.HEADER_LENGTH + metadataLength, valuesLength));
    }
}
