/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * Leaf sizes, as bits of the per-table set of allowed sizes ({@link PageTableConfig#allowedPageSizes(int)}).
 * 4 KiB leaves are always allowed.
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
}
