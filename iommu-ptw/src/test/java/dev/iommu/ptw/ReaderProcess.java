/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The other process of {@link TwoProcessReaderTest}: opens the owner's arena file read-only, translates one page of
 * the watched region in a loop, and checks every translation against the owner's cycle counters in a shared control
 * file (the same invariant as {@link TableReaderTest}): a page of the cycle being mapped, never one whose unmap had
 * returned before the translation began, never anything else. Exits 0 when told to stop, 1 at the first violation
 * (written to the control file).
 */
final class ReaderProcess
{
    /** Control file: the owner's last cycle whose map started. */
    static final int MAP_STARTED = 0;
    /** Control file: the owner's last cycle whose unmap returned. */
    static final int UNMAP_DONE = 64;
    /** Control file: set to 1 by the owner to stop the reader. */
    static final int STOP = 128;
    /** Control file: translations done. */
    static final int TRANSLATIONS = 192;
    /** Control file: translations that found the page mapped. */
    static final int MAPPED = 256;
    /** Control file: the output address of a violating translation (0: none). */
    static final int VIOLATION = 320;
    /** Control file: its bytes. */
    static final int CONTROL_BYTES = 4096;

    private ReaderProcess()
    {
    }

    /**
     * @param args arena file, control file, root page.
     * @throws IOException when a file cannot be mapped.
     */
    public static void main(final String[] args) throws IOException
    {
        final UnsafeBuffer control = mapControl(Path.of(args[1]));
        try (TableArena view = TableArena.openReader(Path.of(args[0])))
        {
            final TableReader reader = TableReader.attach(view, new PageTableConfig(), Integer.parseInt(args[2]));
            final long page = TableReaderTest.WATCHED + 77 * 4096;
            long translations = 0;
            long mapped = 0;
            while (control.getLongVolatile(STOP) == 0)
            {
                final long done = control.getLongVolatile(UNMAP_DONE);
                final long t = reader.translate(page);
                final long started = control.getLongVolatile(MAP_STARTED);
                if (!Translation.isFault(t))
                {
                    mapped++;
                    final long output = Translation.outputAddress(t, page);
                    if (!TableReaderTest.allowed(output - 77 * 4096, done, started))
                    {
                        control.putLongVolatile(VIOLATION, output);
                        control.putLongVolatile(TRANSLATIONS, ++translations);
                        System.exit(1);
                    }
                }
                control.putLongOrdered(MAPPED, mapped);
                control.putLongVolatile(TRANSLATIONS, ++translations);
            }
        }
        System.exit(0);
    }

    /**
     * Maps the control file (both processes).
     */
    static UnsafeBuffer mapControl(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE))
        {
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, CONTROL_BYTES);
            return new UnsafeBuffer(mapped);
        }
    }
}
