/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

/**
 * The negative results of a {@link DmaMapper}, the same for every implementation. A map returns an address (0 or
 * more) or one of these; an unmap returns {@link #SUCCESS} or one of these; a translate returns a physical address
 * (0 or more) or one of these.
 */
public final class MapperResult
{
    /** The call did what it was asked. */
    public static final int SUCCESS = 0;
    /** A malformed argument (unaligned, empty, out of range, unknown permission bits): nothing changed. */
    public static final int INVALID_ARGUMENT = -1;
    /** No room: no free address range within the bounds, or no page-table memory left. Nothing changed. */
    public static final int NO_SPACE = -2;
    /** Unmap of a range of which no page is mapped. Nothing changed. */
    public static final int NOT_MAPPED = -3;
    /** Translate: nothing is mapped at the address. */
    public static final int FAULT_NOT_PRESENT = -4;
    /** Translate: the page is mapped without the access asked for. */
    public static final int FAULT_PERMISSION = -5;

    private static final String[] NAMES =
    {
        "SUCCESS", "INVALID_ARGUMENT", "NO_SPACE", "NOT_MAPPED", "FAULT_NOT_PRESENT", "FAULT_PERMISSION",
    };

    private MapperResult()
    {
    }

    /**
     * The name of a result, for messages (not for hot paths).
     *
     * @param result a result; 0 or more is a success (an address).
     * @return its name, or "address" for a non-negative value, or "unknown".
     */
    public static String name(final long result)
    {
        if (result > 0)
        {
            return "address";
        }
        final long index = -result;
        return index < NAMES.length ? NAMES[(int)index] : "unknown(" + result + ")";
    }
}
