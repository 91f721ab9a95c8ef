/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writers' range queries: nextMapped, countMapped, cutsLargePage; and the public translation encoders.
 */
class RangeQueryTest
{
    private static final long PAGE = PageSizes.SIZE_4K;
    private static final int RW = PtwPermissions.READ_WRITE;
    private final TableArena arena = TableArena.allocateDirect(4096);
    private final RadixPageTable table = RadixPageTable.create(arena, new PageTableConfig());

    @AfterEach
    void close()
    {
        arena.close();
    }

    @Test
    void nextMappedSkipsEmptySpaceAndClipsLargeLeaves()
    {
        assertEquals(1L << 40, table.nextMapped(0, 1L << 40), "nothing mapped: the end");
        assertEquals(PtwResult.OK, table.map(0x7_0000_0000L, 0x1000, PAGE, RW));
        assertEquals(0x7_0000_0000L, table.nextMapped(0, 1L << 40));
        assertEquals(0x7_0000_0000L, table.nextMapped(0x7_0000_0000L, 0x7_0000_1000L));
        assertEquals(0x7_0000_2000L, table.nextMapped(0x7_0000_1000L, 0x7_0000_2000L), "past it: the end");
        assertEquals(PtwResult.OK, table.map(PageSizes.SIZE_2M * 8, PageSizes.SIZE_2M * 8, PageSizes.SIZE_2M, RW));
        assertEquals(PageSizes.SIZE_2M * 8 + 5 * PAGE, table.nextMapped(PageSizes.SIZE_2M * 8 + 5 * PAGE, 1L << 40),
            "inside a large leaf the answer is the start of the range");
        assertEquals(PtwResult.UNALIGNED, table.nextMapped(1, PAGE * 4));
        assertEquals(PtwResult.BAD_LENGTH, table.nextMapped(PAGE, PAGE));
    }

    @Test
    void countMappedCountsPagesOfLargeLeavesInsideTheRange()
    {
        assertEquals(PtwResult.OK, table.map(PageSizes.SIZE_2M, 0, PageSizes.SIZE_2M, RW));
        assertEquals(512, table.countMapped(0, PageSizes.SIZE_1G));
        assertEquals(3, table.countMapped(PageSizes.SIZE_2M + 10 * PAGE, 3 * PAGE));
        assertEquals(PtwResult.OK, table.map(0x10_0000L, 0x1000, 2 * PAGE, RW));
        assertEquals(514, table.countMapped(0, PageSizes.SIZE_1G));
        assertEquals(0, table.countMapped(0x20_0000_0000L, PAGE));
        assertEquals(PtwResult.OUT_OF_RANGE, table.countMapped(1L << 48, PAGE));
    }

    @Test
    void cutsLargePageOnlyWhenTheRangeEndsInsideOne()
    {
        assertEquals(PtwResult.OK, table.map(PageSizes.SIZE_2M, 0, PageSizes.SIZE_2M, RW));
        assertTrue(table.cutsLargePage(PageSizes.SIZE_2M, PAGE));
        assertTrue(table.cutsLargePage(PageSizes.SIZE_2M - PAGE, 2 * PAGE));
        assertFalse(table.cutsLargePage(PageSizes.SIZE_2M, PageSizes.SIZE_2M));
        assertFalse(table.cutsLargePage(0, PageSizes.SIZE_1G));
        assertFalse(table.cutsLargePage(0, PAGE));
        assertFalse(table.cutsLargePage(3, PAGE), "a bad range is not a cut");
    }

    @Test
    void queriesAgreeWithAReferenceModel()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final TreeMap<Long, Long> pages = new TreeMap<>();
        final long span = 4096;
        for (int i = 0; i < 3000; i++)
        {
            final long page = random.nextInt((int)span);
            final long count = 1 + random.nextInt(8);
            if (random.nextBoolean())
            {
                if (table.map(page * PAGE, 0x5000, count * PAGE, RW) == PtwResult.OK)
                {
                    for (long p = page; p < page + count; p++)
                    {
                        pages.put(p, p);
                    }
                }
            }
            else
            {
                table.unmap(page * PAGE, count * PAGE);
                for (long p = page; p < page + count; p++)
                {
                    pages.remove(p);
                }
            }
            final long from = random.nextInt((int)span);
            final long to = from + 1 + random.nextInt(600);
            final Long next = pages.ceilingKey(from);
            assertEquals(null == next || next >= to ? to * PAGE : next * PAGE, table.nextMapped(from * PAGE, to * PAGE),
                "seed " + seed + " step " + i);
            assertEquals(pages.subMap(from, to).size(), table.countMapped(from * PAGE, (to - from) * PAGE),
                "seed " + seed + " step " + i);
        }
    }

    @Test
    void translationEncoders()
    {
        final long t = Translation.of(0x1234_5678L, PtwPermissions.READ);
        assertFalse(Translation.isFault(t));
        assertEquals(0x1234_5000L + 0x10, Translation.outputAddress(t, 0x10));
        assertEquals(PtwPermissions.READ, Translation.permissions(t));
        assertEquals(PAGE, Translation.pageSize(t));
        assertEquals(Translation.FAULT_PERMISSION,
            Translation.faultReason(Translation.fault(Translation.FAULT_PERMISSION)));
        assertThrows(IllegalArgumentException.class, () -> Translation.fault(0));
    }
}
