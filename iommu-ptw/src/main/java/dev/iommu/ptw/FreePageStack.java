/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.BitSet;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The shared pool of a {@link TableArena}'s free pages: a lock-free Treiber stack whose head, {@code (ABA tag << 32)
 * | top page}, is a word of the arena's header and whose links (one int per page index) live in the arena's region
 * after the table pages ({@link ArenaLayoutDescriptor}), so a free page stays all zero and the stack survives in a
 * file with the pages.
 * <p>
 * Not final only so that a jcstress test can override one named step ({@link #casFreeHead}) in a broken variant;
 * production code never subclasses it.
 */
class FreePageStack
{
    /**
     * Makes the stack of an arena (a jcstress test passes a broken variant).
     */
    @FunctionalInterface
    interface Factory
    {
        /**
         * @param region   the arena's region.
         * @param capacity its table pages.
         * @return the stack.
         */
        FreePageStack create(UnsafeBuffer region, int capacity);
    }

    private static final int HEAD_OFFSET = ArenaLayoutDescriptor.FREE_HEAD_OFFSET;

    private final UnsafeBuffer region;
    private final long linkBase;

    FreePageStack(final UnsafeBuffer region, final int capacity)
    {
        this.region = region;
        this.linkBase = region.addressOffset() + ArenaLayoutDescriptor.linkOffset(capacity);
    }

    /**
     * A new arena's stack: every page, page 1 on top. Published to other threads by whatever publishes the arena.
     */
    void fill(final int capacity)
    {
        for (int page = capacity; page >= 1; page--)
        {
            putLink(page, page == capacity ? 0 : page + 1);
        }
        region.putLongVolatile(HEAD_OFFSET, capacity > 0 ? 1 : 0);
    }

    /**
     * Makes the stack hold exactly the pages not in {@code inUse}, zeroing each (no other thread uses the arena).
     *
     * @param zeroPage zeroes a page of the arena.
     */
    void rebuild(final int capacity, final BitSet inUse, final java.util.function.IntConsumer zeroPage)
    {
        int head = 0;
        for (int page = capacity; page >= 1; page--)
        {
            if (!inUse.get(page))
            {
                zeroPage.accept(page);
                putLink(page, head);
                head = page;
            }
        }
        // Volatile, with a new tag: the links and zeroed pages above are visible to whoever reads this head.
        region.putLongVolatile(HEAD_OFFSET, ((region.getLongVolatile(HEAD_OFFSET) >>> 32) + 1) << 32 | head);
    }

    /**
     * Pushes a page (Treiber).
     */
    void push(final int page)
    {
        long head;
        do
        {
            head = region.getLongVolatile(HEAD_OFFSET);
            // Plain store of the link, published by the release semantics of the successful CAS below.
            putLink(page, (int)head);
        }
        while (!casFreeHead(head, page));
    }

    /**
     * Pops a page (Treiber, ABA-tagged head).
     *
     * @return the page, or 0 when the stack is empty.
     */
    int pop()
    {
        while (true)
        {
            final long head = region.getLongVolatile(HEAD_OFFSET);
            final int page = (int)head;
            if (page == 0)
            {
                return 0;
            }
            // The link may be stale if the page was popped and pushed again meanwhile (a racy plain read, benign):
            // the ABA tag in the head then makes the CAS fail and we retry, so a stale link is never installed.
            final int nextPage = UnsafeApi.getInt(null, linkBase + ((long)page << 2));
            if (casFreeHead(head, nextPage))
            {
                return page;
            }
        }
    }

    private void putLink(final int page, final int next)
    {
        UnsafeApi.putInt(null, linkBase + ((long)page << 2), next);
    }

    /**
     * CAS of the head from {@code expected} to {@code page} with the ABA tag of {@code expected} plus one (a full
     * fence). Every push and pop bumps the tag, so a head read before the page on top was popped and pushed again
     * carries an older tag and fails here, and {@link #pop()} never installs a stale link.
     *
     * @param expected the head as read (tag in the high 32 bits, page in the low 32).
     * @param page     the new top page (0: empty).
     * @return true when installed.
     */
    boolean casFreeHead(final long expected, final int page)
    {
        return region.compareAndSetLong(HEAD_OFFSET, expected, (((expected >>> 32) + 1) << 32) | page);
    }

    /**
     * @return the region, for a broken variant's own CAS.
     */
    final UnsafeBuffer region()
    {
        return region;
    }
}
