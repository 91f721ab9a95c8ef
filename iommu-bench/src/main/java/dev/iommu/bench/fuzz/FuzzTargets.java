/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every fuzz target by name: {@code V1.<member>} for the 13 members of the V1 table (reached through
 * {@code IoGetIommuInterfaceEx(1)} and the deprecated {@code IoGetIommuInterface}), {@code V2.<member>} for the 22
 * of the V2 table (through the V2 and V3 tables), {@code V3.<member>} for the five V3 adds; and {@link #ALL}, which
 * lets the input choose the member of each call.
 */
public final class FuzzTargets
{
    /** The target whose input chooses the member of each call. */
    public static final String ALL = "all";

    private static final Map<String, MemberTarget> TARGETS = targets();
    private static final List<MemberTarget> IN_ORDER = Collections.unmodifiableList(new ArrayList<>(TARGETS.values()));

    private FuzzTargets()
    {
    }

    private static Map<String, MemberTarget> targets()
    {
        final Map<String, MemberTarget> targets = new TreeMap<>();
        V1Targets.register(targets);
        V2DeviceTargets.register(targets);
        V2MappingTargets.register(targets);
        V3Targets.register(targets);
        return Collections.unmodifiableMap(targets);
    }

    /**
     * @return the target names, sorted ({@link #ALL} not included).
     */
    public static List<String> names()
    {
        return new ArrayList<>(TARGETS.keySet());
    }

    /**
     * Whether a name is a target ({@link #ALL} included).
     *
     * @param name the name.
     * @return true when known.
     */
    public static boolean exists(final String name)
    {
        return ALL.equals(name) || TARGETS.containsKey(name);
    }

    /**
     * The target of a name.
     *
     * @param name a name from {@link #names()}.
     * @return the target.
     * @throws IllegalArgumentException for an unknown name or {@link #ALL}.
     */
    static MemberTarget target(final String name)
    {
        final MemberTarget target = TARGETS.get(name);
        if (null == target)
        {
            throw new IllegalArgumentException("no fuzz target " + name + "; the targets: " + names());
        }
        return target;
    }

    /**
     * @return the targets in name order, for {@link #ALL}.
     */
    static List<MemberTarget> inOrder()
    {
        return IN_ORDER;
    }
}
