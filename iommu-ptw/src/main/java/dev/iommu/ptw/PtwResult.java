/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * The result codes of the page-table operations. {@link #OK} is zero; every failure is negative and distinct, so
 * that methods returning a count (such as {@link RadixPageTable#unmap(long, long)}) can return either a
 * non-negative count or one of these codes. A call that returns a failure changed nothing observable (see each
 * method for the exact guarantee). {@code iommu-core} maps these codes to NTSTATUS values.
 */
public final class PtwResult
{
    /** Success. */
    public static final int OK = 0;
    /** The table arena has no free page for a needed table (STATUS_INSUFFICIENT_RESOURCES). */
    public static final int NO_MEMORY = -1;
    /** Part of the range is already mapped (or, for unmap, the call raced a map into its own range). */
    public static final int EXISTS = -2;
    /** An address or length is not a multiple of 4 KiB. */
    public static final int UNALIGNED = -3;
    /** A length or page count is zero or negative. */
    public static final int BAD_LENGTH = -4;
    /** The range reaches beyond the table's address width, or wraps past the top of the address space. */
    public static final int OUT_OF_RANGE = -5;
    /** Permissions with a bit other than {@link PtwPermissions#READ} and {@link PtwPermissions#WRITE}. */
    public static final int BAD_PERMISSIONS = -6;
    /** An unmap covers only part of a 2 MiB or 1 GiB leaf: refused, nothing is unmapped. */
    public static final int PARTIAL_LARGE_PAGE = -7;
    /** A null array, an array slice out of bounds, or an output address beyond 52 bits. */
    public static final int BAD_ARGUMENT = -8;

    private PtwResult()
    {
    }

    /**
     * The symbolic name of a result code, for messages and logs (not for hot paths).
     *
     * @param result a result code, or a non-negative count.
     * @return the name, "OK" for zero, "COUNT" for a positive value, "UNKNOWN" otherwise.
     */
    public static String name(final long result)
    {
        if (result > 0)
        {
            return "COUNT";
        }
        switch ((int)result)
        {
            case OK:
                return "OK";
            case NO_MEMORY:
                return "NO_MEMORY";
            case EXISTS:
                return "EXISTS";
            case UNALIGNED:
                return "UNALIGNED";
            case BAD_LENGTH:
                return "BAD_LENGTH";
            case OUT_OF_RANGE:
                return "OUT_OF_RANGE";
            case BAD_PERMISSIONS:
                return "BAD_PERMISSIONS";
            case PARTIAL_LARGE_PAGE:
                return "PARTIAL_LARGE_PAGE";
            case BAD_ARGUMENT:
                return "BAD_ARGUMENT";
            default:
                return "UNKNOWN";
        }
    }
}
