/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link OperationGate} with its two counting-in steps
 * changed. A call is counted in with a release store instead of a full fence: on the owner's slot a release store
 * instead of a volatile one ({@link OperationGate#svOwnerCount}), on a shared stripe a release store instead of
 * getAndAdd ({@link OperationGate#getAndIncrement}). The count may then still sit in the store buffer when the
 * entering call reads {@code open}, while DeleteDomain, having closed the gate, reads a zero count: both go ahead,
 * and the map runs on tables being destroyed (store-load reordering).
 */
final class OperationGateWithReleaseIncrement extends OperationGate
{
    /**
     * @param ownerSlot whether the first entering thread gets the owner's slot (see {@link OperationGate}).
     */
    OperationGateWithReleaseIncrement(final boolean ownerSlot)
    {
        super(ownerSlot);
    }

    @Override
    void svOwnerCount(final long inside)
    {
        COUNT.setRelease(counts, OWNER_SLOT, inside);
    }

    @Override
    void getAndIncrement(final int stripe)
    {
        COUNT.setRelease(counts, stripe, (long)COUNT.getVolatile(counts, stripe) + 1L);
    }
}
