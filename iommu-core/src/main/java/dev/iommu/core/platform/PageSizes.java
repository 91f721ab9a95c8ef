/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

/**
 * The leaf sizes an IOMMU unit's page tables support, as a bit set.
 */
public final class PageSizes
{
    /** 4 KiB leaves (every unit supports them). */
    public static final int SIZE_4K = 0x1;
    /** 2 MiB leaves. */
    public static final int SIZE_2M = 0x2;
    /** 1 GiB leaves. */
    public static final int SIZE_1G = 0x4;
    /** Every size. */
    public static final int ALL = SIZE_4K | SIZE_2M | SIZE_1G;

    private PageSizes()
    {
    }

    /**
     * Whether a bit set is a valid page-size set: only known bits, and 4 KiB always present.
     *
     * @param sizes the bit set.
     * @return true when valid.
     */
    public static boolean isValid(final int sizes)
    {
        return (sizes & ~ALL) == 0 && (sizes & SIZE_4K) != 0;
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
                    sizes |= SIZE_4K;
                    break;
                case "2m":
                    sizes |= SIZE_2M;
                    break;
                case "1g":
                    sizes |= SIZE_1G;
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
