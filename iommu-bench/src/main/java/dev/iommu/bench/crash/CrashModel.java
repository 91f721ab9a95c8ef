/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.crash;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the child's acknowledged calls left, replayed from the {@link CrashLog}: per domain its mappings, per token
 * its segments, per device its domain; and, per worker, the one call that was in flight when the child was killed
 * (it may be wholly applied or wholly absent, nothing between).
 */
final class CrashModel
{
    /** A domain the child created and had not deleted. */
    static final class DomainModel
    {
        final long id;
        final boolean allocator;
        /** address to {pages, first frame}. */
        final Map<Long, long[]> maps = new TreeMap<>();

        DomainModel(final long id, final boolean allocator)
        {
            this.id = id;
            this.allocator = allocator;
        }
    }

    /** A token the child reserved and had not freed. */
    static final class TokenModel
    {
        final long id;
        final long domainId;
        /** offset to {pages, first frame}. */
        final Map<Long, long[]> segments = new TreeMap<>();

        TokenModel(final long id, final long domainId)
        {
            this.id = id;
            this.domainId = domainId;
        }
    }

    /** A call in flight at the kill: the log's record fields. */
    record Pending(int thread, int op, long id, long address, long pages, long frame, long other)
    {
    }

    final Map<Long, DomainModel> domains = new HashMap<>();
    final Map<Long, TokenModel> tokens = new HashMap<>();
    /** device id to the id of its domain (0: detached). */
    final Map<Long, Long> devices = new HashMap<>();
    final List<Pending> pending = new ArrayList<>();
    long calls;

    /**
     * Replays every thread's part of a log.
     *
     * @param log     the log.
     * @param threads the child's worker threads.
     * @return the model.
     * @throws IllegalStateException when the child recorded a refused call.
     */
    static CrashModel replay(final CrashLog log, final int threads)
    {
        final CrashModel model = new CrashModel();
        for (int t = 0; t < threads; t++)
        {
            final int count = log.count(t);
            model.calls += count;
            for (int i = 0; i < count; i++)
            {
                final int phase = log.phase(t, i);
                if (phase == CrashLog.REFUSED)
                {
                    throw new IllegalStateException("the child's call " + i + " of thread " + t + " (op " +
                        log.op(t, i) + ") was refused with status 0x" + Long.toHexString(log.result(t, i)));
                }
                if (phase == CrashLog.INTENT)
                {
                    if (i != count - 1)
                    {
                        throw new IllegalStateException(
                            "thread " + t + " has call " + i + " unfinished before its last");
                    }
                    model.pending.add(new Pending(t, log.op(t, i), log.id(t, i), log.address(t, i), log.pages(t, i),
                        log.frame(t, i), log.other(t, i)));
                    continue;
                }
                model.apply(log, t, i);
            }
        }
        return model;
    }

    private void apply(final CrashLog log, final int t, final int i)
    {
        final long id = log.id(t, i);
        final long address = log.address(t, i);
        final long result = log.result(t, i);
        switch (log.op(t, i))
        {
            case CrashChild.CREATE_DOMAIN:
                domains.put(result, new DomainModel(result, address == 1));
                break;
            case CrashChild.DELETE_DOMAIN:
                domains.remove(id);
                break;
            case CrashChild.CREATE_DEVICE:
                devices.put(result, 0L);
                break;
            case CrashChild.MAP_ALLOCATED:
                domains.get(id).maps.put(result, new long[] {log.pages(t, i), log.frame(t, i)});
                break;
            case CrashChild.MAP_EXPLICIT:
                domains.get(id).maps.put(address, new long[] {log.pages(t, i), log.frame(t, i)});
                break;
            case CrashChild.UNMAP_ALLOCATED:
            case CrashChild.UNMAP_EXPLICIT:
                domains.get(id).maps.remove(address);
                break;
            case CrashChild.RESERVE:
                tokens.put(result, new TokenModel(result, id));
                break;
            case CrashChild.MAP_SEGMENT:
                tokens.get(id).segments.put(address, new long[] {log.pages(t, i), log.frame(t, i)});
                break;
            case CrashChild.UNMAP_SEGMENT:
                tokens.get(id).segments.remove(address);
                break;
            case CrashChild.FREE_TOKEN:
                tokens.remove(id);
                break;
            case CrashChild.ATTACH:
                devices.put(id, log.other(t, i));
                break;
            case CrashChild.DETACH:
                devices.put(id, 0L);
                break;
            default:
                throw new IllegalStateException("unknown op " + log.op(t, i) + " in call " + i + " of thread " + t);
        }
    }

    /**
     * The call in flight on a domain, or null.
     *
     * @param domainId the domain.
     * @param ops      the ops that count.
     * @return the pending call.
     */
    Pending pendingOn(final long domainId, final int... ops)
    {
        for (final Pending p : pending)
        {
            for (final int op : ops)
            {
                if (p.op() == op && p.id() == domainId)
                {
                    return p;
                }
            }
        }
        return null;
    }

    /**
     * How many calls in flight are of one op.
     *
     * @param op the op.
     * @return the count.
     */
    int countPending(final int op)
    {
        int n = 0;
        for (final Pending p : pending)
        {
            n += p.op() == op ? 1 : 0;
        }
        return n;
    }

    /**
     * Whether any call in flight is of one of these ops.
     *
     * @param ops the ops.
     * @return the first such call, or null.
     */
    Pending pendingOf(final int... ops)
    {
        for (final Pending p : pending)
        {
            for (final int op : ops)
            {
                if (p.op() == op)
                {
                    return p;
                }
            }
        }
        return null;
    }
}
