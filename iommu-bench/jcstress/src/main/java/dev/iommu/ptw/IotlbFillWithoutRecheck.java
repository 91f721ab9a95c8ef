/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link SoftwareIotlb} with one step changed. After it
 * takes the slot, its fill trusts the leaf its walk read instead of reading it again
 * ({@link SoftwareIotlb#lvLeafUnchanged} returns true), so a fill whose walk ran before an unmap cleared the leaf,
 * and whose slot claim came after the unmap's invalidation looked at the slot, caches the removed translation.
 */
final class IotlbFillWithoutRecheck extends SoftwareIotlb
{
    IotlbFillWithoutRecheck(final PageTableConfig config)
    {
        super(config);
    }

    @Override
    boolean lvLeafUnchanged(final long leafAddress, final long leafEntry, final long generationAddress,
        final long generation)
    {
        return true;
    }
}
