/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The process {@link TableCrashTest} kills: it opens the arena file (a new one the first time, else the one its
 * predecessor left and the test repaired and closed), finds its table again from the root page in the log, and maps
 * and unmaps at random from {@link #THREADS} threads until it is killed, each thread recording each of its calls in
 * its part of the log before it starts (intent) and after it returned (acknowledged); so at a kill each thread may
 * have one call in flight, and the threads' table installs and frees race.
 * <p>
 * Address space: {@link #SLOTS} slots of {@link #SLOT_PAGES} pages (8 to a 2 MiB region; thread t owns the regions
 * r with r mod THREADS = t); a map covers 1 to 16 pages at the start of a free slot, an unmap one mapped slot, or a
 * whole region (every slot in it, freeing its leaf table). The log: a long at 0, the root page; per thread a part
 * of {@link #PART_BYTES}: a long, records begun, then records of four longs (kind and state, address, pages,
 * output).
 */
final class CrashChild
{
    static final int SLOTS = 256;
    static final int SLOT_PAGES = 64;
    static final int CAPACITY = 512;
    static final long BASE = 1L << 32;
    static final int THREADS = 2;
    static final int PART_BYTES = 32 << 20;
    static final int LOG_BYTES = 4096 + THREADS * PART_BYTES;
    static final int ROOT = 0;
    static final int RECORD_BYTES = 32;
    static final long MAP = 1;
    static final long UNMAP_SLOT = 2;
    static final long UNMAP_REGION = 3;
    static final int INTENT = 1 << 8;
    static final int ACKNOWLEDGED = 2 << 8;
    /** Set by the test on an in-flight record it undid (a map) or completed (an unmap). */
    static final int RESOLVED = 3 << 8;

    private CrashChild()
    {
    }

    /**
     * @param args arena file, log file, seed.
     * @throws IOException when a file cannot be mapped.
     */
    public static void main(final String[] args) throws IOException
    {
        final Path arenaFile = Path.of(args[0]);
        final UnsafeBuffer log = mapLog(Path.of(args[1]));
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
        final boolean fresh = !Files.exists(arenaFile);
        final TableArena arena = TableArena.openFile(arenaFile, CAPACITY);
        final RadixPageTable table;
        if (fresh)
        {
            table = RadixPageTable.create(arena, config());
            log.putLongVolatile(ROOT, table.rootPage());
        }
        else
        {
            table = RadixPageTable.attach(arena, config(), (int)log.getLongVolatile(ROOT), new BitSet());
        }
        final int[] mapped = new int[SLOTS];
        for (int slot = 0; slot < SLOTS; slot++)
        {
            mapped[slot] = mappedPages(table, slot);
        }
        final Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++)
        {
            final int thread = t;
            final SplittableRandom own = random.split();
            threads[t] = new Thread(() -> run(table, log, own, thread, mapped));
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    /**
     * One thread's calls, on its own regions (each thread reads and writes only its slots of {@code mapped}).
     */
    private static void run(final RadixPageTable table, final UnsafeBuffer log, final SplittableRandom random,
        final int thread, final int[] mapped)
    {
        final int regions = SLOTS / 8 / THREADS;
        long output = ((random.nextLong() & 0xF_FFFF_FFFFL) << 12) + ((long)thread << 50);
        while (true)
        {
            final int region = random.nextInt(regions) * THREADS + thread;
            final int slot = region * 8 + random.nextInt(8);
            final int choice = random.nextInt(10);
            final long index = log.getLongVolatile(count(thread));
            final int record = record(thread, index);
            if (record + RECORD_BYTES > count(thread) + PART_BYTES)
            {
                return;
            }
            if (choice == 0)
            {
                final int first = region * 8;
                begin(log, thread, record, index, UNMAP_REGION, address(first), 8L * SLOT_PAGES, 0);
                table.unmap(address(first), 8L * SLOT_PAGES * 4096);
                for (int s = first; s < first + 8; s++)
                {
                    mapped[s] = 0;
                }
            }
            else if (mapped[slot] > 0)
            {
                begin(log, thread, record, index, UNMAP_SLOT, address(slot), mapped[slot], 0);
                table.unmap(address(slot), mapped[slot] * 4096L);
                mapped[slot] = 0;
            }
            else
            {
                final int pages = 1 + random.nextInt(16);
                output += 1L << 24;
                begin(log, thread, record, index, MAP, address(slot), pages, output);
                if (table.map(address(slot), output, pages * 4096L, PtwPermissions.READ_WRITE) != PtwResult.OK)
                {
                    throw new IllegalStateException("map refused at slot " + slot);
                }
                mapped[slot] = pages;
            }
            // Acknowledged only after the call returned.
            log.putLongVolatile(record, log.getLong(record) & 0xFF | ACKNOWLEDGED);
        }
    }

    /**
     * @return the offset of thread {@code thread}'s count of records begun.
     */
    static int count(final int thread)
    {
        return 4096 + thread * PART_BYTES;
    }

    /**
     * @return the offset of thread {@code thread}'s record {@code index}.
     */
    static int record(final int thread, final long index)
    {
        return count(thread) + 64 + (int)index * RECORD_BYTES;
    }

    static PageTableConfig config()
    {
        return new PageTableConfig().iotlbEntries(0);
    }

    static long address(final int slot)
    {
        return BASE + (long)slot * SLOT_PAGES * 4096;
    }

    /**
     * The pages mapped from the start of a slot (maps always start there).
     */
    static int mappedPages(final RadixPageTable table, final int slot)
    {
        int pages = 0;
        while (pages < SLOT_PAGES && !Translation.isFault(table.translate(address(slot) + pages * 4096L)))
        {
            pages++;
        }
        return pages;
    }

    private static void begin(final UnsafeBuffer log, final int thread, final int record, final long index,
        final long kind, final long address, final long pages, final long output)
    {
        log.putLong(record + 8, address);
        log.putLong(record + 16, pages);
        log.putLong(record + 24, output);
        log.putLong(record, kind | INTENT);
        // The record is complete before it is counted; the call starts after it is counted.
        log.putLongVolatile(count(thread), index + 1);
    }

    static UnsafeBuffer mapLog(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE))
        {
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, LOG_BYTES);
            return new UnsafeBuffer(mapped);
        }
    }
}
