/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

/**
 * Payload layout of an interface state change record ({@link RecordDescriptor#STATE_CHANGE_TYPE_ID}), spec 3.11:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Device id                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     PresentFields (IOMMU_INTERFACE_STATE_CHANGE_FIELDS)       |
 *  +---------------------------------------------------------------+
 *  |   AvailableDomainTypes (bit 1 &lt;&lt; IOMMU_DMA_DOMAIN_TYPE)       |
 *  +---------------------------------------------------------------+
 *  |                    Reserved, zero (40 bytes)                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class StateChangeDescriptor
{
    /** Offset of the device id (long). */
    public static final int DEVICE_ID_OFFSET = 0;

    /** Offset of PresentFields (int): which states changed. */
    public static final int PRESENT_FIELDS_OFFSET = 8;

    /** Offset of AvailableDomainTypes (int): the new value. */
    public static final int AVAILABLE_DOMAIN_TYPES_OFFSET = 12;

    /** Bytes used by the fields; the rest of the payload is reserved. */
    public static final int USED_LENGTH = 16;

    private StateChangeDescriptor()
    {
    }
}
