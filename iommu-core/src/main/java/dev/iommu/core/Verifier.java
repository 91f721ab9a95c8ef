/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.function.Supplier;

import org.agrona.concurrent.status.AtomicCounter;

import dev.iommu.api.NtStatus;
import dev.iommu.callbacks.NotificationCounters;

/**
 * The DMA verifier's reporting end: members, engines and device DMA call it where a rule may be broken; it builds the
 * {@link VerifierReport}, counts it (one counter per rule, in the counters buffer {@code iommu stat} reads), hands it
 * to the listener and, when fatal, throws {@link VerifierException}. When the verifier is off, {@link #on} is false
 * and callers test it before they compute anything, so the off path costs one predictable branch on a final field.
 * <p>
 * For {@link VerifierRule#PROFILE_DEPENDENT_RESULT} a member asks the other profile's rule for its answer
 * ({@link #otherRules()}): the rules' check methods are side-effect free, so running the other set's check changes
 * nothing.
 */
final class Verifier
{
    /** The first counter type id of the per-rule counters (the rule's ordinal is added). */
    static final int FIRST_RULE_TYPE_ID = 2100;

    private static final Verifier OFF = new Verifier();

    /** Whether the verifier is on: callers test this before they gather anything for a report. */
    final boolean on;

    private final BehaviourProfile profile;
    private final RuleSet otherRules;
    private final VerifierListener listener;
    private final boolean fatal;
    private final AtomicCounter[] counters;

    private Verifier()
    {
        this.on = false;
        this.profile = BehaviourProfile.DOCUMENTED;
        this.otherRules = null;
        this.listener = null;
        this.fatal = false;
        this.counters = null;
    }

    Verifier(
        final BehaviourProfile profile,
        final VerifierListener listener,
        final boolean fatal,
        final NotificationCounters countersBuffer)
    {
        this.on = true;
        this.profile = profile;
        this.otherRules = RuleSet.of(profile == BehaviourProfile.DOCUMENTED ?
            BehaviourProfile.OBSERVED_WINDOWS : BehaviourProfile.DOCUMENTED);
        this.listener = listener;
        this.fatal = fatal;
        final VerifierRule[] rules = VerifierRule.values();
        this.counters = new AtomicCounter[rules.length];
        for (final VerifierRule rule : rules)
        {
            counters[rule.ordinal()] = countersBuffer.newCounter(
                "verifier " + rule.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                FIRST_RULE_TYPE_ID + rule.ordinal());
        }
    }

    /**
     * The verifier that is off: reports nothing.
     *
     * @return the shared instance.
     */
    static Verifier off()
    {
        return OFF;
    }

    /**
     * The rule set of the profile this emulator does not run, to ask it what it would have answered.
     */
    RuleSet otherRules()
    {
        return otherRules;
    }

    /**
     * Reports {@link VerifierRule#PROFILE_DEPENDENT_RESULT} when this profile's answer and the other's differ.
     *
     * @param member  the member's wdm.h name.
     * @param status  this emulator's answer.
     * @param other   the other profile's answer.
     * @param objects the objects involved, described only when the answers differ.
     * @param address the address concerned or {@link VerifierReport#NO_ADDRESS}.
     * @param length  the length concerned or {@link VerifierReport#NO_ADDRESS}.
     */
    void compare(final String member, final int status, final int other, final Supplier<String> objects,
        final long address, final long length)
    {
        if (status != other)
        {
            final boolean documented = profile == BehaviourProfile.DOCUMENTED;
            report(new VerifierReport(VerifierRule.PROFILE_DEPENDENT_RESULT, member, objects.get(), address, length,
                documented ? status : other, documented ? other : status, ""));
        }
    }

    /**
     * As {@link #compare(String, int, int, Supplier, long, long)} for one object of the interface (a domain, a DMA
     * device, a token, a PASID sub-device, or null), described only when the answers differ: the map and unmap
     * members use this form, which allocates nothing on the path where the profiles agree.
     */
    void compare(final String member, final int status, final int other, final Object subject, final long address,
        final long length)
    {
        if (status != other)
        {
            final boolean documented = profile == BehaviourProfile.DOCUMENTED;
            report(new VerifierReport(VerifierRule.PROFILE_DEPENDENT_RESULT, member, describe(subject), address,
                length, documented ? status : other, documented ? other : status, ""));
        }
    }

    /**
     * How reports name an object: {@code domain#3}, {@code device#7}, {@code domain#3 token@0x200000},
     * {@code device#7 pasid#1}; "" for null.
     */
    static String describe(final Object subject)
    {
        if (subject instanceof Domain)
        {
            return "domain#" + ((Domain)subject).id();
        }
        if (subject instanceof DmaDevice)
        {
            return "device#" + ((DmaDevice)subject).id();
        }
        if (subject instanceof LogicalAddressToken)
        {
            return ((LogicalAddressToken)subject).describe();
        }
        if (subject instanceof PasidDevice)
        {
            final PasidDevice device = (PasidDevice)subject;
            return "device#" + device.parent().id() + " pasid#" + device.pasid();
        }
        return null == subject ? "" : String.valueOf(subject);
    }

    /**
     * Reports a {@link VerifierRule#PROFILE_DEPENDENT_RESULT} the engine found (an outcome only the tables can tell,
     * such as a clash), with both answers given.
     */
    void divergence(final String member, final int documentedStatus, final int observedStatus,
        final String objects, final long address, final long length, final String detail)
    {
        report(new VerifierReport(VerifierRule.PROFILE_DEPENDENT_RESULT, member, objects, address, length,
            documentedStatus, observedStatus, detail));
    }

    /**
     * Reports a hazard (any rule but {@link VerifierRule#PROFILE_DEPENDENT_RESULT}).
     */
    void hazard(final VerifierRule rule, final String member, final String objects, final long address,
        final long length, final String detail)
    {
        report(new VerifierReport(rule, member, objects, address, length, NtStatus.STATUS_SUCCESS,
            NtStatus.STATUS_SUCCESS, detail));
    }

    /**
     * How many times a rule was reported.
     */
    long count(final VerifierRule rule)
    {
        return null == counters ? 0 : counters[rule.ordinal()].get();
    }

    private void report(final VerifierReport report)
    {
        counters[report.rule().ordinal()].increment();
        if (null != listener)
        {
            listener.onReport(report);
        }
        if (fatal)
        {
            throw new VerifierException(report);
        }
    }
}
