/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The stable ids of one kind of object (domains, devices or tokens): from 1, never given twice in an emulator, and,
 * for a persistent one, never given twice across its restarts either. A persistent emulator leases ids in blocks of
 * {@link #LEASE}: before an id beyond the current lease is handed out, the new lease's end is written to the context
 * table; a restarted emulator continues after the last lease written, so an id given before a crash (even one of an
 * object deleted since) is not given again. The lease write is one record per {@link #LEASE} objects.
 */
final class StableIds
{
    /** Ids leased per context-table write. */
    static final long LEASE = 1024;

    private final AtomicLong last = new AtomicLong();
    private final long kind;
    private final ContextRecords records;
    private volatile long leased;

    /**
     * @param kind    the key kind of the objects ({@link ContextRecordDescriptor}).
     * @param records where leases are written.
     */
    StableIds(final long kind, final ContextRecords records)
    {
        this.kind = kind;
        this.records = records;
    }

    /**
     * The next id.
     *
     * @return an id never given before.
     */
    long next()
    {
        final long id = last.incrementAndGet();
        if (id > leased)
        {
            lease(id);
        }
        return id;
    }

    private synchronized void lease(final long id)
    {
        long end = leased;
        while (id > end)
        {
            end += LEASE;
        }
        if (end != leased)
        {
            // Written before the id is handed out: a restart continues past it.
            records.idsLeased(kind, end);
            leased = end;
        }
    }

    /**
     * Continues after ids a reopened emulator found: its objects' ids and the last lease written.
     *
     * @param id an id given before the restart, or a lease's end.
     */
    void continueAfter(final long id)
    {
        last.accumulateAndGet(id, Math::max);
        synchronized (this)
        {
            leased = Math.max(leased, id);
        }
    }
}
