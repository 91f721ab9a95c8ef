/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link FreePageStack} with one step changed. Its CAS of the
 * head keeps the tag of the head it read instead of adding one ({@link FreePageStack#casFreeHead}), so a pop that
 * read head A with link B, while another thread popped A and B and pushed A back, still succeeds and puts B, which
 * that thread holds, back on top: ABA, one page handed out twice.
 */
final class FreePageStackWithoutAbaTag extends FreePageStack
{
    private static final long TAG_MASK = 0xFFFF_FFFF_0000_0000L;

    FreePageStackWithoutAbaTag(final UnsafeBuffer region, final int capacity)
    {
        super(region, capacity);
    }

    @Override
    boolean casFreeHead(final long expected, final int page)
    {
        return region().compareAndSetLong(
            ArenaLayoutDescriptor.FREE_HEAD_OFFSET, expected, (expected & TAG_MASK) | page);
    }
}
