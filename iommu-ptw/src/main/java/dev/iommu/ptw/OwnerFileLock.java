/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One owner per file, across processes and within one: the file's exclusive lock ({@link FileChannel#tryLock()}),
 * held while the owner has the file open and released by the operating system when the owner's process dies. The
 * table arena's file and the emulator's in-flight log take it the same way.
 */
public final class OwnerFileLock
{
    private OwnerFileLock()
    {
    }

    /**
     * Opens a file for reading and writing (creating it empty when missing) and takes its exclusive lock.
     *
     * @param file the file.
     * @return the channel holding the lock (closing it releases the lock), or null when another owner holds it (a
     *     live process, or another channel of this one).
     * @throws UncheckedIOException when the file cannot be opened.
     */
    public static FileChannel tryAcquire(final Path file)
    {
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + file, ex);
        }
        try
        {
            if (null != channel.tryLock())
            {
                return channel;
            }
        }
        catch (final OverlappingFileLockException | IOException ex)
        {
            // Held by a channel of this process (overlapping), or the lock could not be taken: another owner.
        }
        closeQuietly(channel);
        return null;
    }

    /**
     * Closes a channel, ignoring a failure (on a path that is already failing).
     *
     * @param channel the channel, or null.
     */
    public static void closeQuietly(final FileChannel channel)
    {
        if (null == channel)
        {
            return;
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Already failing: the first failure is the one reported.
        }
    }
}
