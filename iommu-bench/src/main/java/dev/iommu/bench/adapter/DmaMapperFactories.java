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
    /** The library with a persistent directory (a fresh temporary one, deleted when the factory closes). */
    public static final String LIBRARY_PERSISTENT = "library-persistent";
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
     * @param name         {@link #LIBRARY}, {@link #LIBRARY_VERIFIER}, {@link #LIBRARY_DEFERRED},
     *                     {@link #LIBRARY_PERSISTENT}, {@link #SKIPLIST} or {@link #TREE}.
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
            case LIBRARY_PERSISTENT:
                return new LibraryDmaMapperFactory(addressWidth, IotlbInvalidation.STRICT,
                    EmulatorContext.DEFAULT_IOTLB_ENTRIES, 65536, false, true);
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

    /**
     * Runs one whole life of a throwaway factory of the implementation (create it, create a mapper, map and unmap a
     * page, close the mapper, close the factory), so that the one-time work of the release and close paths, class
     * loading and lambda linking (about 137 KB for the library), is done now and not in the first real teardown.
     * A JMH benchmark calls this from its {@code @Setup(Level.Trial)}: JMH runs {@code @TearDown(Level.Trial)} inside
     * the last measurement iteration, and {@code -prof gc} charges that iteration with everything the teardown
     * allocates. Without the rehearsal the library's {@code mapUnmap4k} read about 0.007 B/op in its last iteration
     * (10^-4 in the others), 0.002 +/- 0.070 B/op over three.
     *
     * @param name         as for {@link #create(String, int)}.
     * @param addressWidth as for {@link #create(String, int)}.
     * @throws IllegalArgumentException for an unknown name or width.
     * @throws IllegalStateException    if the rehearsal's map or unmap fails.
     */
    public static void rehearseTeardown(final String name, final int addressWidth)
    {
        try (DmaMapperFactory factory = create(name, addressWidth))
        {
            final DmaMapper mapper = factory.create();
            final long iova = mapper.map(new long[] {0x40000}, 1, DmaMapper.READ_WRITE);
            if (iova <= 0 || mapper.unmap(iova, 1) != MapperResult.SUCCESS)
            {
                throw new IllegalStateException(name + ": the rehearsal's map or unmap failed: " + iova);
            }
            mapper.close();
        }
    }
}
