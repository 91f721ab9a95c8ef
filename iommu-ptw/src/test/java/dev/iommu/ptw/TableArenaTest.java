/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableArenaTest
{
    @Test
    void allocatesEveryPageOnceThenReportsNoMemory()
    {
        try (TableArena arena = TableArena.allocateDirect(100))
        {
            final BitSet seen = new BitSet();
            for (int i = 0; i < 100; i++)
            {
                final int page = arena.allocate();
                assertTrue(page >= 1 && page <= 100, "page " + page);
                assertTrue(!seen.get(page), "page handed out twice: " + page);
                seen.set(page);
            }
            assertEquals(100, arena.pagesInUse());
            assertEquals(0, arena.allocate());
            assertEquals(100, arena.pagesInUse());
        }
    }

    @Test
    void aRefusingHookFailsTheAllocationAsADryPoolDoes()
    {
        final boolean[] allow = {true};
        try (TableArena arena = TableArena.allocateDirect(4, () -> allow[0]))
        {
            final int first = arena.allocate();
            assertTrue(first >= 1);
            allow[0] = false;
            assertEquals(0, arena.allocate(), "refused: 0, as when no page is free");
            assertEquals(1, arena.pagesInUse(), "a refused allocation changes nothing");
            allow[0] = true;
            assertTrue(arena.allocate() >= 1);
            assertEquals(2, arena.pagesInUse());
        }
    }

    @Test
    void freedPagesComeBackZeroed()
    {
        try (TableArena arena = TableArena.allocateDirect(4))
        {
            final int page = arena.allocate();
            arena.buffer().putLong(page * TableArena.PAGE_SIZE + 128, 0x1234L);
            arena.free(page);
            assertEquals(0, arena.pagesInUse());
            final int again = arena.allocate();
            assertEquals(page, again);
            for (int off = 0; off < TableArena.PAGE_SIZE; off += 8)
            {
                assertEquals(0, arena.buffer().getLong(again * TableArena.PAGE_SIZE + off));
            }
        }
    }

    @Test
    void cachesOfTerminatedThreadsAreReclaimed() throws Exception
    {
        try (TableArena arena = TableArena.allocateDirect(20))
        {
            final Thread other = new Thread(() -> arena.free(arena.allocate()));
            other.start();
            other.join();
            int count = 0;
            while (arena.allocate() != 0)
            {
                count++;
            }
            assertEquals(20, count, "pages parked in the dead thread's cache came back");
        }
    }

    @Test
    void rejectsBadCapacityAndBadFree()
    {
        assertThrows(IllegalArgumentException.class, () -> TableArena.allocateDirect(0));
        assertThrows(IllegalArgumentException.class, () -> TableArena.allocateDirect(TableArena.MAX_CAPACITY + 1));
        try (TableArena arena = TableArena.allocateDirect(2))
        {
            assertThrows(IllegalArgumentException.class, () -> arena.free(0));
            assertThrows(IllegalArgumentException.class, () -> arena.free(3));
        }
    }

    @Test
    void mappedFileHoldsHeaderAndTables(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("tables.arena");
        try (TableArena arena = TableArena.createFile(file, 64))
        {
            assertEquals(ArenaLayoutDescriptor.regionBytes(64), Files.size(file));
            assertEquals(TableArena.MAGIC, arena.buffer().getLong(ArenaLayoutDescriptor.MAGIC_OFFSET));
            final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig());
            assertEquals(PtwResult.OK, table.map(0x1000, 0x5000, 0x1000, PtwPermissions.READ));
            assertEquals(0x5000, Translation.outputAddress(table.translate(0x1000), 0x1000));
            assertEquals(4, arena.pagesInUse());
        }
    }

    /**
     * What another process sees: after the arena is closed, the file alone (read with plain file I/O, no arena)
     * holds the header and tables that a walker can follow from the root page index using {@link PteDescriptor}.
     */
    @Test
    void mappedFileCanBeWalkedWithoutTheArena(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("walk.arena");
        final int root;
        try (TableArena arena = TableArena.createFile(file, 64))
        {
            final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(0));
            assertEquals(PtwResult.OK, table.map(0x7_4000_3000L, 0x9_0000_5000L, 0x1000, PtwPermissions.WRITE));
            assertEquals(PtwResult.OK, table.map(0x20_0000L, 0x40_0000L, 0x20_0000L, PtwPermissions.READ));
            root = table.rootPage();
        }
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.nativeOrder());
        assertEquals(TableArena.MAGIC, bytes.getLong(ArenaLayoutDescriptor.MAGIC_OFFSET));
        assertEquals(64, bytes.getLong(ArenaLayoutDescriptor.CAPACITY_OFFSET));
        final long small = walkFile(bytes, root, 0x7_4000_3000L);
        assertEquals(0x9_0000_5000L, PteDescriptor.output(small));
        assertEquals(PtwPermissions.WRITE, PteDescriptor.permissions(small));
        final long large = walkFile(bytes, root, 0x20_0000L);
        assertEquals(PteDescriptor.PAGE_SIZE, large & PteDescriptor.PAGE_SIZE, "a 2 MiB leaf");
        assertEquals(0x40_0000L, PteDescriptor.output(large));
        assertEquals(0, walkFile(bytes, root, 0x1000), "not mapped");
    }

    private static long walkFile(final ByteBuffer bytes, final int root, final long iova)
    {
        int page = root;
        for (int level = 3; level >= 0; level--)
        {
            final long entry = bytes.getLong(page * TableArena.PAGE_SIZE + PteDescriptor.index(iova, level) * 8);
            if (!PteDescriptor.isTable(entry))
            {
                return entry;
            }
            page = PteDescriptor.childIndex(entry);
        }
        throw new AssertionError("a table below level 0");
    }

    @Test
    void threadsAllocatingAndFreeingNeverShareAPage() throws Exception
    {
        final int threads = 2;
        final int capacity = 256;
        try (TableArena arena = TableArena.allocateDirect(capacity))
        {
            final int[] owner = new int[capacity + 1];
            final CyclicBarrier barrier = new CyclicBarrier(threads);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                final int id = t + 1;
                workers[t] = new Thread(() ->
                {
                    try
                    {
                        barrier.await();
                        final int[] held = new int[40];
                        for (int round = 0; round < 20_000; round++)
                        {
                            int n = 0;
                            for (; n < held.length; n++)
                            {
                                final int page = arena.allocate();
                                if (page == 0)
                                {
                                    break;
                                }
                                synchronized (owner)
                                {
                                    if (owner[page] != 0)
                                    {
                                        throw new AssertionError("page " + page + " held by " + owner[page]);
                                    }
                                    owner[page] = id;
                                }
                                held[n] = page;
                            }
                            for (int i = 0; i < n; i++)
                            {
                                synchronized (owner)
                                {
                                    owner[held[i]] = 0;
                                }
                                arena.free(held[i]);
                            }
                        }
                        arena.releaseThreadCache();
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                });
                workers[t].start();
            }
            for (final Thread worker : workers)
            {
                worker.join();
            }
            assertNull(failure.get());
            assertEquals(0, arena.pagesInUse());
            int count = 0;
            while (arena.allocate() != 0)
            {
                count++;
            }
            assertEquals(capacity, count);
        }
    }
}
