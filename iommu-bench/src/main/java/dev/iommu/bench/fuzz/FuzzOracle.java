/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;

import dev.iommu.api.NtStatus;
import dev.iommu.bench.stress.AllowedStatuses;
import dev.iommu.core.EmulatorSnapshot;

/**
 * The oracle of one fuzzed call: (a) no exception escapes (the api documents none for the members); (b) the status
 * is one the member documents (the documented layer of the stress run's {@link AllowedStatuses}: the spec's section
 * 2 tables and docs/spec-choices.md); (c) a refused call changed nothing: the emulator's {@link EmulatorSnapshot}
 * before equals the one after, and the watched device-side translations are the same (a query, a flush or a
 * fault-reporting call changes neither even when it succeeds); (d) the snapshot's invariants hold
 * ({@link #invariants}).
 */
final class FuzzOracle
{
    /** Members that change nothing a snapshot or a translation shows, whatever their status. */
    private static final Set<String> READ_ONLY = new HashSet<>(Arrays.asList(
        "FlushDomain", "FlushDomainByVaList", "QueryInputMappings", "QueryAvailableDomainTypes", "QueryDeviceInfo",
        "SetDeviceFaultReporting", "SetDeviceFaultReportingEx", "ConfigureDomain"));

    private final FuzzWorld world;
    private long calls;
    /** The snapshot and translations after the last call: nothing runs between two calls but the oracle. */
    private EmulatorSnapshot last;
    private long[] lastTranslations;

    /**
     * @param world the world whose emulator is called.
     */
    FuzzOracle(final FuzzWorld world)
    {
        this.world = world;
    }

    /**
     * @return the calls checked so far.
     */
    long calls()
    {
        return calls;
    }

    /**
     * Makes one call and checks it.
     *
     * @param member    the member's spec name.
     * @param call      the call; returns its status.
     * @param args      the call's arguments, for a finding's message.
     * @return the status.
     * @throws FuzzFinding when a check fails.
     */
    int check(final String member, final IntSupplier call, final Object... args)
    {
        final ArgumentList arguments = new ArgumentList(args);
        final EmulatorSnapshot before = null != last ? last : world.snapshot();
        final long[] translations = null != lastTranslations ? lastTranslations : world.translations();
        last = null;
        lastTranslations = null;
        final int status;
        try
        {
            status = call.getAsInt();
        }
        catch (final Throwable ex)
        {
            throw new FuzzFinding(member + arguments + " threw " + ex, ex);
        }
        calls++;
        if (!AllowedStatuses.documented(member, status))
        {
            throw new FuzzFinding(member + arguments + " returned " + NtStatus.name(status) +
                ", which it does not document (documented: " +
                AllowedStatuses.names(AllowedStatuses.documentedMask(member)) + ")", null);
        }
        final EmulatorSnapshot after = world.snapshot();
        final long[] now = world.translations();
        if (status != NtStatus.STATUS_SUCCESS || READ_ONLY.contains(member))
        {
            final String difference = difference(before, after);
            if (!difference.isEmpty())
            {
                throw new FuzzFinding(member + arguments + " returned " + NtStatus.name(status) +
                    " but changed the emulator:\n" + difference, null);
            }
            if (!Arrays.equals(translations, now))
            {
                throw new FuzzFinding(member + arguments + " returned " + NtStatus.name(status) +
                    " but changed a watched translation: " + Arrays.toString(translations) + " -> " +
                    Arrays.toString(now), null);
            }
        }
        final String broken = invariants(after, world.emulator().tablePageCapacity());
        if (null != broken)
        {
            throw new FuzzFinding("after " + member + arguments + " (" + NtStatus.name(status) + "): " + broken +
                "\n" + after, null);
        }
        world.deliver();
        last = after;
        lastTranslations = now;
        return status;
    }

    /**
     * What changed between two snapshots, naming only the domains and devices that differ (the snapshot's own
     * {@link EmulatorSnapshot#difference} prints whole lists).
     *
     * @param before the earlier snapshot.
     * @param after  the later one.
     * @return an empty string when equal, else one line per part that differs.
     */
    static String difference(final EmulatorSnapshot before, final EmulatorSnapshot after)
    {
        if (before.equals(after))
        {
            return "";
        }
        final StringBuilder out = new StringBuilder();
        for (final String line : before.difference(after).split("\n"))
        {
            if (!line.startsWith("domains:") && !line.startsWith("devices:"))
            {
                out.append(line).append('\n');
            }
        }
        changed(out, "domain", byId(before.domains(), EmulatorSnapshot.DomainState::id),
            byId(after.domains(), EmulatorSnapshot.DomainState::id));
        changed(out, "device", byId(before.devices(), EmulatorSnapshot.DeviceState::id),
            byId(after.devices(), EmulatorSnapshot.DeviceState::id));
        return out.toString();
    }

    private static <T> Map<Long, T> byId(final List<T> states, final ToLongFunction<T> id)
    {
        final Map<Long, T> map = new TreeMap<>();
        for (final T state : states)
        {
            map.put(id.applyAsLong(state), state);
        }
        return map;
    }

    private static <T> void changed(final StringBuilder out, final String kind, final Map<Long, T> was,
        final Map<Long, T> now)
    {
        final Set<Long> ids = new TreeSet<>(was.keySet());
        ids.addAll(now.keySet());
        for (final Long id : ids)
        {
            final T a = was.get(id);
            final T b = now.get(id);
            if (null == a ? null != b : !a.equals(b))
            {
                out.append(kind).append(' ').append(id).append(": ").append(a).append(" -> ").append(b).append('\n');
            }
        }
    }

    /**
     * The invariants of a snapshot taken with no call in flight: the live counts match the listed objects; table
     * pages in use are at least the sum of the live domains' tables and at most the capacity; every domain's counts
     * are non-negative and its allocator's free bytes within the largest address space; every attached device names a
     * live domain that counts it; the devices' PASID sub-devices add up to the live count.
     *
     * @param snapshot the snapshot.
     * @param capacity the emulator's table-page capacity.
     * @return null when all hold, else what broke.
     */
    static String invariants(final EmulatorSnapshot snapshot, final int capacity)
    {
        if (snapshot.liveDomains() != snapshot.domains().size())
        {
            return "live domains " + snapshot.liveDomains() + " but " + snapshot.domains().size() + " listed";
        }
        if (snapshot.liveDevices() != snapshot.devices().size())
        {
            return "live devices " + snapshot.liveDevices() + " but " + snapshot.devices().size() + " listed";
        }
        if (snapshot.tablePagesInUse() > capacity)
        {
            return "table pages in use " + snapshot.tablePagesInUse() + " above the capacity " + capacity;
        }
        long tables = 0;
        final Map<Long, EmulatorSnapshot.DomainState> byId = new HashMap<>();
        for (final EmulatorSnapshot.DomainState domain : snapshot.domains())
        {
            tables += domain.tablePages();
            byId.put(domain.id(), domain);
            if (domain.attachedDevices() < 0 || domain.outstandingTokens() < 0 || domain.protectedRanges() < 0 ||
                domain.mappedPages() < 0 || domain.tablePages() < 0)
            {
                return "negative count in " + domain;
            }
            if (domain.iovaFreeBytes() < -1 || domain.iovaFreeBytes() > 1L << 57)
            {
                return "allocator free bytes outside the address space in " + domain;
            }
            if (domain.outstandingTokens() > domain.protectedRanges())
            {
                return "more tokens than protected ranges in " + domain;
            }
        }
        if (snapshot.tablePagesInUse() < tables)
        {
            return "table pages in use " + snapshot.tablePagesInUse() + " below the live tables' " + tables;
        }
        int pasids = 0;
        final Map<Long, Integer> attached = new HashMap<>();
        for (final EmulatorSnapshot.DeviceState device : snapshot.devices())
        {
            pasids += device.pasidDevices();
            if (device.domainId() != 0)
            {
                if (!byId.containsKey(device.domainId()))
                {
                    return "device attached to a domain that is not live: " + device;
                }
                attached.merge(device.domainId(), 1, Integer::sum);
            }
        }
        for (final Map.Entry<Long, Integer> e : attached.entrySet())
        {
            if (byId.get(e.getKey()).attachedDevices() < e.getValue())
            {
                return e.getValue() + " devices name " + byId.get(e.getKey()) + " as their domain";
            }
        }
        if (pasids != snapshot.livePasidDevices())
        {
            return "live PASID devices " + snapshot.livePasidDevices() + " but the devices hold " + pasids;
        }
        return null;
    }

    /**
     * The arguments of a call, printed only for a finding.
     */
    private static final class ArgumentList
    {
        private final Object[] args;

        ArgumentList(final Object[] args)
        {
            this.args = args;
        }

        @Override
        public String toString()
        {
            final StringBuilder out = new StringBuilder("(");
            for (int i = 0; i < args.length; i++)
            {
                out.append(i == 0 ? "" : ", ").append(describe(args[i]));
            }
            return out.append(')').toString();
        }

        private static String describe(final Object arg)
        {
            if (arg instanceof long[])
            {
                return Arrays.toString((long[])arg);
            }
            if (arg instanceof Object[])
            {
                return Arrays.deepToString((Object[])arg);
            }
            return String.valueOf(arg);
        }
    }
}
