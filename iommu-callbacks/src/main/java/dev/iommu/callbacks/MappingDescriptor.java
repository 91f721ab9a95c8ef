/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

/**
 * Payload layout of a map ({@link RecordDescriptor#MAP_TYPE_ID}) or unmap ({@link RecordDescriptor#UNMAP_TYPE_ID})
 * notification, for embedders that shadow mappings. An unmap record has zero physical address and permissions.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Domain id                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Logical (device) address                    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Length in bytes                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               Physical address (map only, else 0)             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Permissions (IommuPermissions bits; map only)          |
 *  +---------------------------------------------------------------+
 *  |                    Reserved, zero (20 bytes)                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class MappingDescriptor
{
    /** Offset of the domain id (long). */
    public static final int DOMAIN_ID_OFFSET = 0;

    /** Offset of the logical address (long). */
    public static final int ADDRESS_OFFSET = 8;

    /** Offset of the length in bytes (long). */
    public static final int LENGTH_OFFSET = 16;

    /** Offset of the physical address (long). */
    public static final int PHYSICAL_ADDRESS_OFFSET = 24;

    /** Offset of the permissions (int). */
    public static final int PERMISSIONS_OFFSET = 32;

    /** Bytes used by the fields; the rest of the payload is reserved. */
    public static final int USED_LENGTH = 36;

    private MappingDescriptor()
    {
    }
}
