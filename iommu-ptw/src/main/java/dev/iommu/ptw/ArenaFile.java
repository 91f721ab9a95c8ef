/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.iommu.ptw.ArenaLayoutDescriptor.CAPACITY_OFFSET;
import static dev.iommu.ptw.ArenaLayoutDescriptor.CHECKSUM_OFFSET;
import static dev.iommu.ptw.ArenaLayoutDescriptor.FREE_HEAD_OFFSET;
import static dev.iommu.ptw.ArenaLayoutDescriptor.IN_USE_OFFSET;
import static dev.iommu.ptw.ArenaLayoutDescriptor.LAYOUT_VERSION;
import static dev.iommu.ptw.ArenaLayoutDescriptor.MAGIC;
import static dev.iommu.ptw.ArenaLayoutDescriptor.MAGIC_OFFSET;
import static dev.iommu.ptw.ArenaLayoutDescriptor.PAGE_SIZE_OFFSET;
import static dev.iommu.ptw.ArenaLayoutDescriptor.VERSION_OFFSET;

/**
 * Creating and opening the file of a {@link TableArena} ({@link ArenaLayoutDescriptor}). Opening reads and checks the
 * header page with plain file I/O before anything is mapped, in this order: long enough for a header, the magic,
 * the header checksum, the layout version, the page size, the capacity asked for, the file's length, and the range
 * of the free-list head and the in-use count. Each failure is an {@link ArenaFileException} saying which.
 */
final class ArenaFile
{
    private ArenaFile()
    {
    }

    /**
     * The file an owner holds: the open channel whose exclusive lock says so (released when the channel is closed,
     * or by the operating system when the owner's process dies), and the mapping.
     */
    static final class Owned
    {
        final FileChannel channel;
        final MappedByteBuffer mapped;

        Owned(final FileChannel channel, final MappedByteBuffer mapped)
        {
            this.channel = channel;
            this.mapped = mapped;
        }
    }

    /**
     * A new zero-filled file of the arena's size, replacing the file there unless another owner holds it.
     *
     * @throws ArenaFileException when another owner holds the file (it is left as it was).
     */
    static Owned create(final Path file, final int capacity)
    {
        final FileChannel channel = lockOwner(file);
        try
        {
            final long length = ArenaLayoutDescriptor.regionBytes(capacity);
            channel.truncate(0);
            IoUtil.fill(channel, 0, length, (byte)0);
            return new Owned(channel, channel.map(FileChannel.MapMode.READ_WRITE, 0, length));
        }
        catch (final IOException ex)
        {
            OwnerFileLock.closeQuietly(channel);
            throw new UncheckedIOException("cannot create table arena " + file, ex);
        }
    }

    /**
     * Maps an existing arena file after taking its owner's lock and checking its header.
     *
     * @throws ArenaFileException when the file is not a usable arena of {@code capacity} pages.
     */
    static Owned open(final Path file, final int capacity)
    {
        final FileChannel channel = lockOwner(file);
        try
        {
            check(file, capacity, false);
            return new Owned(channel,
                channel.map(FileChannel.MapMode.READ_WRITE, 0, ArenaLayoutDescriptor.regionBytes(capacity)));
        }
        catch (final IOException ex)
        {
            OwnerFileLock.closeQuietly(channel);
            throw new UncheckedIOException("cannot open table arena " + file, ex);
        }
        catch (final RuntimeException ex)
        {
            OwnerFileLock.closeQuietly(channel);
            throw ex;
        }
    }

    /**
     * Opens {@code file} and takes its owner's lock ({@link OwnerFileLock}).
     *
     * @throws ArenaFileException when another owner holds it.
     */
    private static FileChannel lockOwner(final Path file)
    {
        final FileChannel channel = OwnerFileLock.tryAcquire(file);
        if (null == channel)
        {
            throw new ArenaFileException(file,
                "is open by another owner (a live process, or another arena of this one)");
        }
        return channel;
    }

    /**
     * Maps an existing arena file read-only (another process's view), after checking its header.
     *
     * @return the mapping; its capacity is the file's ({@link #capacityOf}).
     * @throws ArenaFileException when the file is not a usable arena.
     */
    static MappedByteBuffer openReadOnly(final Path file)
    {
        try
        {
            final int capacity = check(file, 0, true);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                return channel.map(FileChannel.MapMode.READ_ONLY, 0, ArenaLayoutDescriptor.regionBytes(capacity));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open table arena " + file, ex);
        }
    }

    /**
     * @return the capacity a mapped arena's header records.
     */
    static int capacityOf(final MappedByteBuffer mapped)
    {
        return (int)mapped.order(ByteOrder.nativeOrder()).getLong(CAPACITY_OFFSET);
    }

    /**
     * @param anyCapacity accept the file's capacity, whatever it is (read-only opening), instead of {@code capacity}.
     * @return the file's capacity.
     */
    private static int check(final Path file, final int capacity, final boolean anyCapacity) throws IOException
    {
        final long length = Files.size(file);
        if (length < TableArena.PAGE_SIZE)
        {
            throw new ArenaFileException(file, "truncated: " + length + " bytes, shorter than the header page (" +
                TableArena.PAGE_SIZE + ")");
        }
        final ByteBuffer page = ByteBuffer.allocate(TableArena.PAGE_SIZE).order(ByteOrder.nativeOrder());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            while (page.hasRemaining() && channel.read(page, page.position()) > 0)
            {
                continue;
            }
        }
        final UnsafeBuffer header = new UnsafeBuffer(page.array());
        final long magic = header.getLong(MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            throw new ArenaFileException(file, "not a table arena file (magic 0x" + Long.toHexString(magic) +
                ", expected 0x" + Long.toHexString(MAGIC) + ")");
        }
        final long checksum = header.getLong(CHECKSUM_OFFSET);
        if (checksum != ArenaLayoutDescriptor.checksum(header))
        {
            throw new ArenaFileException(file, "damaged header: its checksum does not match its contents");
        }
        final int version = header.getInt(VERSION_OFFSET);
        if (version > LAYOUT_VERSION)
        {
            throw new ArenaFileException(file, "layout version " + version + " is newer than this library's (" +
                LAYOUT_VERSION + "): open it with the library that wrote it");
        }
        if (version < 1)
        {
            throw new ArenaFileException(file, "unknown layout version " + version);
        }
        final int pageSize = header.getInt(PAGE_SIZE_OFFSET);
        if (pageSize != TableArena.PAGE_SIZE)
        {
            throw new ArenaFileException(file, "page size " + pageSize + ", this library uses " +
                TableArena.PAGE_SIZE);
        }
        final long fileCapacity = header.getLong(CAPACITY_OFFSET);
        if (anyCapacity ? fileCapacity < 1 || fileCapacity > TableArena.MAX_CAPACITY : fileCapacity != capacity)
        {
            throw new ArenaFileException(file, "holds " + fileCapacity + " table pages, " +
                (anyCapacity ? "outside 1.." + TableArena.MAX_CAPACITY : capacity + " were asked for"));
        }
        final long needed = ArenaLayoutDescriptor.regionBytes((int)fileCapacity);
        if (length < needed)
        {
            throw new ArenaFileException(file, "truncated: " + length + " bytes, the layout of " + fileCapacity +
                " pages needs " + needed);
        }
        final long head = header.getLong(FREE_HEAD_OFFSET);
        final long inUse = header.getLong(IN_USE_OFFSET);
        if ((int)head < 0 || (int)head > fileCapacity || inUse < 0 || inUse > fileCapacity)
        {
            throw new ArenaFileException(file, "damaged header: free-list head page " + (int)head +
                " or pages in use " + inUse + " outside 0.." + fileCapacity);
        }
        return (int)fileCapacity;
    }
}
