/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.Map;
import java.util.Set;

import dev.iommu.api.NtStatus;

/**
 * The statuses each V2 member may return, per the spec's section 2 tables and the emulator's documented section 5
 * choices: what a stress run accepts from calls whose outcome it cannot predict exactly (racing lifecycle calls on
 * shared objects).
 */
final class AllowedStatuses
{
    private static final Map<String, Set<Integer>> ALLOWED = Map.ofEntries(
        Map.entry("AttachDeviceEx", Set.of(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_ACCESS_DENIED)),
        Map.entry("DetachDeviceEx", Set.of(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER_1)),
        Map.entry("DeleteDevice", Set.of(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_RESOURCE_IN_USE)),
        Map.entry("CreateDevice", Set.of(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("RegisterInterfaceStateChangeCallback", Set.of(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_INVALID_PARAMETER_3)),
        Map.entry("UnregisterInterfaceStateChangeCallback", Set.of(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_UNSUCCESSFUL)),
        Map.entry("DeleteDomain", Set.of(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_RESOURCE_IN_USE)),
        Map.entry("CreateDomainEx", Set.of(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("MapLogicalRangeEx", Set.of(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER_1,
            NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_INVALID_PARAMETER_3,
            NtStatus.STATUS_INVALID_PARAMETER_4, NtStatus.STATUS_INVALID_PARAMETER_7,
            NtStatus.STATUS_INVALID_PARAMETER_MIX, NtStatus.STATUS_IN_USE, NtStatus.STATUS_NOT_SUPPORTED,
            NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("UnmapLogicalRange", Set.of(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER_1,
            NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_INVALID_PARAMETER_3,
            NtStatus.STATUS_CONFLICTING_ADDRESSES)));

    private AllowedStatuses()
    {
    }

    /**
     * Whether a member may return a status.
     *
     * @param member the member's spec name.
     * @param status the status.
     * @return true when allowed.
     */
    static boolean allows(final String member, final int status)
    {
        final Set<Integer> allowed = ALLOWED.get(member);
        if (null == allowed)
        {
            throw new IllegalArgumentException("no allowed statuses for " + member);
        }
        return allowed.contains(status);
    }
}
