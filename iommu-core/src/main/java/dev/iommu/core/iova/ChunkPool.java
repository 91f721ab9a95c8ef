/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.Arrays;

/**
 * The buddy space's lock-free chunks as an {@link IovaAllocator} uses them: which chunks are active, the lock-free
 * magazine refill from them, and, under the allocator's lock, activation, retirement, and the requests that must see
 * free pages inside chunks (explicit ranges, constrained and larger blocks). The bitmaps themselves are
 * {@link PageChunks}.
 * <p>
 * Every method whose name ends in {@code Locked} runs under the allocator's lock, which also guards the buddy space;
 * {@link #refill} and {@link #release} run without it. The active list is written under the lock (the element, then
 * the count by a volatile store; a full array is replaced by a larger copy, published before the count grows) and
 * read without it (the count by a volatile load, then the array), so a reader sees every element the count covers.
 * A reader racing a retirement may see a retired chunk or miss one: the list says where to look, the chunk's words
 * are the truth (a retired chunk has nothing to claim).
 */
final class ChunkPool
{
    /** Active chunks a lock-free refill tries besides the thread's own before the caller takes the lock. */
    static final int CHUNK_PROBES = 8;

    private final PageChunks chunks;
    private final BuddySpace space;
    private final long firstPage;
    private final long totalPages;
    private final int magazineCapacity;
    private volatile int[] activeChunks = new int[8];
    private volatile int activeCount;

    ChunkPool(final PageChunks chunks, final BuddySpace space, final long firstPage, final long totalPages,
        final int magazineCapacity)
    {
        this.chunks = chunks;
        this.space = space;
        this.firstPage = firstPage;
        this.totalPages = totalPages;
        this.magazineCapacity = magazineCapacity;
    }

    int chunkOrder()
    {
        return chunks.chunkOrder();
    }

    /**
     * Gives the blocks of a full magazine that lie in active chunks back to their chunks (without the lock), with
     * one CAS per word where neighbouring blocks share one ({@link PageChunks#releaseBlocks}).
     *
     * @return how many blocks are left at the front of the magazine, for the buddy space.
     */
    int releaseBlocks(final long[] magazine, final int count, final int k)
    {
        return chunks.releaseBlocks(magazine, count, k);
    }

    /**
     * Gives a block back to its chunk when that chunk is active (without the lock: the chunk stays active while
     * the block is out).
     *
     * @return false when the block lies in no active chunk (it came from the buddy space directly).
     */
    boolean release(final long page, final int k)
    {
        if (!chunks.inActiveChunk(page))
        {
            return false;
        }
        chunks.release(page, 1L << k);
        return true;
    }

    /**
     * Fills the calling thread's empty magazine of order k from the chunks, without the lock: its current chunk
     * first, then up to {@link #CHUNK_PROBES} other active chunks, going round the active list from where its last
     * search ended (so that a refill never scans thousands of full chunks, and over successive refills every chunk
     * is visited again: pages other threads released there are found).
     *
     * @return the first page of a block to hand out (the rest are in the magazine), or -1 when the chunks tried hold
     *     no free block of order k.
     */
    long refill(final IovaThreadCache cache, final int k)
    {
        final long[] magazine = cache.loaded[k];
        final int current = cache.chunk;
        int n = current >= 0 ? chunks.claim(current, k, magazine, magazineCapacity, cache.chunkWordStart) : 0;
        if (n == 0)
        {
            // Acquire load of the count, then the array: every element the count covers is visible.
            final int count = activeCount;
            final int[] active = activeChunks;
            int at = cache.chunkCursor;
            for (int i = 0; i < Math.min(count, CHUNK_PROBES) && n == 0; i++)
            {
                at = (at + 1) % count;
                final int chunk = active[at];
                if (chunk != current)
                {
                    n = chunks.claim(chunk, k, magazine, magazineCapacity, cache.chunkWordStart);
                    if (n > 0)
                    {
                        cache.chunk = chunk;
                    }
                }
            }
            cache.chunkCursor = at;
        }
        return n == 0 ? -1 : cache.popRefilled(k, n);
    }

    /**
     * Refills the calling thread's empty magazine of order k under the lock: from the chunks (another thread may
     * have activated one while this one waited), else from a chunk activated for it.
     *
     * @return the first page of a block to hand out (the rest are in the magazine), or -1 when no active chunk the
     *     search tried has a free block of order k and the buddy space holds no whole chunk, or other threads emptied
     *     the chunk activated for this call first.
     */
    long refillActivatingLocked(final IovaThreadCache cache, final int k)
    {
        final long page = refill(cache, k);
        if (page >= 0)
        {
            return page;
        }
        final int chunk = activateLocked();
        if (chunk < 0)
        {
            return -1;
        }
        cache.chunk = chunk;
        // Lock-free refills may find the new chunk as soon as it is published, and one refill of the largest cached
        // order takes a whole chunk: another thread may have emptied it already.
        final int n = chunks.claim(chunk, k, cache.loaded[k], magazineCapacity, cache.chunkWordStart);
        return n == 0 ? -1 : cache.popRefilled(k, n);
    }

    /**
     * A block of order k below the chunk order lying in [loPage, hiPageExclusive), from any active chunk (under the
     * lock: for a request the buddy space could not serve).
     *
     * @return its first page, or -1.
     */
    long takeWithinLocked(final int k, final long loPage, final long hiPageExclusive)
    {
        if (k >= chunks.chunkOrder())
        {
            return -1;
        }
        final int count = activeCount;
        final int[] active = activeChunks;
        for (int i = 0; i < count; i++)
        {
            final long chunk = active[i];
            final long chunkFirst = chunk << chunks.chunkOrder();
            if (chunkFirst < hiPageExclusive && chunkFirst + (1L << chunks.chunkOrder()) > loPage)
            {
                final long claimed = chunks.claimWithin(chunk, k, loPage, hiPageExclusive);
                if (claimed >= 0)
                {
                    return claimed;
                }
            }
        }
        return -1;
    }

    /**
     * @return the free pages in active chunks (under the lock; racy while other threads claim).
     */
    long freePagesLocked()
    {
        long free = 0;
        final int count = activeCount;
        final int[] active = activeChunks;
        for (int i = 0; i < count; i++)
        {
            free += chunks.freePages(active[i]);
        }
        return free;
    }

    /**
     * Takes a whole chunk out of the buddy space and activates it (under the lock): chunk 0 when its pages (page 0
     * aside, unless usable) are all free, so that the lowest addresses are used first as without chunks; else the
     * lowest free aligned block of the chunk order below the chunks' end.
     *
     * @return the chunk's index, or -1 when the buddy space holds no such block.
     */
    private int activateLocked()
    {
        final int order = chunks.chunkOrder();
        final long chunkPages = 1L << order;
        final long chunk;
        if (firstPage == 1 && !chunks.isActive(0) && space.rangeFree(1, chunkPages - 1))
        {
            space.takeRange(1, chunkPages - 1);
            chunk = 0;
        }
        else
        {
            final long page = space.takeBlock(order, firstPage, Math.min(totalPages, chunks.endPage()));
            if (page < 0)
            {
                return -1;
            }
            chunk = page >>> order;
        }
        chunks.activate(chunk);
        int[] active = activeChunks;
        final int count = activeCount;
        if (count == active.length)
        {
            active = Arrays.copyOf(active, count * 2);
            activeChunks = active;
        }
        active[count] = (int)chunk;
        // Release (volatile store) after the element: a reader that loads the count sees the element.
        activeCount = count + 1;
        return (int)chunk;
    }

    /**
     * Retires every active chunk whose pages are all free and gives its pages back to the buddy space (under the
     * lock; the reclaim before a request fails, {@link IovaAllocator#trim()} and its releaseThreadCache).
     */
    void retireFreeLocked()
    {
        final int order = chunks.chunkOrder();
        final int[] active = activeChunks;
        int count = activeCount;
        for (int i = 0; i < count; )
        {
            final int chunk = active[i];
            if (!chunks.retire(chunk))
            {
                i++;
                continue;
            }
            // Swap the last element in, then shrink: a racing reader may see a chunk twice or miss one (a hint).
            active[i] = active[count - 1];
            count--;
            activeCount = count;
            if (chunk == 0 && firstPage == 1)
            {
                space.giveRange(1, (1L << order) - 1);
            }
            else
            {
                space.giveBlock((long)chunk << order, order);
            }
        }
    }

    /**
     * Takes exactly [page, page + pages) for an explicit request (under the lock), all or nothing: the parts in active
     * chunks from their chunks, the rest from the buddy space.
     *
     * @return false when a page is not free (nothing changed).
     */
    boolean takeExplicitLocked(final long page, final long pages)
    {
        final long end = page + pages;
        for (long x = page; x < end; x = segmentEnd(x, end))
        {
            if (!chunks.inActiveChunk(x) && !space.rangeFree(x, segmentEnd(x, end) - x))
            {
                return false;
            }
        }
        for (long x = page; x < end; x = segmentEnd(x, end))
        {
            if (chunks.inActiveChunk(x) && !chunks.claimRange(x, segmentEnd(x, end) - x))
            {
                // Give back the chunk parts already claimed (the buddy space's parts are not taken yet).
                for (long y = page; y < x; y = segmentEnd(y, end))
                {
                    if (chunks.inActiveChunk(y))
                    {
                        chunks.release(y, segmentEnd(y, end) - y);
                    }
                }
                return false;
            }
        }
        for (long x = page; x < end; x = segmentEnd(x, end))
        {
            if (!chunks.inActiveChunk(x))
            {
                space.takeRange(x, segmentEnd(x, end) - x);
            }
        }
        return true;
    }

    /**
     * Gives back what {@link #takeExplicitLocked} took (under the lock; the chunks it took from are still active:
     * a chunk with taken pages is never retired).
     */
    void giveExplicitLocked(final long page, final long pages)
    {
        final long end = page + pages;
        for (long x = page; x < end; x = segmentEnd(x, end))
        {
            if (chunks.inActiveChunk(x))
            {
                chunks.release(x, segmentEnd(x, end) - x);
            }
            else
            {
                space.giveRange(x, segmentEnd(x, end) - x);
            }
        }
    }

    /**
     * The end of the piece of [x, end) that starts at x and lies either in one active chunk or wholly outside active
     * chunks (under the lock, where no chunk is activated or retired); above the chunks' end, the rest of the range is
     * one piece.
     */
    private long segmentEnd(final long x, final long end)
    {
        final int order = chunks.chunkOrder();
        final boolean active = chunks.inActiveChunk(x);
        long y = x;
        do
        {
            if (y >= chunks.endPage())
            {
                return end;
            }
            y = Math.min(end, ((y >>> order) + 1) << order);
        }
        while (!active && y < end && !chunks.inActiveChunk(y));
        return y;
    }
}
