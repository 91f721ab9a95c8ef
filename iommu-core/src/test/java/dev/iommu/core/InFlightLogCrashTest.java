/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.nio.file.Path;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.iommu.core.InFlightCrashChild.THREADS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An {@link InFlightLog} tells the truth after its process is killed (SIGKILL) at random moments, again and again:
 * {@link InFlightCrashChild} records calls from two threads, each call's record made of its number, and marks each
 * call started and ended in a file of its own; this test kills it, opens the log as the next owner, and checks
 * against the marks: every record listed is whole (every field of one call, no field of another) and is the call its
 * thread had started and not ended; a thread whose last call ended has no record; a committed record is of a call
 * that commits. Then it clears the records and starts the next child on the same log.
 */
class InFlightLogCrashTest
{
    private static final int KILLS = 20;

    @Test
    void afterAKillTheLogListsExactlyTheCallsInFlightWhole(@TempDir final Path dir) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(20261201);
        long calls = 0;
        int inFlight = 0;
        int committed = 0;
        int betweenMarkAndRecord = 0;
        for (int kill = 0; kill < KILLS; kill++)
        {
            final Path marksFile = dir.resolve("marks-" + kill);
            final UnsafeBuffer marks = InFlightCrashChild.mapMarks(marksFile);
            final long target = 1 + random.nextInt(400_000);
            final Process child = ChildJvm.start(InFlightCrashChild.class, dir.toString(), marksFile.toString());
            try
            {
                // A spin on the child's marks (shared memory), not a sleep: the kill lands at a random call.
                while (ended(marks) < target && child.isAlive())
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
            final boolean[] listed = new boolean[THREADS];
            try (InFlightLog log = InFlightLog.open(dir, InFlightCrashChild.SLOTS))
            {
                assertTrue(log.inFlight().size() <= THREADS, "at most a record a thread: " + log.inFlight());
                for (final InFlightRecord record : log.inFlight())
                {
                    final int thread = (int)record.domainId();
                    assertTrue(thread >= 0 && thread < THREADS, "a thread's record: " + record);
                    assertFalse(listed[thread], "one record a thread: " + log.inFlight());
                    listed[thread] = true;
                    final long call = marks.getLongVolatile(InFlightCrashChild.started(thread));
                    assertEquals(call - 1, marks.getLongVolatile(InFlightCrashChild.ended(thread)),
                        "the record " + record + " is of a call started and not ended");
                    assertEquals(new InFlightRecord(record.slot(), record.sequence(), InFlightCrashChild.kind(call),
                        thread, InFlightCrashChild.address(thread, call), InFlightCrashChild.pages(call),
                        record.committed()), record, "the record is call " + call + "'s, whole");
                    assertTrue(!record.committed() || InFlightCrashChild.committed(call),
                        "committed only by a call that commits: " + record);
                    assertTrue(record.sequence() >= call, "the slot counted the call: " + record);
                    inFlight++;
                    committed += record.committed() ? 1 : 0;
                    log.clear(record);
                }
                assertEquals(0, log.inFlight().size());
            }
            for (int thread = 0; thread < THREADS; thread++)
            {
                final long started = marks.getLongVolatile(InFlightCrashChild.started(thread));
                final long ended = marks.getLongVolatile(InFlightCrashChild.ended(thread));
                calls += ended;
                if (!listed[thread])
                {
                    assertTrue(started == ended || started == ended + 1,
                        "thread " + thread + ": started " + started + ", ended " + ended);
                    betweenMarkAndRecord += started == ended + 1 ? 1 : 0;
                }
            }
        }
        assertTrue(inFlight > 0, "no call was in flight at any kill");
        System.out.println("InFlightLogCrashTest: " + KILLS + " kills, " + calls + " calls ended; records in " +
            "flight found " + inFlight + " (committed " + committed + "), threads between a mark and its record " +
            betweenMarkAndRecord);
    }

    private static long ended(final UnsafeBuffer marks)
    {
        long ended = 0;
        for (int thread = 0; thread < THREADS; thread++)
        {
            ended += marks.getLongVolatile(InFlightCrashChild.ended(thread));
        }
        return ended;
    }

    private static String exitOf(final Process process)
    {
        return process.isAlive() ? "none" : Integer.toString(process.exitValue());
    }
}
