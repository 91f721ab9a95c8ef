/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * BROKEN on purpose (a jcstress broken variant): the real {@link BlockLedger} with one step changed. Pages are taken
 * off a count that other callers' pages are still part of with a plain write of the value read, not a CAS
 * ({@link BlockLedger#casEntry}): two callers unmapping different pages of one block may both read the full count and
 * both write it less their own pages, one update is lost, the count never reaches zero and the block never goes back
 * to the allocator.
 */
final class BlockLedgerWithoutCas extends BlockLedger
{
    /**
     * @param pageBits the width of page numbers (address width - 12).
     */
    BlockLedgerWithoutCas(final int pageBits)
    {
        super(pageBits);
    }

    @Override
    boolean casEntry(final long[] leaf, final int index, final long entry, final long next)
    {
        leaf[index] = next;
        return true;
    }
}
