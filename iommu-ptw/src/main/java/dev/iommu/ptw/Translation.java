/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * Decoding of the {@code long} that {@link RadixPageTable#translate(long)} returns, so that a translation
 * allocates nothing.
 * <pre>
 *  success (bit 63 clear):
 *   63 62                                                  12 11        4  3   2  1   0
 *  +--+------------------------------------------------------+-----------+------+------+
 *  |0 | output address of the 4 KiB page holding the input    |    0      | level| perm |
 *  +--+------------------------------------------------------+-----------+------+------+
 *  fault (bit 63 set): low 8 bits hold the fault reason.
 * </pre>
 * {@code level} is the leaf's level: 0 for 4 KiB, 1 for 2 MiB, 2 for 1 GiB.
 */
public final class Translation
{
    /** Fault: no leaf maps the address. */
    public static final int FAULT_NOT_PRESENT = 1;
    /** Fault: a leaf maps the address but does not grant the requested access. */
    public static final int FAULT_PERMISSION = 2;
    /** Fault: the address is negative or beyond the table's address width, or the access bits are invalid. */
    public static final int FAULT_BAD_ADDRESS = 3;

    static final long FAULT_BIT = Long.MIN_VALUE;
    static final long NOT_PRESENT = FAULT_BIT | FAULT_NOT_PRESENT;
    static final long PERMISSION = FAULT_BIT | FAULT_PERMISSION;
    static final long BAD_ADDRESS = FAULT_BIT | FAULT_BAD_ADDRESS;

    private Translation()
    {
    }

    static long encode(final long pageOutput, final int level, final int permissions)
    {
        return pageOutput | ((long)level << 2) | permissions;
    }

    /**
     * A fault value, as translate returns it.
     *
     * @param reason {@link #FAULT_NOT_PRESENT}, {@link #FAULT_PERMISSION} or {@link #FAULT_BAD_ADDRESS}.
     * @return the encoded fault.
     */
    public static long fault(final int reason)
    {
        if (reason < FAULT_NOT_PRESENT || reason > FAULT_BAD_ADDRESS)
        {
            throw new IllegalArgumentException("unknown fault reason: " + reason);
        }
        return FAULT_BIT | reason;
    }

    /**
     * A 4 KiB translation to a given output page, as translate returns it (for translations made without a table,
     * such as a pass-through domain's identity).
     *
     * @param output      the output address (its page is used).
     * @param permissions {@link PtwPermissions} bits.
     * @return the encoded translation.
     */
    public static long of(final long output, final int permissions)
    {
        return encode(output & PteDescriptor.ADDRESS_MASK, 0, permissions & PtwPermissions.READ_WRITE);
    }

    /**
     * An access checked against a translation: the translation when it is a fault or grants {@code access}, else a
     * permission fault.
     *
     * @param translation a translation.
     * @param access      the {@link PtwPermissions} bits the access needs (valid).
     * @return the translation, or a {@link #FAULT_PERMISSION} fault.
     */
    static long checkAccess(final long translation, final int access)
    {
        return translation >= 0 && (permissions(translation) & access) != access ? PERMISSION : translation;
    }

    /**
     * @param translation a value returned by translate.
     * @return true when it is a fault.
     */
    public static boolean isFault(final long translation)
    {
        return translation < 0;
    }

    /**
     * @param translation a fault returned by translate.
     * @return {@link #FAULT_NOT_PRESENT}, {@link #FAULT_PERMISSION} or {@link #FAULT_BAD_ADDRESS}; 0 if no fault.
     */
    public static int faultReason(final long translation)
    {
        return translation < 0 ? (int)(translation & 0xFF) : 0;
    }

    /**
     * @param translation a successful translation of {@code iova}.
     * @param iova        the translated input address.
     * @return the output address of the byte at {@code iova}.
     */
    public static long outputAddress(final long translation, final long iova)
    {
        return (translation & ~0xFFFL) | (iova & 0xFFFL);
    }

    /**
     * @param translation a successful translation.
     * @return its {@link PtwPermissions} bits.
     */
    public static int permissions(final long translation)
    {
        return (int)(translation & PtwPermissions.READ_WRITE);
    }

    /**
     * @param translation a successful translation.
     * @return the size in bytes of the leaf that maps it (4 KiB, 2 MiB or 1 GiB).
     */
    public static long pageSize(final long translation)
    {
        return 1L << PteDescriptor.shift((int)((translation >>> 2) & 0x3));
    }
}
