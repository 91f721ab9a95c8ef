/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * Leaf sizes: their sizes in bytes ({@code SIZE_*}) and their bits in a set of allowed sizes ({@code ALLOW_*}), the
 * one set used everywhere: a table's allowed sizes ({@link PageTableConfig#allowedPageSizes(int)}) and an emulated
 * IOMMU unit's supported sizes. 4 KiB leaves are always allowed.
 */
public final class PageSizes
{
    /** The base page: 4 KiB. */
    public static final long SIZE_4K = 4096L;
    /** A level-1 leaf: 2 MiB. */
    public static final long SIZE_2M = 2L * 1024 * 1024;
    /** A level-2 leaf: 1 GiB. */
    public static final long SIZE_1G = 1024L * 1024 * 1024;
    /** Bit allowing 4 KiB leaves (always implied). */
    public static final int ALLOW_4K = 0x1;
    /** Bit allowing 2 MiB leaves. */
    public static final int ALLOW_2M = 0x2;
    /** Bit allowing 1 GiB leaves. */
    public static final int ALLOW_1G = 0x4;
    /** All three sizes. */
    public static final int ALLOW_ALL = ALLOW_4K | ALLOW_2M | ALLOW_1G;

    private PageSizes()
    {
    }

    /**
     * Whether a bit set is a valid set of sizes: only known bits, and 4 KiB always present.
     *
     * @param sizes the bit set.
     * @return true when valid.
     */
    public static boolean isValid(final int sizes)
    {
        return (sizes & ~ALLOW_ALL) == 0 && (sizes & ALLOW_4K) != 0;
    }

    /**
     * Parses a list such as {@code 4k,2m,1g}.
     *
     * @param list comma-separated sizes.
     * @return the bit set.
     * @throws IllegalArgumentException for an unknown size or a list without 4k.
     */
    public static int parse(final String list)
    {
        int sizes = 0;
        for (final String item : list.split(","))
        {
            switch (item.trim().toLowerCase(java.util.Locale.ROOT))
            {
                case "4k":
                    sizes |= ALLOW_4K;
                    break;
                case "2m":
                    sizes |= ALLOW_2M;
                    break;
                case "1g":
                    sizes |= ALLOW_1G;
                    break;
                default:
                    throw new IllegalArgumentException("unknown page size '" + item.trim() + "' (use 4k, 2m, 1g)");
            }
        }
        if (!isValid(sizes))
        {
            throw new IllegalArgumentException("page sizes '" + list + "' must include 4k");
        }
        return sizes;
    }
}
