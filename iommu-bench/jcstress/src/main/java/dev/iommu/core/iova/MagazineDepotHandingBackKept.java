/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link MagazineDepot} with one step changed. When it keeps
 * a thread's full magazine and has no pooled empty one, it hands the kept array itself back as the thread's empty
 * magazine ({@link MagazineDepot#newEmptyMagazine}) instead of a new one: the freeing thread keeps caching into the
 * array the depot will give to another thread, so a block is free in one thread's magazine and allocated by the
 * other, and the block it overwrote is lost.
 */
final class MagazineDepotHandingBackKept extends MagazineDepot
{
    MagazineDepotHandingBackKept(final int maxOrder, final int limit, final int capacity)
    {
        super(maxOrder, limit, capacity);
    }

    @Override
    long[] newEmptyMagazine(final long[] kept)
    {
        return kept;
    }
}
