/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * The {@code Permissions} argument of the Ex map calls (spec 1.6): bit 0 read, bit 1 write, bits 2 to 31
 * reserved and zero.
 */
public final class IommuPermissions
{
    /** Bit 0: the device may read. */
    public static final int READ = 0x1;
    /** Bit 1: the device may write. */
    public static final int WRITE = 0x2;
    /** Both bits: the device may read and write. */
    public static final int READ_WRITE = READ | WRITE;
    /** Bits 2 to 31: reserved, must be zero. */
    public static final int RESERVED_MASK = ~READ_WRITE;

    private IommuPermissions()
    {
    }

    /**
     * Whether a permissions value sets no reserved bit.
     *
     * @param permissions the value.
     * @return true when bits 2 to 31 are clear.
     */
    public static boolean isValid(final int permissions)
    {
        return (permissions & RESERVED_MASK) == 0;
    }
}
