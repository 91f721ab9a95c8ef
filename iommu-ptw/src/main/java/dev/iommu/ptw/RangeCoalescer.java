/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * Joins leaves given in address order into maximal ranges mapped consecutively with the same permissions, for
 * {@link RadixPageTable#forEachMappedRange}.
 */
final class RangeCoalescer
{
    private final MappedRangeConsumer consumer;
    private long iova = -1;
    private long output;
    private long length;
    private int permissions;

    RangeCoalescer(final MappedRangeConsumer consumer)
    {
        this.consumer = consumer;
    }

    void add(final long iova, final long output, final long length, final int permissions)
    {
        if (this.iova >= 0 && this.iova + this.length == iova && this.output + this.length == output &&
            this.permissions == permissions)
        {
            this.length += length;
            return;
        }
        flush();
        this.iova = iova;
        this.output = output;
        this.length = length;
        this.permissions = permissions;
    }

    void flush()
    {
        if (iova >= 0)
        {
            consumer.accept(iova, output, length, permissions);
            iova = -1;
        }
    }
}
