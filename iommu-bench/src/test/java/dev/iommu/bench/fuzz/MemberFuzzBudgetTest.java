/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.iommu.bench.stress.AllowedStatuses;

/**
 * The fixed budget of generated inputs a plain test run gives every fuzz target (besides the saved corpus
 * {@link MemberFuzzTest} replays): {@link #INPUTS} seeded pseudo-random inputs per target and {@link #ALL_INPUTS} for
 * the target whose input chooses the member of each call, each call checked by the oracle. Deterministic (fixed seeds,
 * one thread). Also proves that every member of every table has a target and a {@link MemberFuzzTest} method.
 */
class MemberFuzzBudgetTest
{
    /** Inputs per target. */
    static final int INPUTS = 150;
    /** Inputs of the all-members target. */
    static final int ALL_INPUTS = 3000;
    private static final int INPUT_BYTES = 256;

    private static final FuzzRunner RUNNER = new FuzzRunner();

    @AfterAll
    static void closeTheWorld()
    {
        RUNNER.close();
    }

    static Iterable<String> targets()
    {
        return FuzzTargets.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void generatedInputsPassTheOracle(final String target)
    {
        final long before = RUNNER.calls();
        for (int i = 0; i < INPUTS; i++)
        {
            RUNNER.run(target, new SeededFuzzedData(target.hashCode() * 1_000_003L + i, INPUT_BYTES));
        }
        assertTrue(RUNNER.calls() - before >= INPUTS, target + " made too few calls: " + (RUNNER.calls() - before));
    }

    @Test
    void generatedInputsOfEveryMemberPassTheOracle()
    {
        final long before = RUNNER.calls();
        for (int i = 0; i < ALL_INPUTS; i++)
        {
            RUNNER.run(FuzzTargets.ALL, new SeededFuzzedData(0x5EED_0000L + i, INPUT_BYTES));
        }
        assertTrue(RUNNER.calls() - before >= ALL_INPUTS);
    }

    @Test
    void everyMemberOfEveryTableHasATargetAndAFuzzTest()
    {
        final Set<String> expected = new TreeSet<>();
        AllowedStatuses.members(1).forEach(m -> expected.add("V1." + m));
        AllowedStatuses.members(2).forEach(m -> expected.add("V2." + m));
        final Set<String> v3Only = new TreeSet<>(AllowedStatuses.members(3));
        v3Only.removeAll(AllowedStatuses.members(2));
        v3Only.forEach(m -> expected.add("V3." + m));
        assertEquals(13 + 22 + 5, expected.size());
        assertEquals(expected, new TreeSet<>(FuzzTargets.names()));
        final Set<String> fuzzTests = new TreeSet<>();
        for (final Method method : MemberFuzzTest.class.getDeclaredMethods())
        {
            if (method.isAnnotationPresent(FuzzTest.class))
            {
                fuzzTests.add(method.getName());
            }
        }
        final Set<String> wanted = new TreeSet<>(Set.of("allMembers"));
        for (final String target : expected)
        {
            wanted.add(MemberFuzzTest.methodName(target));
        }
        assertEquals(wanted, fuzzTests);
    }
}
