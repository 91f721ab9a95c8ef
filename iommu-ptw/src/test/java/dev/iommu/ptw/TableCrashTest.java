/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A page table in an arena file survives its process being killed (SIGKILL) at random moments, again and again:
 * {@link CrashChild} maps and unmaps at random from two threads and logs each call before it starts and after it
 * returns; this test kills it, reopens the file (not closed cleanly: {@link TableArena#needsRebuild()}), attaches
 * the table from its root ({@link RadixPageTable#attach}), rebuilds the free stack from the pages reached
 * ({@link TableArena#rebuildFreeList}), undoes each map and completes each unmap that was in flight (one a thread at
 * most), and checks: every
 * acknowledged map translates as it did, every acknowledged unmap is gone, every other page of the space is unmapped,
 * and every page of the arena is either a table page reached from the root or free (nothing leaked). Then it closes
 * the arena cleanly and starts the next child on the same file.
 */
class TableCrashTest
{
    private static final int KILLS = 25;

    @Test
    void everyAcknowledgedCallSurvivesAKillAndNothingLeaks(@TempDir final Path dir) throws Exception
    {
        final Path arenaFile = dir.resolve("tables.arena");
        final Path logFile = dir.resolve("calls.log");
        final UnsafeBuffer log = CrashChild.mapLog(logFile);
        final SplittableRandom random = new SplittableRandom(20261130);
        long repairedMaps = 0;
        long repairedUnmaps = 0;
        long leakedPages = 0;
        for (int kill = 0; kill < KILLS; kill++)
        {
            final long target = calls(log) + 1 + random.nextInt(3_000);
            final Process child = startChild(arenaFile, logFile, kill);
            try
            {
                // A spin on the child's own log (shared memory), not a sleep: the kill lands at a random call.
                while (calls(log) < target && child.isAlive())
                {
                    Thread.onSpinWait();
                }
                assertTrue(child.isAlive(), "the child ended on its own, exit " + exitOf(child));
            }
            finally
            {
                child.destroyForcibly();
                child.waitFor();
            }
            try (TableArena arena = TableArena.openFile(arenaFile, CrashChild.CAPACITY))
            {
                assertTrue(arena.needsRebuild(), "a killed owner's arena is not marked clean");
                final long inUseBefore = arena.pagesInUse();
                final BitSet inUse = new BitSet();
                final RadixPageTable table = RadixPageTable.attach(
                    arena, CrashChild.config(), (int)log.getLongVolatile(CrashChild.ROOT), inUse);
                arena.rebuildFreeList(inUse);
                leakedPages += Math.max(0, inUseBefore - inUse.cardinality());
                final long[] model = new long[CrashChild.SLOTS];
                for (int thread = 0; thread < CrashChild.THREADS; thread++)
                {
                    final long resolved = replay(log, thread, table, model);
                    repairedMaps += resolved == CrashChild.MAP ? 1 : 0;
                    repairedUnmaps += resolved == CrashChild.UNMAP_SLOT || resolved == CrashChild.UNMAP_REGION ? 1 : 0;
                }
                check(table, model);
                assertEquals(table.tablePages(), arena.pagesInUse(), "in use = the table pages reached");
                int free = 0;
                final int[] taken = new int[CrashChild.CAPACITY];
                for (int page = arena.allocate(); page != 0; page = arena.allocate())
                {
                    taken[free++] = page;
                }
                assertEquals(CrashChild.CAPACITY - table.tablePages(), free, "every other page is free");
                for (int i = 0; i < free; i++)
                {
                    arena.free(taken[i]);
                }
            }
        }
        assertTrue(repairedMaps + repairedUnmaps > 0, "no call was in flight at any kill");
        System.out.println("TableCrashTest: " + KILLS + " kills, " + calls(log) +
            " calls; repaired " + repairedMaps + " maps in flight (undone), " + repairedUnmaps +
            " unmaps in flight (completed); pages taken but not linked, given back: " + leakedPages);
    }

    /**
     * Applies one thread's logged calls to {@code model} (per slot 0: none, else {@code output << 8 | pages}),
     * resolving its call in flight on {@code table}: a map is undone, an unmap completed.
     *
     * @return the kind of the call resolved, or 0.
     */
    private static long replay(final UnsafeBuffer log, final int thread, final RadixPageTable table,
        final long[] model)
    {
        long resolved = 0;
        final long count = log.getLongVolatile(CrashChild.count(thread));
        for (long i = 0; i < count; i++)
        {
            final int record = CrashChild.record(thread, i);
            final long head = log.getLong(record);
            final long kind = head & 0xFF;
            final long state = head & ~0xFFL;
            final long address = log.getLong(record + 8);
            final long pages = log.getLong(record + 16);
            final int slot = (int)((address - CrashChild.BASE) / (CrashChild.SLOT_PAGES * 4096L));
            if (state == CrashChild.INTENT)
            {
                assertEquals(count - 1, i, "only a thread's last call can be in flight");
                table.unmap(address, pages * 4096);
                log.putLongVolatile(record, kind | CrashChild.RESOLVED);
                resolved = kind;
            }
            if (kind == CrashChild.MAP && state == CrashChild.ACKNOWLEDGED)
            {
                model[slot] = log.getLong(record + 24) << 8 | pages;
            }
            else if (kind == CrashChild.UNMAP_REGION)
            {
                for (int s = slot; s < slot + 8; s++)
                {
                    model[s] = 0;
                }
            }
            else
            {
                model[slot] = 0;
            }
        }
        return resolved;
    }

    private static long calls(final UnsafeBuffer log)
    {
        long calls = 0;
        for (int thread = 0; thread < CrashChild.THREADS; thread++)
        {
            calls += log.getLongVolatile(CrashChild.count(thread));
        }
        return calls;
    }

    private static void check(final RadixPageTable table, final long[] model)
    {
        for (int slot = 0; slot < CrashChild.SLOTS; slot++)
        {
            final long pages = model[slot] & 0xFF;
            final long output = model[slot] >>> 8;
            for (int page = 0; page < CrashChild.SLOT_PAGES; page++)
            {
                final long iova = CrashChild.address(slot) + page * 4096L;
                final long t = table.translate(iova);
                if (page < pages)
                {
                    assertEquals(output + page * 4096L, Translation.outputAddress(t, iova),
                        "slot " + slot + " page " + page);
                }
                else
                {
                    assertTrue(Translation.isFault(t), "slot " + slot + " page " + page + " is unmapped");
                }
            }
        }
    }

    private static String exitOf(final Process process)
    {
        return process.isAlive() ? "none" : Integer.toString(process.exitValue());
    }

    private static Process startChild(final Path arenaFile, final Path logFile, final int seed) throws Exception
    {
        return ChildJvm.start(CrashChild.class, arenaFile.toString(), logFile.toString(), Integer.toString(seed));
    }
}
