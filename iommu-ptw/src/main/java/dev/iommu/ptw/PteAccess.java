/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import org.agrona.UnsafeApi;

/**
 * Every load and store of a page-table entry, named by its ordering in JCTools' style, over raw addresses in a
 * {@link TableArena} (computed from page indexes already checked against the capacity):
 * <ul>
 *   <li>{@code lv}: volatile load (the writers' and the range walkers' reads);</li>
 *   <li>{@code la}: acquire load (the translate walk: pairs with the CAS that published a table or a leaf, so a
 *   table is seen with its contents);</li>
 *   <li>{@code sp}: plain store (only into a table not yet published: the publishing CAS orders it);</li>
 *   <li>{@code cas}: compare-and-set, a full fence (publication of leaves);</li>
 *   <li>{@code cmpxchg}: compare-and-exchange, a full fence that returns the entry it found (publication of
 *   tables: 0 when this call installed its table, else the racing writer's entry);</li>
 *   <li>{@code xchg}: getAndSet, a full fence (clearing a leaf, unlinking a table).</li>
 * </ul>
 * Each caller says at the call what the ordering is for.
 */
final class PteAccess
{
    private PteAccess()
    {
    }

    /**
     * @return the address of the entry of {@code iova} in the table of {@code level} at {@code table}.
     */
    static long entryAddress(final long table, final long iova, final int level)
    {
        return table + ((long)PteDescriptor.index(iova, level) << 3);
    }

    /**
     * @return the address of entry {@code index} of the table at {@code table}.
     */
    static long entryAddress(final long table, final int index)
    {
        return table + ((long)index << 3);
    }

    /**
     * Volatile load.
     */
    static long lvEntry(final long address)
    {
        return UnsafeApi.getLongVolatile(null, address);
    }

    /**
     * Acquire load.
     */
    static long laEntry(final long address)
    {
        return UnsafeApi.getLongAcquire(null, address);
    }

    /**
     * Plain store, for an entry of a table no other thread can reach yet.
     */
    static void spEntry(final long address, final long entry)
    {
        UnsafeApi.putLong(null, address, entry);
    }

    /**
     * Release store: a leaf written into a range its writer holds alone (no claim needed); a walker that reads it
     * (acquire) sees the table as it was when the leaf was written.
     */
    static void soEntry(final long address, final long entry)
    {
        UnsafeApi.putLongRelease(null, address, entry);
    }

    /**
     * Compare-and-set (a full fence).
     *
     * @return whether {@code entry} replaced {@code expected}.
     */
    static boolean casEntry(final long address, final long expected, final long entry)
    {
        return UnsafeApi.compareAndSetLong(null, address, expected, entry);
    }

    /**
     * Compare-and-exchange (a full fence).
     *
     * @return the entry found: {@code expected} when {@code entry} replaced it.
     */
    static long cmpxchgEntry(final long address, final long expected, final long entry)
    {
        return UnsafeApi.compareAndExchangeLong(null, address, expected, entry);
    }

    /**
     * GetAndSet (a full fence).
     *
     * @return the entry replaced.
     */
    static long xchgEntry(final long address, final long entry)
    {
        return UnsafeApi.getAndSetLong(null, address, entry);
    }
}
