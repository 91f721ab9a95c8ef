/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

/**
 * What a {@link NotificationPublisher} call did with an event. Positive: the event will be delivered (or counted
 * as unhandled); negative: it will not.
 */
public final class PublishResult
{
    /** The event was written to the ring as its own record. */
    public static final int PUBLISHED = 1;

    /**
     * The ring was full; the fault was held in the fault recorder, alone or added to the count of an identical
     * fault (same device and page) already held there. It will be delivered as one record with a count.
     */
    public static final int COALESCED = 2;

    /** The ring (and, for a fault, its recorder slot) was full: the event was counted as dropped. */
    public static final int DROPPED = -1;

    /** The notifications were closed: the event was ignored and not counted. */
    public static final int CLOSED = -2;

    /** An argument was out of range: the event was ignored and not counted. */
    public static final int INVALID_ARGUMENT = -3;

    private PublishResult()
    {
    }

    /**
     * The name of a result, for logs and test messages.
     *
     * @param result a result of this class.
     * @return its name, or "UNKNOWN(n)".
     */
    public static String name(final int result)
    {
        switch (result)
        {
            case PUBLISHED:
                return "PUBLISHED";
            case COALESCED:
                return "COALESCED";
            case DROPPED:
                return "DROPPED";
            case CLOSED:
                return "CLOSED";
            case INVALID_ARGUMENT:
                return "INVALID_ARGUMENT";
            default:
                return "UNKNOWN(" + result + ")";
        }
    }
}
