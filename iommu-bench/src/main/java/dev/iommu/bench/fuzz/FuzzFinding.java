/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

/**
 * What the fuzz oracle found: an exception that escaped a member, a status the member does not document, a refused
 * call that changed something, or a broken invariant. Jazzer reports it (and writes the input that caused it).
 */
public final class FuzzFinding extends AssertionError
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, with the member and the call's arguments.
     * @param cause   the exception that escaped, or null.
     */
    FuzzFinding(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
