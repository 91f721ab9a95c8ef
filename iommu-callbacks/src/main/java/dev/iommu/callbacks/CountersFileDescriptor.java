/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import org.agrona.concurrent.status.CountersReader;

/**
 * Layout of the counters file ({@link #FILE_NAME} in the counters directory), which another process maps to read
 * the counters while this one runs ({@link NotificationCounters#mapReader(java.io.File)}):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Magic (0x494F4E31)                      |
 *  +---------------------------------------------------------------+
 *  |                        Layout version                         |
 *  +---------------------------------------------------------------+
 *  |                   Metadata buffer length                      |
 *  +---------------------------------------------------------------+
 *  |                    Values buffer length                       |
 *  +---------------------------------------------------------------+
 *  |                  Padding up to HEADER_LENGTH                 ...
 *  +---------------------------------------------------------------+
 *  |        Agrona counters metadata buffer (METADATA_LENGTH)     ...
 *  +---------------------------------------------------------------+
 *  |          Agrona counters values buffer (VALUES_LENGTH)       ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The magic is written last (release), so a reader that sees it sees a complete header.
 */
public final class CountersFileDescriptor
{
    /** The file name inside the counters directory. */
    public static final String FILE_NAME = "iommu-notifications-counters.dat";

    /** "ION1". */
    public static final int MAGIC = 0x494F_4E31;

    /** The layout version. */
    public static final int VERSION = 1;

    /** Offset of the magic (int). */
    public static final int MAGIC_OFFSET = 0;

    /** Offset of the layout version (int). */
    public static final int VERSION_OFFSET = 4;

    /** Offset of the metadata buffer length (int). */
    public static final int METADATA_LENGTH_OFFSET = 8;

    /** Offset of the values buffer length (int). */
    public static final int VALUES_LENGTH_OFFSET = 12;

    /** Length of the header; the metadata buffer starts here. */
    public static final int HEADER_LENGTH = 128;

    /** Room for this many counters. */
    public static final int MAX_COUNTERS = 64;

    /** Length of the values buffer. */
    public static final int VALUES_LENGTH = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;

    /** Length of the metadata buffer. */
    public static final int METADATA_LENGTH = MAX_COUNTERS * CountersReader.METADATA_LENGTH;

    /** Length of the whole file. */
    public static final int FILE_LENGTH = HEADER_LENGTH + METADATA_LENGTH + VALUES_LENGTH;

    private CountersFileDescriptor()
    {
    }
}
