/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import static dev.iommu.ptw.PteDescriptor.PAGE_SHIFT;

/**
 * The argument checks at the entrance of {@link RadixPageTable}'s calls, each returning {@link PtwResult#OK} or the
 * distinct code of the first bad argument (in the order the calls document), so that nothing behind them checks
 * again.
 */
final class PtwArguments
{
    private static final long PAGE_MASK = PageSizes.SIZE_4K - 1;

    private PtwArguments()
    {
    }

    /**
     * {@code [iova, iova + length)}: a positive length, both 4 KiB aligned, inside {@code [0, limit)}.
     */
    static int checkRange(final long iova, final long length, final long limit)
    {
        if (length <= 0)
        {
            return PtwResult.BAD_LENGTH;
        }
        if (((iova | length) & PAGE_MASK) != 0)
        {
            return PtwResult.UNALIGNED;
        }
        final long end = iova + length;
        if (iova < 0 || end < iova || end > limit)
        {
            return PtwResult.OUT_OF_RANGE;
        }
        return PtwResult.OK;
    }

    /**
     * A map: the range, then an aligned output range below {@link PteDescriptor#MAX_OUTPUT}, then the permissions.
     */
    static int checkMap(
        final long iova, final long output, final long length, final int permissions, final long limit)
    {
        final int check = checkRange(iova, length, limit);
        if (check != PtwResult.OK)
        {
            return check;
        }
        if ((output & PAGE_MASK) != 0)
        {
            return PtwResult.UNALIGNED;
        }
        if (output < 0 || output + length > PteDescriptor.MAX_OUTPUT || output + length < 0)
        {
            return PtwResult.BAD_ARGUMENT;
        }
        return PtwPermissions.isValid(permissions) ? PtwResult.OK : PtwResult.BAD_PERMISSIONS;
    }

    /**
     * A scatter map: the frame array and its slice, the range, the permissions, then every frame below 2^40.
     */
    static int checkScatter(
        final long iova, final long[] frames, final int offset, final int count, final int permissions,
        final long limit)
    {
        if (null == frames || offset < 0 || offset > frames.length)
        {
            return PtwResult.BAD_ARGUMENT;
        }
        if (count <= 0)
        {
            return PtwResult.BAD_LENGTH;
        }
        if (count > frames.length - offset)
        {
            return PtwResult.BAD_ARGUMENT;
        }
        final int check = checkRange(iova, (long)count << PAGE_SHIFT, limit);
        if (check != PtwResult.OK)
        {
            return check;
        }
        if (!PtwPermissions.isValid(permissions))
        {
            return PtwResult.BAD_PERMISSIONS;
        }
        for (int i = offset, last = offset + count; i < last; i++)
        {
            if ((frames[i] >>> (52 - PAGE_SHIFT)) != 0)
            {
                return PtwResult.BAD_ARGUMENT;
            }
        }
        return PtwResult.OK;
    }

    /**
     * A set of identity ranges: the arrays and the count, then the permissions (each range is checked with
     * {@link #checkRange} as its tables are counted).
     */
    static int checkRangeArrays(final long[] starts, final long[] lengths, final int count, final int permissions)
    {
        if (null == starts || null == lengths || count <= 0 || count > starts.length || count > lengths.length)
        {
            return PtwResult.BAD_ARGUMENT;
        }
        return PtwPermissions.isValid(permissions) ? PtwResult.OK : PtwResult.BAD_PERMISSIONS;
    }
}
