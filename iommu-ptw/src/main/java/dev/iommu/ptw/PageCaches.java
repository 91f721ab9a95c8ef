/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The per-thread page caches in front of a {@link TableArena}'s {@link FreePageStack}: a thread takes and gives
 * pages in its own cache (at most {@link TableArena#THREAD_CACHE_PAGES}), refilling half of it from the stack when
 * it is empty and returning half when it is full. Pages parked in another live thread's cache are not available to
 * this thread until that thread calls {@link #releaseOwn()}; the caches of terminated threads are reclaimed when
 * the stack runs dry.
 */
final class PageCaches
{
    private static final int CAPACITY = TableArena.THREAD_CACHE_PAGES;
    private static final int REFILL = CAPACITY / 2;

    /**
     * One thread's cache; only that thread touches it while it lives.
     */
    static final class PageCache
    {
        final Thread owner;
        final int[] pages = new int[CAPACITY];
        int count;

        PageCache(final Thread owner)
        {
            this.owner = owner;
        }
    }

    private final FreePageStack stack;
    private final ConcurrentLinkedQueue<PageCache> registry = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<PageCache> caches = ThreadLocal.withInitial(this::newCache);

    PageCaches(final FreePageStack stack)
    {
        this.stack = stack;
    }

    /**
     * A page from this thread's cache, refilled from the stack when empty (then from dead threads' caches).
     *
     * @return the page, or 0 when none is free.
     */
    int take()
    {
        final PageCache cache = caches.get();
        if (cache.count == 0)
        {
            refill(cache);
            if (cache.count == 0)
            {
                reclaimDeadThreadCaches();
                refill(cache);
                if (cache.count == 0)
                {
                    return 0;
                }
            }
        }
        return cache.pages[--cache.count];
    }

    /**
     * Parks a free (zeroed) page in this thread's cache, half of a full cache going back to the stack first.
     */
    void give(final int page)
    {
        final PageCache cache = caches.get();
        if (cache.count == CAPACITY)
        {
            while (cache.count > REFILL)
            {
                stack.push(cache.pages[--cache.count]);
            }
        }
        cache.pages[cache.count++] = page;
    }

    /**
     * Returns this thread's cached pages to the stack.
     */
    void releaseOwn()
    {
        drain(caches.get());
    }

    /**
     * Returns every thread's cached pages to the stack: only when no thread uses the arena any more (its close).
     */
    void releaseAll()
    {
        for (final PageCache cache : registry)
        {
            drain(cache);
        }
    }

    /**
     * Forgets every cached page (their fate is decided elsewhere: a rebuild of the stack); no thread uses the arena.
     */
    void forgetAll()
    {
        for (final PageCache cache : registry)
        {
            cache.count = 0;
        }
    }

    /**
     * @return whether any thread has taken or given a page.
     */
    boolean used()
    {
        return !registry.isEmpty();
    }

    private PageCache newCache()
    {
        final PageCache cache = new PageCache(Thread.currentThread());
        registry.add(cache);
        return cache;
    }

    /**
     * Give back the cached pages of threads that have terminated. Seeing {@code isAlive() == false} synchronizes
     * with the end of that thread (JLS 17.4.4), so its last writes to its cache are visible here, and it will never
     * touch the cache again. Only on the out-of-pages path.
     */
    private void reclaimDeadThreadCaches()
    {
        for (final PageCache cache : registry)
        {
            if (!cache.owner.isAlive() && registry.remove(cache))
            {
                drain(cache);
            }
        }
    }

    private void refill(final PageCache cache)
    {
        while (cache.count < REFILL)
        {
            final int page = stack.pop();
            if (page == 0)
            {
                return;
            }
            cache.pages[cache.count++] = page;
        }
    }

    private void drain(final PageCache cache)
    {
        while (cache.count > 0)
        {
            stack.push(cache.pages[--cache.count]);
        }
    }
}
