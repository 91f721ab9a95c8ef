/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtectedRangesTest
{
    private final ProtectedRanges ranges = new ProtectedRanges();

    @Test
    void overlapIsHalfOpen()
    {
        assertTrue(ranges.isEmpty());
        assertTrue(ranges.add(0x1000, 0x3000));
        assertTrue(ranges.overlaps(0x2000, 0x2001));
        assertTrue(ranges.overlaps(0x0, 0x1001));
        assertFalse(ranges.overlaps(0x0, 0x1000));
        assertFalse(ranges.overlaps(0x3000, 0x4000));
        assertFalse(ranges.add(0x2000, 0x5000), "overlapping add refused");
        assertEquals(1, ranges.size());
        assertTrue(ranges.add(0x3000, 0x5000), "adjacent is fine");
        assertFalse(ranges.remove(0x3000, 0x4000), "only what was added is removed");
        assertTrue(ranges.remove(0x1000, 0x3000));
        assertFalse(ranges.overlaps(0x1000, 0x3000));
        assertTrue(ranges.overlaps(0x4FFF, 0x6000));
    }

    @Test
    void agreesWithAReferenceUnderRandomChanges()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final TreeMap<Long, Long> model = new TreeMap<>();
        for (int i = 0; i < 20_000; i++)
        {
            final long from = random.nextInt(1000);
            final long to = from + 1 + random.nextInt(20);
            final boolean expected = overlaps(model, from, to);
            assertEquals(expected, ranges.overlaps(from, to), "seed " + seed + " step " + i);
            if (random.nextBoolean())
            {
                assertEquals(!expected, ranges.add(from, to), "seed " + seed + " step " + i);
                if (!expected)
                {
                    model.put(from, to);
                }
            }
            else if (!model.isEmpty())
            {
                final Long key = model.ceilingKey(from) != null ? model.ceilingKey(from) : model.firstKey();
                assertTrue(ranges.remove(key, model.remove(key)), "seed " + seed + " step " + i);
            }
            assertEquals(model.size(), ranges.size(), "seed " + seed);
        }
    }

    private static boolean overlaps(final TreeMap<Long, Long> model, final long from, final long to)
    {
        for (final var e : model.entrySet())
        {
            if (e.getKey() < to && e.getValue() > from)
            {
                return true;
            }
        }
        return false;
    }
}
