/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

/**
 * Result codes of {@link IovaAllocator}: {@link #SUCCESS} or a negative code, one per distinct failure. Allocation
 * methods return an address (always positive) or one of these codes, so a caller tests {@code result < 0}. Every
 * failing call changes nothing.
 * <p>
 * Suggested NTSTATUS mapping for the interface (spec 2.12, 2.24, section 5 items 28, 29, 35):
 * <pre>
 *   INVALID_SIZE, BEYOND_WIDTH, OVERFLOW  -&gt; the size parameter's STATUS_INVALID_PARAMETER_n
 *   UNALIGNED_ADDRESS                     -&gt; the explicit address parameter's STATUS_INVALID_PARAMETER_n
 *   UNSATISFIABLE_BOUNDS                  -&gt; STATUS_INVALID_PARAMETER_MIX
 *   ADDRESS_IN_USE                        -&gt; STATUS_IN_USE (= STATUS_RESOURCE_IN_USE)
 *   NO_SPACE                              -&gt; STATUS_INSUFFICIENT_RESOURCES
 *   EXPLICIT_NOT_ALLOWED                  -&gt; STATUS_NOT_SUPPORTED
 *   NOT_ALLOCATED, WRONG_SIZE             -&gt; STATUS_INVALID_PARAMETER (a driver bug; never corrupts)
 * </pre>
 */
public final class IovaResult
{
    /** The call did what it was asked. */
    public static final int SUCCESS = 0;
    /** The size in pages is zero or negative. */
    public static final int INVALID_SIZE = -1;
    /** An explicit, freed or reserved address is not a multiple of the page size. */
    public static final int UNALIGNED_ADDRESS = -2;
    /** The address or the range lies (partly) outside [0, 2^AddressWidth), or no block that large exists. */
    public static final int BEYOND_WIDTH = -3;
    /** The size in bytes, or address plus size, does not fit in 63 bits. */
    public static final int OVERFLOW = -4;
    /** No aligned block of the rounded size fits in [max(min, PAGE_SIZE), min(max, 2^AddressWidth - 1)]. */
    public static final int UNSATISFIABLE_BOUNDS = -5;
    /** The explicit range overlaps an allocated block, a reserved region, or page 0. */
    public static final int ADDRESS_IN_USE = -6;
    /** The bounds can be satisfied in principle but no free block fits now. */
    public static final int NO_SPACE = -7;
    /** An explicit address was given to an allocator that forbids explicit requests. */
    public static final int EXPLICIT_NOT_ALLOWED = -8;
    /** Free of an address that is not the start of a live allocation (never allocated, or already freed). */
    public static final int NOT_ALLOCATED = -9;
    /** Free of a live allocation with a size that does not match it. */
    public static final int WRONG_SIZE = -10;
    /** Configuration: the address width is outside [13, 63]. */
    public static final int INVALID_WIDTH = -11;
    /** Configuration: two reserved regions overlap. */
    public static final int RESERVED_OVERLAP = -12;

    private static final String[] NAMES =
    {
        "SUCCESS", "INVALID_SIZE", "UNALIGNED_ADDRESS", "BEYOND_WIDTH", "OVERFLOW", "UNSATISFIABLE_BOUNDS",
        "ADDRESS_IN_USE", "NO_SPACE", "EXPLICIT_NOT_ALLOWED", "NOT_ALLOCATED", "WRONG_SIZE", "INVALID_WIDTH",
        "RESERVED_OVERLAP",
    };

    private IovaResult()
    {
    }

    /**
     * The symbolic name of a result (for messages; not for hot paths).
     *
     * @param result a result or an address.
     * @return the code's name, or "ADDRESS" for a non-negative value that is an address.
     */
    public static String name(final long result)
    {
        if (result > 0)
        {
            return "ADDRESS";
        }
        final int index = (int)-result;
        return result >= -(NAMES.length - 1) ? NAMES[index] : "UNKNOWN(" + result + ")";
    }
}
