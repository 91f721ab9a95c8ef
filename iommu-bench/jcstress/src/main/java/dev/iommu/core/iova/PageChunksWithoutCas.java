/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link PageChunks} with its one word update
 * ({@link PageChunks#casWord}) done as a read, a comparison and a write: two threads that read the same word both
 * "succeed", and the bits of the first are lost (its page is handed out again).
 */
final class PageChunksWithoutCas extends PageChunks
{
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

    PageChunksWithoutCas()
    {
        super(20, MIN_CHUNK_ORDER, false);
    }

    @Override
    boolean casWord(final long[] leaf, final int index, final long expected, final long update)
    {
        if ((long)WORD.getVolatile(leaf, index) != expected)
        {
            return false;
        }
        WORD.setVolatile(leaf, index, update);
        return true;
    }
}
