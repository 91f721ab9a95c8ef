/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * A failing NTSTATUS as a checked exception, for callers who prefer exceptions to status codes
 * (see {@link NtStatus#check(int)}). The library itself never throws it from an interface method.
 */
public final class NtStatusException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * An exception carrying a failing status.
     *
     * @param status the NTSTATUS value.
     */
    public NtStatusException(final int status)
    {
        super(NtStatus.name(status) + " (" + NtStatus.hex(status) + ")");
        this.status = status;
    }

    /**
     * The NTSTATUS value carried.
     *
     * @return the status code.
     */
    public int status()
    {
        return status;
    }
}
