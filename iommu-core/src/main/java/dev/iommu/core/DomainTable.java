/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.iommu.api.IommuDmaDomain;

/**
 * The domains of one emulator: how many are alive against the platform's limit, the handle check every call
 * makes (spec 5.2 item 10: a null, foreign or deleted domain is detected), and the retirement of deleted domains.
 * It holds no status rules: {@link DomainMembers} checks, this table records.
 */
final class DomainTable
{
    private final BoundedCounter live;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, Domain> byId = new ConcurrentHashMap<>();

    DomainTable(final int maxDomains)
    {
        this(maxDomains, new FailureInjection());
    }

    DomainTable(final int maxDomains, final FailureInjection injection)
    {
        this.live = new BoundedCounter(maxDomains, injection, FailureInjection.AllocationKind.DOMAIN_SLOT);
    }

    /**
     * The live domain behind a handle.
     *
     * @param handle any handle, or null.
     * @return the domain, or null when the handle is null, of another emulator, or deleted.
     */
    Domain resolve(final IommuDmaDomain handle)
    {
        if (handle instanceof Domain)
        {
            final Domain domain = (Domain)handle;
            if (domain.owner() == this && domain.isAlive())
            {
                return domain;
            }
        }
        return null;
    }

    /**
     * Takes one domain from the limit.
     *
     * @return true when below the limit; false means STATUS_INSUFFICIENT_RESOURCES.
     */
    boolean acquire()
    {
        return live.tryAcquire();
    }

    /**
     * Whether the platform's domain limit is reached (a racy read for the observed profile's first CreateDomainEx
     * row; {@link #acquire()} stays the authority).
     *
     * @return true when no domain can be created now.
     */
    boolean exhausted()
    {
        return live.get() >= live.limit();
    }

    /**
     * Gives one domain back to the limit (a creation that failed after {@link #acquire()}, or a deletion).
     */
    void release()
    {
        live.release();
    }

    /**
     * A number for a new domain.
     *
     * @return the next id, from 1.
     */
    long nextId()
    {
        return ids.incrementAndGet();
    }

    /**
     * Makes a created domain findable by its id.
     *
     * @param domain the domain.
     */
    void publish(final Domain domain)
    {
        byId.put(domain.id(), domain);
    }

    /**
     * The live domain with an id.
     *
     * @param id the id.
     * @return the domain, or null.
     */
    Domain byId(final long id)
    {
        final Domain domain = byId.get(id);
        return null != domain && domain.isAlive() ? domain : null;
    }

    /**
     * Forgets a domain its member has killed and frees what it holds (tables once no map or unmap is inside them,
     * allocator, ASID).
     *
     * @param domain a killed domain.
     */
    void retire(final Domain domain)
    {
        byId.remove(domain.id(), domain);
        domain.release();
        release();
    }

    /**
     * Visits every live domain (lifecycle rate: for counters and introspection).
     *
     * @param visitor receives each domain.
     */
    void forEachLive(final Consumer<Domain> visitor)
    {
        for (final Domain domain : byId.values())
        {
            if (domain.isAlive())
            {
                visitor.accept(domain);
            }
        }
    }

    /**
     * How many domains are alive.
     *
     * @return the count.
     */
    int liveCount()
    {
        return live.get();
    }
}
