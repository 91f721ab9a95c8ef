/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.crash;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The crash test's own record of every call the child makes, apart from the emulator's files: a memory-mapped file
 * the child writes and the parent reads after the kill. Each worker thread has its part, a sequence of 64-byte
 * records; a record is written before its call (intent: the call's arguments) and completed after the call returned
 * (acknowledged, with what it returned, or refused).
 * <pre>
 *   0                 8        12       16                24                32                40
 *  +-----------------+--------+--------+-----------------+-----------------+-----------------+
 *  | phase (low 8)   | op     | (0)    | object id       | address         | pages           |
 *  | 1 intent 2 ack  |        |        | (domain, token, |                 |                 |
 *  | 3 refused       |        |        |  device)        |                 |                 |
 *  +-----------------+--------+--------+-----------------+-----------------+-----------------+
 *   40                48                56                64
 *  +-----------------+-----------------+-----------------+
 *  | frame (first    | other id        | result (status, |
 *  | physical page)  | (token's domain)| new id, address)|
 *  +-----------------+-----------------+-----------------+
 * </pre>
 * The phase word is written last with a release store (the fields first): after a kill the parent sees a prefix of
 * each thread's stores, so a record whose phase it reads is whole (the same argument as the emulator's in-flight
 * log: a SIGKILL keeps every store the thread made, in order, in the shared page cache).
 */
final class CrashLog implements AutoCloseable
{
    static final int RECORD_BYTES = 64;
    static final int INTENT = 1;
    static final int ACKNOWLEDGED = 2;
    static final int REFUSED = 3;

    private static final int PHASE = 0;
    private static final int OP = 8;
    private static final int ID = 16;
    private static final int ADDRESS = 24;
    private static final int PAGES = 32;
    private static final int FRAME = 40;
    private static final int OTHER = 48;
    private static final int RESULT = 56;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final int partBytes;
    /** Per thread, how many records {@link #count} found begun so far (the reader's cursor). */
    private final int[] counted;

    private CrashLog(final MappedByteBuffer mapped, final int threads, final int partBytes)
    {
        this.counted = new int[threads];
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.partBytes = partBytes;
    }

    /**
     * Maps a log of {@code threads} parts of {@code records} records each, zeroed when {@code fresh}.
     *
     * @param file    the log file.
     * @param threads worker threads.
     * @param records records per thread.
     * @param fresh   start empty (the parent, before each child).
     * @return the log.
     */
    static CrashLog map(final Path file, final int threads, final int records, final boolean fresh)
    {
        final long length = (long)threads * records * RECORD_BYTES;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            if (fresh)
            {
                raf.setLength(0);
            }
            raf.setLength(length);
            final MappedByteBuffer mapped = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, length);
            return new CrashLog(mapped, threads, records * RECORD_BYTES);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    int recordsPerThread()
    {
        return partBytes / RECORD_BYTES;
    }

    private int at(final int thread, final int index)
    {
        return thread * partBytes + index * RECORD_BYTES;
    }

    /**
     * Writes a call's intent (before the call).
     */
    void intent(final int thread, final int index, final int op, final long id, final long address, final long pages,
        final long frame, final long other)
    {
        final int at = at(thread, index);
        buffer.putInt(at + OP, op);
        buffer.putLong(at + ID, id);
        buffer.putLong(at + ADDRESS, address);
        buffer.putLong(at + PAGES, pages);
        buffer.putLong(at + FRAME, frame);
        buffer.putLong(at + OTHER, other);
        buffer.putLong(at + RESULT, 0);
        // Release: the fields above before the phase that names them.
        buffer.putLongRelease(at + PHASE, INTENT);
    }

    /**
     * Completes a record after its call returned.
     *
     * @param phase  {@link #ACKNOWLEDGED} or {@link #REFUSED}.
     * @param result what the call returned (a new id or address; the status when refused).
     */
    void done(final int thread, final int index, final int phase, final long result)
    {
        final int at = at(thread, index);
        buffer.putLong(at + RESULT, result);
        buffer.putLongRelease(at + PHASE, phase);
    }

    int phase(final int thread, final int index)
    {
        return (int)(buffer.getLongVolatile(at(thread, index) + PHASE) & 0xff);
    }

    int op(final int thread, final int index)
    {
        return buffer.getInt(at(thread, index) + OP);
    }

    long id(final int thread, final int index)
    {
        return buffer.getLong(at(thread, index) + ID);
    }

    long address(final int thread, final int index)
    {
        return buffer.getLong(at(thread, index) + ADDRESS);
    }

    long pages(final int thread, final int index)
    {
        return buffer.getLong(at(thread, index) + PAGES);
    }

    long frame(final int thread, final int index)
    {
        return buffer.getLong(at(thread, index) + FRAME);
    }

    long other(final int thread, final int index)
    {
        return buffer.getLong(at(thread, index) + OTHER);
    }

    long result(final int thread, final int index)
    {
        return buffer.getLong(at(thread, index) + RESULT);
    }

    /**
     * How many records a thread has begun (the first whose phase is 0 ends its part).
     */
    int count(final int thread)
    {
        final int records = recordsPerThread();
        // Records only ever begin, in order: the scan goes on from where the last one stopped.
        int n = counted[thread];
        while (n < records && phase(thread, n) != 0)
        {
            n++;
        }
        counted[thread] = n;
        return n;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
