/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.iommu.core.VerifierReport;

/**
 * What one run of the {@link EmbeddingExample} measured and whether every check passed; filled in by the run.
 */
final class ExampleResult
{
    int queues;
    int ringSize;
    long elapsedNs;
    long packetsSent;
    long packetsDelivered;
    long packetsResent;
    long bytesDelivered;
    long devicePackets;
    long translations;
    long allocatedBytes;
    long maps;
    long unmaps;
    long deviceDmaFaults;
    long deviceChecksumErrors;
    long driverDmaErrors;
    int faultsReported;
    long expectedFaultAddress = -1;
    long reportedFaultAddress = -1;
    String reportedFaultType = "";
    int stateChangeCalls;
    int availableDomainTypes;
    long tablePagesStart;
    long tablePagesRunning;
    long tablePagesEnd;
    int liveDomainsEnd = -1;
    int liveDevicesEnd = -1;
    int framesInUseEnd = -1;
    String failure;
    /** The verifier's reports (empty when it is off), in the order they came. */
    final List<VerifierReport> verifierReports = new CopyOnWriteArrayList<>();

    /**
     * Whether every check passed.
     *
     * @return true when no check failed.
     */
    boolean passed()
    {
        return null == failure;
    }

    /**
     * Records a failed check unless one was recorded already (the first one is the cause).
     *
     * @param message what failed.
     */
    void fail(final String message)
    {
        if (null == failure)
        {
            failure = message;
        }
    }
}
