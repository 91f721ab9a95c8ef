/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest
{
    @TempDir
    Path folder;

    @Test
    void runsTheChosenWorkloadsOnEveryImplementationAndWritesTheResults() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int code = Main.run(List.of("bench", "--quick", "--workloads", "request-response,scatter-gather",
            "--threads", "1", "--duration", "20ms", "--out", folder.toString()),
            new PrintStream(bytes, true, StandardCharsets.UTF_8), System.err);
        final String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        for (final String impl : List.of("library", "skiplist", "tree"))
        {
            assertTrue(Pattern.compile("request-response\\s+strict\\s+1\\s+" + impl).matcher(text).find(), text);
        }
        assertTrue(text.contains("x skiplist") && text.contains("x tree"), "ratio columns: " + text);
        final String csv = Files.readString(folder.resolve("results.csv"));
        assertEquals(1 + 5 * 3, csv.lines().count(), csv);
        assertTrue(Files.readString(folder.resolve("results.json")).contains("\"scatter-gather\""));
        try (var charts = Files.list(folder))
        {
            assertTrue(charts.anyMatch(p -> p.toString().endsWith(".png")), "latency charts written");
        }
    }

    @Test
    void badOptionsAreUsageErrors()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(List.of("bench", "--workloads", "nope"), System.out, stream));
        assertEquals(2, Main.run(List.of("bench", "--threads", "1,x"), System.out, stream));
        assertEquals(2, Main.run(List.of("bench", "--duration", "5h"), System.out, stream));
        assertEquals(2, Main.run(List.of("bench", "--quick=yes"), System.out, stream));
        final String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("--workloads has no 'nope'"), text);
        assertTrue(text.contains("usage: iommu"), text);
    }
}
