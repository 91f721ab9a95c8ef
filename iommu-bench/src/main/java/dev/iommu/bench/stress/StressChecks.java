/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.DmaTranslation;
import dev.iommu.core.IommuEmulator;

/**
 * The checks of one stress thread, shared by its operation groups ({@link StressWorker}, {@link StressV1Ops},
 * {@link StressV3Ops}): exact statuses, racing statuses, device-side translations, and a tally of every status each
 * member of each table returned, so that the run can check at the end that each one is a status the member may
 * return and that every member of every table was called. Also the thread's operation number, its counts by kind of
 * call, and its supply of fresh page frames. Not thread-safe: one per thread.
 */
final class StressChecks
{
    /** The tally index of the V1 table (and the legacy {@code DMA_IOMMU_INTERFACE}, the same 13 members). */
    static final int V1 = 0;
    /** The tally index of the V2 table. */
    static final int V2 = 1;
    /** The tally index of the V3 table. */
    static final int V3 = 2;
    /** The page size. */
    static final long PAGE = 4096;

    private static final String[] TABLES = {"V1", "V2", "V3"};

    private final long seed;
    private final int index;
    private final IommuEmulator emulator;
    private final StressProfile profile;
    private final long[] calls = new long[StressWorker.Call.values().length];
    private final Map<String, int[]> seen = new HashMap<>();
    private long operation;
    private long nextFrame;

    StressChecks(final long seed, final int index, final IommuEmulator emulator)
    {
        this(seed, index, emulator, DocumentedStressProfile.INSTANCE);
    }

    /**
     * @param profile what the profile under test answers; its {@link AllowedStatuses} layer checks every status.
     */
    StressChecks(final long seed, final int index, final IommuEmulator emulator, final StressProfile profile)
    {
        this.seed = seed;
        this.index = index;
        this.emulator = emulator;
        this.profile = profile;
        this.nextFrame = ((long)index + 1) << 28;
    }

    /**
     * What the profile under test answers.
     */
    StressProfile profile()
    {
        return profile;
    }

    static String tableName(final int table)
    {
        return TABLES[table];
    }

    long operation()
    {
        return operation;
    }

    void nextOperation()
    {
        operation++;
    }

    void count(final StressWorker.Call call)
    {
        calls[call.ordinal()]++;
    }

    long[] calls()
    {
        return calls;
    }

    /**
     * What this thread saw: member name to one tally mask per table ({@link #V1}, {@link #V2}, {@link #V3}).
     */
    Map<String, int[]> seen()
    {
        return seen;
    }

    /**
     * Fresh page frames, consecutive, never handed out before by this thread (each thread has its own range).
     */
    long[] frames(final int pages)
    {
        final long[] frames = new long[pages];
        for (int i = 0; i < pages; i++)
        {
            frames[i] = nextFrame++;
        }
        return frames;
    }

    /**
     * Checks a predicted status exactly (and tallies it).
     */
    void check(final int table, final String call, final int expected, final int actual, final String object,
        final long address)
    {
        record(table, call, actual, object, address);
        if (expected != actual)
        {
            fail(call, object, address, tableName(table) + ": expected " + NtStatus.name(expected) + ", got " +
                NtStatus.name(actual));
        }
    }

    /**
     * Checks the status of a call whose outcome races other threads: it must be one {@link AllowedStatuses#racing}
     * accepts.
     */
    void allowed(final int table, final String call, final int status, final String object)
    {
        record(table, call, status, object, -1);
        if (!AllowedStatuses.racing(profile.layer(), call, status))
        {
            fail(call, object, -1, tableName(table) + ": status " + NtStatus.name(status) +
                " is not one the member returns here");
        }
    }

    /**
     * Tallies a status, failing at once when the member may never return it.
     */
    void record(final int table, final String call, final int status, final String object, final long address)
    {
        seen.computeIfAbsent(call, k -> new int[TABLES.length])[table] |= AllowedStatuses.bit(status);
        if (!AllowedStatuses.allowed(profile.layer(), call, status))
        {
            fail(call, object, address, tableName(table) + ": " + NtStatus.name(status) +
                " is not a status this member may return (" + profile.layer().name().toLowerCase(Locale.ROOT) +
                " profile)");
        }
    }

    /**
     * Checks one device access against a model entry: -1 for "nothing mapped", else {@code (frame << 2) | perms}.
     */
    void expectEntry(final IommuDmaDevice device, final int pasid, final long iova, final int access, final long entry)
    {
        if (entry < 0)
        {
            expectTranslation(device, pasid, iova, access, -1, 0);
            return;
        }
        expectTranslation(device, pasid, iova, access, ((entry >>> 2) << 12) | (iova & (PAGE - 1)), (int)(entry & 3));
    }

    /**
     * Checks one device access: {@code expected} is the physical address, or -1 for a not-present fault;
     * {@code permissions} what the mapping grants (an access it does not grant is a permission fault).
     */
    void expectTranslation(final IommuDmaDevice device, final int pasid, final long iova, final int access,
        final long expected, final int permissions)
    {
        final long t = pasid == IommuEmulator.NO_PASID ? emulator.translate(device, iova, access) :
            emulator.translate(device, pasid, iova, access);
        final String object = pasid == IommuEmulator.NO_PASID ? "device" : "device, PASID " + pasid;
        if (expected < 0)
        {
            if (DmaTranslation.faultReason(t) != DmaTranslation.FAULT_NOT_PRESENT)
            {
                fail("translate", object, iova, "expected not present, got " + Long.toHexString(t));
            }
            return;
        }
        if ((permissions & access) != access)
        {
            if (DmaTranslation.faultReason(t) != DmaTranslation.FAULT_PERMISSION)
            {
                fail("translate", object, iova, "expected a permission fault (mapped " + permissions +
                    ", access " + access + "), got " + Long.toHexString(t));
            }
            return;
        }
        if (DmaTranslation.isFault(t) || DmaTranslation.outputAddress(t, iova) != expected)
        {
            fail("translate", object, iova, "expected 0x" + Long.toHexString(expected) + ", got " +
                (DmaTranslation.isFault(t) ? "fault " + DmaTranslation.faultReason(t) :
                "0x" + Long.toHexString(DmaTranslation.outputAddress(t, iova))));
        }
    }

    /**
     * Where the profile builds the tables of a window ahead ({@link StressProfile#buildsTablesAhead()}): a map with
     * permission 0 of pages 0 to {@code pages - 1} of a domain without allocator (tables, no leaves).
     */
    void buildTables(final int table, final DmaIommuInterfaceV2 iommu, final IommuDmaDomain domain, final long pages)
    {
        if (profile.buildsTablesAhead())
        {
            final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress().useContiguousRange(0, pages * PAGE);
            check(table, "MapLogicalRangeEx", NtStatus.STATUS_SUCCESS, iommu.mapLogicalRangeEx(domain, 0, physical,
                new LongRef(0), null, null, new LongRef()), "tables of the window", 0);
        }
    }

    void fail(final String call, final String object, final long address, final String detail)
    {
        throw new StressFailure(seed, index, operation, call, object, address, detail);
    }
}
