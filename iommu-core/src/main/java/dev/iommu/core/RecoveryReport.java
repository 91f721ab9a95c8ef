/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * What an emulator launched on a persistent directory found and repaired ({@link IommuEmulator#recoveryReport()}).
 * All zero for a new directory or an emulator without one.
 *
 * @param reopened            the directory held state from an earlier emulator.
 * @param cleanShutdown       that emulator was closed (false: it was killed, or its process died).
 * @param domains             domains restored.
 * @param devices             DMA devices restored.
 * @param tokens              logical address tokens restored.
 * @param pasidDevices        PASID sub-devices restored.
 * @param tablePages          page-table pages reachable from the restored domains' roots.
 * @param tablePagesReclaimed pages the arena counted in use that no table reached (taken by a call in flight and
 *                            never linked, or a dead thread's cache): given back.
 * @param iovaBlocks          allocator blocks rebuilt from what the tables map.
 * @param mapsUndone          map calls in flight that were undone (none of their pages stays mapped).
 * @param unmapsCompleted     unmap calls in flight that were completed (none of their pages stays mapped).
 * @param tokensDropped       token records whose domain was gone (DeleteDomain in flight, or the observed
 *                            profile's deletion with tokens outstanding).
 * @param segmentsDropped     token segment records that named a token that is gone, or that a repaired call had
 *                            written.
 * @param devicesDetached     devices whose domain was gone, restored detached.
 * @param pasidDevicesDropped PASID sub-device records whose parent was gone.
 */
public record RecoveryReport(
    boolean reopened, boolean cleanShutdown, int domains, int devices, int tokens, int pasidDevices, long tablePages,
    long tablePagesReclaimed, long iovaBlocks, int mapsUndone, int unmapsCompleted, int tokensDropped,
    int segmentsDropped, int devicesDetached, int pasidDevicesDropped)
{
    /** The report of an emulator that found nothing to restore. */
    static final RecoveryReport NOTHING = new RecoveryReport(
        false, true, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * How many things recovery repaired (zero after a clean shutdown).
     *
     * @return the sum of the repair counts.
     */
    public long repairs()
    {
        return tablePagesReclaimed + mapsUndone + unmapsCompleted + tokensDropped + segmentsDropped + devicesDetached +
            pasidDevicesDropped;
    }
}
