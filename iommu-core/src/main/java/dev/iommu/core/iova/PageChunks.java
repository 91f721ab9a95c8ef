/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The non-blocking layer between the magazines and the buddy space: aligned chunks of 2^C pages that the buddy space
 * handed over whole, each a bitmap of its pages, from which small blocks are claimed and to which they are released
 * with a CAS per bitmap word, without the allocator's lock. Layout: {@link PageChunkDescriptor}.
 * <p>
 * This is the non-blocking buddy system of Marotta et al. (NBBS) at word granularity: NBBS keeps a status byte per
 * node of the buddy tree and, as the paper gives it, climbs to the root with a CAS per level on every allocation
 * (a release climbs until the buddy is occupied), one block at a time; its authors' code elides the CASes that
 * change nothing and puts each node in its own cache line, which removes most of the contention at the root
 * ({@code ChunkVersusNbbsBenchmark}, docs/benchmarks/iova.md). Here a block of up to 64 pages is a run of bits in one
 * word: one CAS claims it, or every block of a magazine refill that the word holds, its buddies are its
 * neighbouring bits, and merging is implicit (a free run of 2^k aligned bits is a free block of order k). Blocks of
 * more than 64 pages take 2^(k-6) whole words, claimed in ascending order with one CAS each and released again if a
 * later word is taken (the NBBS "climb, and undo on conflict"). Each thread scans from its own start word (a
 * different cache line of the bitmap per thread, see {@link #claim(long, int, long[], int, int)}); threads working
 * in different chunks share no word.
 * <p>
 * <b>Lifecycle.</b> {@link #activate} and {@link #retire} run under the allocator's lock; claims and releases do not.
 * An inactive chunk's words are all ones, so a thread still scanning a chunk that was retired claims nothing from
 * it. Retiring is claiming the whole chunk (every word from its free pattern to all ones, undone if any word is not
 * free): it succeeds only when no page of the chunk is handed out or cached, exactly as NBBS allocates the root.
 * A block claimed from a chunk is released to the same chunk, which stays active until then (it cannot be retired
 * while the block's bits are set); a block the buddy space gave directly lies in no active chunk (a chunk is only
 * activated from pages the buddy space held free). So {@link #isActive} of a block's chunk does not change while the
 * block is out, and tells its owner where to give it back.
 * <p>
 * <b>Orderings.</b> A claim is a successful CAS (volatile) of a word from a value read with an acquire load; a
 * release is a CAS clearing exactly the caller's bits. The release CAS of a block synchronizes-with the claim CAS that
 * later reads the cleared bits, so what the releasing thread did with the block (its live byte cleared, its magazine
 * slots) happens-before the claiming thread's use. Activation stores the header (active) with a release store, then
 * the words (free) with release stores, before the caller publishes the chunk (a volatile store of the active list):
 * a claim reads a freed word, so its thread sees the header active from then on (see {@link #activate}); a thread
 * that finds the chunk in the active list sees both. Retirement takes every word, then stores the header
 * (inactive): a thread still holding a block of the chunk makes it fail, so no holder ever reads the chunk
 * inactive.
 */
class PageChunks
{
    /** Chunks exist only below this index: the lowest 2^16 chunks (256 GiB of IOVA space with 1,024-page chunks). */
    static final int MAX_CHUNKS = 1 << 16;
    /** The smallest chunk order: 1,024 pages, 16 bitmap words. */
    static final int MIN_CHUNK_ORDER = 10;
    /** The largest chunk order: 65,536 pages, 1,024 bitmap words. */
    static final int MAX_CHUNK_ORDER = 16;

    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle LEAF = MethodHandles.arrayElementVarHandle(long[][].class);
    /** Per order k &lt;= 6, the bit positions where an aligned run of 2^k bits may start. */
    private static final long[] ALIGNED_STARTS = {
        -1L, 0x5555_5555_5555_5555L, 0x1111_1111_1111_1111L, 0x0101_0101_0101_0101L, 0x0001_0001_0001_0001L,
        0x0000_0001_0000_0001L, 1L,
    };

    private final int chunkOrder;
    private final int words;
    private final int stride;
    private final long chunkPages;
    private final long maxChunks;
    /** Word 0's free pattern in chunk 0: page 0 taken for good when it is never usable. */
    private final long chunkZeroPattern;
    private final long[][] leaves;

    /**
     * @param pageBits       log2 of the pages of the space.
     * @param chunkOrder     C, in [{@link #MIN_CHUNK_ORDER}, {@link #MAX_CHUNK_ORDER}] and below pageBits.
     * @param pageZeroUsable whether page 0 may be handed out (else it stays taken in chunk 0).
     */
    PageChunks(final int pageBits, final int chunkOrder, final boolean pageZeroUsable)
    {
        if (chunkOrder < MIN_CHUNK_ORDER || chunkOrder > MAX_CHUNK_ORDER || chunkOrder >= pageBits)
        {
            throw new IllegalArgumentException("chunk order " + chunkOrder + " for " + pageBits + " page bits");
        }
        this.chunkOrder = chunkOrder;
        words = 1 << (chunkOrder - 6);
        stride = PageChunkDescriptor.stride(words);
        chunkPages = 1L << chunkOrder;
        maxChunks = Math.min(1L << (pageBits - chunkOrder), MAX_CHUNKS);
        chunkZeroPattern = pageZeroUsable ? 0 : 1L;
        leaves = new long[(int)Math.max(1, maxChunks >>> PageChunkDescriptor.LEAF_CHUNK_BITS)][];
    }

    int chunkOrder()
    {
        return chunkOrder;
    }

    /**
     * @return the page after the last one a chunk may cover.
     */
    long endPage()
    {
        return maxChunks << chunkOrder;
    }

    /**
     * @param chunk a chunk index below {@link #endPage()} &gt;&gt;&gt; C.
     * @return whether it is active (an acquire load of its header).
     */
    boolean isActive(final long chunk)
    {
        final long[] leaf = leaf(chunk);
        return null != leaf &&
            (long)WORD.getAcquire(leaf, PageChunkDescriptor.headerIndex(chunk, words)) == PageChunkDescriptor.ACTIVE;
    }

    /**
     * @param page any page.
     * @return whether the page lies in an active chunk.
     */
    boolean inActiveChunk(final long page)
    {
        return page < endPage() && isActive(page >>> chunkOrder);
    }

    /**
     * Makes a chunk active with every page free (chunk 0: but page 0, unless usable). The caller holds the
     * allocator's lock, took the chunk's pages out of the buddy space, and publishes the chunk afterwards.
     *
     * @param chunk an inactive chunk.
     */
    void activate(final long chunk)
    {
        final int leafIndex = PageChunkDescriptor.leafIndex(chunk);
        long[] leaf = leaves[leafIndex];
        if (null == leaf)
        {
            leaf = new long[PageChunkDescriptor.CHUNKS_PER_LEAF * stride];
            for (int i = 0; i < PageChunkDescriptor.CHUNKS_PER_LEAF; i++)
            {
                for (int w = 0; w < words; w++)
                {
                    leaf[i * stride + PageChunkDescriptor.HEADER_WORDS + w] = PageChunkDescriptor.ALL_TAKEN;
                }
            }
            // Release store: a lock-free reader that loads the leaf (acquire) sees its words all taken, never zero.
            LEAF.setRelease(leaves, leafIndex, leaf);
        }
        publishActive(leaf, PageChunkDescriptor.headerIndex(chunk, words), chunk);
    }

    /**
     * The header first, then the words: a thread can claim a page only by a CAS that reads a word freed here
     * (possibly through a stale chunk index, before the caller publishes the chunk), and that read synchronizes-with
     * the word's release store, which follows the header's store: so the claimant sees the chunk active when it
     * releases the block later, and gives it back here, not to the buddy space. (Words freed before the header, the
     * first order, let a preempted activation hand a page out of a chunk its claimant then read as inactive: found by
     * {@code PageChunksConcurrencyTest}, which runs that order as its broken variant through this method.)
     */
    void publishActive(final long[] leaf, final int header, final long chunk)
    {
        svHeader(leaf, header, PageChunkDescriptor.ACTIVE);
        svWordsFree(leaf, header, chunk);
    }

    /** Release store of a chunk's header. */
    static void svHeader(final long[] leaf, final int header, final long value)
    {
        WORD.setRelease(leaf, header, value);
    }

    /** Release stores of a chunk's words, each to its free pattern. */
    void svWordsFree(final long[] leaf, final int header, final long chunk)
    {
        for (int w = 0; w < words; w++)
        {
            WORD.setRelease(leaf, header + PageChunkDescriptor.HEADER_WORDS + w, freePattern(chunk, w));
        }
    }

    /**
     * Retires a chunk whose pages are all free: claims it whole, then marks it inactive. The caller holds the
     * allocator's lock and gives the pages back to the buddy space when this returns true.
     *
     * @param chunk an active chunk.
     * @return true when it was wholly free and is now inactive; false changes nothing.
     */
    boolean retire(final long chunk)
    {
        final long[] leaf = leaf(chunk);
        final int first = PageChunkDescriptor.headerIndex(chunk, words) + PageChunkDescriptor.HEADER_WORDS;
        for (int w = 0; w < words; w++)
        {
            if (!casWord(leaf, first + w, freePattern(chunk, w), PageChunkDescriptor.ALL_TAKEN))
            {
                // A page of word w is out: give back the words taken so far (ours alone: all ones, no bit owned).
                for (int u = 0; u < w; u++)
                {
                    WORD.setRelease(leaf, first + u, freePattern(chunk, u));
                }
                return false;
            }
        }
        svHeader(leaf, first - PageChunkDescriptor.HEADER_WORDS, PageChunkDescriptor.INACTIVE);
        return true;
    }

    /**
     * Claims up to {@code max} free blocks of order k from a chunk, lowest addresses first.
     *
     * @param chunk a chunk (inactive: nothing is claimed).
     * @param k     the order, below C.
     * @param out   receives the blocks' first pages, ascending, from index 0.
     * @param max   at most this many (at least 1).
     * @return how many were claimed (0 when the chunk holds no free block of order k).
     */
    int claim(final long chunk, final int k, final long[] out, final int max)
    {
        return claim(chunk, k, out, max, 0);
    }

    /**
     * Claims up to {@code max} free blocks of order k from a chunk, scanning its words from {@code startWord} round
     * to the word before it: threads that share a chunk start at different cache lines of its bitmap instead of all
     * fighting over its lowest words (the allocator gives each thread its own start).
     *
     * @param chunk     a chunk (inactive: nothing is claimed).
     * @param k         the order, below C.
     * @param out       receives the blocks' first pages, in the order scanned, from index 0.
     * @param max       at most this many (at least 1).
     * @param startWord where the scan starts (taken modulo the chunk's words).
     * @return how many were claimed (0 when the chunk holds no free block of order k).
     */
    int claim(final long chunk, final int k, final long[] out, final int max, final int startWord)
    {
        final long[] leaf = leaf(chunk);
        if (null == leaf)
        {
            return 0;
        }
        final int first = PageChunkDescriptor.headerIndex(chunk, words) + PageChunkDescriptor.HEADER_WORDS;
        final long chunkFirstPage = chunk << chunkOrder;
        final int start = startWord & (words - 1);
        if (k > 6)
        {
            // From the start word's group to the end, then from the chunk's first word to the start.
            final long startOffset = ((long)start << 6) & -(1L << k);
            int n = 0;
            for (long from = startOffset, to = chunkPages; n < max; n++)
            {
                long offset = claimWordRun(leaf, first, k, from, to);
                if (offset < 0 && to == chunkPages && startOffset > 0)
                {
                    to = startOffset;
                    offset = claimWordRun(leaf, first, k, 0, to);
                }
                if (offset < 0)
                {
                    break;
                }
                out[n] = chunkFirstPage + offset;
                from = offset + (1L << k);
            }
            return n;
        }
        final int size = 1 << k;
        int n = 0;
        for (int i = 0; i < words && n < max; i++)
        {
            final int w = (start + i) & (words - 1);
            final int index = first + w;
            while (true)
            {
                final long current = (long)WORD.getAcquire(leaf, index);
                long starts = alignedFreeStarts(current, k);
                if (starts == 0)
                {
                    break;
                }
                // Take as many runs of this word as still wanted, with one CAS.
                long taken = 0;
                int count = 0;
                while (starts != 0 && count < max - n)
                {
                    taken |= runMask(Long.numberOfTrailingZeros(starts), size);
                    starts &= starts - 1;
                    count++;
                }
                if (casWord(leaf, index, current, current | taken))
                {
                    final long wordFirstPage = chunkFirstPage + ((long)w << 6);
                    for (long t = taken; t != 0; t &= ~runMask(Long.numberOfTrailingZeros(t), size))
                    {
                        out[n++] = wordFirstPage + Long.numberOfTrailingZeros(t);
                    }
                    break;
                }
                // Lost a race for the word: read it again.
            }
        }
        return n;
    }

    /**
     * Claims one free block of order k lying wholly in [loPage, hiPageExclusive), lowest first.
     *
     * @return its first page, or -1 (nothing changed).
     */
    long claimWithin(final long chunk, final int k, final long loPage, final long hiPageExclusive)
    {
        final long[] leaf = leaf(chunk);
        if (null == leaf)
        {
            return -1;
        }
        final int first = PageChunkDescriptor.headerIndex(chunk, words) + PageChunkDescriptor.HEADER_WORDS;
        final long chunkFirstPage = chunk << chunkOrder;
        final long lo = Math.max(0, loPage - chunkFirstPage);
        final long hi = Math.min(chunkPages, hiPageExclusive - chunkFirstPage);
        if (k > 6)
        {
            final long offset = claimWordRun(leaf, first, k, lo, hi);
            return offset < 0 ? -1 : chunkFirstPage + offset;
        }
        final int size = 1 << k;
        for (int w = (int)(lo >>> 6); w < words && ((long)w << 6) < hi; w++)
        {
            final int index = first + w;
            while (true)
            {
                final long current = (long)WORD.getAcquire(leaf, index);
                long starts = alignedFreeStarts(current, k);
                while (starts != 0)
                {
                    final long offset = ((long)w << 6) + Long.numberOfTrailingZeros(starts);
                    if (offset >= lo && offset + size <= hi)
                    {
                        break;
                    }
                    starts &= starts - 1;
                }
                if (starts == 0)
                {
                    break;
                }
                final int bit = Long.numberOfTrailingZeros(starts);
                if (casWord(leaf, index, current, current | runMask(bit, size)))
                {
                    return chunkFirstPage + ((long)w << 6) + bit;
                }
            }
        }
        return -1;
    }

    /**
     * Claims exactly the pages [page, page + pages), all in one active chunk: all or nothing.
     *
     * @return true when every page was free in the chunk and is now taken; false changes nothing.
     */
    boolean claimRange(final long page, final long pages)
    {
        final long chunk = page >>> chunkOrder;
        final long[] leaf = leaf(chunk);
        final int first = PageChunkDescriptor.headerIndex(chunk, words) + PageChunkDescriptor.HEADER_WORDS;
        final long offset = page & (chunkPages - 1);
        final long end = offset + pages;
        for (long x = offset; x < end; )
        {
            final int w = (int)(x >>> 6);
            final long wordEnd = Math.min(end, ((long)w + 1) << 6);
            if (!setBitsIfClear(leaf, first + w, rangeMask(x & 63, wordEnd - x)))
            {
                // A page is taken: give back what this call took, in the words before.
                if (x > offset)
                {
                    release(page, x - offset);
                }
                return false;
            }
            x = wordEnd;
        }
        return true;
    }

    private boolean setBitsIfClear(final long[] leaf, final int index, final long mask)
    {
        while (true)
        {
            final long current = (long)WORD.getAcquire(leaf, index);
            if ((current & mask) != 0)
            {
                return false;
            }
            // CAS: other threads claim and release other bits of the word meanwhile.
            if (casWord(leaf, index, current, current | mask))
            {
                return true;
            }
        }
    }

    /**
     * Releases pages the caller claimed ([page, page + pages), in one active chunk): a block or a claimed range.
     *
     * @throws IllegalStateException when a page of the range is not taken (an allocator bookkeeping error).
     */
    void release(final long page, final long pages)
    {
        final long chunk = page >>> chunkOrder;
        final long[] leaf = leaf(chunk);
        final int first = PageChunkDescriptor.headerIndex(chunk, words) + PageChunkDescriptor.HEADER_WORDS;
        final long offset = page & (chunkPages - 1);
        final long end = offset + pages;
        for (long x = offset; x < end; )
        {
            final int w = (int)(x >>> 6);
            final long wordEnd = Math.min(end, ((long)w + 1) << 6);
            clearBits(leaf, first + w, rangeMask(x & 63, wordEnd - x), (chunk << chunkOrder) + ((long)w << 6));
            x = wordEnd;
        }
    }

    /**
     * Releases the blocks of order k among {@code pages[0, count)} that lie in active chunks, with one CAS per
     * word for neighbouring entries in the same word (a magazine's blocks mostly come from one refill, so a trim
     * of 32 one-page blocks is usually one CAS); the others, which came from the buddy space directly, are moved to
     * the front of the array.
     *
     * @return how many blocks are left at the front (for the buddy space).
     */
    int releaseBlocks(final long[] pages, final int count, final int k)
    {
        int others = 0;
        long wordPage = -1;
        boolean wordActive = false;
        long mask = 0;
        for (int i = 0; i < count; i++)
        {
            final long page = pages[i];
            if ((page & -64L) != wordPage)
            {
                // The header is read once per word (its chunk's state cannot change while this block is out).
                flush(wordPage, mask);
                wordPage = page & -64L;
                wordActive = inActiveChunk(page);
                mask = 0;
            }
            if (!wordActive)
            {
                pages[others++] = page;
            }
            else if (k > 6)
            {
                release(page, 1L << k);
            }
            else
            {
                final long run = runMask((int)page & 63, 1 << k);
                if ((mask & run) != 0)
                {
                    throw new IllegalStateException("IOVA allocator invariant broken: block at page " + page +
                        " twice in one magazine");
                }
                mask |= run;
            }
        }
        flush(wordPage, mask);
        return others;
    }

    private void flush(final long wordPage, final long mask)
    {
        if (mask != 0)
        {
            final long chunk = wordPage >>> chunkOrder;
            clearBits(leaf(chunk), PageChunkDescriptor.headerIndex(chunk, words) + PageChunkDescriptor.HEADER_WORDS +
                (int)((wordPage & (chunkPages - 1)) >>> 6), mask, wordPage);
        }
    }

    private void clearBits(final long[] leaf, final int index, final long mask, final long wordPage)
    {
        while (true)
        {
            final long current = (long)WORD.getAcquire(leaf, index);
            if ((current & mask) != mask)
            {
                throw new IllegalStateException("IOVA allocator invariant broken: releasing free pages at page " +
                    (wordPage + Long.numberOfTrailingZeros(mask & ~current)));
            }
            // CAS: other threads claim and release other bits of the word meanwhile.
            if (casWord(leaf, index, current, current & ~mask))
            {
                return;
            }
        }
    }

    /**
     * @param chunk an active chunk.
     * @return its free pages (racy while other threads claim; exact when quiescent).
     */
    long freePages(final long chunk)
    {
        final long[] leaf = leaf(chunk);
        final int first = PageChunkDescriptor.headerIndex(chunk, words) + PageChunkDescriptor.HEADER_WORDS;
        long free = 0;
        for (int w = 0; w < words; w++)
        {
            free += 64 - Long.bitCount((long)WORD.getAcquire(leaf, first + w));
        }
        return free;
    }

    /**
     * The one CAS of a word, named so that a test can substitute a non-atomic read-then-write and show the
     * concurrency test failing (production never subclasses this class: the call stays monomorphic).
     */
    boolean casWord(final long[] leaf, final int index, final long expected, final long update)
    {
        return WORD.compareAndSet(leaf, index, expected, update);
    }

    /**
     * @return bit i set when the 2^k bits from i (aligned to 2^k) are all clear in the word.
     */
    static long alignedFreeStarts(final long word, final int k)
    {
        long free = ~word;
        for (int shift = 1; shift < (1 << k); shift <<= 1)
        {
            free &= free >>> shift;
        }
        return free & ALIGNED_STARTS[k];
    }

    private static long runMask(final int bit, final int size)
    {
        return size == 64 ? -1L : ((1L << size) - 1) << bit;
    }

    private static long rangeMask(final long bit, final long count)
    {
        return count == 64 ? -1L : ((1L << count) - 1) << bit;
    }

    /**
     * One block of order k &gt; 6: 2^(k-6) whole words, claimed with one CAS per word in ascending order; a word found
     * taken gives back the words this attempt took (ours alone while all ones: no other thread owns one of their
     * bits), and the search goes on with the next aligned group.
     *
     * @return the block's offset in the chunk (at or above lo, ending at or below hi), or -1.
     */
    private long claimWordRun(final long[] leaf, final int first, final int k, final long lo, final long hi)
    {
        final int group = 1 << (k - 6);
        final long size = 1L << k;
        for (long offset = (lo + size - 1) & -size; offset + size <= hi; offset += size)
        {
            final int w = (int)(offset >>> 6);
            int taken = 0;
            // An acquire read first: a CAS that fails still takes the line from the thread that holds the word.
            while (taken < group && (long)WORD.getAcquire(leaf, first + w + taken) == 0 &&
                casWord(leaf, first + w + taken, 0, PageChunkDescriptor.ALL_TAKEN))
            {
                taken++;
            }
            if (taken == group)
            {
                return offset;
            }
            for (int u = 0; u < taken; u++)
            {
                WORD.setRelease(leaf, first + w + u, 0L);
            }
        }
        return -1;
    }

    private long freePattern(final long chunk, final int w)
    {
        return chunk == 0 && w == 0 ? chunkZeroPattern : 0;
    }

    private long[] leaf(final long chunk)
    {
        return (long[])LEAF.getAcquire(leaves, PageChunkDescriptor.leafIndex(chunk));
    }
}
