/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves that {@code --help} (and {@code -h}) of each command of {@link Main} prints that command's own usage, not
 * the general one, exits 0 and runs nothing, even with other options around it; and that the tool's own help stays
 * the general usage. ({@code ./iommu example --help} is {@code EmbeddingExampleTest}'s.)
 */
class CommandHelpTest
{
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "bench,  --help, --quick",
        "bench,  -h,     --quick",
        "stress, --help, --threads=1",
        "stress, -h,     --operations=1",
        "stat,   --help, --count=1",
        "stat,   -h,     --interval=1s",
    })
    void eachCommandPrintsItsOwnUsageAndExitsZero(final String command, final String help, final String option)
    {
        for (final List<String> line : List.of(List.of(command, help), List.of(command, option, help)))
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final int code = Main.run(line, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
            final String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, line + ": " + text);
            assertTrue(text.startsWith("usage: iommu " + command + " ["), line + ": " + text);
            assertFalse(text.contains("commands:"), line + " printed the general usage: " + text);
            for (final String other : List.of("bench", "stress", "stat"))
            {
                if (!other.equals(command))
                {
                    assertFalse(text.contains("iommu " + other + " ["), line + " printed " + other + "'s usage");
                }
            }
            assertEquals("", err.toString(StandardCharsets.UTF_8), line + " wrote to stderr");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"help", "--help", "-h"})
    void theToolsOwnHelpIsTheGeneralUsage(final String help)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Main.run(List.of(help), new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
        final String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("usage: iommu <command> [options]"), text);
        assertTrue(text.contains("commands:") && text.contains("iommu stress [") && text.contains("iommu bench ["),
            text);
    }
}
