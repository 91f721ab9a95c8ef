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
     * Unmaps are counted, not invalidated; the whole IOTLB is flushed (one epoch step) when the count reaches the
     * batch size or the oldest pending unmap is older than the configured delay (the delay is checked at the eighth,
     * sixteenth, ... queued unmap of a batch and on every {@link SoftwareIotlb#flushPending()}; a delay of 0
     * flushes at every unmap), as Linux's lazy IOTLB mode does. Until then a translate may still return an
     * unmapped translation.
     */
    DEFERRED,
    /**
     * Unmap never invalidates: entries stay until the caller invalidates them, as on hardware whose tables the
     * caller owns. This is what lets a verifier catch a missing flush.
     */
    CALLER_FLUSH
}
