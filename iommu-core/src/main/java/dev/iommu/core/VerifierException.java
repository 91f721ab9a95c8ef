/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * Thrown by the call that broke a verifier rule when the verifier is fatal
 * ({@link EmulatorContext#verifierFatal(boolean)}), like a bug check: the test stops at the first report. The call's
 * effects are in place when it is thrown.
 */
public final class VerifierException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The report that stopped the call. */
    private final transient VerifierReport report;

    VerifierException(final VerifierReport report)
    {
        super(report.toString());
        this.report = report;
    }

    /**
     * The report that stopped the call.
     *
     * @return the report.
     */
    public VerifierReport report()
    {
        return report;
    }
}
