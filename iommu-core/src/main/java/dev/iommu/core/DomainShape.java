/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * What CreateDomainEx (or V1 CreateDomain) decided a mapping domain is: its address width, whether it has a logical
 * allocator, its reserved regions and identity-mapped ranges. Enough to build the domain again over its tables when a
 * persistent emulator reopens ({@link DomainFactory#restore}).
 *
 * @param addressWidth  the width of its logical address space, in bits.
 * @param allocator     whether MapLogicalRangeEx picks the addresses (a logical allocator).
 * @param exCreated     made by CreateDomainEx (false: V1 CreateDomain).
 * @param regionBases   reserved regions' bases (protected; withheld from the allocator).
 * @param regionPages   reserved regions' lengths, in pages.
 * @param identityBases identity-mapped ranges' bases (protected, mapped read|write at creation).
 * @param identityPages identity-mapped ranges' lengths, in pages.
 */
record DomainShape(
    int addressWidth, boolean allocator, boolean exCreated, long[] regionBases, long[] regionPages,
    long[] identityBases, long[] identityPages)
{
    private static final long[] NONE = new long[0];

    /**
     * The shape of a domain CreateDomainEx creates, or V1 CreateDomain (creation null).
     *
     * @param creation   the checked arguments, or null.
     * @param tableWidth the width V1 domains get.
     * @return the shape.
     */
    static DomainShape of(final DomainCreationRules creation, final int tableWidth)
    {
        if (null == creation)
        {
            return new DomainShape(tableWidth, false, false, NONE, NONE, NONE, NONE);
        }
        final int regions = creation.regionCount();
        final int identities = creation.identityCount();
        return new DomainShape(creation.addressWidth(), creation.hasAllocator(), true,
            java.util.Arrays.copyOf(creation.regionBases(), regions),
            java.util.Arrays.copyOf(creation.regionPages(), regions),
            java.util.Arrays.copyOf(creation.identityBases(), identities),
            java.util.Arrays.copyOf(creation.identityPages(), identities));
    }
}
