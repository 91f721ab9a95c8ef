/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

/**
 * Test-side handle (jcstress module, in the production package for the package-private {@link PageChunks}): one
 * active chunk of 1,024 pages (chunk 1 of a 2^20-page space), with the real word CAS or the broken variant
 * {@link PageChunksWithoutCas}.
 */
public final class ChunkRace
{
    private static final long CHUNK = 1;
    private final PageChunks chunks;

    private ChunkRace(final PageChunks chunks)
    {
        this.chunks = chunks;
        chunks.activate(CHUNK);
    }

    /**
     * @return a race on the real chunks.
     */
    public static ChunkRace real()
    {
        return new ChunkRace(new PageChunks(20, PageChunks.MIN_CHUNK_ORDER, false));
    }

    /**
     * @return a race on chunks whose word update is a read then a write (broken).
     */
    public static ChunkRace withoutCas()
    {
        return new ChunkRace(new PageChunksWithoutCas());
    }

    /**
     * Claims one page (the lowest free), as a magazine refill of one block would.
     *
     * @return its offset in the chunk, or -1 when none was claimed.
     */
    public int claimOne()
    {
        final long[] block = new long[1];
        return chunks.claim(CHUNK, 0, block, 1) == 1 ? (int)(block[0] - (CHUNK << PageChunks.MIN_CHUNK_ORDER)) : -1;
    }

    /**
     * Retires the chunk, as the allocator's reclaim does under its lock.
     *
     * @return 1 when it was wholly free and is now retired, else 0.
     */
    public int retire()
    {
        return chunks.retire(CHUNK) ? 1 : 0;
    }

    /**
     * @return the chunk's free pages when it is active, -1 when it is retired.
     */
    public int freePages()
    {
        return chunks.isActive(CHUNK) ? (int)chunks.freePages(CHUNK) : -1;
    }
}
