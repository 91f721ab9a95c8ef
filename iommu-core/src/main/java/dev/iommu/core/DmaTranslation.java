/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.ptw.Translation;

/**
 * Reads the {@code long} that a device-side {@link IommuEmulator#translate(dev.iommu.api.IommuDmaDevice, long, int)}
 * returns: either a translation (the output address and the permissions of the leaf) or a fault with its reason.
 * The encoding is one {@code long} so that the device's hot path allocates nothing:
 * <pre>
 *   translation:  0 | leaf permissions and page size | physical address of the page
 *   fault:        1 | 0 ...                                          | reason (1, 2 or 3)
 * </pre>
 * Decode it only with these methods; the bit positions are not part of the contract.
 */
public final class DmaTranslation
{
    /** Fault reason: no mapping (or no domain, or an unconfigured caller-owned domain, or an unknown PASID). */
    public static final int FAULT_NOT_PRESENT = Translation.FAULT_NOT_PRESENT;
    /** Fault reason: a mapping without the permission the access needs. */
    public static final int FAULT_PERMISSION = Translation.FAULT_PERMISSION;
    /** Fault reason: an address beyond the domain's address space, or an invalid access. */
    public static final int FAULT_BAD_ADDRESS = Translation.FAULT_BAD_ADDRESS;

    private DmaTranslation()
    {
    }

    /**
     * Whether the access faulted.
     *
     * @param translation a result of {@code translate}.
     * @return true for a fault.
     */
    public static boolean isFault(final long translation)
    {
        return Translation.isFault(translation);
    }

    /**
     * The reason of a fault.
     *
     * @param translation a fault.
     * @return {@link #FAULT_NOT_PRESENT}, {@link #FAULT_PERMISSION} or {@link #FAULT_BAD_ADDRESS}.
     */
    public static int faultReason(final long translation)
    {
        return Translation.faultReason(translation);
    }

    /**
     * The physical address the device address reaches.
     *
     * @param translation a translation (not a fault).
     * @param address     the device address that was translated.
     * @return the physical address.
     */
    public static long outputAddress(final long translation, final long address)
    {
        return Translation.outputAddress(translation, address);
    }

    /**
     * The permissions of the mapping ({@code IommuPermissions} bits).
     *
     * @param translation a translation (not a fault).
     * @return read 0x1 and write 0x2 bits.
     */
    public static int permissions(final long translation)
    {
        return Translation.permissions(translation);
    }

    /**
     * The size of the page the translation came from (4 KiB, 2 MiB or 1 GiB; for a pass-through domain 4 KiB).
     *
     * @param translation a translation (not a fault).
     * @return the page size in bytes.
     */
    public static long pageSize(final long translation)
    {
        return Translation.pageSize(translation);
    }
}
