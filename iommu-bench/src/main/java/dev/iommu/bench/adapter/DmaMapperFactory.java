/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

/**
 * Creates {@link DmaMapper} domains of one implementation. Each {@link #create()} is a new, independent domain (its
 * own page map and address space): threads on separate domains each create one; threads sharing a domain
 * {@link DmaMapper#share()} one.
 */
public interface DmaMapperFactory extends AutoCloseable
{
    /**
     * The implementation's name, as benchmarks and the command line spell it.
     *
     * @return "library", "skiplist" or "tree".
     */
    String name();

    /**
     * A new domain, with its own address space and (for the library) its own device attached.
     *
     * @return the owning mapper of the domain.
     * @throws IllegalStateException when the implementation cannot create another domain.
     */
    DmaMapper create();

    /**
     * Releases what the factory holds (the library: the emulator and its table memory). Mappers it created must
     * not be used afterwards. Idempotent.
     */
    @Override
    void close();
}
