/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The entry points in the observed-Windows profile, the rows of section 1 of windows-observed-behaviour.md (build A
 * and the V1/V2-only kernel): version outside the kernel's range {@code _1} with nothing written, a null holder
 * {@code _2} checked before the flags, non-zero flags {@code _3}, the sizes 0x78/0xC0/0xE8 with every member, the
 * legacy entry point's three rows. Both profiles answer alike here, from one rule ({@code AcquisitionRules}); these
 * are the documented cases of {@link ConformanceTest} run on an observed-profile emulator. The slots that differ
 * per build (QueryInputMappings' stub, SetDeviceFaultReportingEx) are cases of {@code ObservedDeviceConformanceTest}.
 */
class ObservedAcquisitionConformanceTest
{
    @TestFactory
    Stream<DynamicTest> observedAcquisition()
    {
        final List<DynamicTest> cases = new ArrayList<>();
        ConformanceTest.acquisition(cases, BehaviourProfile.OBSERVED_WINDOWS);
        return cases.stream();
    }

    @Test
    void caseNamesAreUniqueAndFollowTheScheme()
    {
        ConformanceCases.assertNamesFollowTheScheme(observedAcquisition(), 12);
    }
}
