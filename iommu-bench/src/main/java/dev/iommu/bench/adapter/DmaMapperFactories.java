/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IotlbInvalidation;

/**
 * Creates the {@link DmaMapperFactory} of an implementation by name.
 */
public final class DmaMapperFactories
{
    /** The library: {@code dev.iommu.core.IommuEmulator} through its V2 interface. */
    public static final String LIBRARY = "library";
    /** The library with the DMA verifier on (documented profile). */
    public static final String LIBRARY_VERIFIER = "library-verifier";
    /** The library with deferred IOTLB invalidation (the emulator's default batch and delay). */
    public static final String LIBRARY_DEFERRED = "library-deferred";
    /** Baseline: {@code ConcurrentHashMap} page map, {@code ConcurrentSkipListMap} allocator. */
    public static final String SKIPLIST = "skiplist";
    /** Baseline: {@code ConcurrentHashMap} page map, Linux {@code iova.c}-style red-black tree allocator. */
    public static final String TREE = "tree";

    private DmaMapperFactories()
    {
    }

    /**
     * A factory.
     *
     * @param name         {@link #LIBRARY}, {@link #LIBRARY_VERIFIER}, {@link #LIBRARY_DEFERRED}, {@link #SKIPLIST}
     *                     or {@link #TREE}.
     * @param addressWidth the address width of each domain: 39 or 48.
     * @return the factory (close it when done).
     * @throws IllegalArgumentException for an unknown name or width.
     */
    public static DmaMapperFactory create(final String name, final int addressWidth)
    {
        switch (name)
        {
            case LIBRARY:
                return new LibraryDmaMapperFactory(addressWidth);
            case LIBRARY_VERIFIER:
                return new LibraryDmaMapperFactory(addressWidth, IotlbInvalidation.STRICT,
                    EmulatorContext.DEFAULT_IOTLB_ENTRIES, 65536, true);
            case LIBRARY_DEFERRED:
                return new LibraryDmaMapperFactory(addressWidth, IotlbInvalidation.DEFERRED,
                    EmulatorContext.DEFAULT_IOTLB_ENTRIES, 65536, false);
            case SKIPLIST:
            case TREE:
                if (addressWidth != 39 && addressWidth != 48)
                {
                    throw new IllegalArgumentException("address width must be 39 or 48: " + addressWidth);
                }
                return new PageMapDmaMapperFactory(name, addressWidth);
            default:
                throw new IllegalArgumentException("unknown implementation " + name);
        }
    }
}
