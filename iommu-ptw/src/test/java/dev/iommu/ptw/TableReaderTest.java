/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second mapping of a table arena file, read-only, as another process has it: it translates what the owner
 * maps, sees the owner's unmaps, writes nothing, and while the owner maps, unmaps (freeing the leaf table each
 * time) and reuses the freed pages, never returns a page the owner had not mapped during the call or had already
 * unmapped before it, nor anything of the table that reused a freed page.
 */
class TableReaderTest
{
    private static final int CAPACITY = 256;
    private static final int RW = PtwPermissions.READ_WRITE;
    static final long REGION = PageSizes.SIZE_2M;
    /** The watched region: 2 MiB at 4 GiB, mapped with 4 KiB leaves (unaligned output), so its leaf table is freed. */
    static final long WATCHED = 4L << 30;
    /** The region that reuses the freed pages. */
    static final long OTHER = 8L << 30;
    private static final long WATCHED_FRAMES = 1L << 32;
    static final long OTHER_FRAMES = 1L << 40;

    @Test
    void readerTranslatesWhatTheOwnerMapsAndWritesNothing(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("shared.arena");
        try (TableArena owner = TableArena.createFile(file, CAPACITY))
        {
            final RadixPageTable table = RadixPageTable.create(owner, new PageTableConfig().iotlbEntries(0));
            assertEquals(PtwResult.OK, table.map(0x7_4000_3000L, 0x9_0000_5000L, 0x3000, PtwPermissions.READ));
            assertEquals(PtwResult.OK, table.map(REGION, 3 * REGION, REGION, RW));
            final byte[] before = Files.readAllBytes(file);
            try (TableArena view = TableArena.openReader(file))
            {
                assertTrue(view.readOnly());
                assertEquals(CAPACITY, view.capacity());
                final TableReader reader = TableReader.attach(view, new PageTableConfig(), table.rootPage());
                assertEquals(table.translate(0x7_4000_4000L), reader.translate(0x7_4000_4000L));
                assertEquals(0x9_0000_6000L,
                    Translation.outputAddress(reader.translate(0x7_4000_4000L), 0x7_4000_4000L));
                assertEquals(REGION, Translation.pageSize(reader.translate(REGION + 0x5000)));
                assertEquals(Translation.PERMISSION, reader.translate(0x7_4000_4000L, PtwPermissions.WRITE));
                assertTrue(Translation.isFault(reader.translate(0x1000)));
                assertEquals(Translation.BAD_ADDRESS, reader.translate(1L << 48));
                assertThrows(UnsupportedOperationException.class, view::allocate);
                assertThrows(UnsupportedOperationException.class, () -> view.free(table.rootPage()));
                assertThrows(IllegalArgumentException.class, () -> TableReader.attach(view, new PageTableConfig(), 0));
                assertEquals(3, table.unmap(0x7_4000_3000L, 0x3000));
                assertTrue(Translation.isFault(reader.translate(0x7_4000_4000L)), "the owner's unmap is seen");
            }
            assertEquals(PtwResult.OK, table.map(0x7_4000_3000L, 0x9_0000_5000L, 0x3000, PtwPermissions.READ));
            assertArrayEquals(before, Files.readAllBytes(file), "the reader wrote nothing");
        }
    }

    @Test
    void readerNeverSeesAnUnmappedPageOrAReusedTable(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("race.arena");
        try (TableArena owner = TableArena.createFile(file, CAPACITY); TableArena view = TableArena.openReader(file))
        {
            final RadixPageTable table = RadixPageTable.create(owner, new PageTableConfig().iotlbEntries(0));
            final TableReader reader = TableReader.attach(view, new PageTableConfig(), table.rootPage());
            final AtomicLong mapStarted = new AtomicLong();
            final AtomicLong unmapDone = new AtomicLong();
            final AtomicLong translations = new AtomicLong();
            final AtomicReference<String> violation = new AtomicReference<>();
            final long[] seen = new long[2];
            final CyclicBarrier start = new CyclicBarrier(2);
            final int cycles = 20_000;
            final Thread readerThread = new Thread(() ->
            {
                await(start);
                final long page = WATCHED + 77 * 4096;
                while (unmapDone.get() < cycles && null == violation.get())
                {
                    final long done = unmapDone.get();
                    final long t = reader.translate(page);
                    final long started = mapStarted.get();
                    translations.incrementAndGet();
                    if (Translation.isFault(t))
                    {
                        seen[0]++;
                        continue;
                    }
                    seen[1]++;
                    final long output = Translation.outputAddress(t, page);
                    if (!allowed(output - 77 * 4096, done, started))
                    {
                        violation.compareAndSet(null, "translation 0x" + Long.toHexString(output) + " with unmaps " +
                            "done up to cycle " + done + " and maps started up to " + started);
                    }
                }
            });
            readerThread.start();
            await(start);
            for (long cycle = 1; cycle <= cycles && null == violation.get(); cycle++)
            {
                mapStarted.set(cycle);
                assertEquals(PtwResult.OK, table.map(WATCHED, watchedOutput(cycle), REGION, RW));
                if ((cycle & 63) == 0)
                {
                    // Every 64th cycle the reader translates at least once while the region is mapped, and once
                    // after it is unmapped, so that both outcomes are checked even when the two threads share a
                    // core (a spin on its counter, not a sleep); the other cycles race freely.
                    awaitTranslations(translations, violation, readerThread);
                }
                assertEquals(512, table.unmap(WATCHED, REGION));
                unmapDone.set(cycle);
                if ((cycle & 63) == 0)
                {
                    awaitTranslations(translations, violation, readerThread);
                }
                // Reuse the freed leaf table (and whatever else was freed) for another region's leaves.
                assertEquals(PtwResult.OK, table.map(OTHER, OTHER_FRAMES + cycle * REGION + 4096, REGION, RW));
                assertEquals(512, table.unmap(OTHER, REGION));
            }
            readerThread.join();
            assertNull(violation.get());
            assertTrue(seen[0] > 0 && seen[1] > 0, "the reader saw mapped " + seen[1] + " and unmapped " + seen[0] +
                " in " + translations.get() + " translations");
        }
    }

    /**
     * Waits until the reader has started a translation after this call began (two more completed).
     */
    private static void awaitTranslations(
        final AtomicLong translations, final AtomicReference<String> violation, final Thread reader)
    {
        final long target = translations.get() + 2;
        while (translations.get() < target && null == violation.get() && reader.isAlive())
        {
            Thread.onSpinWait();
        }
    }

    /**
     * Whether a translation of the watched region's first page to {@code output} is one a reader may return when
     * the owner's unmaps had returned up to cycle {@code done} before it began and its maps had started up to
     * {@code started} when it ended.
     */
    static boolean allowed(final long output, final long done, final long started)
    {
        final long cycle = (output - WATCHED_FRAMES - 4096) / REGION;
        return output == watchedOutput(cycle) && cycle > done && cycle <= started;
    }

    static long watchedOutput(final long cycle)
    {
        return WATCHED_FRAMES + cycle * REGION + 4096;
    }

    private static void await(final CyclicBarrier barrier)
    {
        try
        {
            barrier.await();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
