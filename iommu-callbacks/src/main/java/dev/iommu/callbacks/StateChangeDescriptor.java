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
 *  |       Change sequence of the device's registration (0: none)   |
 *  +---------------------------------------------------------------+
 *  |              Registration id (0: no registration)             |
 *  +---------------------------------------------------------------+
 *  |                    Reserved, zero (32 bytes)                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The change sequence numbers the changes published while the device has a registration (1, 2, ...), and the
 * registration id says which registration: the dispatcher calls the callback only for a change of its own
 * registration newer than the last it showed, so a record the healing scan already covered, or one published for an
 * earlier registration of the device or before any, is never shown out of order.
 */
public final class StateChangeDescriptor
{
    /** Offset of the device id (long). */
    public static final int DEVICE_ID_OFFSET = 0;

    /** Offset of PresentFields (int): which states changed. */
    public static final int PRESENT_FIELDS_OFFSET = 8;

    /** Offset of AvailableDomainTypes (int): the new value. */
    public static final int AVAILABLE_DOMAIN_TYPES_OFFSET = 12;

    /** Offset of the change sequence (int). */
    public static final int CHANGE_SEQUENCE_OFFSET = 16;

    /** Offset of the registration id (int). */
    public static final int REGISTRATION_ID_OFFSET = 20;

    /** Bytes used by the fields; the rest of the payload is reserved. */
    public static final int USED_LENGTH = 24;

    private StateChangeDescriptor()
    {
    }
}
