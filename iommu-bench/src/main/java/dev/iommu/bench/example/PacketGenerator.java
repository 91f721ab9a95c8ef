/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import java.util.zip.CRC32C;

import org.agrona.MutableDirectBuffer;

/**
 * The traffic of one queue: packet {@code n} has a length and payload that are pure functions of the queue and
 * {@code n} (60 to 8192 bytes, so that about half the packets span two pages), and its CRC32C travels with it.
 */
final class PacketGenerator
{
    /** The shortest packet. */
    static final int MIN_LENGTH = 60;
    /** The longest packet. */
    static final int MAX_LENGTH = DmaBuffer.CAPACITY;
    /** Bytes a scratch buffer for one payload needs (the fill writes whole longs). */
    static final int SCRATCH_BYTES = MAX_LENGTH + Long.BYTES;

    private final long seed;
    private final CRC32C crc = new CRC32C();

    /**
     * The generator of one queue.
     *
     * @param queue the queue index.
     */
    PacketGenerator(final int queue)
    {
        this.seed = mix(0x9E37_79B9_7F4A_7C15L * (queue + 1));
    }

    /**
     * The length of packet {@code sequence}.
     *
     * @param sequence the packet's sequence number.
     * @return bytes.
     */
    int length(final long sequence)
    {
        return MIN_LENGTH + (int)Long.remainderUnsigned(mix(seed ^ sequence), MAX_LENGTH - MIN_LENGTH + 1);
    }

    /**
     * Writes the payload of packet {@code sequence} into a scratch buffer of {@link #SCRATCH_BYTES}.
     *
     * @param sequence the packet's sequence number.
     * @param dst      the scratch buffer.
     * @param length   its length ({@link #length(long)}).
     */
    void fill(final long sequence, final MutableDirectBuffer dst, final int length)
    {
        final long base = mix(seed + sequence);
        for (int i = 0; i < length; i += Long.BYTES)
        {
            dst.putLong(i, mix(base + i));
        }
    }

    /**
     * The CRC32C of bytes in a heap scratch array.
     *
     * @param bytes  the array.
     * @param length bytes from index 0.
     * @return the checksum as an int.
     */
    int checksum(final byte[] bytes, final int length)
    {
        crc.reset();
        crc.update(bytes, 0, length);
        return (int)crc.getValue();
    }

    private static long mix(final long value)
    {
        long z = value + 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
