/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * When the software IOTLB of a table forgets translations that an unmap removed.
 */
public enum IotlbMode
{
    /** Every unmap invalidates its range before it returns: a translate after unmap never hits. */
    STRICT,
    /**
     * Unmaps are counted, not invalidated; the whole IOTLB is flushed when the count reaches the batch size or the
     * oldest pending unmap is older than the configured delay (checked on each unmap and on
     * {@link SoftwareIotlb#flushPending()}), as Linux's lazy IOTLB mode does. Until then a translate may still
     * return an unmapped translation.
     */
    DEFERRED,
    /**
     * Unmap never invalidates: entries stay until the caller invalidates them, as on hardware whose tables the
     * caller owns. This is what lets a verifier catch a missing flush.
     */
    CALLER_FLUSH
}
