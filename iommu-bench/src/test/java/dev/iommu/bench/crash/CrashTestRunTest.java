/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.crash;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short version of {@code iommu crash-test} that CI runs: 50 kills of an emulator on a persistent directory,
 * each reopened and checked against the child's log (every acknowledged call in effect, each call in flight whole or
 * absent, nothing leaked after the teardown).
 */
final class CrashTestRunTest
{
    private static final int KILLS = 50;

    @Test
    void fiftyKillsLoseNothingAndLeakNothing(@TempDir final Path directory)
    {
        final CrashTestRun run = new CrashTestRun(directory, KILLS, 2, 20261130L, 3000);
        final String summary = run.run(null);
        System.out.println("CrashTestRunTest: " + KILLS + " kills, " + summary);
        assertTrue(run.callsRepaired() > 0, "no kill caught a map or unmap in flight: recovery was not tested");
    }
}
