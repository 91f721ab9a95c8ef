/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import dev.iommu.core.platform.ResourceLimits;
import dev.iommu.ptw.ArenaFileException;
import dev.iommu.ptw.TableArena;

/**
 * The files of a persistent directory ({@link EmulatorContext#persistentDirectory}) and the order they are opened
 * in: the table arena first (its file lock makes the emulator the directory's one owner, and its header says whether
 * the last owner closed it), then the context table (recovered when the last owner did not close it), then the
 * in-flight log. Each failure is a {@link PersistenceException} naming the file.
 */
final class PersistentDirectory
{
    /** Token records the context table is sized for beyond the platform's object limits (it grows past them). */
    private static final long TOKEN_RECORDS = 1 << 16;

    private PersistentDirectory()
    {
    }

    static TableArena openArena(final Path directory, final int capacity, final BooleanSupplier tablePageGate)
    {
        final Path tables = directory.resolve(IommuEmulator.TABLES_FILE);
        try
        {
            Files.createDirectories(directory);
            if (!Files.exists(tables) && Files.exists(directory.resolve(PersistedContext.CONTEXT_FILE)))
            {
                throw new PersistenceException(directory + " holds a context table but no " +
                    IommuEmulator.TABLES_FILE + ": the page tables of its domains are gone");
            }
            return TableArena.openFile(tables, capacity, tablePageGate);
        }
        catch (final ArenaFileException ex)
        {
            throw new PersistenceException(ex.getMessage(), ex);
        }
        catch (final java.io.UncheckedIOException ex)
        {
            throw new PersistenceException(ex.getMessage() + ": " + ex.getCause(), ex);
        }
        catch (final IOException ex)
        {
            throw new PersistenceException("cannot create the persistent directory " + directory + ": " + ex, ex);
        }
    }

    static PersistedContext openContext(final Path directory, final ResourceLimits limits, final boolean reopened,
        final boolean cleanShutdown)
    {
        if (reopened && !Files.exists(directory.resolve(PersistedContext.CONTEXT_FILE)))
        {
            throw new PersistenceException(directory + " holds page tables but no " + PersistedContext.CONTEXT_FILE +
                ": which domain a table belongs to is gone");
        }
        return PersistedContext.open(directory, contextEntries(limits), reopened && !cleanShutdown);
    }

    /**
     * The records the context table is sized for on a platform (its owner and its readers size it alike).
     *
     * @param limits the platform's limits.
     * @return the entries.
     */
    static long contextEntries(final ResourceLimits limits)
    {
        return (long)limits.maxDomains() + limits.maxDmaDevices() + limits.maxPasidDevices() + TOKEN_RECORDS;
    }

    static InFlightLog openInFlightLog(final Path directory)
    {
        try
        {
            return InFlightLog.open(directory);
        }
        catch (final InFlightLogException ex)
        {
            throw new PersistenceException(ex.getMessage(), ex);
        }
    }
}
