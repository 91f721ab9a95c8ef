/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * Permission bits of a mapping, with the same values as the Windows {@code Permissions} argument: bit 0 read,
 * bit 1 write. Zero (no access) is a valid mapping: it translates, but every access faults with a permission
 * fault.
 */
public final class PtwPermissions
{
    /** No access. */
    public static final int NONE = 0;
    /** The device may read. */
    public static final int READ = 0x1;
    /** The device may write. */
    public static final int WRITE = 0x2;
    /** The device may read and write. */
    public static final int READ_WRITE = READ | WRITE;

    private PtwPermissions()
    {
    }

    /**
     * Whether a permission value uses only {@link #READ} and {@link #WRITE}.
     *
     * @param permissions the value.
     * @return true when no other bit is set.
     */
    public static boolean isValid(final int permissions)
    {
        return (permissions & ~READ_WRITE) == 0;
    }
}
