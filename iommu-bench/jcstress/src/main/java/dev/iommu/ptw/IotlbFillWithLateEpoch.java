/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link SoftwareIotlb} with one step changed. Its fill
 * makes the key it publishes from the epoch read <em>after</em> its re-read of the leaf
 * ({@link SoftwareIotlb#publishedKey}), so a fill whose re-read saw the leaf before an unmap cleared it, and whose
 * epoch read came after that unmap's flush, publishes the removed translation under the new epoch: it survives
 * the flush.
 */
final class IotlbFillWithLateEpoch extends SoftwareIotlb
{
    IotlbFillWithLateEpoch(final PageTableConfig config)
    {
        super(config);
    }

    @Override
    long publishedKey(final long keyFromEarlierEpoch, final long vpn)
    {
        return lvEpochKey() | (vpn + 1);
    }
}
