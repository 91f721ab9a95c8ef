/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.ConcurrentHashMap;
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
    private final StableIds ids;
    private final ConcurrentHashMap<Long, Domain> byId = new ConcurrentHashMap<>();
    private final StableIds tokenIds;
    private final ConcurrentHashMap<Long, LogicalAddressToken> tokensById = new ConcurrentHashMap<>();
    private final ContextRecords records;

    DomainTable(final int maxDomains)
    {
        this(maxDomains, new FailureInjection(), ContextRecords.NONE);
    }

    DomainTable(final int maxDomains, final FailureInjection injection, final ContextRecords records)
    {
        this.records = records;
        this.ids = new StableIds(ContextRecordDescriptor.DOMAIN, records);
        this.tokenIds = new StableIds(ContextRecordDescriptor.TOKEN, records);
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
        return ids.next();
    }

    /**
     * Where the emulator writes its context records (for domains, their tokens and the members that change them).
     *
     * @return the records ({@link ContextRecords#NONE} without a persistent directory).
     */
    ContextRecords records()
    {
        return records;
    }

    /**
     * A number for a new logical address token.
     *
     * @return the next token id, from 1.
     */
    long nextTokenId()
    {
        return tokenIds.next();
    }

    /**
     * Makes a token findable by its stable id and writes its record (a reservation that succeeded, or a restored
     * one).
     *
     * @param token  the token.
     * @param record whether to write its record (false when restoring it from its record).
     */
    void tokenReserved(final LogicalAddressToken token, final boolean record)
    {
        tokensById.put(token.id(), token);
        if (record)
        {
            records.tokenReserved(token);
        }
        else
        {
            tokenIds.continueAfter(token.id());
        }
    }

    /**
     * Makes later token ids larger than the last lease a reopened emulator wrote.
     *
     * @param id the lease's end.
     */
    void advanceTokenIdsTo(final long id)
    {
        tokenIds.continueAfter(id);
    }

    /**
     * Forgets a freed token and its record.
     *
     * @param token the token.
     */
    void tokenFreed(final LogicalAddressToken token)
    {
        tokensById.remove(token.id(), token);
        records.tokenFreed(token);
    }

    /**
     * The live token with a stable id.
     *
     * @param id the id.
     * @return the token, or null.
     */
    LogicalAddressToken tokenById(final long id)
    {
        final LogicalAddressToken token = tokensById.get(id);
        return null != token && token.state() == LogicalAddressToken.LIVE ? token : null;
    }

    /**
     * Makes later ids larger than one a reopened emulator restored, or than the last lease it wrote (a stable id is
     * never given twice).
     *
     * @param id a restored domain's id, or a lease's end.
     */
    void advanceIdsTo(final long id)
    {
        ids.continueAfter(id);
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
        // Tokens the domain still had (the observed profile deletes a domain with tokens outstanding) go with it: the
        // id lookup must not keep them, or their domain, reachable.
        if (domain.outstandingTokens() > 0)
        {
            tokensById.values().removeIf((final LogicalAddressToken token) -> token.domain() == domain);
        }
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
