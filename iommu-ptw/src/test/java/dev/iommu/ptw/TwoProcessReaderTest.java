/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TableReaderTest}'s race with the reader in another JVM ({@link ReaderProcess}): the owner maps and unmaps a
 * region 20,000 times (its leaf table freed each time) and reuses the freed pages for another region, while the
 * other process translates a page of the region through its read-only mapping of the arena file. The reader checks
 * each translation against the owner's counters in a shared control file.
 */
class TwoProcessReaderTest
{
    private static final int CYCLES = 20_000;

    @Test
    void aReaderInAnotherProcessNeverSeesAnUnmappedPageOrAReusedTable(@TempDir final Path dir) throws Exception
    {
        final Path arenaFile = dir.resolve("shared.arena");
        final Path controlFile = dir.resolve("control");
        final UnsafeBuffer control = ReaderProcess.mapControl(controlFile);
        try (TableArena owner = TableArena.createFile(arenaFile, 256))
        {
            final RadixPageTable table = RadixPageTable.create(owner, new PageTableConfig().iotlbEntries(0));
            final Process reader = startReader(arenaFile, controlFile, table.rootPage());
            try
            {
                awaitTranslations(control, reader);
                for (long cycle = 1; cycle <= CYCLES && control.getLongVolatile(ReaderProcess.VIOLATION) == 0;
                    cycle++)
                {
                    control.putLongVolatile(ReaderProcess.MAP_STARTED, cycle);
                    assertEquals(PtwResult.OK, table.map(TableReaderTest.WATCHED,
                        TableReaderTest.watchedOutput(cycle), TableReaderTest.REGION, PtwPermissions.READ_WRITE));
                    if ((cycle & 63) == 0)
                    {
                        awaitTranslations(control, reader);
                    }
                    assertEquals(512, table.unmap(TableReaderTest.WATCHED, TableReaderTest.REGION));
                    control.putLongVolatile(ReaderProcess.UNMAP_DONE, cycle);
                    assertEquals(PtwResult.OK, table.map(TableReaderTest.OTHER,
                        TableReaderTest.OTHER_FRAMES + cycle * TableReaderTest.REGION + 4096, TableReaderTest.REGION,
                        PtwPermissions.READ_WRITE));
                    assertEquals(512, table.unmap(TableReaderTest.OTHER, TableReaderTest.REGION));
                }
                control.putLongVolatile(ReaderProcess.STOP, 1);
                final int exit = reader.waitFor();
                assertEquals(0, control.getLongVolatile(ReaderProcess.VIOLATION),
                    "the reader saw 0x" + Long.toHexString(control.getLongVolatile(ReaderProcess.VIOLATION)));
                assertEquals(0, exit, "the reader process failed");
                final long translations = control.getLongVolatile(ReaderProcess.TRANSLATIONS);
                final long mapped = control.getLongVolatile(ReaderProcess.MAPPED);
                assertTrue(mapped > 0 && mapped < translations,
                    "the reader saw the page mapped " + mapped + " times in " + translations + " translations");
            }
            finally
            {
                reader.destroyForcibly();
            }
        }
    }

    private static Process startReader(final Path arenaFile, final Path controlFile, final int rootPage)
        throws Exception
    {
        return ChildJvm.start(
            ReaderProcess.class, arenaFile.toString(), controlFile.toString(), Integer.toString(rootPage));
    }

    /**
     * Waits until the reader has started a translation after this call began, or has exited (a spin on its counter
     * in the shared file, not a sleep).
     */
    private static void awaitTranslations(final UnsafeBuffer control, final Process reader)
    {
        final long target = control.getLongVolatile(ReaderProcess.TRANSLATIONS) + 2;
        while (control.getLongVolatile(ReaderProcess.TRANSLATIONS) < target && reader.isAlive())
        {
            Thread.onSpinWait();
        }
        assertTrue(reader.isAlive() || control.getLongVolatile(ReaderProcess.VIOLATION) != 0,
            "the reader process exited early");
    }
}
