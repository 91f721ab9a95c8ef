/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * Receives the DMA verifier's reports, on the thread that made the call (or ran the DMA) that broke the rule, after
 * the call's effects are in place. A listener must not call back into the interface.
 */
@FunctionalInterface
public interface VerifierListener
{
    /**
     * One rule broken once.
     *
     * @param report what happened.
     */
    void onReport(VerifierReport report);
}
