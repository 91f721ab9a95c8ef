/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.SplittableRandom;
import java.util.TreeMap;

import dev.iommu.api.NtStatus;

/**
 * The leaves one thread keeps in a domain without allocator, page by page: logical page to
 * {@code (frame << 2) | permissions}. A page is identity-mapped when its frame is its own number. Predicts, in the
 * run's {@link StressProfile}, the statuses of explicit and identity maps (a clash with a present leaf is the
 * profile's {@link StressProfile#mapClash()} and maps nothing; a map that writes no leaf changes nothing), of unmaps
 * and identity unmaps, and every translation; each prediction method applies the call's effect as it answers.
 * <p>
 * A range may be <em>protected</em> (it touches one of the thread's tokens): where the profile protects reservations,
 * a map there is STATUS_IN_USE and an unmap STATUS_INVALID_PARAMETER, changing nothing.
 */
final class PageModel
{
    private final TreeMap<Long, Long> pages = new TreeMap<>();
    private final long window;
    private final StressProfile profile;

    /**
     * @param window  the pages this model picks addresses from: 1 to {@code window - 1}.
     * @param profile the profile whose statuses and effects the model predicts.
     */
    PageModel(final long window, final StressProfile profile)
    {
        this.window = window;
        this.profile = profile;
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
     * A map of frames at a page (MapLogicalRangeEx, V1 MapLogicalRange, or a token's segment).
     *
     * @return the status the profile gives; its effect is applied.
     */
    int map(final long page, final long[] frames, final int permissions, final boolean protectedRange)
    {
        if (protectedRange && profile.reservationsProtectRange())
        {
            return NtStatus.STATUS_IN_USE;
        }
        if (!profile.writesLeaf(permissions))
        {
            return NtStatus.STATUS_SUCCESS;
        }
        if (anyMapped(page, frames.length))
        {
            return profile.mapClash();
        }
        for (int i = 0; i < frames.length; i++)
        {
            pages.put(page + i, (frames[i] << 2) | permissions);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * An identity map of frames (a frame twice, or one already mapped, is a clash).
     *
     * @return the status the profile gives; its effect is applied.
     */
    int mapIdentity(final long[] frames, final int permissions)
    {
        if (!profile.writesLeaf(permissions))
        {
            return NtStatus.STATUS_SUCCESS;
        }
        if (identityClash(frames))
        {
            return profile.mapClash();
        }
        for (final long frame : frames)
        {
            pages.put(frame, (frame << 2) | permissions);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * UnmapLogicalRange of pages inside the window (whose tables the profile may have built ahead).
     *
     * @return the status the profile gives; its effect is applied.
     */
    int unmap(final long from, final long count, final boolean protectedRange)
    {
        if (protectedRange && profile.reservationsProtectRange())
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final boolean mapped = anyMapped(from, count);
        pages.subMap(from, from + count).clear();
        return mapped ? NtStatus.STATUS_SUCCESS : profile.unmapNothingMapped();
    }

    /**
     * An identity unmap of frames inside the window: where the profile checks, every page must be identity-mapped
     * (else STATUS_INVALID_PARAMETER_2 and nothing goes); else the pages are zeroed whatever they hold.
     *
     * @return the status the profile gives; its effect is applied.
     */
    int unmapIdentity(final long[] frames)
    {
        if (profile.identityUnmapChecked() && !identityMapped(frames))
        {
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        for (final long frame : frames)
        {
            pages.remove(frame);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Whether an identity map of these frames (as pages) clashes: a frame twice, or one already mapped.
     */
    private boolean identityClash(final long[] frames)
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
    private boolean identityMapped(final long[] frames)
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

    /**
     * Forgets pages whose leaves are gone (a token freed or a segment unmapped over them).
     */
    void zero(final long from, final long count)
    {
        pages.subMap(from, from + count).clear();
    }

    /**
     * The entry of a page, or -1 when it is not mapped.
     */
    long entry(final long page)
    {
        final Long entry = pages.get(page);
        return null == entry ? -1 : entry;
    }

    /**
     * The mapped pages, in order (for clean-up).
     */
    Iterable<Long> mappedPages()
    {
        return pages.keySet();
    }

    /**
     * The first mapped page at or after a page, or null.
     */
    Long mappedFrom(final long page)
    {
        return pages.ceilingKey(page);
    }

    boolean isEmpty()
    {
        return pages.isEmpty();
    }

    Long firstMapped()
    {
        return pages.isEmpty() ? null : pages.firstKey();
    }

    void clear()
    {
        pages.clear();
    }
}
