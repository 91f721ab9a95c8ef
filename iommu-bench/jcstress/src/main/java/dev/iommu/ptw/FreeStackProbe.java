/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.IoUtil;

/**
 * Test-side access (jcstress module, in the production package) to the shared free stack of a {@link TableArena}
 * of three pages, bypassing the per-thread page caches, which would otherwise take the whole stack in one refill.
 * Every probe gets its own small arena: a 16 KiB window of one sparse memory-mapped file, used round-robin over
 * {@link #SLOTS} windows (far more than the states jcstress keeps alive at once, so two live probes never share
 * one), because a direct buffer per state would exceed a forked VM's direct-memory cap.
 */
public final class FreeStackProbe
{
    /** Table pages per probe: the stack starts as 1, 2, 3 (1 on top). */
    public static final int PAGES = 3;
    private static final int SLOTS = 1 << 15;
    private static final int SLOT_BYTES = (int)ArenaLayoutDescriptor.regionBytes(PAGES);
    private static final MappedByteBuffer WINDOWS = mapWindows();
    private static final AtomicInteger NEXT_SLOT = new AtomicInteger();

    private final TableArena arena;

    private FreeStackProbe(final TableArena arena)
    {
        this.arena = arena;
    }

    /**
     * A probe on the real arena.
     *
     * @return the probe.
     */
    public static FreeStackProbe tagged()
    {
        return new FreeStackProbe(new TableArena(nextWindow(), PAGES));
    }

    /**
     * A probe on the broken variant whose CAS of the head keeps the ABA tag ({@link FreePageStackWithoutAbaTag}).
     *
     * @return the probe.
     */
    public static FreeStackProbe untagged()
    {
        return new FreeStackProbe(new TableArena(nextWindow(), PAGES, FreePageStackWithoutAbaTag::new));
    }

    /**
     * Pops the shared stack.
     *
     * @return a page, or 0 when empty.
     */
    public int pop()
    {
        return arena.freeStack().pop();
    }

    /**
     * Pushes on the shared stack.
     *
     * @param page a page this caller popped.
     */
    public void push(final int page)
    {
        arena.freeStack().push(page);
    }

    /**
     * Pops everything left, top first, as decimal digits (e.g. 23: page 2 on top of page 3; 0: empty); stops after
     * {@code PAGES + 1} pops, so a cycle in the links shows as a too-long number instead of a hang.
     *
     * @return the digits.
     */
    public int drain()
    {
        int digits = 0;
        for (int i = 0; i <= PAGES; i++)
        {
            final int page = arena.freeStack().pop();
            if (page == 0)
            {
                break;
            }
            digits = digits * 10 + page;
        }
        return digits;
    }

    private static ByteBuffer nextWindow()
    {
        final int slot = NEXT_SLOT.getAndIncrement() & (SLOTS - 1);
        return WINDOWS.slice(slot * SLOT_BYTES, SLOT_BYTES);
    }

    private static MappedByteBuffer mapWindows()
    {
        try
        {
            final Path path = Files.createTempFile("iommu-jcstress-stack", ".arenas");
            // mapNewFile creates the file itself: keep only the unique name.
            Files.delete(path);
            final File file = path.toFile();
            file.deleteOnExit();
            return IoUtil.mapNewFile(file, (long)SLOTS * SLOT_BYTES, false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
