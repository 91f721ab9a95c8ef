/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.BitSet;

/**
 * The emulator-wide address-space ids that PASID sub-devices take (spec 2.30, 5.7 item 48), as Windows hands them out
 * from one system allocator: lowest free first, from 1 (0 is every device's default PASID) to below
 * {@code 2^20} (the PCIe PASID width). A device whose IOMMU has a narrower PASID width takes only ids below its
 * {@code 2^width}. Lifecycle rate: one monitor, a bit per id. Each {@link #allocate(int)} is a
 * {@link FailureInjection.AllocationKind#PASID} allocation point: an injected failure answers as exhaustion does.
 */
final class AsidSpace
{
    /** The widest PASID: 20 bits (PCIe). */
    static final int MAX_WIDTH = 20;

    private final BitSet used = new BitSet();
    private final FailureInjection injection;

    AsidSpace(final FailureInjection injection)
    {
        this.injection = injection;
    }

    /**
     * Takes one id a restored object held (a reopening emulator).
     *
     * @param id the id.
     * @return false when it is taken already or out of range.
     */
    synchronized boolean take(final int id)
    {
        if (id < 1 || id >= 1 << MAX_WIDTH || used.get(id))
        {
            return false;
        }
        used.set(id);
        return true;
    }

    /**
     * Takes the lowest free id below {@code 2^width}.
     *
     * @param width the PASID width of the device's IOMMU, 1 to {@link #MAX_WIDTH}.
     * @return the id (at least 1), or -1 when none is free.
     */
    synchronized int allocate(final int width)
    {
        final int limit = 1 << Math.min(width, MAX_WIDTH);
        final int id = used.nextClearBit(1);
        if (id >= limit || !injection.allows(FailureInjection.AllocationKind.PASID))
        {
            return -1;
        }
        used.set(id);
        return id;
    }

    /**
     * Gives an id back.
     *
     * @param id an id {@link #allocate(int)} returned.
     * @throws IllegalStateException when the id is not in use (a double free is a library bug).
     */
    synchronized void free(final int id)
    {
        if (id < 1 || !used.get(id))
        {
            throw new IllegalStateException("ASID " + id + " is not allocated");
        }
        used.clear(id);
    }
}
