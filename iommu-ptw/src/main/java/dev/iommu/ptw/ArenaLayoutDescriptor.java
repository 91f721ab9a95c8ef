/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The layout of a {@link TableArena}'s memory, the same in anonymous memory and in a file (layout version
 * {@value #LAYOUT_VERSION}; native byte order, little-endian on x64 and arm64):
 * <pre>
 *  page 0, the header:
 *   0                   8                   16        20        24                  32                  40
 *  +-------------------+-------------------+---------+---------+-------------------+-------------------+
 *  | magic "IOMMUPTW"  | capacity (pages)  | layout  | page    | generation        | clean shutdown    |
 *  |                   |                   | version | size    | (opens so far)    | (1 closed, 0 open)|
 *  +-------------------+-------------------+---------+---------+-------------------+-------------------+
 *   40                  48          64                  72         128                 136        4096
 *  +-------------------+-- ... ----+-------------------+-- ... ---+-------------------+-- ... ---+
 *  | header checksum   |           | free-list head    |          | pages in use      |          |
 *  | CRC32C of [0, 40) |           | (ABA tag<<32)|page|          |                   |          |
 *  +-------------------+-- ... ----+-------------------+-- ... ---+-------------------+-- ... ---+
 *  pages 1 .. capacity: table pages (a free page is all zero)
 *  then {@link #linkPages(int)} pages: the free stack's links, one int per page index (0 .. capacity)
 *  then {@link #generationPages(int)} pages: per page index, a 64-byte line whose first long is the free
 *       generation of the table whose root is that page ({@link FreeGeneration}; unused for other pages)
 * </pre>
 * The checksum covers the fields that say what the file is and whether it was closed cleanly; it is written again
 * whenever they change (open and close). The free-list head and the in-use count change on every allocation and
 * are range-checked when a file is opened instead. Fields keep their offsets in every layout version, so that a
 * newer file is recognised as newer rather than as damaged.
 */
final class ArenaLayoutDescriptor
{
    /** The layout this library writes and reads. */
    static final int LAYOUT_VERSION = 1;
    /** Header magic: "IOMMUPTW". */
    static final long MAGIC = 0x494F4D4D55505457L;

    static final int MAGIC_OFFSET = 0;
    static final int CAPACITY_OFFSET = 8;
    static final int VERSION_OFFSET = 16;
    static final int PAGE_SIZE_OFFSET = 20;
    static final int GENERATION_OFFSET = 24;
    static final int CLEAN_OFFSET = 32;
    static final int CHECKSUM_OFFSET = 40;
    static final int FREE_HEAD_OFFSET = 64;
    static final int IN_USE_OFFSET = 128;

    private ArenaLayoutDescriptor()
    {
    }

    /**
     * @return pages holding the free stack's links of an arena of {@code capacity} table pages.
     */
    static int linkPages(final int capacity)
    {
        return (int)(((capacity + 1L) * Integer.BYTES + TableArena.PAGE_SIZE - 1) / TableArena.PAGE_SIZE);
    }

    /** Bytes per free-generation slot: a cache line, so that tables never share one. */
    static final int GENERATION_SLOT_BYTES = 64;

    /**
     * @return pages holding the free-generation slots of an arena of {@code capacity} table pages.
     */
    static int generationPages(final int capacity)
    {
        return (int)(((capacity + 1L) * GENERATION_SLOT_BYTES + TableArena.PAGE_SIZE - 1) / TableArena.PAGE_SIZE);
    }

    /**
     * @return the offset of the free-generation slots from the start of the region.
     */
    static long generationOffset(final int capacity)
    {
        return linkOffset(capacity) + (long)linkPages(capacity) * TableArena.PAGE_SIZE;
    }

    /**
     * @return the bytes of the whole region (header, table pages, links, generations) of an arena of
     *     {@code capacity} pages.
     */
    static long regionBytes(final int capacity)
    {
        return (1L + capacity + linkPages(capacity) + generationPages(capacity)) * TableArena.PAGE_SIZE;
    }

    /**
     * @return the offset of the links from the start of the region.
     */
    static long linkOffset(final int capacity)
    {
        return (1L + capacity) * TableArena.PAGE_SIZE;
    }

    /**
     * The checksum of the header's identifying fields as they are in {@code header} now.
     */
    static long checksum(final UnsafeBuffer header)
    {
        final byte[] bytes = new byte[CHECKSUM_OFFSET];
        header.getBytes(0, bytes);
        final CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    /**
     * Writes the identifying fields of a new arena and their checksum (the region is all zero before).
     */
    static void writeNewHeader(final UnsafeBuffer header, final int capacity)
    {
        header.putLong(MAGIC_OFFSET, MAGIC);
        header.putLong(CAPACITY_OFFSET, capacity);
        header.putInt(VERSION_OFFSET, LAYOUT_VERSION);
        header.putInt(PAGE_SIZE_OFFSET, TableArena.PAGE_SIZE);
        header.putLong(GENERATION_OFFSET, 1);
        header.putLong(CLEAN_OFFSET, 0);
        header.putLong(CHECKSUM_OFFSET, checksum(header));
    }

    /**
     * Marks the region open (clean shutdown 0) or closed cleanly (1), and rewrites the checksum.
     */
    static void writeClean(final UnsafeBuffer header, final boolean clean)
    {
        header.putLongVolatile(CLEAN_OFFSET, clean ? 1 : 0);
        header.putLongVolatile(CHECKSUM_OFFSET, checksum(header));
    }

    /**
     * Counts one more open, marks the region open, and rewrites the checksum.
     */
    static void writeOpened(final UnsafeBuffer header)
    {
        header.putLong(GENERATION_OFFSET, header.getLong(GENERATION_OFFSET) + 1);
        writeClean(header, false);
    }
}
