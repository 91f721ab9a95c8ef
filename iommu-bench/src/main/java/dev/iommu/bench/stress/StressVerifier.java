/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.iommu.core.VerifierListener;
import dev.iommu.core.VerifierReport;
import dev.iommu.core.VerifierRule;

/**
 * The DMA verifier's side of a stress run ({@code --verifier}): counts the reports per rule (the emulator also
 * counts them in the counters file {@code iommu stat} reads) and keeps the first report of each rule. A stress run
 * is a correct driver except for its deliberate bad input and racing calls, so most rules fire and are only counted;
 * a rule the run can never trigger ({@link #neverTriggered}) fails it.
 */
final class StressVerifier implements VerifierListener
{
    private static final VerifierRule[] RULES = VerifierRule.values();

    private final AtomicLongArray counts = new AtomicLongArray(RULES.length);
    private final AtomicReferenceArray<VerifierReport> first = new AtomicReferenceArray<>(RULES.length);

    @Override
    public void onReport(final VerifierReport report)
    {
        final int rule = report.rule().ordinal();
        counts.incrementAndGet(rule);
        first.compareAndSet(rule, null, report);
    }

    /**
     * The rules a stress run in a profile can never trigger: every LEAKED_* rule (the run gives back all it made
     * before the emulator closes), DMA_TO_UNFLUSHED_UNMAP (every domain the run maps in is library-owned, its IOTLB
     * invalidated strictly at each unmap), DELETE_DOMAIN_WITH_TOKENS (tokens are freed before their domain), and,
     * where DeleteDomain does not refuse attached devices, DELETE_DOMAIN_WITH_DEVICES (the run detaches first).
     *
     * @param profile the run's profile.
     * @return the rules.
     */
    static Set<VerifierRule> neverTriggered(final StressProfile profile)
    {
        final Set<VerifierRule> never = EnumSet.of(VerifierRule.LEAKED_DOMAIN, VerifierRule.LEAKED_DEVICE,
            VerifierRule.LEAKED_TOKEN, VerifierRule.LEAKED_REGISTRATION, VerifierRule.LEAKED_PASID_DEVICE,
            VerifierRule.LEAKED_MAPPING, VerifierRule.DMA_TO_UNFLUSHED_UNMAP, VerifierRule.DELETE_DOMAIN_WITH_TOKENS);
        if (!profile.deleteDomainRefusesAttachedDevices())
        {
            never.add(VerifierRule.DELETE_DOMAIN_WITH_DEVICES);
        }
        return never;
    }

    /**
     * The reports of each rule so far.
     *
     * @return the counts, indexed by rule ordinal.
     */
    long[] counts()
    {
        final long[] copy = new long[RULES.length];
        for (int i = 0; i < copy.length; i++)
        {
            copy[i] = counts.get(i);
        }
        return copy;
    }

    /**
     * The first report of a rule the run can never trigger, or null.
     *
     * @param profile the run's profile.
     * @return the report.
     */
    VerifierReport firstForbidden(final StressProfile profile)
    {
        for (final VerifierRule rule : neverTriggered(profile))
        {
            final VerifierReport report = first.get(rule.ordinal());
            if (null != report)
            {
                return report;
            }
        }
        return null;
    }
}
