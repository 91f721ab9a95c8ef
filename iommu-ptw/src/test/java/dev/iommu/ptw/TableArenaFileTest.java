/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A table arena in a file: opened again after a clean close (pages, free stack and count as they were), after a
 * crash (no allocation until the owner rebuilds the free stack from the pages in use), and refused with a clear
 * error when the file is not an arena this library can open, leaving the file unchanged.
 */
class TableArenaFileTest
{
    private static final int CAPACITY = 64;

    @Test
    void aCleanlyClosedArenaOpensWithItsPagesAndFreeStack(@TempDir final Path dir)
    {
        final Path file = dir.resolve("tables.arena");
        final Set<Integer> kept = new HashSet<>();
        try (TableArena arena = TableArena.createFile(file, CAPACITY))
        {
            assertEquals(1, arena.generation());
            for (int i = 0; i < 10; i++)
            {
                final int page = arena.allocate();
                arena.buffer().putLong(page * TableArena.PAGE_SIZE, 0x1000L + page);
                if (i % 3 == 0)
                {
                    arena.free(page);
                }
                else
                {
                    kept.add(page);
                }
            }
            assertEquals(kept.size(), arena.pagesInUse());
        }
        try (TableArena arena = TableArena.openFile(file, CAPACITY))
        {
            assertFalse(arena.needsRebuild());
            assertEquals(2, arena.generation());
            assertEquals(kept.size(), arena.pagesInUse());
            for (final int page : kept)
            {
                assertEquals(0x1000L + page, arena.buffer().getLong(page * TableArena.PAGE_SIZE));
            }
            // Every other page comes back, zeroed, and no kept page is handed out again.
            final Set<Integer> handedOut = new HashSet<>();
            for (int page = arena.allocate(); page != 0; page = arena.allocate())
            {
                assertFalse(kept.contains(page), "page " + page + " is in use");
                assertEquals(0, arena.buffer().getLong(page * TableArena.PAGE_SIZE));
                assertTrue(handedOut.add(page));
            }
            assertEquals(CAPACITY - kept.size(), handedOut.size());
        }
    }

    @Test
    void pagesParkedInAnotherLiveThreadsCacheAreFreeAfterTheCloseAndOpen(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("caches.arena");
        final CountDownLatch parked = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        try (TableArena arena = TableArena.createFile(file, CAPACITY))
        {
            final Thread worker = new Thread(() ->
            {
                // Takes 16 pages into its cache and frees 5 back into it, then stays alive, holding them.
                final int[] pages = new int[5];
                for (int i = 0; i < pages.length; i++)
                {
                    pages[i] = arena.allocate();
                }
                for (final int page : pages)
                {
                    arena.free(page);
                }
                parked.countDown();
                awaitQuietly(closed);
            });
            worker.start();
            parked.await();
            assertEquals(0, arena.pagesInUse());
            arena.close();
            closed.countDown();
            worker.join();
        }
        try (TableArena arena = TableArena.openFile(file, CAPACITY))
        {
            assertFalse(arena.needsRebuild());
            int free = 0;
            for (int page = arena.allocate(); page != 0; page = arena.allocate())
            {
                free++;
            }
            assertEquals(CAPACITY, free, "every page, those the live thread had cached included");
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aTableMappedBeforeTheCloseTranslatesAfterTheOpen(@TempDir final Path dir)
    {
        final Path file = dir.resolve("tables.arena");
        final int root;
        try (TableArena arena = TableArena.createFile(file, CAPACITY))
        {
            final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig().iotlbEntries(0));
            assertEquals(PtwResult.OK, table.map(0x7_4000_3000L, 0x9_0000_5000L, 0x3000, PtwPermissions.WRITE));
            root = table.rootPage();
        }
        try (TableArena arena = TableArena.openFile(file, CAPACITY))
        {
            final long entry = walk(arena, root, 0x7_4000_4000L);
            assertEquals(0x9_0000_6000L, PteDescriptor.output(entry));
            assertEquals(4, arena.pagesInUse(), "root and three tables");
        }
    }

    @Test
    void anArenaNotClosedCleanlyAllocatesNothingUntilRebuilt(@TempDir final Path dir) throws Exception
    {
        final Path live = dir.resolve("live.arena");
        final Path file = dir.resolve("crashed.arena");
        final int linked;
        final int lost;
        try (TableArena owner = TableArena.createFile(live, CAPACITY))
        {
            linked = owner.allocate();
            lost = owner.allocate();
            owner.buffer().putLong(linked * TableArena.PAGE_SIZE, 0xAAL);
            owner.buffer().putLong(lost * TableArena.PAGE_SIZE, 0xBBL);
            // What a process that dies now leaves: the file as it is while open (its header says open), one page
            // linked (the caller's business) and one taken but not linked.
            Files.copy(live, file);
        }
        try (TableArena arena = TableArena.openFile(file, CAPACITY))
        {
            assertTrue(arena.needsRebuild());
            assertThrows(IllegalStateException.class, arena::allocate);
            final BitSet inUse = new BitSet();
            inUse.set(linked);
            arena.rebuildFreeList(inUse);
            assertFalse(arena.needsRebuild());
            assertEquals(1, arena.pagesInUse());
            assertEquals(0xAAL, arena.buffer().getLong(linked * TableArena.PAGE_SIZE));
            assertEquals(0, arena.buffer().getLong(lost * TableArena.PAGE_SIZE), "the lost page is zeroed");
            int free = 0;
            for (int page = arena.allocate(); page != 0; page = arena.allocate())
            {
                assertTrue(page != linked);
                free++;
            }
            assertEquals(CAPACITY - 1, free);
        }
        try (TableArena arena = TableArena.openFile(file, CAPACITY))
        {
            assertFalse(arena.needsRebuild(), "closed cleanly after the rebuild");
            assertEquals(CAPACITY, arena.pagesInUse());
        }
    }

    @Test
    void oneOwnerAtATime(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("owned.arena");
        try (TableArena owner = TableArena.createFile(file, CAPACITY))
        {
            owner.allocate();
            final byte[] before = Files.readAllBytes(file);
            final ArenaFileException second =
                assertThrows(ArenaFileException.class, () -> TableArena.openFile(file, CAPACITY));
            assertTrue(second.getMessage().contains("is open by another owner"), second.getMessage());
            assertThrows(ArenaFileException.class, () -> TableArena.createFile(file, CAPACITY));
            assertArrayEquals(before, Files.readAllBytes(file), "the owner's file is left as it was");
            try (TableArena view = TableArena.openReader(file))
            {
                assertEquals(CAPACITY, view.capacity(), "a reader takes no lock");
            }
        }
        try (TableArena next = TableArena.openFile(file, CAPACITY))
        {
            assertEquals(1, next.pagesInUse(), "the lock went with the close");
        }
    }

    @Test
    void rebuildFreeListChecksItsArgumentAndWhenItIsCalled(@TempDir final Path dir)
    {
        try (TableArena arena = TableArena.createFile(dir.resolve("a.arena"), CAPACITY))
        {
            final BitSet zero = new BitSet();
            zero.set(0);
            assertThrows(IllegalArgumentException.class, () -> arena.rebuildFreeList(zero));
            final BitSet beyond = new BitSet();
            beyond.set(CAPACITY + 1);
            assertThrows(IllegalArgumentException.class, () -> arena.rebuildFreeList(beyond));
            assertThrows(NullPointerException.class, () -> arena.rebuildFreeList(null));
            arena.free(arena.allocate());
            assertThrows(IllegalStateException.class, () -> arena.rebuildFreeList(new BitSet()));
            assertEquals(0, arena.pagesInUse());
        }
    }

    @Test
    void aTruncatedFileIsRefused(@TempDir final Path dir) throws Exception
    {
        final Path file = closedArena(dir);
        final long full = Files.size(file);
        truncate(file, full / 2);
        assertRefused(file, CAPACITY, "truncated: " + full / 2 + " bytes, the layout of 64 pages needs " + full);
        truncate(file, 1000);
        assertRefused(file, CAPACITY, "truncated: 1000 bytes, shorter than the header page");
    }

    @Test
    void aFlippedHeaderByteIsRefused(@TempDir final Path dir) throws Exception
    {
        final Path file = closedArena(dir);
        for (final int offset : new int[] {ArenaLayoutDescriptor.CAPACITY_OFFSET + 1,
            ArenaLayoutDescriptor.PAGE_SIZE_OFFSET, ArenaLayoutDescriptor.GENERATION_OFFSET,
            ArenaLayoutDescriptor.CLEAN_OFFSET, ArenaLayoutDescriptor.CHECKSUM_OFFSET + 3})
        {
            final byte[] bytes = Files.readAllBytes(file);
            bytes[offset] ^= 0x10;
            Files.write(file.resolveSibling("flipped.arena"), bytes);
            assertRefused(file.resolveSibling("flipped.arena"), CAPACITY,
                "damaged header: its checksum does not match its contents");
        }
        final byte[] bytes = Files.readAllBytes(file);
        bytes[ArenaLayoutDescriptor.MAGIC_OFFSET + 2] ^= 0x01;
        Files.write(file, bytes);
        assertRefused(file, CAPACITY, "not a table arena file");
    }

    @Test
    void aNewerLayoutIsRefused(@TempDir final Path dir) throws Exception
    {
        final Path file = closedArena(dir);
        rewriteHeader(file, header -> header.putInt(ArenaLayoutDescriptor.VERSION_OFFSET, 2));
        assertRefused(file, CAPACITY, "layout version 2 is newer than this library's (1)");
    }

    @Test
    void anotherPageSizeOrCapacityIsRefused(@TempDir final Path dir) throws Exception
    {
        final Path file = closedArena(dir);
        assertRefused(file, 2 * CAPACITY, "holds 64 table pages, 128 were asked for");
        rewriteHeader(file, header -> header.putInt(ArenaLayoutDescriptor.PAGE_SIZE_OFFSET, 16384));
        assertRefused(file, CAPACITY, "page size 16384, this library uses 4096");
    }

    @Test
    void aForeignFileIsRefused(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("foreign.arena");
        final byte[] text = new byte[3 * TableArena.PAGE_SIZE];
        Arrays.fill(text, (byte)'x');
        Files.write(file, text);
        assertRefused(file, CAPACITY, "not a table arena file");
    }

    @Test
    void openFileCreatesAMissingFile(@TempDir final Path dir)
    {
        try (TableArena arena = TableArena.openFile(dir.resolve("new.arena"), CAPACITY))
        {
            assertEquals(1, arena.generation());
            assertFalse(arena.needsRebuild());
            assertTrue(arena.allocate() != 0);
        }
    }

    private static long walk(final TableArena arena, final int root, final long iova)
    {
        int page = root;
        for (int level = 3; level >= 0; level--)
        {
            final long entry =
                arena.buffer().getLong(page * TableArena.PAGE_SIZE + PteDescriptor.index(iova, level) * 8);
            if (!PteDescriptor.isTable(entry))
            {
                return entry;
            }
            page = PteDescriptor.childIndex(entry);
        }
        throw new AssertionError("a table below level 0");
    }

    private static Path closedArena(final Path dir)
    {
        final Path file = dir.resolve("tables.arena");
        try (TableArena arena = TableArena.createFile(file, CAPACITY))
        {
            arena.allocate();
        }
        return file;
    }

    private static void assertRefused(final Path file, final int capacity, final String reason) throws Exception
    {
        final byte[] before = Files.readAllBytes(file);
        final ArenaFileException refused =
            assertThrows(ArenaFileException.class, () -> TableArena.openFile(file, capacity));
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
        assertEquals(file, refused.file());
        assertArrayEquals(before, Files.readAllBytes(file), "the refused file is unchanged");
    }

    private static void truncate(final Path file, final long length) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(length);
        }
    }

    /**
     * Changes header fields and writes a matching checksum, as a library of another layout or page size would.
     */
    private static void rewriteHeader(final Path file, final Consumer<UnsafeBuffer> change)
        throws Exception
    {
        final byte[] bytes = Files.readAllBytes(file);
        final UnsafeBuffer header = new UnsafeBuffer(
            ByteBuffer.wrap(bytes, 0, TableArena.PAGE_SIZE).slice().order(ByteOrder.nativeOrder()));
        change.accept(header);
        header.putLong(ArenaLayoutDescriptor.CHECKSUM_OFFSET, ArenaLayoutDescriptor.checksum(header));
        Files.write(file, bytes);
    }
}
