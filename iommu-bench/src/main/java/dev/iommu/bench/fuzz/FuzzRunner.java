/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

import dev.iommu.core.platform.Architecture;

/**
 * Runs fuzz inputs against one long-lived {@link FuzzWorld}: each input makes up to {@link #CALLS_PER_INPUT} calls of
 * the target (or, for {@link FuzzTargets#ALL}, of members the input chooses), each checked by the {@link FuzzOracle};
 * the world (x64 and ARM64 in turn) is rebuilt every {@link FuzzWorld#RESET_INPUTS} inputs, when it drifted, and
 * after a finding. Counts the calls made and the findings over all worlds (Jazzer runs a finding's input once more to
 * write its reproducer, so one finding counts twice there). Not thread-safe: one runner per fuzzing thread.
 */
public final class FuzzRunner implements AutoCloseable
{
    /** The most calls one input makes. */
    public static final int CALLS_PER_INPUT = 8;

    private FuzzWorld world;
    private FuzzOracle oracle;
    private long callsBefore;
    private long inputs;
    private long findings;
    private long firstInputNanos;
    private long worlds;

    /**
     * Builds the first world.
     */
    public FuzzRunner()
    {
        rebuild();
    }

    private void rebuild()
    {
        if (null != world)
        {
            callsBefore += oracle.calls();
            world.close();
        }
        // x64 and ARM64 worlds take turns (ARM64 has the caller-owned domains and the ACPI input mappings).
        world = new FuzzWorld(worlds++ % 2 == 0 ? Architecture.X64 : Architecture.ARM64);
        oracle = new FuzzOracle(world);
    }

    /**
     * Runs one input.
     *
     * @param target a name of {@link FuzzTargets#names()} or {@link FuzzTargets#ALL}.
     * @param data   the fuzzer's bytes.
     * @throws FuzzFinding when the oracle finds a violation.
     * @throws IllegalArgumentException for an unknown target.
     */
    public void run(final String target, final FuzzedDataProvider data)
    {
        final MemberTarget fixed = FuzzTargets.ALL.equals(target) ? null : FuzzTargets.target(target);
        final List<MemberTarget> all = FuzzTargets.inOrder();
        final HostileArgs args = new HostileArgs(data, world);
        if (inputs++ == 0)
        {
            firstInputNanos = System.nanoTime();
        }
        boolean clean = false;
        try
        {
            for (int i = 0; i < CALLS_PER_INPUT && args.hasMore(); i++)
            {
                final MemberTarget member = null != fixed ? fixed : all.get(args.choose(all.size()));
                member.call(args, oracle, world);
            }
            clean = true;
        }
        catch (final FuzzFinding finding)
        {
            findings++;
            throw finding;
        }
        finally
        {
            if (!clean || world.inputDone())
            {
                rebuild();
            }
        }
    }

    /**
     * @return the calls made so far, over all worlds.
     */
    public long calls()
    {
        return callsBefore + oracle.calls();
    }

    /**
     * @return the inputs run so far.
     */
    public long inputs()
    {
        return inputs;
    }

    /**
     * @return the nanoseconds since the first input (0 before it).
     */
    public long fuzzingNanos()
    {
        return inputs == 0 ? 0 : System.nanoTime() - firstInputNanos;
    }

    /**
     * @return the findings so far.
     */
    public long findings()
    {
        return findings;
    }

    @Override
    public void close()
    {
        world.close();
    }
}
