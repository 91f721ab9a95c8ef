/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest
{
    private static final Set<String> FLAGS = Set.of("quick");
    private static final Set<String> VALUED = Set.of("threads", "duration", "workloads", "out");
    private static final List<String> WORKLOADS = List.of("a", "b", "c");

    @Test
    void readsFlagsValuesAndDefaults()
    {
        final Options options = parse("--quick", "--threads", "4", "--duration=1500ms", "--workloads", "c,a");
        assertTrue(options.has("quick"));
        assertEquals(4, options.number("threads", 1, 1, 64));
        assertEquals(1_500_000_000L, options.duration("duration", 0, 1, Long.MAX_VALUE));
        assertEquals(List.of("a", "c"), options.choices("workloads", WORKLOADS));
        assertEquals("results", options.text("out", "results"));
        assertFalse(parse().has("quick"));
        assertEquals(WORKLOADS, parse().choices("workloads", WORKLOADS));
        assertEquals(120_000_000_000L, parse("--duration", "2m").duration("duration", 0, 1, Long.MAX_VALUE));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--colour red | unknown option '--colour'",
        "stray | unexpected argument 'stray'",
        "--quick=yes | --quick takes no value",
        "--threads | --threads needs a value",
        "--threads --quick | --threads needs a value",
        "--threads= | --threads needs a value",
        "--quick --quick | --quick given twice",
    })
    void refusesMalformedCommandLines(final String line, final String message)
    {
        final UsageException e = assertThrows(UsageException.class, () -> parse(line.split(" ")));
        assertEquals("bench: " + message, e.getMessage());
    }

    @Test
    void refusesBadValuesWhenRead()
    {
        assertThrows(UsageException.class, () -> parse("--threads", "x").number("threads", 1, 1, 64));
        assertThrows(UsageException.class, () -> parse("--threads", "65").number("threads", 1, 1, 64));
        assertThrows(UsageException.class, () -> parse("--duration", "20").duration("duration", 0, 1, 9));
        assertThrows(UsageException.class, () -> parse("--duration", "xs").duration("duration", 0, 1, 9));
        assertThrows(UsageException.class,
            () -> parse("--duration", "10m").duration("duration", 0, 1, 60_000_000_000L));
        final UsageException e =
            assertThrows(UsageException.class, () -> parse("--workloads", "a,z").choices("workloads", WORKLOADS));
        assertEquals("bench: --workloads has no 'z'; choose from a, b, c", e.getMessage());
    }

    private static Options parse(final String... args)
    {
        return Options.parse("bench", List.of(args), FLAGS, VALUED);
    }
}
