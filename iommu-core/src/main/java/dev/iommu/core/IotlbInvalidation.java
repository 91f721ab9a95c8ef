/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * When the software IOTLB of a library-owned domain forgets an unmapped translation
 * ({@link EmulatorContext#iotlbInvalidation(IotlbInvalidation)}).
 */
public enum IotlbInvalidation
{
    /** Every unmap invalidates before it returns: a device never reaches a page after its unmap returned. */
    STRICT,
    /**
     * Invalidations are queued and applied in batches (by count or by age, {@link EmulatorContext#deferredFlush}),
     * as Linux's flush queue does: faster unmaps, and a device may reach an unmapped page until the batch is applied.
     */
    DEFERRED
}
