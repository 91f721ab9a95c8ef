/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.UnsafeBuffer;

import dev.iommu.api.IommuPermissions;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;

/**
 * The other process of {@link TwoProcessDirectoryReaderTest}: opens the owner's persistent directory with
 * {@link DirectoryReader} (one per thread, several threads so that the operating system preempts them, at any
 * instruction, while the owner goes on) and translates the device's watched page in a loop, checking each result
 * against the owner's counters in a shared control file (the invariant is on {@link #allowed}). Counts violations
 * (and keeps the first) in the control file; exits 0 when told to stop.
 */
final class DirectoryReaderProcess
{
    /** The watched device address. */
    static final long PAGE_ADDRESS = 0x4000_0000L;
    /** Frames of the cycle's domain (the device attached to it during cycle k): {@code ATTACHED_FRAMES + k}. */
    static final long ATTACHED_FRAMES = 0x10_0000L;
    /** Frames of the cycle's decoy domain (never attached, made over the deleted domain's pages). */
    static final long DECOY_FRAMES = 0x80_0000L;
    /** The frame of the long-lived domain the device visits in odd cycles. */
    static final long OTHER_FRAME = 0x7_0000L;
    /** Frames per family (cycle numbers are taken modulo it). */
    static final long FAMILY = 0x40_0000L;

    /** Control: the last cycle whose attach to its domain started. */
    static final int ATTACH_STARTED = 0;
    /** Control: the last cycle whose unmap of the watched page in its domain returned. */
    static final int UNMAP_DONE = 64;
    /** Control: the last cycle whose attach to the long-lived domain started. */
    static final int OTHER_ATTACH_STARTED = 128;
    /** Control: the last cycle whose detach from the long-lived domain returned. */
    static final int OTHER_DETACH_DONE = 192;
    /** Control: set to 1 by the owner to stop the reader. */
    static final int STOP = 256;
    /** Control: violations seen. */
    static final int VIOLATIONS = 320;
    /** Control: the first violation's output address. */
    static final int FIRST_VIOLATION = 384;
    /** Control: translations that started over (DirectoryReader's retries). */
    static final int RETRIES = 448;
    /** Control: threads that opened their reader. */
    static final int READY = 512;
    /** Control: per thread (64 bytes each, from here): translations done. */
    static final int TRANSLATIONS = 1024;
    /** Control: per thread (64 bytes each, from here): translations of the cycle's domain. */
    static final int MAPPED = 2048;
    /** Control: per thread (64 bytes each, from here): translations of the long-lived domain. */
    static final int OTHER = 3072;
    /** Control file bytes. */
    static final int CONTROL_BYTES = 4096;

    private DirectoryReaderProcess()
    {
    }

    /**
     * @param args directory, control file, threads.
     * @throws Exception when a file cannot be mapped or a thread is interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path directory = Path.of(args[0]);
        final UnsafeBuffer control = mapControl(Path.of(args[1]));
        final int threads = Integer.parseInt(args[2]);
        final Thread[] readers = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            final int index = i;
            readers[i] = new Thread(() -> read(directory, control, index), "reader-" + i);
            readers[i].start();
        }
        for (final Thread reader : readers)
        {
            reader.join();
        }
        System.exit(0);
    }

    private static void read(final Path directory, final UnsafeBuffer control, final int index)
    {
        final Platform platform = TwoProcessDirectoryReaderTest.platform();
        final PhysicalDeviceObject nic = platform.device("nic");
        try (DirectoryReader reader = DirectoryReader.open(directory, platform))
        {
            reader.translate(nic, PAGE_ADDRESS, IommuPermissions.READ);
            control.getAndAddLong(READY, 1);
            long translations = 0;
            long mapped = 0;
            long other = 0;
            while (control.getLongVolatile(STOP) == 0)
            {
                final long unmapDone = control.getLongVolatile(UNMAP_DONE);
                final long otherDetachDone = control.getLongVolatile(OTHER_DETACH_DONE);
                final long t = reader.translate(nic, PAGE_ADDRESS, IommuPermissions.READ);
                final long attachStarted = control.getLongVolatile(ATTACH_STARTED);
                final long otherAttachStarted = control.getLongVolatile(OTHER_ATTACH_STARTED);
                if (!DmaTranslation.isFault(t))
                {
                    final long frame = DmaTranslation.outputAddress(t, PAGE_ADDRESS) >>> 12;
                    if (frame == OTHER_FRAME)
                    {
                        other++;
                    }
                    else
                    {
                        mapped++;
                    }
                    if (!allowed(frame, unmapDone, attachStarted, otherDetachDone, otherAttachStarted))
                    {
                        control.compareAndSetLong(FIRST_VIOLATION, 0, frame << 12);
                        control.getAndAddLong(VIOLATIONS, 1);
                    }
                }
                translations++;
                if ((translations & 255) == 0)
                {
                    control.putLongOrdered(MAPPED + 64 * index, mapped);
                    control.putLongOrdered(OTHER + 64 * index, other);
                }
                control.putLongVolatile(TRANSLATIONS + 64 * index, translations);
            }
            control.putLongOrdered(MAPPED + 64 * index, mapped);
            control.putLongOrdered(OTHER + 64 * index, other);
            control.getAndAddLong(RETRIES, reader.retries());
        }
    }

    /**
     * The invariant, from the owner's counters read before the translation began ({@code unmapDone},
     * {@code otherDetachDone}) and after it ended ({@code attachStarted}, {@code otherAttachStarted}):
     * <ul>
     *     <li>the frame of cycle j's domain only if the device's attach to it had started before the translation
     *     ended (j at most {@code attachStarted}) and the page's unmap had not returned before it began (j above
     *     {@code unmapDone}): the device was attached to the domain while it mapped the page, at some moment of the
     *     call (in cycle j the owner maps, attaches, unmaps, detaches, deletes, in that order);</li>
     *     <li>the long-lived domain's frame only if some attach to it started before the translation ended whose
     *     detach had not returned before it began ({@code otherAttachStarted > otherDetachDone});</li>
     *     <li>never a decoy domain's frame (the device is never attached to one: a walk of a deleted domain's root
     *     page reused by a decoy), never anything else.</li>
     * </ul>
     */
    static boolean allowed(final long frame, final long unmapDone, final long attachStarted,
        final long otherDetachDone, final long otherAttachStarted)
    {
        if (frame == OTHER_FRAME)
        {
            return otherAttachStarted > otherDetachDone;
        }
        if (frame < ATTACHED_FRAMES || frame >= ATTACHED_FRAMES + FAMILY)
        {
            return false;
        }
        // Cycle numbers modulo FAMILY: the one at or below attachStarted with these low bits.
        final long low = frame - ATTACHED_FRAMES;
        final long cycle = attachStarted - ((attachStarted - low) & (FAMILY - 1));
        return cycle > unmapDone && cycle <= attachStarted && cycle > 0;
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
