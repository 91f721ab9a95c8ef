/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link ProtectedRanges} with one step changed. The map
 * side's re-check after the leaves are claimed ({@link ProtectedRanges#fenceThenOverlaps}) reports no overlap, so a
 * map that checked before a reservation published its range, and claimed its leaf after the reservation counted
 * the mapped pages, succeeds beside that reservation.
 * <p>
 * Dropping only the fence (keeping the read) is not a visible bug on x86: the leaf CAS before it is a locked
 * instruction, itself a full fence.
 */
final class ProtectedRangesWithoutMapRecheck extends ProtectedRanges
{
    @Override
    boolean fenceThenOverlaps(final long from, final long to)
    {
        return false;
    }
}
