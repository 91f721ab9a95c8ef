/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import org.agrona.BitUtil;

/**
 * The framing every notification record shares in the ring. Each record is Agrona's 8-byte ring header
 * (length, then message type id) followed by a payload of exactly {@link #PAYLOAD_LENGTH} bytes, so every record
 * is exactly {@link #RECORD_LENGTH} bytes, one cache line:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Record length (Agrona)                     |
 *  +---------------------------------------------------------------+
 *  |               Message type id (one of the *_TYPE_ID)          |
 *  +---------------------------------------------------------------+
 *  |                   Payload, 56 bytes, laid out by              |
 *  |        StateChangeDescriptor, FaultDescriptor or              |
 *  |        MappingDescriptor (little-endian fields)              ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Because the ring capacity is a power of two of at least 4 KiB and every record is 64 bytes, a record never
 * straddles the end of the ring: Agrona never inserts a padding record, and the producer position divided by
 * {@link #RECORD_LENGTH} is exactly the number of records ever claimed.
 */
public final class RecordDescriptor
{
    /** Length of Agrona's record header in the ring, in bytes. */
    public static final int HEADER_LENGTH = org.agrona.concurrent.ringbuffer.RecordDescriptor.HEADER_LENGTH;

    /** Length of every record's payload, in bytes. */
    public static final int PAYLOAD_LENGTH = 56;

    /** Length of every record in the ring, header included, in bytes. */
    public static final int RECORD_LENGTH = HEADER_LENGTH + PAYLOAD_LENGTH;

    /** Message type id of an interface state change ({@link StateChangeDescriptor}). */
    public static final int STATE_CHANGE_TYPE_ID = 1;

    /** Message type id of a device fault ({@link FaultDescriptor}). */
    public static final int FAULT_TYPE_ID = 2;

    /** Message type id of a map notification ({@link MappingDescriptor}). */
    public static final int MAP_TYPE_ID = 3;

    /** Message type id of an unmap notification ({@link MappingDescriptor}). */
    public static final int UNMAP_TYPE_ID = 4;

    static
    {
        if (RECORD_LENGTH != BitUtil.align(RECORD_LENGTH, org.agrona.concurrent.ringbuffer.RecordDescriptor.ALIGNMENT)
            || RECORD_LENGTH != BitUtil.CACHE_LINE_LENGTH)
        {
            throw new IllegalStateException("record length must be one aligned cache line: " + RECORD_LENGTH);
        }
    }

    private RecordDescriptor()
    {
    }
}
