/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

import dev.iommu.bench.baseline.RangeAllocator;
import dev.iommu.bench.baseline.SkipListIovaAllocator;
import dev.iommu.bench.baseline.TreeMapIovaAllocator;

/**
 * The baselines a Java developer would write instead of the library: a {@code ConcurrentHashMap<Long, Long>} page
 * map (page number to entry) with an address allocator, either {@link SkipListIovaAllocator} ("skiplist": free
 * ranges in a {@code ConcurrentSkipListMap}, lock-free first fit) or {@link TreeMapIovaAllocator} ("tree": the
 * Linux {@code iova.c} design, a red-black tree under one lock). Each {@link #create()} is a new page map and a new
 * allocator.
 */
public final class PageMapDmaMapperFactory implements DmaMapperFactory
{
    private final String name;
    private final int addressWidth;

    /**
     * A baseline factory.
     *
     * @param name         {@link DmaMapperFactories#SKIPLIST} or {@link DmaMapperFactories#TREE}.
     * @param addressWidth the address width of each domain in bits (13 to 63).
     */
    public PageMapDmaMapperFactory(final String name, final int addressWidth)
    {
        if (!DmaMapperFactories.SKIPLIST.equals(name) && !DmaMapperFactories.TREE.equals(name))
        {
            throw new IllegalArgumentException("unknown baseline " + name);
        }
        if (addressWidth < 13 || addressWidth > 63)
        {
            throw new IllegalArgumentException("address width must be 13 to 63: " + addressWidth);
        }
        this.name = name;
        this.addressWidth = addressWidth;
    }

    /** {@inheritDoc} */
    @Override
    public String name()
    {
        return name;
    }

    /** {@inheritDoc} */
    @Override
    public DmaMapper create()
    {
        final RangeAllocator allocator = DmaMapperFactories.SKIPLIST.equals(name) ?
            new SkipListIovaAllocator(addressWidth) : new TreeMapIovaAllocator(addressWidth);
        return new PageMapDmaMapper(allocator, addressWidth);
    }

    /** {@inheritDoc} */
    @Override
    public void close()
    {
    }
}
