/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * NTSTATUS codes used by the interface (spec section 4), as their exact 32-bit values.
 * <p>
 * Every interface method returns one of these as an {@code int}. {@link #isSuccess(int)} is
 * {@code NT_SUCCESS}; {@link #name(int)} gives the symbolic name, e.g. for logs and test reports;
 * {@link #check(int)} throws {@link NtStatusException} for callers who prefer exceptions.
 */
public final class NtStatus
{
    /** STATUS_SUCCESS (0x00000000): the call did what it was asked. */
    public static final int STATUS_SUCCESS = 0x0000_0000;
    /** STATUS_UNSUCCESSFUL (0xC0000001): the request cannot be satisfied. */
    public static final int STATUS_UNSUCCESSFUL = 0xC000_0001;
    /** STATUS_NOT_IMPLEMENTED (0xC0000002): SetDeviceFaultReportingEx, always (spec 2.19). */
    public static final int STATUS_NOT_IMPLEMENTED = 0xC000_0002;
    /** STATUS_INVALID_PARAMETER (0xC000000D). */
    public static final int STATUS_INVALID_PARAMETER = 0xC000_000D;
    /** STATUS_CONFLICTING_ADDRESSES (0xC0000018): not used by the documentation (spec 4). */
    public static final int STATUS_CONFLICTING_ADDRESSES = 0xC000_0018;
    /** STATUS_ACCESS_DENIED (0xC0000022): the device may not attach to this domain type now. */
    public static final int STATUS_ACCESS_DENIED = 0xC000_0022;
    /** STATUS_BUFFER_TOO_SMALL (0xC0000023). */
    public static final int STATUS_BUFFER_TOO_SMALL = 0xC000_0023;
    /** STATUS_INVALID_PARAMETER_MIX (0xC0000030): min/max bounds cannot be satisfied. */
    public static final int STATUS_INVALID_PARAMETER_MIX = 0xC000_0030;
    /** STATUS_NONE_MAPPED (0xC0000073): no PASID could be allocated. */
    public static final int STATUS_NONE_MAPPED = 0xC000_0073;
    /** STATUS_INSUFFICIENT_RESOURCES (0xC000009A): out of memory, table pages, IOVA space or ids. */
    public static final int STATUS_INSUFFICIENT_RESOURCES = 0xC000_009A;
    /** STATUS_NOT_SUPPORTED (0xC00000BB). */
    public static final int STATUS_NOT_SUPPORTED = 0xC000_00BB;
    /** STATUS_INVALID_PARAMETER_1 (0xC00000EF). */
    public static final int STATUS_INVALID_PARAMETER_1 = 0xC000_00EF;
    /** STATUS_INVALID_PARAMETER_2 (0xC00000F0). */
    public static final int STATUS_INVALID_PARAMETER_2 = 0xC000_00F0;
    /** STATUS_INVALID_PARAMETER_3 (0xC00000F1). */
    public static final int STATUS_INVALID_PARAMETER_3 = 0xC000_00F1;
    /** STATUS_INVALID_PARAMETER_4 (0xC00000F2). */
    public static final int STATUS_INVALID_PARAMETER_4 = 0xC000_00F2;
    /** STATUS_INVALID_PARAMETER_5 (0xC00000F3). */
    public static final int STATUS_INVALID_PARAMETER_5 = 0xC000_00F3;
    /** STATUS_INVALID_PARAMETER_6 (0xC00000F4). */
    public static final int STATUS_INVALID_PARAMETER_6 = 0xC000_00F4;
    /** STATUS_INVALID_PARAMETER_7 (0xC00000F5). */
    public static final int STATUS_INVALID_PARAMETER_7 = 0xC000_00F5;
    /** STATUS_INVALID_DEVICE_STATE (0xC0000184): not used by the documentation (spec 4). */
    public static final int STATUS_INVALID_DEVICE_STATE = 0xC000_0184;
    /** STATUS_NOT_FOUND (0xC0000225): CreateDevice, the PDO is not behind an IOMMU. */
    public static final int STATUS_NOT_FOUND = 0xC000_0225;
    /** STATUS_RESOURCE_IN_USE (0xC0000708). */
    public static final int STATUS_RESOURCE_IN_USE = 0xC000_0708;
    /** STATUS_ALREADY_REGISTERED (0xC0000718): not used by the documentation (spec 4). */
    public static final int STATUS_ALREADY_REGISTERED = 0xC000_0718;

    /**
     * What this library returns where Microsoft's pages name "STATUS_IN_USE", a code that does not
     * exist in ntstatus.h (spec 4 and 5.4 item 25): {@link #STATUS_RESOURCE_IN_USE}. This constant
     * is the one place that choice is made.
     */
    public static final int STATUS_IN_USE = STATUS_RESOURCE_IN_USE;

    private static final int[] CODES =
    {
        STATUS_SUCCESS, STATUS_UNSUCCESSFUL, STATUS_NOT_IMPLEMENTED, STATUS_INVALID_PARAMETER,
        STATUS_CONFLICTING_ADDRESSES, STATUS_ACCESS_DENIED, STATUS_BUFFER_TOO_SMALL, STATUS_INVALID_PARAMETER_MIX,
        STATUS_NONE_MAPPED, STATUS_INSUFFICIENT_RESOURCES, STATUS_NOT_SUPPORTED, STATUS_INVALID_PARAMETER_1,
        STATUS_INVALID_PARAMETER_2, STATUS_INVALID_PARAMETER_3, STATUS_INVALID_PARAMETER_4,
        STATUS_INVALID_PARAMETER_5, STATUS_INVALID_PARAMETER_6, STATUS_INVALID_PARAMETER_7,
        STATUS_INVALID_DEVICE_STATE, STATUS_NOT_FOUND, STATUS_RESOURCE_IN_USE, STATUS_ALREADY_REGISTERED,
    };

    private static final String[] NAMES =
    {
        "STATUS_SUCCESS", "STATUS_UNSUCCESSFUL", "STATUS_NOT_IMPLEMENTED", "STATUS_INVALID_PARAMETER",
        "STATUS_CONFLICTING_ADDRESSES", "STATUS_ACCESS_DENIED", "STATUS_BUFFER_TOO_SMALL",
        "STATUS_INVALID_PARAMETER_MIX", "STATUS_NONE_MAPPED", "STATUS_INSUFFICIENT_RESOURCES",
        "STATUS_NOT_SUPPORTED", "STATUS_INVALID_PARAMETER_1", "STATUS_INVALID_PARAMETER_2",
        "STATUS_INVALID_PARAMETER_3", "STATUS_INVALID_PARAMETER_4", "STATUS_INVALID_PARAMETER_5",
        "STATUS_INVALID_PARAMETER_6", "STATUS_INVALID_PARAMETER_7", "STATUS_INVALID_DEVICE_STATE",
        "STATUS_NOT_FOUND", "STATUS_RESOURCE_IN_USE", "STATUS_ALREADY_REGISTERED",
    };

    private NtStatus()
    {
    }

    /**
     * {@code NT_SUCCESS(status)}: true for success and informational codes (the sign bit is clear).
     *
     * @param status an NTSTATUS value.
     * @return true when {@code status >= 0}.
     */
    public static boolean isSuccess(final int status)
    {
        return status >= 0;
    }

    /**
     * The symbolic name of a status code, or its hexadecimal form ({@code 0xC0000099}) when the code
     * is not one this library knows.
     *
     * @param status an NTSTATUS value.
     * @return the name, never null.
     */
    public static String name(final int status)
    {
        for (int i = 0; i < CODES.length; i++)
        {
            if (CODES[i] == status)
            {
                return NAMES[i];
            }
        }
        return hex(status);
    }

    /**
     * Whether this library knows the code (it appears in spec section 4).
     *
     * @param status an NTSTATUS value.
     * @return true for a known code.
     */
    public static boolean isKnown(final int status)
    {
        for (final int code : CODES)
        {
            if (code == status)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The code as eight upper-case hexadecimal digits with a {@code 0x} prefix.
     *
     * @param status an NTSTATUS value.
     * @return for example {@code 0xC000000D}.
     */
    public static String hex(final int status)
    {
        final String digits = Integer.toHexString(status).toUpperCase(java.util.Locale.ROOT);
        return "0x" + "00000000".substring(digits.length()) + digits;
    }

    /**
     * Every code this library knows, in ascending order of its unsigned value.
     *
     * @return a fresh copy of the codes.
     */
    public static int[] knownCodes()
    {
        return CODES.clone();
    }

    /**
     * Returns {@code status} when it is a success code, else throws.
     *
     * @param status the status a call returned.
     * @return {@code status}, for chaining.
     * @throws NtStatusException when {@code !isSuccess(status)}.
     */
    public static int check(final int status) throws NtStatusException
    {
        if (status < 0)
        {
            throw new NtStatusException(status);
        }
        return status;
    }
}
