/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the conformance tables ({@link ConformanceTest}, {@link ConformanceV1Test}, {@link ConformanceV3Test}) make
 * their cases: each a dynamic test on a fresh {@link V2Rig}, named {@code <Member>_<STATUS>_<what>} or
 * {@code <Member>_<STATUS>_CHOICE_<what>}.
 */
final class ConformanceCases
{
    /** The name scheme of every case. */
    static final String NAME_SCHEME = "[A-Za-z0-9]+_(STATUS_[A-Z0-9_]+|CHOICE)_[A-Za-z0-9]+";

    private ConformanceCases()
    {
    }

    /** A case on a fresh x64 rig. */
    static DynamicTest x64(final String name, final Consumer<V2Rig> body)
    {
        return on(name, V2Rig::x64, body);
    }

    /** A case on a fresh ARM64 rig. */
    static DynamicTest arm(final String name, final Consumer<V2Rig> body)
    {
        return on(name, V2Rig::arm64, body);
    }

    /** A case on a rig of its own, closed afterwards. */
    static DynamicTest on(final String name, final Supplier<V2Rig> rig, final Consumer<V2Rig> body)
    {
        return DynamicTest.dynamicTest(name, () ->
        {
            try (V2Rig r = rig.get())
            {
                body.accept(r);
            }
        });
    }

    /**
     * Asserts that the case names are unique and follow {@link #NAME_SCHEME}, and that there are at least
     * {@code least} of them.
     *
     * @return the members named by the cases (the part before the first underscore).
     */
    static Set<String> assertNamesFollowTheScheme(final Stream<DynamicTest> cases, final int least)
    {
        final Set<String> names = new HashSet<>();
        final Set<String> members = new HashSet<>();
        cases.forEach((final DynamicTest test) ->
        {
            final String name = test.getDisplayName();
            assertTrue(names.add(name), "duplicate " + name);
            assertTrue(name.matches(NAME_SCHEME), name);
            members.add(name.substring(0, name.indexOf('_')));
        });
        assertTrue(names.size() >= least, "cases: " + names.size());
        return members;
    }
}
