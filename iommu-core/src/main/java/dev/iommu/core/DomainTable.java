/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.NtStatus;

/**
 * The domains of one emulator: how many are alive against the platform's limit, the handle check every call
 * makes (spec 5.2 item 10: a null, foreign or deleted domain is detected), and deletion (spec 2.3, 5.3
 * item 14).
 */
final class DomainTable
{
    private final BoundedCounter live;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, Domain> byId = new ConcurrentHashMap<>();

    DomainTable(final int maxDomains)
    {
        this.live = new BoundedCounter(maxDomains);
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
     * A new domain that holds no page tables (Unmanaged, TranslateS1; and pass-through domains in tests).
     *
     * @param type the type.
     * @return the domain; the caller has acquired its place and publishes it with {@link #publish(Domain)}.
     */
    Domain newBareDomain(final IommuDmaDomainType type)
    {
        return new Domain(this, type, nextId());
    }

    /**
     * A new pass-through domain that holds nothing (devices see physical addresses).
     *
     * @return the domain.
     */
    Domain newPassThrough()
    {
        return newBareDomain(IommuDmaDomainType.PASS_THROUGH);
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
     * {@code DeleteDomain} (spec 2.3): refused while devices are attached or tokens are outstanding (spec 5.3
     * item 14: STATUS_RESOURCE_IN_USE); mappings are dropped with the tables.
     *
     * @param handle the domain.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER (not a live domain) or STATUS_RESOURCE_IN_USE.
     */
    int delete(final IommuDmaDomain handle)
    {
        final Domain domain = resolve(handle);
        if (null == domain)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        final int status = domain.kill();
        if (status != NtStatus.STATUS_SUCCESS)
        {
            return status;
        }
        byId.remove(domain.id(), domain);
        domain.release();
        release();
        return NtStatus.STATUS_SUCCESS;
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
