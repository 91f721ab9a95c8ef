/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

/**
 * Payload layout of a device fault record ({@link RecordDescriptor#FAULT_TYPE_ID}), spec 3.12. One record may
 * stand for several identical faults of one device on one page (coalesced while the ring was full): Count says how
 * many.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Device id                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Domain id                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Faulting (input) address                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  IommuBaseAddress (MMIO base)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Architecture flags (FAULT_INFORMATION_ARM64/X64_FLAGS)      |
 *  +---------------------------------------------------------------+
 *  |                 InputMappingId (ARM64 stream id)              |
 *  +---------------------------------------------------------------+
 *  |                       PciSegment (x64)                        |
 *  +---------------------------------------------------------------+
 *  |               Count: faults this record stands for (&gt;= 1)    |
 *  +---------------+---------------+---------------+-------------+-+
 *  |  Arch (FAULT_ |  Reason (FAULT|  Access       |  Reserved   |S|
 *  |  INFORMATION_ |  _INFORMATION_|  (Iommu-      |             |1|
 *  |  ARCH)        |  ARM64_TYPE)  |  Permissions) |             | |
 *  +---------------+---------------+---------------+-------------+-+
 *  |                       Reserved, zero                          |
 *  +---------------------------------------------------------------+
 * </pre>
 * S1 ({@link #STAGE1_FLAG}) is bit 0 of the byte at {@link #FLAGS_OFFSET}: the fault came from stage-1 translation.
 * Access is what the device attempted: {@code IommuPermissions.READ} and/or {@code WRITE}.
 */
public final class FaultDescriptor
{
    /** Offset of the device id (long). */
    public static final int DEVICE_ID_OFFSET = 0;

    /** Offset of the domain id (long). */
    public static final int DOMAIN_ID_OFFSET = 8;

    /** Offset of the faulting input address (long). */
    public static final int FAULT_ADDRESS_OFFSET = 16;

    /** Offset of the IOMMU MMIO base address (long). */
    public static final int IOMMU_BASE_ADDRESS_OFFSET = 24;

    /** Offset of the architecture-specific flags (int). */
    public static final int ARCH_FLAGS_OFFSET = 32;

    /** Offset of InputMappingId (int). */
    public static final int INPUT_MAPPING_ID_OFFSET = 36;

    /** Offset of PciSegment (int). */
    public static final int PCI_SEGMENT_OFFSET = 40;

    /** Offset of the count of faults the record stands for (int). */
    public static final int COUNT_OFFSET = 44;

    /** Offset of the architecture, a FAULT_INFORMATION_ARCH value (byte). */
    public static final int ARCH_OFFSET = 48;

    /** Offset of the reason, a FAULT_INFORMATION_ARM64_TYPE value (byte). */
    public static final int REASON_OFFSET = 49;

    /** Offset of the attempted access, IommuPermissions bits (byte). */
    public static final int ACCESS_OFFSET = 50;

    /** Offset of the flags byte. */
    public static final int FLAGS_OFFSET = 51;

    /** Bit of the flags byte: the fault came from stage-1 translation. */
    public static final int STAGE1_FLAG = 0x1;

    /** Bytes used by the fields; the rest of the payload is reserved. */
    public static final int USED_LENGTH = 52;

    private FaultDescriptor()
    {
    }
}
