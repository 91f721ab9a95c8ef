/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaLogicalAddressToken;
import org.agrona.collections.Long2LongHashMap;

/**
 * The library's {@link IommuDmaLogicalAddressToken}: a reserved logical range of a Translate domain whose page tables
 * all exist (spec 2.24, 3.8), with its mapped segments (offset to size) and a lifecycle LIVE, DELETING, FREED
 * (spec 5.5 item 39). Segment changes and the lifecycle are guarded by the token's monitor; the page-table writes
 * themselves are lock-free.
 * <p>
 * It also keeps Windows' mapped-segment count (observed record section 5): raised by each successful
 * MapReservedLogicalRange, lowered by each successful UnmapReservedLogicalRange. In the documented profile it always
 * equals the number of segments; in the observed profile an unmap of an already-unmapped segment lowers it again, so
 * it is not tied to the segments (FreeReservedLogicalAddressRange there looks only at the count).
 */
final class LogicalAddressToken implements IommuDmaLogicalAddressToken
{
    static final int LIVE = 0;
    static final int DELETING = 1;
    static final int FREED = 2;

    private final MappingDomain domain;
    private final long id;
    private final long base;
    private final long size;
    private final boolean allocated;
    private final boolean protectedRange;
    private final Long2LongHashMap segments = new Long2LongHashMap(-1);
    private volatile int state = LIVE;
    private int mappedSegments;

    LogicalAddressToken(final MappingDomain domain, final long base, final long size, final boolean allocated,
        final boolean protectedRange)
    {
        this(domain, domain.owner().nextTokenId(), base, size, allocated, protectedRange);
    }

    /** A token with a given stable id: one a reopening emulator restores. */
    LogicalAddressToken(final MappingDomain domain, final long id, final long base, final long size,
        final boolean allocated, final boolean protectedRange)
    {
        this.domain = domain;
        this.id = id;
        this.base = base;
        this.size = size;
        this.allocated = allocated;
        this.protectedRange = protectedRange;
    }

    /** {@inheritDoc} */
    @Override
    public long logicalAddressBase()
    {
        return base;
    }

    /** {@inheritDoc} */
    @Override
    public long size()
    {
        return size;
    }

    /**
     * The token's stable id: unique in its emulator, kept across a restart of a persistent one.
     */
    long id()
    {
        return id;
    }

    MappingDomain domain()
    {
        return domain;
    }

    /**
     * Whether the range came from the domain's allocator (and goes back to it when freed).
     */
    boolean allocated()
    {
        return allocated;
    }

    /**
     * Whether the token's range is one of the domain's protected ranges (always in the documented profile; in the
     * observed profile only when it overlapped no other protected range, since those must stay disjoint).
     */
    boolean protectedRange()
    {
        return protectedRange;
    }

    /**
     * Windows' mapped-segment count, guarded by this token's monitor.
     */
    int mappedSegments()
    {
        return mappedSegments;
    }

    /**
     * Raises the mapped-segment count (under this token's monitor).
     */
    void segmentMapped()
    {
        mappedSegments++;
    }

    /**
     * Lowers the mapped-segment count (under this token's monitor).
     */
    void segmentUnmapped()
    {
        mappedSegments--;
    }

    /**
     * How the verifier names the token: its domain and base, e.g. {@code domain#3 token@0x200000}.
     */
    String describe()
    {
        return "domain#" + domain.id() + " token@0x" + Long.toHexString(base);
    }

    /**
     * The lifecycle state; a token of a deleted domain is {@link #FREED} (the observed profile deletes a domain
     * with tokens outstanding: they become dead handles; the documented profile never does).
     */
    int state()
    {
        return domain.isAlive() ? state : FREED;
    }

    void state(final int state)
    {
        this.state = state;
    }

    /**
     * The segments (offset to size), guarded by this token's monitor.
     */
    Long2LongHashMap segments()
    {
        return segments;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "LogicalAddressToken{base=0x" + Long.toHexString(base) + ", size=0x" + Long.toHexString(size) +
            ", state=" + state + "}";
    }
}
