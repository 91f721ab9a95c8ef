/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.NtStatus;

/**
 * One report of the DMA verifier: which rule, which member (or "device DMA", "close"), the objects involved, the
 * address range, for {@link VerifierRule#PROFILE_DEPENDENT_RESULT} the answer of each profile, and the thread of the
 * caller. Immutable.
 */
public final class VerifierReport
{
    /** The address or length when the report has none. */
    public static final long NO_ADDRESS = -1;

    private final VerifierRule rule;
    private final String member;
    private final String objects;
    private final long address;
    private final long length;
    private final int documentedStatus;
    private final int observedStatus;
    private final String detail;
    private final String threadName;
    private final long threadId;

    VerifierReport(
        final VerifierRule rule,
        final String member,
        final String objects,
        final long address,
        final long length,
        final int documentedStatus,
        final int observedStatus,
        final String detail)
    {
        this.rule = rule;
        this.member = member;
        this.objects = objects;
        this.address = address;
        this.length = length;
        this.documentedStatus = documentedStatus;
        this.observedStatus = observedStatus;
        this.detail = detail;
        final Thread thread = Thread.currentThread();
        this.threadName = thread.getName();
        this.threadId = thread.getId();
    }

    /**
     * The rule broken.
     *
     * @return the rule.
     */
    public VerifierRule rule()
    {
        return rule;
    }

    /**
     * The member called (its wdm.h name, for example "MapLogicalRangeEx"), "DeviceDma" or "Close".
     *
     * @return the member's name.
     */
    public String member()
    {
        return member;
    }

    /**
     * The objects involved, as "domain#3 device#7 token#2" (the ids the emulator gave them).
     *
     * @return a description of the objects.
     */
    public String objects()
    {
        return objects;
    }

    /**
     * The first address of the range concerned, or {@link #NO_ADDRESS}.
     *
     * @return the address.
     */
    public long address()
    {
        return address;
    }

    /**
     * The length in bytes of the range concerned, or {@link #NO_ADDRESS}.
     *
     * @return the length.
     */
    public long length()
    {
        return length;
    }

    /**
     * The documented profile's answer for {@link VerifierRule#PROFILE_DEPENDENT_RESULT}, else 0.
     *
     * @return an NTSTATUS.
     */
    public int documentedStatus()
    {
        return documentedStatus;
    }

    /**
     * The observed-Windows profile's answer for {@link VerifierRule#PROFILE_DEPENDENT_RESULT}, else 0.
     *
     * @return an NTSTATUS.
     */
    public int observedStatus()
    {
        return observedStatus;
    }

    /**
     * What happened, in words.
     *
     * @return the detail.
     */
    public String detail()
    {
        return detail;
    }

    /**
     * The name of the thread that made the call.
     *
     * @return the thread's name.
     */
    public String threadName()
    {
        return threadName;
    }

    /**
     * The id of the thread that made the call.
     *
     * @return the thread's id.
     */
    public long threadId()
    {
        return threadId;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder(128).append(rule).append(" in ").append(member);
        if (!objects.isEmpty())
        {
            text.append(" [").append(objects).append(']');
        }
        if (address != NO_ADDRESS)
        {
            text.append(" at 0x").append(Long.toHexString(address));
            if (length != NO_ADDRESS)
            {
                text.append(" +0x").append(Long.toHexString(length));
            }
        }
        if (rule == VerifierRule.PROFILE_DEPENDENT_RESULT)
        {
            text.append(": documented ").append(NtStatus.name(documentedStatus))
                .append(", observed Windows ").append(NtStatus.name(observedStatus));
        }
        if (!detail.isEmpty())
        {
            text.append(": ").append(detail);
        }
        return text.append(" (thread ").append(threadName).append(')').toString();
    }
}
