/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code fail_nth} sweep ({@link FailNthSweep}) over every member of every table that can change state or
 * allocate: V1 (through IoGetIommuInterfaceEx and the legacy IoGetIommuInterface), V2 and V3. Each allocating call
 * is failed at each of its allocation points in turn and must return the member's out-of-resources status, change
 * nothing, leak nothing and then succeed; each member that must not allocate passes no allocation point. The last
 * test checks the total of failure points covered.
 */
final class FailNthSweepTest
{
    /** The fewest failure points the whole sweep must cover (it covers more; this catches rows that stop counting). */
    private static final int TOTAL_FLOOR = 70;

    @TestFactory
    Stream<DynamicTest> everyFailurePointOfEveryMember()
    {
        final List<FailNthSweep.Case> cases = new ArrayList<>(FailNthCases.v2());
        cases.addAll(FailNthCases.v3());
        cases.addAll(FailNthV1Cases.cases("V1", FailNthV1Cases::ex));
        cases.addAll(FailNthV1Cases.cases("legacy V1", FailNthV1Cases::legacy));
        final AtomicInteger total = new AtomicInteger();
        final AtomicInteger swept = new AtomicInteger();
        final Stream<DynamicTest> rows = cases.stream().map((final FailNthSweep.Case c) ->
            DynamicTest.dynamicTest(c.member(), () ->
            {
                final int points = FailNthSweep.sweep(c);
                System.out.println("fail_nth " + c.member() + ": " + points + " failure points");
                total.addAndGet(points);
                swept.incrementAndGet();
            }));
        final DynamicTest sum = DynamicTest.dynamicTest("total", () ->
        {
            System.out.println("fail_nth total: " + total.get() + " failure points over " + swept.get() + " of " +
                cases.size() + " member rows");
            assertTrue(swept.get() == cases.size(), "every row swept: " + swept.get() + " of " + cases.size());
            assertTrue(total.get() >= TOTAL_FLOOR, "failure points covered: " + total.get());
        });
        return Stream.concat(rows, Stream.of(sum));
    }
}
