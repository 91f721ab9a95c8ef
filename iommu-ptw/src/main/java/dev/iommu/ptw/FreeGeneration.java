/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import org.agrona.UnsafeApi;

/**
 * A table's free generation: a counter every free of one of its table pages bumps (after the unlink, before the
 * page is zeroed and reused), which a translate walk reads before and after its loads (see {@link TranslateWalker}).
 * It lives in the arena's memory ({@link ArenaLayoutDescriptor}: one cache line per root page index), not on the
 * Java heap, so that a walk in another process that maps the same arena file reads the counter the owner bumps:
 * the reclamation argument then holds across processes as it does across threads (same memory, same instructions).
 * Tables with neighbouring root pages never share a line.
 */
final class FreeGeneration
{
    private FreeGeneration()
    {
    }

    /**
     * Volatile load of the counter at {@code address}.
     */
    static long lv(final long address)
    {
        return UnsafeApi.getLongVolatile(null, address);
    }

    /**
     * Atomic increment (a full fence) of the counter at {@code address}.
     *
     * @return the new value.
     */
    static long incrementAndGet(final long address)
    {
        return UnsafeApi.getAndAddLong(null, address, 1) + 1;
    }
}
