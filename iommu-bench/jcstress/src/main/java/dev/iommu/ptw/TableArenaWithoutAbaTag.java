/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.nio.ByteBuffer;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link TableArena} with one step changed. Its CAS of the
 * free-stack head keeps the tag of the head it read instead of adding one ({@link TableArena#casFreeHead}), so a pop
 * that read head A with link B, while another thread popped A and B and pushed A back, still succeeds and puts B,
 * which that thread holds, back on top: ABA, one page handed out twice.
 */
final class TableArenaWithoutAbaTag extends TableArena
{
    private static final long TAG_MASK = 0xFFFF_FFFF_0000_0000L;

    TableArenaWithoutAbaTag(final ByteBuffer memory, final int capacity)
    {
        super(memory, capacity);
    }

    @Override
    boolean casFreeHead(final long expected, final int page)
    {
        return buffer().compareAndSetLong(
            ArenaLayoutDescriptor.FREE_HEAD_OFFSET, expected, (expected & TAG_MASK) | page);
    }
}
