/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link InFlightLog} in one process: the record round trip, records left in flight found again after a reopen,
 * the refusals of files that are not usable logs (each with its message, the file unchanged), slot claims by many
 * short-lived threads and by concurrent ones. {@link InFlightLogCrashTest} kills a writer.
 */
class InFlightLogTest
{
    private static final int SLOTS = 16;

    @Test
    void beginCommitEndRoundTrip(@TempDir final Path dir)
    {
        try (InFlightLog log = InFlightLog.open(dir, SLOTS))
        {
            assertEquals(List.of(), log.inFlight());
            final InFlightLog.Slot slot = log.slot();
            assertTrue(slot == log.slot(), "a thread keeps its slot");
            assertNull(log.read(slot.index()));
            slot.begin(InFlightLog.MAP, 7, 0x1234_5000L, 16);
            assertEquals(new InFlightRecord(slot.index(), 1, InFlightLog.MAP, 7, 0x1234_5000L, 16, false),
                log.read(slot.index()));
            slot.commit();
            assertEquals(new InFlightRecord(slot.index(), 1, InFlightLog.MAP, 7, 0x1234_5000L, 16, true),
                log.read(slot.index()));
            slot.end();
            assertNull(log.read(slot.index()));
            slot.begin(InFlightLog.UNMAP, 8, 0x9000L, 1);
            assertEquals(new InFlightRecord(slot.index(), 2, InFlightLog.UNMAP, 8, 0x9000L, 1, false),
                log.read(slot.index()));
            slot.end();
        }
        try (InFlightLog log = InFlightLog.open(dir, SLOTS))
        {
            assertEquals(List.of(), log.inFlight(), "every call ended");
        }
    }

    /**
     * Two threads die between begin and end (one after commit); the log is closed under them, as a kill would leave
     * it. The next owner finds both records, claims neither slot until they are cleared, and finds none after.
     */
    @Test
    void recordsLeftInFlightAreListedAfterReopenUntilCleared(@TempDir final Path dir) throws Exception
    {
        final int[] slots = new int[2];
        try (InFlightLog log = InFlightLog.open(dir, 2))
        {
            slots[0] = onThread(log, () -> log.slot().begin(InFlightLog.MAP, 3, 0x10_0000L, 512));
            slots[1] = onThread(log, () ->
            {
                log.slot().begin(InFlightLog.UNMAP, 4, 0x40_0000L, 2);
                log.slot().commit();
            });
            final IllegalStateException full = assertThrows(IllegalStateException.class, log::slot);
            assertTrue(full.getMessage().contains("no slot to claim: all 2 are held by live threads or left in " +
                "flight"), full.getMessage());
        }
        try (InFlightLog log = InFlightLog.open(dir, 2))
        {
            final InFlightRecord map = new InFlightRecord(slots[0], 1, InFlightLog.MAP, 3, 0x10_0000L, 512, false);
            final InFlightRecord unmap = new InFlightRecord(slots[1], 1, InFlightLog.UNMAP, 4, 0x40_0000L, 2, true);
            assertEquals(Set.of(map, unmap), new HashSet<>(log.inFlight()));
            assertThrows(IllegalStateException.class, log::slot, "the slots in flight are not claimed");
            log.clear(map);
            assertEquals(List.of(unmap), log.inFlight());
            assertThrows(IllegalArgumentException.class, () -> log.clear(map), "cleared once");
            assertEquals(slots[0], onThread(log, () -> log.slot().begin(InFlightLog.MAP, 5, 0x1000L, 1)),
                "a cleared slot may be claimed");
            assertEquals(2, log.read(slots[0]).sequence(), "the sequence goes on");
        }
        try (InFlightLog log = InFlightLog.open(dir, 2))
        {
            assertEquals(Set.of(new InFlightRecord(slots[1], 1, InFlightLog.UNMAP, 4, 0x40_0000L, 2, true),
                new InFlightRecord(slots[0], 2, InFlightLog.MAP, 5, 0x1000L, 1, false)),
                new HashSet<>(log.inFlight()), "an uncleared record stays, the new one is found");
            for (final InFlightRecord record : log.inFlight())
            {
                log.clear(record);
            }
        }
        try (InFlightLog log = InFlightLog.open(dir, 2))
        {
            assertEquals(List.of(), log.inFlight());
        }
    }

    @Test
    void createStartsAFreshLog(@TempDir final Path dir) throws Exception
    {
        try (InFlightLog log = InFlightLog.open(dir, SLOTS))
        {
            onThread(log, () -> log.slot().begin(InFlightLog.MAP, 1, 0x1000L, 1));
        }
        try (InFlightLog log = InFlightLog.create(dir, 4))
        {
            assertEquals(List.of(), log.inFlight());
            assertEquals(4, log.slotCount());
        }
        assertEquals(InFlightLogDescriptor.fileBytes(4), Files.size(dir.resolve(InFlightLog.FILE_NAME)));
        try (InFlightLog log = InFlightLog.open(dir, 4))
        {
            assertEquals(List.of(), log.inFlight());
        }
    }

    @Test
    void refusesAForeignFile(@TempDir final Path dir) throws Exception
    {
        Files.writeString(dir.resolve(InFlightLog.FILE_NAME), "#!/bin/sh\necho this is not an in-flight log\n" +
            "0123456789012345678901234567890123456789\n");
        refused(dir, SLOTS, "not an in-flight log (magic 0x");
    }

    @Test
    void refusesAFileShorterThanTheHeader(@TempDir final Path dir) throws Exception
    {
        Files.write(dir.resolve(InFlightLog.FILE_NAME), new byte[10]);
        refused(dir, SLOTS, "truncated: 10 bytes, shorter than the header (64)");
    }

    @Test
    void refusesAnEmptyFile(@TempDir final Path dir) throws Exception
    {
        Files.write(dir.resolve(InFlightLog.FILE_NAME), new byte[0]);
        refused(dir, SLOTS, "truncated: 0 bytes, shorter than the header (64)");
    }

    @Test
    void refusesAFileCutShortInItsSlots(@TempDir final Path dir) throws Exception
    {
        newLog(dir);
        final Path file = dir.resolve(InFlightLog.FILE_NAME);
        final byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, 64 + 3 * 64));
        refused(dir, SLOTS, "truncated: 256 bytes, the layout of 16 slots needs 1088");
    }

    @Test
    void refusesANewerLayout(@TempDir final Path dir) throws Exception
    {
        newLog(dir);
        edit(dir, header -> header.putInt(InFlightLogDescriptor.VERSION_OFFSET, 2));
        refused(dir, SLOTS, "layout version 2 is newer than this library's (1): open it with the library that " +
            "wrote it");
    }

    @Test
    void refusesADamagedHeader(@TempDir final Path dir) throws Exception
    {
        newLog(dir);
        edit(dir, header -> header.putInt(InFlightLogDescriptor.SLOT_COUNT_OFFSET, 17));
        refused(dir, SLOTS, "damaged header: its checksum does not match its contents");
    }

    @Test
    void refusesAnotherSlotSize(@TempDir final Path dir) throws Exception
    {
        newLog(dir);
        edit(dir, header ->
        {
            header.putInt(InFlightLogDescriptor.SLOT_SIZE_OFFSET, 128);
            header.putLong(InFlightLogDescriptor.CHECKSUM_OFFSET, InFlightLogDescriptor.checksum(header));
        });
        refused(dir, SLOTS, "slot size 128 bytes, this library uses 64");
    }

    @Test
    void refusesAnotherSlotCount(@TempDir final Path dir) throws Exception
    {
        newLog(dir);
        refused(dir, 32, "holds 16 slots, 32 were asked for");
    }

    @Test
    void refusesATornRecord(@TempDir final Path dir) throws Exception
    {
        newLog(dir);
        edit(dir, file ->
        {
            final int slot = InFlightLogDescriptor.slotOffset(3);
            file.putInt(slot + InFlightLogDescriptor.KIND_OFFSET, InFlightLog.MAP);
            file.putLong(slot + InFlightLogDescriptor.RECORD_SEQUENCE_OFFSET, 4);
            file.putLong(slot, InFlightLogDescriptor.stateWord(5, InFlightLogDescriptor.IN_FLIGHT));
        });
        refused(dir, SLOTS, "slot 3: torn record: record sequence 4 under a state word of sequence 5");
    }

    @Test
    void refusesAnUnknownState(@TempDir final Path dir) throws Exception
    {
        newLog(dir);
        edit(dir, file -> file.putLong(InFlightLogDescriptor.slotOffset(0), InFlightLogDescriptor.stateWord(1, 3)));
        refused(dir, SLOTS, "slot 0: unknown state 3");
    }

    @Test
    void refusesASecondOwner(@TempDir final Path dir) throws Exception
    {
        try (InFlightLog log = InFlightLog.open(dir, SLOTS))
        {
            log.slot().begin(InFlightLog.MAP, 1, 0x1000L, 1);
            refused(dir, SLOTS, "is open by another owner");
            assertThrows(InFlightLogException.class, () -> InFlightLog.create(dir, SLOTS));
            assertNotNull(log.read(log.slot().index()), "the owner's log is untouched");
            log.slot().end();
        }
    }

    /**
     * Ten thousand threads, sixteen alive at a time, on a log of sixteen slots: a terminated thread's slot is
     * claimed again, and no claim fails.
     */
    @Test
    void shortLivedThreadsReuseTheSlots(@TempDir final Path dir) throws Exception
    {
        final int threads = 10_000;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Set<Integer> used = ConcurrentHashMap.newKeySet();
        try (InFlightLog log = InFlightLog.open(dir, SLOTS))
        {
            for (int started = 0; started < threads; started += SLOTS)
            {
                final Thread[] batch = new Thread[SLOTS];
                for (int i = 0; i < SLOTS; i++)
                {
                    final long id = started + i;
                    batch[i] = new Thread(() ->
                    {
                        try
                        {
                            final InFlightLog.Slot slot = log.slot();
                            used.add(slot.index());
                            for (int call = 0; call < 3; call++)
                            {
                                slot.begin(InFlightLog.MAP, id, id << 12, 1);
                                slot.end();
                            }
                        }
                        catch (final Throwable ex)
                        {
                            failure.compareAndSet(null, ex);
                        }
                    });
                    batch[i].start();
                }
                for (final Thread thread : batch)
                {
                    thread.join();
                }
            }
            if (null != failure.get())
            {
                throw new AssertionError("a claim failed", failure.get());
            }
            assertEquals(SLOTS, used.size());
            long calls = 0;
            for (int slot = 0; slot < SLOTS; slot++)
            {
                assertNull(log.read(slot));
                calls += sequenceOf(log, slot);
            }
            assertEquals(3L * threads, calls, "every call was recorded in some slot");
        }
    }

    /**
     * Threads that begin and end at once hold distinct slots, each holding that thread's record alone; one thread
     * more than there are slots is refused its claim.
     */
    @Test
    void concurrentThreadsNeverShareASlot(@TempDir final Path dir) throws Exception
    {
        final int threads = SLOTS;
        final int calls = 20_000;
        final CyclicBarrier barrier = new CyclicBarrier(threads + 1);
        final int[] slotOf = new int[threads];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try (InFlightLog log = InFlightLog.open(dir, SLOTS))
        {
            final List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                final Thread runner = new Thread(() ->
                {
                    try
                    {
                        final InFlightLog.Slot slot = log.slot();
                        slotOf[thread] = slot.index();
                        barrier.await();
                        for (int call = 1; call <= calls; call++)
                        {
                            slot.begin(InFlightLog.UNMAP, thread, (long)call << 12, thread + 1);
                            if (call % 5 == 0)
                            {
                                slot.commit();
                            }
                            slot.end();
                        }
                        slot.begin(InFlightLog.MAP, thread, (long)thread << 20, thread + 1);
                        barrier.await();
                        barrier.await();
                        slot.end();
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                        barrier.reset();
                    }
                });
                running.add(runner);
                runner.start();
            }
            barrier.await();
            final AtomicReference<Throwable> extra = new AtomicReference<>();
            final Thread oneTooMany = new Thread(() ->
            {
                try
                {
                    log.slot();
                }
                catch (final Throwable ex)
                {
                    extra.set(ex);
                }
            });
            oneTooMany.start();
            oneTooMany.join();
            assertTrue(extra.get() instanceof IllegalStateException, "a claim beyond the slots: " + extra.get());
            barrier.await();
            final Set<Integer> distinct = new HashSet<>();
            for (int t = 0; t < threads; t++)
            {
                assertTrue(distinct.add(slotOf[t]), "slot " + slotOf[t] + " held twice");
                assertEquals(new InFlightRecord(slotOf[t], calls + 1, InFlightLog.MAP, t, (long)t << 20, t + 1, false),
                    log.read(slotOf[t]), "thread " + t + "'s slot holds its own last record");
            }
            barrier.await();
            for (final Thread runner : running)
            {
                runner.join();
            }
            if (null != failure.get())
            {
                throw new AssertionError("a thread failed", failure.get());
            }
            for (int t = 0; t < threads; t++)
            {
                assertNull(log.read(slotOf[t]));
            }
        }
    }

    /**
     * A thread that dies between begin and end keeps its slot: it is not claimed again in this process, and the
     * next owner finds its record.
     */
    @Test
    void aThreadThatDiesInFlightKeepsItsSlot(@TempDir final Path dir) throws Exception
    {
        final int dead;
        try (InFlightLog log = InFlightLog.open(dir, 2))
        {
            dead = onThread(log, () -> log.slot().begin(InFlightLog.MAP, 9, 0x7000L, 3));
            final int other = onThread(log, () ->
            {
                log.slot().begin(InFlightLog.MAP, 1, 0x1000L, 1);
                log.slot().end();
            });
            assertTrue(dead != other);
            assertEquals(other, onThread(log, () -> log.slot().begin(InFlightLog.UNMAP, 1, 0x1000L, 1)),
                "the ended thread's slot is claimed again");
        }
        try (InFlightLog log = InFlightLog.open(dir, 2))
        {
            assertTrue(log.inFlight().contains(new InFlightRecord(dead, 1, InFlightLog.MAP, 9, 0x7000L, 3, false)),
                log.inFlight().toString());
        }
    }

    private static long sequenceOf(final InFlightLog log, final int slot) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(log.file())).order(ByteOrder.nativeOrder());
        return InFlightLogDescriptor.sequence(bytes.getLong(InFlightLogDescriptor.slotOffset(slot)));
    }

    /**
     * Runs {@code body} on a new thread, to its end.
     *
     * @return the slot the thread held.
     */
    private static int onThread(final InFlightLog log, final Runnable body) throws InterruptedException
    {
        final AtomicInteger slot = new AtomicInteger(-1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                body.run();
                slot.set(log.slot().index());
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        });
        thread.start();
        thread.join();
        if (null != failure.get())
        {
            throw new AssertionError("the thread failed", failure.get());
        }
        return slot.get();
    }

    private static void newLog(final Path dir)
    {
        try (InFlightLog log = InFlightLog.create(dir, SLOTS))
        {
            assertEquals(SLOTS, log.slotCount());
        }
    }

    /**
     * Edits the file's bytes through a buffer over them.
     */
    private static void edit(final Path dir, final Consumer<UnsafeBuffer> change) throws IOException
    {
        final Path file = dir.resolve(InFlightLog.FILE_NAME);
        final byte[] bytes = Files.readAllBytes(file);
        change.accept(new UnsafeBuffer(bytes));
        Files.write(file, bytes);
    }

    private static void refused(final Path dir, final int slots, final String reason) throws IOException
    {
        final Path file = dir.resolve(InFlightLog.FILE_NAME);
        final byte[] before = Files.readAllBytes(file);
        final InFlightLogException ex = assertThrows(InFlightLogException.class, () -> InFlightLog.open(dir, slots));
        assertEquals(file, ex.file());
        assertTrue(ex.getMessage().startsWith(file.toString() + ": "), ex.getMessage());
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "the file is unchanged");
    }
}
