/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.iommu.ptw.RadixPageTable;

/**
 * Makes each call the previous owner left in flight ({@link InFlightLog}) whole or absent, on the tables attached at a
 * reopen: a map is undone and an unmap completed, both by clearing the call's range (tables kept: a token's
 * reservation keeps its tables); a FreeReservedLogicalAddressRange is completed (its range cleared, its token dropped
 * by {@link EmulatorRestore}). A token segment whose MapReservedLogicalRange or UnmapReservedLogicalRange was in flight
 * is dropped with it. Every repair is idempotent, and the log's records are cleared only once the whole restore is
 * done ({@link #clear()}), so a crash during recovery leaves them for the next one.
 * <p>
 * A map's range holds only pages the call itself wrote: a map is refused before its intent is recorded when its range
 * holds mapped pages (the persistent emulator's pre-check), and a map of an allocator's block owns the block. Two maps
 * of overlapping ranges racing at the moment of a kill (a driver race) may both be undone.
 */
final class InFlightRepair
{
    /**
     * What the repair did.
     *
     * @param mapsUndone      maps undone.
     * @param unmapsCompleted unmaps (and token frees) completed.
     */
    record Outcome(int mapsUndone, int unmapsCompleted)
    {
    }

    private final InFlightLog log;
    private List<InFlightRecord> records = List.of();
    private final Set<DomainAddress> repairedStarts = new HashSet<>();
    private final Set<DomainAddress> freedTokens = new HashSet<>();

    InFlightRepair(final InFlightLog log)
    {
        this.log = log;
    }

    /**
     * Repairs every call in flight on its domain's tables (calls of a domain that is gone need nothing: its tables
     * are not reached and their pages go back to the free list).
     *
     * @param tables the attached tables, by domain id.
     * @return what was repaired.
     */
    Outcome repair(final Map<Long, RadixPageTable> tables)
    {
        records = log.inFlight();
        int undone = 0;
        int completed = 0;
        for (final InFlightRecord record : records)
        {
            final RadixPageTable table = tables.get(record.domainId());
            if (null == table)
            {
                continue;
            }
            table.unmapKeepTables(record.address(), record.pages() << 12);
            if (record.kind() == InFlightLog.MAP)
            {
                undone++;
                repairedStarts.add(key(record.domainId(), record.address()));
            }
            else
            {
                completed++;
                if (record.kind() == InFlightLog.FREE_TOKEN)
                {
                    freedTokens.add(key(record.domainId(), record.address()));
                }
                else
                {
                    repairedStarts.add(key(record.domainId(), record.address()));
                }
            }
        }
        return new Outcome(undone, completed);
    }

    /**
     * Whether a token segment starting at an address was the range of a repaired map or unmap (its record is
     * dropped: the map is absent, the unmap complete).
     *
     * @param domainId the token's domain.
     * @param address  the segment's first address.
     * @return true when the segment goes.
     */
    boolean segmentRepaired(final long domainId, final long address)
    {
        return repairedStarts.contains(key(domainId, address));
    }

    /**
     * Whether a token's FreeReservedLogicalAddressRange was in flight (completed: the token goes).
     *
     * @param domainId the token's domain.
     * @param base     the token's base.
     * @return true when the token goes.
     */
    boolean tokenFreed(final long domainId, final long base)
    {
        return freedTokens.contains(key(domainId, base));
    }

    /**
     * Clears the records repaired, once the whole restore is done.
     */
    void clear()
    {
        for (final InFlightRecord record : records)
        {
            log.clear(record);
        }
    }

    private static DomainAddress key(final long domainId, final long address)
    {
        return new DomainAddress(domainId, address);
    }

    /** An address in a domain (a set key). */
    private record DomainAddress(long domainId, long address)
    {
    }
}
