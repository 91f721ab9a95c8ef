/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

/**
 * Test-side factory (jcstress module, in the production package for its package-private constructor): IOVA
 * allocators with the real magazine depot or the broken variant {@link MagazineDepotHandingBackKept}.
 */
public final class DepotAllocators
{
    private DepotAllocators()
    {
    }

    /**
     * The configuration of the depot tests: 16 pages (15 usable), magazines of one block, a depot of one magazine.
     *
     * @return a new configuration.
     */
    public static IovaAllocatorConfig smallMagazines()
    {
        return new IovaAllocatorConfig().addressWidth(16).magazineCapacity(1).depotMagazines(1);
    }

    /**
     * An allocator with the real depot.
     *
     * @param config its configuration.
     * @return the allocator.
     */
    public static IovaAllocator real(final IovaAllocatorConfig config)
    {
        return new IovaAllocator(config, MagazineDepot::new);
    }

    /**
     * An allocator whose depot hands the full magazine it keeps back as the thread's empty one (broken).
     *
     * @param config its configuration.
     * @return the allocator.
     */
    public static IovaAllocator handingBackKept(final IovaAllocatorConfig config)
    {
        return new IovaAllocator(config, MagazineDepotHandingBackKept::new);
    }
}
