/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FreeBlockTreeTest
{
    @Test
    void matchesSortedMapUnderRandomInsertRemoveAndQueries()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final FreeBlockTree tree = new FreeBlockTree(4);
        final TreeMap<Long, Integer> model = new TreeMap<>();
        for (int i = 0; i < 50_000; i++)
        {
            final long key = random.nextInt(4096);
            final int op = random.nextInt(4);
            if (op == 0 && !model.containsKey(key))
            {
                final int order = random.nextInt(8);
                tree.insert(key, order);
                model.put(key, order);
            }
            else if (op == 1 && random.nextBoolean())
            {
                final Integer expected = model.remove(key);
                assertEquals(expected == null ? -1 : expected, tree.remove(key), "seed " + seed);
            }
            else if (op == 1)
            {
                // removeIfOrder, which leaves untouched nodes unrewritten: right and wrong orders.
                final int order = random.nextInt(8);
                final Integer present = model.get(key);
                final boolean expected = present != null && present == order;
                if (expected)
                {
                    model.remove(key);
                }
                assertEquals(expected, tree.removeIfOrder(key, order), "seed " + seed);
            }
            else if (op == 2)
            {
                final int order = random.nextInt(8);
                long expected = -1;
                for (final Map.Entry<Long, Integer> e : model.tailMap(key, true).entrySet())
                {
                    if (e.getValue() == order)
                    {
                        expected = e.getKey();
                        break;
                    }
                }
                final int node = tree.ceilingWithOrder(key, order);
                assertEquals(expected, node == FreeBlockTree.NIL ? -1 : tree.key(node), "seed " + seed);
            }
            else
            {
                final Long expected = model.floorKey(key);
                final int node = tree.floor(key);
                assertEquals(expected == null ? -1 : expected, node == FreeBlockTree.NIL ? -1 : tree.key(node),
                    "seed " + seed);
                final Integer order = model.get(key);
                assertEquals(order == null ? -1 : order, tree.orderOf(key), "seed " + seed);
            }
            assertEquals(model.size(), tree.size(), "seed " + seed);
            long mask = 0;
            for (final int o : model.values())
            {
                mask |= 1L << o;
            }
            if (i % 97 == 0)
            {
                assertEquals(mask, tree.orderMask(), "seed " + seed);
                assertEquals(model.size(), tree.checkInvariants(), "seed " + seed);
            }
        }
    }

    @Test
    void removeIfOrderLeavesOtherOrdersAlone()
    {
        final FreeBlockTree tree = new FreeBlockTree(1);
        tree.insert(8, 3);
        assertEquals(false, tree.removeIfOrder(8, 2));
        assertEquals(3, tree.orderOf(8));
        assertEquals(true, tree.removeIfOrder(8, 3));
        assertEquals(0, tree.size());
        assertEquals(0L, tree.orderMask());
    }
}
