/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import dev.iommu.core.BehaviourProfile;
import dev.iommu.core.VerifierRule;

/**
 * What a stress run did: operations, time, calls by kind, state-change callbacks and faults delivered, the members
 * of the three tables no thread called (none, in a run of a few thousand operations or more), the seed.
 */
public final class StressSummary
{
    private final int threads;
    private final long operations;
    private final long elapsedNs;
    private final long[] calls;
    private final long callbacks;
    private final long faults;
    private final List<String> uncalled;
    private final long seed;
    private final BehaviourProfile profile;
    private final long[] verifierReports;

    StressSummary(
        final int threads, final long operations, final long elapsedNs, final long[] calls, final long callbacks,
        final long faults, final List<String> uncalled, final long seed, final BehaviourProfile profile,
        final long[] verifierReports)
    {
        this.profile = profile;
        this.verifierReports = null == verifierReports ? null : verifierReports.clone();
        this.threads = threads;
        this.operations = operations;
        this.elapsedNs = elapsedNs;
        this.calls = calls.clone();
        this.callbacks = callbacks;
        this.faults = faults;
        this.uncalled = List.copyOf(uncalled);
        this.seed = seed;
    }

    /**
     * @return the operations all workers performed.
     */
    public long operations()
    {
        return operations;
    }

    /**
     * @param call a kind of call, by name (as {@code MAP_ALLOCATED}).
     * @return how many of that kind ran.
     */
    public long calls(final String call)
    {
        return calls[StressWorker.Call.valueOf(call).ordinal()];
    }

    /**
     * @return the state-change callbacks delivered during the run.
     */
    public long callbacks()
    {
        return callbacks;
    }

    /**
     * @return the faults delivered to the V1 fault handler during the run.
     */
    public long faults()
    {
        return faults;
    }

    /**
     * @return the members no thread called, as {@code "V1 FlushDomain"}: empty when every member of every table was.
     */
    public List<String> uncalled()
    {
        return uncalled;
    }

    /**
     * @return the behaviour profile the run checked.
     */
    public BehaviourProfile profile()
    {
        return profile;
    }

    /**
     * @return whether the DMA verifier ran.
     */
    public boolean verifier()
    {
        return null != verifierReports;
    }

    /**
     * @param rule a verifier rule.
     * @return how many times the verifier reported it (0 when it did not run).
     */
    public long verifierReports(final VerifierRule rule)
    {
        return null == verifierReports ? 0 : verifierReports[rule.ordinal()];
    }

    /**
     * Prints the summary.
     *
     * @param out where to.
     */
    public void print(final PrintStream out)
    {
        out.printf("stress: %d threads, %,d operations in %.1f s (%,.0f ops/s), seed %d, profile %s%n",
            threads, operations, elapsedNs / 1e9, operations / (elapsedNs / 1e9), seed,
            profile.name().toLowerCase(Locale.ROOT));
        final StressWorker.Call[] kinds = StressWorker.Call.values();
        for (int i = 0; i < kinds.length; i++)
        {
            out.printf("  %-16s %,14d%n", kinds[i].name().toLowerCase(Locale.ROOT), calls[i]);
        }
        out.printf("  %-16s %,14d%n", "callbacks", callbacks);
        out.printf("  %-16s %,14d%n", "faults", faults);
        if (null != verifierReports)
        {
            long total = 0;
            for (final long count : verifierReports)
            {
                total += count;
            }
            out.printf("verifier: %,d reports (counted, not failures; none of a rule this run never triggers)%n",
                total);
            for (final VerifierRule rule : VerifierRule.values())
            {
                if (verifierReports[rule.ordinal()] != 0)
                {
                    out.printf("  %-28s %,14d%n", rule.name().toLowerCase(Locale.ROOT),
                        verifierReports[rule.ordinal()]);
                }
            }
        }
        out.println(uncalled.isEmpty() ? "every member of the V1, V2 and V3 tables called" :
            "members not called: " + uncalled);
        out.println("invariants held; every status one its member may return; nothing leaked (table pages, " +
            "domains, devices, PASID sub-devices, tokens, registrations)");
    }
}
