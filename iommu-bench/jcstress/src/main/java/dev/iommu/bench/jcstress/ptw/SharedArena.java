/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;
import dev.iommu.ptw.Translation;

/**
 * One arena for every jcstress state: each state builds a fresh table in it and its arbiter destroys the table, so
 * table pages are recycled instead of allocating direct memory per state. The arena is a sparse memory-mapped
 * temporary file (1 GiB of address space, only touched pages use memory), because jcstress's footprint estimator
 * creates states that never reach an arbiter and a forked VM's direct memory is capped at its small heap.
 */
public final class SharedArena
{
    public static final TableArena ARENA = createArena();

    private SharedArena()
    {
    }

    private static TableArena createArena()
    {
        try
        {
            final Path file = Files.createTempFile("iommu-jcstress-ptw", ".arena");
            file.toFile().deleteOnExit();
            return TableArena.createFile(file, 1 << 18);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A table without IOTLB in the shared arena; its arbiter destroys it.
     */
    public static RadixPageTable newTable()
    {
        final RadixPageTable table = RadixPageTable.create(ARENA, new PageTableConfig().iotlbEntries(0));
        if (null == table)
        {
            throw new IllegalStateException("shared arena exhausted");
        }
        return table;
    }

    /**
     * Classify a translation: 0 not present, 1 the expected output and permissions, 2 anything else.
     */
    public static int classify(
        final long translation, final long iova, final long expectedOutput, final int permissions)
    {
        if (Translation.isFault(translation))
        {
            return Translation.faultReason(translation) == Translation.FAULT_NOT_PRESENT ? 0 : 2;
        }
        return Translation.outputAddress(translation, iova) == expectedOutput &&
            Translation.permissions(translation) == permissions ? 1 : 2;
    }
}
