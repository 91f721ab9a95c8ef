/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The {@link DmaMapper} contract, run against the library and both baselines: the same calls must give the same
 * results.
 */
class DmaMapperContractTest
{
    private static final long PAGE = 4096;

    private DmaMapperFactory factory;

    @AfterEach
    void close()
    {
        if (null != factory)
        {
            factory.close();
        }
    }

    private DmaMapper open(final String name)
    {
        factory = DmaMapperFactories.create(name, 39);
        assertEquals(name, factory.name());
        return factory.create();
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "library-verifier", "skiplist", "tree"})
    void scatterMapTranslatesEveryPageAndUnmapRemovesIt(final String name)
    {
        final DmaMapper mapper = open(name);
        final long[] frames = {0x1234, 0x99, 0x7_0000};
        final long iova = mapper.map(frames, 3, DmaMapper.READ_WRITE);
        assertTrue(iova > 0, MapperResult.name(iova));
        assertEquals(0, iova % (4 * PAGE), "aligned to the block of 4 pages: " + iova);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(frames[i] * PAGE + 0x123, mapper.translate(iova + i * PAGE + 0x123, DmaMapper.READ));
            assertEquals(frames[i] * PAGE, mapper.translate(iova + i * PAGE, DmaMapper.WRITE));
            assertEquals(frames[i] * PAGE + 8, mapper.translate(iova + i * PAGE + 8, DmaMapper.READ_WRITE));
        }
        assertEquals(MapperResult.FAULT_NOT_PRESENT, mapper.translate(iova + 3 * PAGE, DmaMapper.READ));

        assertEquals(MapperResult.SUCCESS, mapper.unmap(iova, 3));
        for (int i = 0; i < 3; i++)
        {
            assertEquals(MapperResult.FAULT_NOT_PRESENT, mapper.translate(iova + i * PAGE, DmaMapper.READ));
        }
        assertEquals(MapperResult.NOT_MAPPED, mapper.unmap(iova, 3), "already unmapped");
        mapper.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "library-verifier", "skiplist", "tree"})
    void permissionsAreChecked(final String name)
    {
        final DmaMapper mapper = open(name);
        final long readOnly = mapper.map(new long[]{5}, 1, DmaMapper.READ);
        final long writeOnly = mapper.map(new long[]{6}, 1, DmaMapper.WRITE);
        final long none = mapper.map(new long[]{7}, 1, 0);
        assertEquals(5 * PAGE, mapper.translate(readOnly, DmaMapper.READ));
        assertEquals(MapperResult.FAULT_PERMISSION, mapper.translate(readOnly, DmaMapper.WRITE));
        assertEquals(MapperResult.FAULT_PERMISSION, mapper.translate(readOnly, DmaMapper.READ_WRITE));
        assertEquals(6 * PAGE + 1, mapper.translate(writeOnly + 1, DmaMapper.WRITE));
        assertEquals(MapperResult.FAULT_PERMISSION, mapper.translate(writeOnly, DmaMapper.READ));
        assertEquals(MapperResult.FAULT_PERMISSION, mapper.translate(none, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.translate(readOnly, 0));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.translate(readOnly, 4));
        assertEquals(MapperResult.FAULT_NOT_PRESENT, mapper.translate(-PAGE, DmaMapper.READ));
        assertEquals(MapperResult.FAULT_NOT_PRESENT, mapper.translate(1L << 50, DmaMapper.READ));
        assertEquals(MapperResult.SUCCESS, mapper.unmap(readOnly, 1));
        assertEquals(MapperResult.SUCCESS, mapper.unmap(writeOnly, 1));
        assertEquals(MapperResult.SUCCESS, mapper.unmap(none, 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "library-verifier", "skiplist", "tree"})
    void contiguousMapIsAlignedAndTranslatesEveryPage(final String name)
    {
        final DmaMapper mapper = open(name);
        final long physical = 0x4000_0000L;
        final long iova = mapper.mapContiguous(physical, 8 * PAGE, DmaMapper.READ_WRITE);
        assertTrue(iova > 0, MapperResult.name(iova));
        assertEquals(0, iova % (8 * PAGE));
        for (int i = 0; i < 8; i++)
        {
            assertEquals(physical + i * PAGE + 0xFFF, mapper.translate(iova + i * PAGE + 0xFFF, DmaMapper.READ));
        }
        assertEquals(MapperResult.SUCCESS, mapper.unmap(iova, 8));
        assertEquals(MapperResult.FAULT_NOT_PRESENT, mapper.translate(iova + 7 * PAGE, DmaMapper.READ));

        final long big = mapper.mapContiguous(0x2_0000_0000L, 4L << 20, DmaMapper.READ);
        assertTrue(big > 0, MapperResult.name(big));
        assertEquals(0x2_0000_0000L + (3L << 20) + 5, mapper.translate(big + (3L << 20) + 5, DmaMapper.READ));
        assertEquals(MapperResult.SUCCESS, mapper.unmap(big, 1024));
        assertEquals(MapperResult.FAULT_NOT_PRESENT, mapper.translate(big, DmaMapper.READ));
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "library-verifier", "skiplist", "tree"})
    void badArgumentsAreRefusedAndChangeNothing(final String name)
    {
        final DmaMapper mapper = open(name);
        final long kept = mapper.map(new long[]{42}, 1, DmaMapper.READ);
        final long[] one = {1};
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.map(null, 1, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.map(one, 0, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.map(one, -1, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.map(one, 2, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.map(new long[]{1, 1L << 40}, 2, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.map(new long[]{1, -1}, 2, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.map(one, 1, 4));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.mapContiguous(0x1001, PAGE, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.mapContiguous(0x1000, 0, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.mapContiguous(0x1000, 100, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.mapContiguous(-PAGE, PAGE, DmaMapper.READ));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.mapContiguous((1L << 52) - PAGE, 2 * PAGE, 1));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.mapContiguous(0x1000, PAGE, 8));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.unmap(kept + 1, 1));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.unmap(kept, 0));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.unmap(kept, -3));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.unmap(-PAGE, 1));
        assertEquals(MapperResult.INVALID_ARGUMENT, mapper.unmap(1L << 39, 1), "past the domain");
        assertEquals(MapperResult.NOT_MAPPED, mapper.unmap(0x4000_0000L, 1));

        assertEquals(42 * PAGE, mapper.translate(kept, DmaMapper.READ), "still mapped");
        final long next = mapper.map(one, 1, DmaMapper.READ);
        assertTrue(next > 0 && next != kept, MapperResult.name(next));
        assertEquals(PAGE, mapper.translate(next, DmaMapper.READ));
        assertEquals(MapperResult.SUCCESS, mapper.unmap(kept, 1));
        assertEquals(MapperResult.SUCCESS, mapper.unmap(next, 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "library-verifier", "skiplist", "tree"})
    void boundsAndExhaustionGiveNoSpace(final String name)
    {
        final DmaMapper mapper = open(name);
        final long max = 0xFFFF_FFFFL;
        final long low = mapper.map(new long[]{1, 2}, 2, DmaMapper.READ, max);
        assertTrue(low > 0 && low + 2 * PAGE - 1 <= max, MapperResult.name(low) + " " + low);
        final long lowRun = mapper.mapContiguous(0x10_0000L, 16 * PAGE, DmaMapper.READ, max);
        assertTrue(lowRun > 0 && lowRun + 16 * PAGE - 1 <= max, MapperResult.name(lowRun));
        assertEquals(MapperResult.NO_SPACE, mapper.map(new long[]{3}, 1, DmaMapper.READ, PAGE - 1),
            "no page fits below 4 KiB (page 0 is never handed out)");
        assertEquals(MapperResult.NO_SPACE, mapper.mapContiguous(0, 1L << 39, DmaMapper.READ), "the whole space");
        assertEquals(2 * PAGE, mapper.translate(low + PAGE, DmaMapper.READ));
        assertEquals(MapperResult.SUCCESS, mapper.unmap(low, 2));
        assertEquals(MapperResult.SUCCESS, mapper.unmap(lowRun, 16));
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "library-verifier", "skiplist", "tree"})
    void domainsAreSeparateAndSharedInstancesSeeOneDomain(final String name)
    {
        final DmaMapper first = open(name);
        final DmaMapper second = factory.create();
        final DmaMapper view = first.share();
        final long a = first.map(new long[]{10}, 1, DmaMapper.READ);
        final long b = second.map(new long[]{20}, 1, DmaMapper.READ);
        assertEquals(10 * PAGE, view.translate(a, DmaMapper.READ), "a shared instance sees the domain");
        if (a != b)
        {
            assertEquals(MapperResult.FAULT_NOT_PRESENT, second.translate(a, DmaMapper.READ));
        }
        else
        {
            assertEquals(20 * PAGE, second.translate(a, DmaMapper.READ), "the same address, another domain");
        }
        final long c = view.map(new long[]{30}, 1, DmaMapper.READ);
        assertNotEquals(a, c);
        assertEquals(30 * PAGE, first.translate(c, DmaMapper.READ));
        assertEquals(MapperResult.SUCCESS, first.unmap(c, 1));
        view.close();
        assertEquals(10 * PAGE, first.translate(a, DmaMapper.READ), "closing a shared instance keeps the domain");
        assertEquals(MapperResult.SUCCESS, first.unmap(a, 1));
        first.close();
        first.close();
        assertEquals(20 * PAGE, second.translate(b, DmaMapper.READ));
        second.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "library-verifier", "skiplist", "tree"})
    void randomOperationsMatchAModel(final String name)
    {
        final long seed = System.nanoTime();
        final String msg = name + " seed " + seed;
        final Random random = new Random(seed);
        final DmaMapper mapper = open(name);
        final TreeMap<Long, long[]> live = new TreeMap<>();
        final List<Long> keys = new ArrayList<>();
        for (int op = 0; op < 20_000; op++)
        {
            final int kind = random.nextInt(10);
            if (kind < 4 && live.size() < 500)
            {
                final int count = 1 + random.nextInt(random.nextBoolean() ? 2 : 40);
                final long[] frames = new long[count];
                for (int i = 0; i < count; i++)
                {
                    frames[i] = random.nextInt(1 << 30);
                }
                final long iova = mapper.map(frames, count, DmaMapper.READ_WRITE);
                assertTrue(iova > 0 && iova % PAGE == 0, msg + " " + MapperResult.name(iova));
                final Map.Entry<Long, long[]> below = live.floorEntry(iova + count * PAGE - 1);
                if (null != below && below.getKey() + below.getValue().length * PAGE > iova)
                {
                    fail(msg + " overlap at " + iova);
                }
                live.put(iova, frames);
                keys.add(iova);
            }
            else if (kind < 7 && !keys.isEmpty())
            {
                final long iova = keys.remove(random.nextInt(keys.size()));
                final long[] frames = live.remove(iova);
                assertEquals(MapperResult.SUCCESS, mapper.unmap(iova, frames.length), msg);
                assertEquals(MapperResult.FAULT_NOT_PRESENT, mapper.translate(iova, DmaMapper.READ), msg);
            }
            else
            {
                final long address = keys.isEmpty() || random.nextBoolean() ?
                    (1 + random.nextInt(1 << 16)) * PAGE + random.nextInt((int)PAGE) :
                    keys.get(random.nextInt(keys.size())) + random.nextInt(48 * (int)PAGE);
                final Map.Entry<Long, long[]> e = live.floorEntry(address);
                final long expected;
                if (null != e && address < e.getKey() + e.getValue().length * PAGE)
                {
                    expected = e.getValue()[(int)((address - e.getKey()) / PAGE)] * PAGE + (address % PAGE);
                }
                else
                {
                    expected = MapperResult.FAULT_NOT_PRESENT;
                }
                assertEquals(expected, mapper.translate(address, DmaMapper.READ), msg + " at " + address);
            }
        }
        for (final Map.Entry<Long, long[]> e : live.entrySet())
        {
            assertEquals(e.getValue()[0] * PAGE, mapper.translate(e.getKey(), DmaMapper.WRITE), msg);
            assertEquals(MapperResult.SUCCESS, mapper.unmap(e.getKey(), e.getValue().length), msg);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "library-verifier", "skiplist", "tree"})
    void unknownNamesAndWidthsAreRefused(final String name)
    {
        assertThrows(IllegalArgumentException.class, () -> DmaMapperFactories.create(name, 40));
        assertThrows(IllegalArgumentException.class, () -> DmaMapperFactories.create(name + "x", 48));
    }
}
