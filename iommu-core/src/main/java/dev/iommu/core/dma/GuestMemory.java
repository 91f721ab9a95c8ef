/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.dma;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Emulated guest physical memory: one off-heap region of whole 4 KiB frames at a guest physical base address,
 * which emulated devices read and write by physical address after the IOMMU translated their device addresses.
 * Every access is checked against the region, so a translation that points outside guest memory is an
 * {@link IndexOutOfBoundsException}, not a stray write. Accesses are plain (not atomic); devices and drivers
 * order their own descriptor handshakes as real hardware does, for example with {@link #getLongVolatile} and
 * {@link #putLongRelease} on a descriptor's ownership word.
 */
public final class GuestMemory
{
    /** Bytes in a frame. */
    public static final int FRAME_SIZE = 4096;

    private final long base;
    private final int frames;
    private final UnsafeBuffer buffer;

    private GuestMemory(final long base, final int frames, final ByteBuffer memory)
    {
        this.base = base;
        this.frames = frames;
        this.buffer = new UnsafeBuffer(memory);
    }

    /**
     * Allocates zeroed guest memory.
     *
     * @param base   the guest physical address of the first byte, frame-aligned.
     * @param frames the number of 4 KiB frames, 1 to 524287 (just under 2 GiB).
     * @return the memory.
     * @throws IllegalArgumentException for an unaligned or negative base, a bad frame count, or a region past
     *                                  2^52.
     */
    public static GuestMemory allocate(final long base, final int frames)
    {
        if (base < 0 || (base & (FRAME_SIZE - 1)) != 0)
        {
            throw new IllegalArgumentException("base 0x" + Long.toHexString(base) + " is not a frame address");
        }
        if (frames < 1 || frames > (Integer.MAX_VALUE / FRAME_SIZE))
        {
            throw new IllegalArgumentException("frames " + frames + " not in 1.." + Integer.MAX_VALUE / FRAME_SIZE);
        }
        if (base + (long)frames * FRAME_SIZE > (1L << 52))
        {
            throw new IllegalArgumentException("guest memory must end below 2^52");
        }
        return new GuestMemory(base, frames, BufferUtil.allocateDirectAligned(frames * FRAME_SIZE, FRAME_SIZE));
    }

    /**
     * The guest physical address of the first byte.
     *
     * @return the base address.
     */
    public long base()
    {
        return base;
    }

    /**
     * The number of frames.
     *
     * @return the frame count.
     */
    public int frames()
    {
        return frames;
    }

    /**
     * The frame number of the first frame ({@code base / 4096}).
     *
     * @return the first frame number.
     */
    public long firstFrame()
    {
        return base / FRAME_SIZE;
    }

    /**
     * Whether {@code [address, address + length)} lies inside guest memory.
     *
     * @param address a guest physical address.
     * @param length  bytes, not negative.
     * @return true when inside.
     */
    public boolean contains(final long address, final long length)
    {
        return length >= 0 && address >= base && address - base <= (long)frames * FRAME_SIZE - length;
    }

    /**
     * Copies bytes out of guest memory.
     *
     * @param address the guest physical address.
     * @param dst     where to copy to.
     * @param offset  the first byte of {@code dst}.
     * @param length  bytes.
     */
    public void getBytes(final long address, final MutableDirectBuffer dst, final int offset, final int length)
    {
        buffer.getBytes(index(address, length), dst, offset, length);
    }

    /**
     * Copies bytes into guest memory.
     *
     * @param address the guest physical address.
     * @param src     where to copy from.
     * @param offset  the first byte of {@code src}.
     * @param length  bytes.
     */
    public void putBytes(final long address, final DirectBuffer src, final int offset, final int length)
    {
        buffer.putBytes(index(address, length), src, offset, length);
    }

    /**
     * Reads a little-endian long.
     *
     * @param address the guest physical address.
     * @return the value.
     */
    public long getLong(final long address)
    {
        return buffer.getLong(index(address, Long.BYTES));
    }

    /**
     * Writes a little-endian long.
     *
     * @param address the guest physical address.
     * @param value   the value.
     */
    public void putLong(final long address, final long value)
    {
        buffer.putLong(index(address, Long.BYTES), value);
    }

    /**
     * Reads a long with acquire semantics: what was written before a matching {@link #putLongRelease} is visible
     * after this read sees its value.
     *
     * @param address the guest physical address, 8-byte aligned.
     * @return the value.
     */
    public long getLongVolatile(final long address)
    {
        return buffer.getLongVolatile(aligned(address));
    }

    /**
     * Writes a long with release semantics: everything written before it is visible to a thread whose
     * {@link #getLongVolatile} sees this value.
     *
     * @param address the guest physical address, 8-byte aligned.
     * @param value   the value.
     */
    public void putLongRelease(final long address, final long value)
    {
        buffer.putLongRelease(aligned(address), value);
    }

    private int aligned(final long address)
    {
        if ((address & 7) != 0)
        {
            throw new IllegalArgumentException("address 0x" + Long.toHexString(address) + " is not 8-byte aligned");
        }
        return index(address, Long.BYTES);
    }

    private int index(final long address, final long length)
    {
        if (!contains(address, length))
        {
            throw new IndexOutOfBoundsException("guest physical [0x" + Long.toHexString(address) + ", +" + length +
                ") is outside guest memory [0x" + Long.toHexString(base) + ", 0x" +
                Long.toHexString(base + (long)frames * FRAME_SIZE) + ")");
        }
        return (int)(address - base);
    }
}
