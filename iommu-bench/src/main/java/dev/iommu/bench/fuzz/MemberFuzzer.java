/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/**
 * The fuzz target class Jazzer's own driver runs ({@code --target_class}): {@code --target_args} names the target
 * ({@link FuzzTargets}, default {@link FuzzTargets#ALL}); one {@link FuzzRunner} serves every input.
 */
public final class MemberFuzzer
{
    private static String target = FuzzTargets.ALL;
    private static FuzzRunner runner;

    private MemberFuzzer()
    {
    }

    /**
     * Called once by Jazzer before the first input.
     *
     * @param args {@code --target_args}: the target name, or none for {@link FuzzTargets#ALL}.
     */
    public static void fuzzerInitialize(final String[] args)
    {
        target = args.length > 0 ? args[0] : FuzzTargets.ALL;
        if (!FuzzTargets.exists(target))
        {
            throw new IllegalArgumentException("no fuzz target " + target + "; the targets: " + FuzzTargets.names());
        }
        runner = new FuzzRunner();
    }

    /**
     * Called by Jazzer for every input.
     *
     * @param data the input.
     */
    public static void fuzzerTestOneInput(final FuzzedDataProvider data)
    {
        runner.run(target, data);
    }

    /**
     * @return the runner serving the inputs (null before {@link #fuzzerInitialize}).
     */
    static FuzzRunner runner()
    {
        return runner;
    }
}
