/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link PagingStructureCache} with one step changed. It
 * trusts the page a slot names without checking the page's owner tag ({@link PagingStructureCache#laOwnerTagMatches}
 * returns true), so a translate through a slot whose leaf table was freed and reused for another region reads the
 * other region's leaf; the generation check cannot help when the free and the reuse came before the walk began.
 */
final class CacheWithoutOwnerTagCheck extends PagingStructureCache
{
    CacheWithoutOwnerTagCheck(final TableArena arena)
    {
        super(arena);
    }

    @Override
    boolean laOwnerTagMatches(final int page, final long pos)
    {
        return true;
    }
}
