/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

/**
 * Layout of one descriptor of the emulated NIC's TX and RX rings in guest memory: 32 bytes, little-endian, in the
 * style of a real NIC's legacy descriptors.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              Buffer device address (IOVA), low                |  0
 *  |              Buffer device address (IOVA), high               |  4
 *  +-------------------------------+-------------------------------+
 *  |  Length (bytes)               |                                  8
 *  +-------------------------------+                                |
 *  |  Checksum (CRC32C of the payload)                             |  12
 *  +---------------------------------------------------------------+
 *  |                  Packet sequence number, low                  |  16
 *  |                  Packet sequence number, high                 |  20
 *  +---------------------------------------------------------------+
 *  |  Status: D (bit 0, done), E (bit 1, DMA error),               |  24
 *  |  C (bit 2, checksum mismatch); 0 while the device owns it     |  28
 *  +---------------------------------------------------------------+
 * </pre>
 * The driver writes the first three words and a zero status, then rings the queue's doorbell (release). The device
 * reads the descriptor through the IOMMU, does the DMA, writes the length and checksum words back (RX) and last the
 * status word with release semantics; the driver reads the status word with acquire semantics before the rest.
 */
final class NicDescriptor
{
    /** Bytes in a descriptor. */
    static final int LENGTH = 32;
    /** The buffer's device address. */
    static final int BUFFER_ADDRESS_OFFSET = 0;
    /** Length in the low 32 bits, CRC32C in the high 32 bits. */
    static final int LENGTH_AND_CHECKSUM_OFFSET = 8;
    /** The packet's sequence number. */
    static final int SEQUENCE_OFFSET = 16;
    /** The status word. */
    static final int STATUS_OFFSET = 24;

    /** Status: the device is done with the descriptor. */
    static final long STATUS_DONE = 0x1;
    /** Status: a DMA access of the buffer faulted in the IOMMU; the packet was dropped. */
    static final long STATUS_DMA_ERROR = 0x2;
    /** Status: the payload did not match its checksum when the device read it. */
    static final long STATUS_CHECKSUM_ERROR = 0x4;

    private NicDescriptor()
    {
    }

    /**
     * Packs a length and a checksum into the word at {@link #LENGTH_AND_CHECKSUM_OFFSET}.
     *
     * @param length   bytes.
     * @param checksum the CRC32C value.
     * @return the word.
     */
    static long lengthAndChecksum(final int length, final int checksum)
    {
        return (length & 0xFFFF_FFFFL) | ((long)checksum << 32);
    }

    /**
     * The length of a {@link #lengthAndChecksum} word.
     *
     * @param word the word.
     * @return bytes.
     */
    static int length(final long word)
    {
        return (int)word;
    }

    /**
     * The checksum of a {@link #lengthAndChecksum} word.
     *
     * @param word the word.
     * @return the CRC32C value.
     */
    static int checksum(final long word)
    {
        return (int)(word >>> 32);
    }
}
