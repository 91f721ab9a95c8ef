/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link OperationGate} with one step changed. A call is
 * counted in with a release store instead of getAndAdd ({@link OperationGate#getAndIncrement}), so the increment may
 * still sit in the store buffer when the entering call reads {@code open}, while DeleteDomain, having closed the
 * gate, reads a zero count: both go ahead, and the map runs on tables being destroyed (store-load reordering).
 */
final class OperationGateWithReleaseIncrement extends OperationGate
{
    @Override
    void getAndIncrement(final int stripe)
    {
        COUNT.setRelease(counts, stripe, (long)COUNT.getVolatile(counts, stripe) + 1L);
    }
}
