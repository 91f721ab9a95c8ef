/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * What one thread mapped in a domain without allocator and without tokens, page by page: logical page to
 * {@code (frame << 2) | permissions}. A page is identity-mapped when its frame is its own number. Predicts the
 * statuses of explicit and identity maps (a clash with a mapped page is STATUS_IN_USE and maps nothing), of unmaps
 * (nothing mapped in the range is STATUS_INVALID_PARAMETER, else what is mapped goes) and of identity unmaps (all
 * pages identity-mapped, else STATUS_INVALID_PARAMETER_2 and nothing goes), and every translation.
 */
final class PageModel
{
    private final TreeMap<Long, Long> pages = new TreeMap<>();
    private final long window;

    /**
     * @param window the pages this model picks addresses from: 1 to {@code window - 1}.
     */
    PageModel(final long window)
    {
        this.window = window;
    }

    long window()
    {
        return window;
    }

    /**
     * A page to work on: usually the first mapped one at or after a random page, else a random one.
     */
    long pick(final SplittableRandom random, final int room)
    {
        final long page = 1 + random.nextLong(window - room - 1);
        if (!pages.isEmpty() && random.nextInt(4) != 0)
        {
            final Long mapped = pages.ceilingKey(page);
            final long chosen = null == mapped ? pages.firstKey() : mapped;
            return Math.min(chosen, window - room - 1);
        }
        return page;
    }

    boolean anyMapped(final long from, final long count)
    {
        return !pages.subMap(from, from + count).isEmpty();
    }

    /**
     * Whether an identity map of these frames (as pages) clashes: a frame twice, or one already mapped.
     */
    boolean identityClash(final long[] frames)
    {
        for (int i = 0; i < frames.length; i++)
        {
            if (pages.containsKey(frames[i]))
            {
                return true;
            }
            for (int j = 0; j < i; j++)
            {
                if (frames[j] == frames[i])
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether every one of these pages is mapped to itself.
     */
    boolean identityMapped(final long[] frames)
    {
        for (final long frame : frames)
        {
            final Long entry = pages.get(frame);
            if (null == entry || (entry >>> 2) != frame)
            {
                return false;
            }
        }
        return true;
    }

    void map(final long page, final long[] frames, final int permissions)
    {
        for (int i = 0; i < frames.length; i++)
        {
            pages.put(page + i, (frames[i] << 2) | permissions);
        }
    }

    void mapIdentity(final long[] frames, final int permissions)
    {
        for (final long frame : frames)
        {
            pages.put(frame, (frame << 2) | permissions);
        }
    }

    void unmap(final long from, final long count)
    {
        pages.subMap(from, from + count).clear();
    }

    void unmapIdentity(final long[] frames)
    {
        for (final long frame : frames)
        {
            pages.remove(frame);
        }
    }

    /**
     * The entry of a page, or -1 when it is not mapped.
     */
    long entry(final long page)
    {
        final Long entry = pages.get(page);
        return null == entry ? -1 : entry;
    }

    void clear()
    {
        pages.clear();
    }
}
