/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The process {@link InFlightLogCrashTest} kills: it opens the in-flight log (which its predecessor left and the
 * test repaired), and from {@link #THREADS} threads records calls 1, 2, 3, ... until it is killed, each call's
 * record made of its number (kind, domain id = thread, address, pages: see {@link #address} and the others), some
 * of them committed. Each thread also marks, in a file of its own (the marks), the number of the call it is about to
 * begin and of the call it has ended, with the ordering of the log itself:
 * <pre>
 *  started = n (release)  ->  begin(n)  ->  [commit]  ->  end()  ->  ended = n (release)
 * </pre>
 * Marks file: per thread t, the call started at {@code 128 t} and the call ended at {@code 128 t + 64}.
 */
final class InFlightCrashChild
{
    static final int THREADS = 2;
    static final int SLOTS = 8;
    static final int MARKS_BYTES = 4096;

    private InFlightCrashChild()
    {
    }

    /**
     * @param args the log's directory, the marks file.
     * @throws Exception when a file cannot be mapped or a thread is interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        final UnsafeBuffer marks = mapMarks(Path.of(args[1]));
        final InFlightLog log = InFlightLog.open(Path.of(args[0]), SLOTS);
        if (!log.inFlight().isEmpty())
        {
            throw new IllegalStateException("the test did not clear " + log.inFlight());
        }
        final Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++)
        {
            final int thread = t;
            threads[t] = new Thread(() -> run(log, marks, thread));
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
    }

    private static void run(final InFlightLog log, final UnsafeBuffer marks, final int thread)
    {
        final InFlightLog.Slot slot = log.slot();
        for (long call = 1; ; call++)
        {
            marks.putLongRelease(started(thread), call);
            slot.begin(kind(call), thread, address(thread, call), pages(call));
            spin(call % 61);
            if (committed(call))
            {
                slot.commit();
                spin(call % 37);
            }
            slot.end();
            marks.putLongRelease(ended(thread), call);
            spin(call % 53);
        }
    }

    private static void spin(final long turns)
    {
        for (long i = 0; i < turns; i++)
        {
            Thread.onSpinWait();
        }
    }

    static int started(final int thread)
    {
        return 128 * thread;
    }

    static int ended(final int thread)
    {
        return 128 * thread + 64;
    }

    static int kind(final long call)
    {
        return call % 2 == 0 ? InFlightLog.MAP : InFlightLog.UNMAP;
    }

    static long address(final int thread, final long call)
    {
        return (long)(thread + 1) << 56 | call << 12;
    }

    static long pages(final long call)
    {
        return 1 + call % 511;
    }

    static boolean committed(final long call)
    {
        return call % 3 == 0;
    }

    static UnsafeBuffer mapMarks(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE))
        {
            return new UnsafeBuffer(channel.map(FileChannel.MapMode.READ_WRITE, 0, MARKS_BYTES));
        }
    }
}
