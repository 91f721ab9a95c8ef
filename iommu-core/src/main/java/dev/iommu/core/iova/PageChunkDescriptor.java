/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

/**
 * Where a chunk's state lives in {@link PageChunks}. A chunk is an aligned run of 2^C pages (C the chunk order) that
 * the buddy space handed over whole; its index is its first page &gt;&gt;&gt; C. Chunks live in leaves of
 * {@code long[]}, {@link #CHUNKS_PER_LEAF} chunks per leaf, each chunk a header word, seven words of padding (so the
 * header, read on every release, does not share a cache line with the words other threads CAS), then W = 2^C / 64
 * bitmap words, one bit per page:
 * <pre>
 *   leaf: | chunk 0: header | pad x 7 | word 0 | ... | word W-1 | chunk 1: header | pad x 7 | word 0 | ...
 *
 *   header:  63                                                       1   0
 *           +---------------------------------------------------------+---+
 *           |                            0                            | A |   A: 1 active, 0 inactive
 *           +---------------------------------------------------------+---+
 *
 *   word w:  63                                                           0
 *           +-------------------------------------------------------------+
 *           | bit i: page (chunk first page + 64 w + i) is taken (1)      |
 *           |        or free in this chunk (0)                            |
 *           +-------------------------------------------------------------+
 * </pre>
 * Taken means handed out, cached in a magazine, or (chunk 0 when page 0 is never usable) page 0 itself. An
 * inactive chunk's words are all ones: nothing in it can be claimed.
 */
final class PageChunkDescriptor
{
    /** log2 of the chunks in one leaf. */
    static final int LEAF_CHUNK_BITS = 6;
    /** Chunks in one leaf. */
    static final int CHUNKS_PER_LEAF = 1 << LEAF_CHUNK_BITS;
    /** Words before a chunk's first bitmap word: the header and its padding. */
    static final int HEADER_WORDS = 8;
    /** The header of an active chunk. */
    static final long ACTIVE = 1;
    /** The header of an inactive chunk (never activated, or retired). */
    static final long INACTIVE = 0;
    /** A word whose 64 pages are all taken. */
    static final long ALL_TAKEN = -1L;

    private PageChunkDescriptor()
    {
    }

    /**
     * @param wordsPerChunk W.
     * @return longs per chunk in a leaf.
     */
    static int stride(final int wordsPerChunk)
    {
        return HEADER_WORDS + wordsPerChunk;
    }

    static int leafIndex(final long chunk)
    {
        return (int)(chunk >>> LEAF_CHUNK_BITS);
    }

    /**
     * @return the index in its leaf of a chunk's header.
     */
    static int headerIndex(final long chunk, final int wordsPerChunk)
    {
        return ((int)chunk & (CHUNKS_PER_LEAF - 1)) * stride(wordsPerChunk);
    }
}
