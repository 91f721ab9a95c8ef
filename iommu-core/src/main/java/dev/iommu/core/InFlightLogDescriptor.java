/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The layout of an {@link InFlightLog}'s file (layout version {@value #LAYOUT_VERSION}; native byte order,
 * little-endian on x64 and arm64): a header of one cache line, then {@code slot count} slots of one cache line each
 * (the mapping is page-aligned, so every slot is line-aligned and no two threads' slots share a line).
 * <pre>
 *  the header, bytes [0, 64):
 *   0                   8         12        16        20        24                  32                  64
 *  +-------------------+---------+---------+---------+---------+-------------------+-- ... -----------+
 *  | magic "IOMMUIFL"  | layout  | slot    | slot    | reserved| header checksum   | reserved (zero)   |
 *  |                   | version | size    | count   | (zero)  | CRC32C of [0, 24) |                   |
 *  +-------------------+---------+---------+---------+---------+-------------------+-- ... -----------+
 *
 *  slot i, bytes [64 + 64 i, 128 + 64 i):
 *   0                   8         12        16                  24                  32
 *  +-------------------+---------+---------+-------------------+-------------------+
 *  | state word        | kind    | reserved| domain id         | address           |
 *  | (see below)       |         | (zero)  |                   |                   |
 *  +-------------------+---------+---------+-------------------+-------------------+
 *   32                  40                  48                                      64
 *  +-------------------+-------------------+---------------------------------------+
 *  | pages             | record sequence   | reserved (zero)                       |
 *  |                   | (the state word's |                                       |
 *  |                   |  when written)    |                                       |
 *  +-------------------+-------------------+---------------------------------------+
 *
 *  the state word:
 *   63                                                                        2 1   0
 *  +---------------------------------------------------------------------------+-----+
 *  |                         sequence (62 bits)                                 |state|
 *  +---------------------------------------------------------------------------+-----+
 *  state: 0 FREE, 1 IN_FLIGHT, 2 COMMITTED, 3 reserved (never written)
 * </pre>
 * A slot's sequence counts the calls recorded in it: a new file has every slot FREE with sequence 0, and each
 * {@code begin} writes the record of sequence s + 1 (kind, domain id, address, pages and the record sequence s + 1)
 * and then the state word (s + 1, IN_FLIGHT). A record is valid only while its slot's state is IN_FLIGHT or
 * COMMITTED and its record sequence equals the state word's sequence; a FREE slot's fields are left over and mean
 * nothing. Kinds are small positive codes ({@link InFlightLog#MAP}, {@link InFlightLog#UNMAP}; 0 is never a kind).
 * <p>
 * The checksum covers the fields that say what the file is. The layout version keeps its offset in every layout
 * version and is checked before the checksum, so that a newer file is recognised as newer rather than as damaged.
 */
final class InFlightLogDescriptor
{
    /** The layout this library writes and reads. */
    static final int LAYOUT_VERSION = 1;
    /** Header magic: "IOMMUIFL". */
    static final long MAGIC = 0x494F4D4D5549464CL;
    /** Bytes of the header; the slots start here. */
    static final int HEADER_BYTES = 64;
    /** Bytes per slot: one cache line. */
    static final int SLOT_BYTES = 64;
    /** The most slots a log holds (a 64 MiB file). */
    static final int MAX_SLOTS = 1 << 20;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int SLOT_SIZE_OFFSET = 12;
    static final int SLOT_COUNT_OFFSET = 16;
    static final int CHECKSUM_OFFSET = 24;
    /** The header bytes the checksum covers: [0, 24). */
    static final int CHECKSUMMED_BYTES = 24;

    /** Offsets inside a slot. */
    static final int STATE_OFFSET = 0;
    static final int KIND_OFFSET = 8;
    static final int DOMAIN_OFFSET = 16;
    static final int ADDRESS_OFFSET = 24;
    static final int PAGES_OFFSET = 32;
    static final int RECORD_SEQUENCE_OFFSET = 40;

    /** Slot states: the low two bits of the state word. */
    static final int FREE = 0;
    static final int IN_FLIGHT = 1;
    static final int COMMITTED = 2;
    static final int STATE_BITS = 2;
    static final long STATE_MASK = (1L << STATE_BITS) - 1;

    private InFlightLogDescriptor()
    {
    }

    /**
     * @return the bytes of a log of {@code slots} slots, header included.
     */
    static long fileBytes(final int slots)
    {
        return HEADER_BYTES + (long)slots * SLOT_BYTES;
    }

    /**
     * @return the offset of slot {@code slot} from the start of the file.
     */
    static int slotOffset(final int slot)
    {
        return HEADER_BYTES + slot * SLOT_BYTES;
    }

    /**
     * @return the state word of {@code sequence} in {@code state}.
     */
    static long stateWord(final long sequence, final int state)
    {
        return sequence << STATE_BITS | state;
    }

    /**
     * @return the state of a state word.
     */
    static int state(final long stateWord)
    {
        return (int)(stateWord & STATE_MASK);
    }

    /**
     * @return the sequence of a state word.
     */
    static long sequence(final long stateWord)
    {
        return stateWord >>> STATE_BITS;
    }

    /**
     * The checksum of the header's identifying fields as they are in {@code header} now.
     */
    static long checksum(final UnsafeBuffer header)
    {
        final byte[] bytes = new byte[CHECKSUMMED_BYTES];
        header.getBytes(0, bytes);
        final CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    /**
     * Writes the header of a new log of {@code slots} slots (the file is all zero before).
     */
    static void writeNewHeader(final UnsafeBuffer header, final int slots)
    {
        header.putLong(MAGIC_OFFSET, MAGIC);
        header.putInt(VERSION_OFFSET, LAYOUT_VERSION);
        header.putInt(SLOT_SIZE_OFFSET, SLOT_BYTES);
        header.putInt(SLOT_COUNT_OFFSET, slots);
        header.putLongVolatile(CHECKSUM_OFFSET, checksum(header));
    }
}
