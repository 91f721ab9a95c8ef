/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.baseline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NbbsBuddyTree}: blocks of mixed orders never overlap, the tree fills exactly, coalescing gives the whole tree
 * back (one allocation of the top order succeeds once everything is freed), wrong frees are refused; and from four
 * threads an owner array (one CAS per page after allocate, cleared before free) finds no page held twice, with the
 * tree whole at the end. The same run with a status update that is not atomic must break the invariant: that shows
 * the concurrent test can fail. Every mode: the paper's CAS at every level or the authors' code's elided CASes, status
 * bytes packed or a cache line apart.
 */
class NbbsBuddyTreeTest
{
    private static final int C = 10;

    @ParameterizedTest
    @ValueSource(strings = {"paper", "elide", "line", "elide-line"})
    void oneOrderFillsTheTreeExactlyAndFreeingEverythingCoalescesToTheRoot(final String mode)
    {
        for (int order = 0; order <= C; order++)
        {
            final NbbsBuddyTree tree = tree(C, 1024, mode);
            final boolean[] used = new boolean[1 << C];
            final List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 1 << (C - order); i++)
            {
                final long page = tree.allocate(order, i * 7L);
                assertTrue(page >= 0, "order " + order + " block " + i);
                take(used, page - 1024, order);
                blocks.add(page);
            }
            assertEquals(-1, tree.allocate(order, 0), "order " + order + ": the tree is full");
            assertEquals(-1, tree.allocate(0, 3), "order " + order + ": not a page left");
            Collections.shuffle(blocks, new Random(order));
            for (final long page : blocks)
            {
                tree.free(page, order);
            }
            assertAllZero(tree);
            assertEquals(1024, tree.allocate(C, 0), "order " + order + ": the whole tree after freeing everything");
            tree.free(1024, C);
            assertAllZero(tree);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"paper", "elide", "line", "elide-line"})
    @Timeout(10)
    void mixedOrdersNeverOverlapAndCoalesceBackToTheWholeTree(final String mode)
    {
        final Random random = new Random(42);
        for (int round = 0; round < 200; round++)
        {
            final NbbsBuddyTree tree = tree(C, 0, mode);
            final boolean[] used = new boolean[1 << C];
            final List<long[]> blocks = new ArrayList<>();
            long usedPages = 0;
            int failures = 0;
            // Random orders 0 to 6 until 50 requests in a row fail: the tree is (nearly) full of mixed blocks.
            while (failures < 50)
            {
                final int order = random.nextInt(7);
                final long page = random.nextBoolean() ? tree.allocate(order) : tree.allocate(order, random.nextInt());
                if (page < 0)
                {
                    failures++;
                    assertTrue(freeBlockOfOrderIsAbsent(used, order), "round " + round + ": order " + order +
                        " refused while an aligned run of its size is free");
                    continue;
                }
                failures = 0;
                assertEquals(0, page % (1L << order), "aligned");
                take(used, page, order);
                blocks.add(new long[] {page, order});
                usedPages += 1L << order;
                // Free some as we go, so that coalescing and reuse interleave with allocation.
                if (random.nextInt(4) == 0)
                {
                    final long[] victim = blocks.remove(random.nextInt(blocks.size()));
                    give(used, victim[0], (int)victim[1]);
                    tree.free(victim[0], (int)victim[1]);
                    usedPages -= 1L << victim[1];
                }
            }
            assertTrue(usedPages > 0, "round " + round);
            assertEquals(-1, tree.allocate(C, 0), "the top order while blocks are out");
            Collections.shuffle(blocks, random);
            for (final long[] block : blocks)
            {
                tree.free(block[0], (int)block[1]);
            }
            assertAllZero(tree);
            assertEquals(0, tree.allocate(C, 0), "round " + round + ": the whole tree after freeing everything");
        }
    }

    @Test
    void theScanStartsAtTheGivenOffsetAndWrapsRound()
    {
        final NbbsBuddyTree tree = new NbbsBuddyTree(4);
        assertEquals(12, tree.allocate(0, 12));
        assertEquals(13, tree.allocate(0, 12 + 16 * 3), "the offset is taken modulo the level's 16 nodes; 12 is out");
        assertEquals(4, tree.allocate(2, 9), "order 2: node 1 of 4");
        assertEquals(0, tree.allocate(2, 3), "order 2: node 3 holds pages 12 and 13, so round to node 0");
        assertEquals(14, tree.allocate(0, 14));
        assertEquals(15, tree.allocate(0, 14));
        assertEquals(8, tree.allocate(0, 14), "round to leaf 0, under an allocated order-2 block: skip to 4, then 8");
        assertEquals(10, tree.allocate(1, 0), "pages 9, 10, 11 are free: one aligned pair");
        assertEquals(-1, tree.allocate(1, 0));
        assertEquals(9, tree.allocate(0, 0));
        assertEquals(-1, tree.allocate(0, 5));
    }

    @Test
    void aBlockWhoseAncestorIsAllocatedIsSkippedWithTheAncestorsSubtree()
    {
        final NbbsBuddyTree tree = new NbbsBuddyTree(6);
        assertEquals(0, tree.allocate(5, 0));
        // From leaf 5: its order-5 ancestor is allocated, so the scan goes to the first leaf after that subtree.
        assertEquals(32, tree.allocate(0, 5));
        assertEquals(-1, tree.allocate(5, 0));
        tree.free(32, 0);
        assertEquals(32, tree.allocate(5, 0));
        tree.free(0, 5);
        tree.free(32, 5);
        assertEquals(0, tree.allocate(6, 0));
        // The root is allocated: a scan from the middle of a level fails at the root, wraps, fails again, stops.
        assertEquals(-1, tree.allocate(0, 37));
        assertEquals(-1, tree.allocate(3, 5));
    }

    @Test
    void wrongFreesAreRefused()
    {
        final NbbsBuddyTree tree = new NbbsBuddyTree(6, 64, false);
        final long page = tree.allocate(2, 0);
        assertEquals(64, page);
        assertThrows(IllegalStateException.class, () -> tree.free(page, 1), "wrong size");
        assertThrows(IllegalStateException.class, () -> tree.free(page + 4, 2), "never allocated");
        assertThrows(IllegalArgumentException.class, () -> tree.free(page + 2, 2), "not aligned");
        assertThrows(IllegalArgumentException.class, () -> tree.free(0, 0), "outside the tree");
        assertThrows(IllegalArgumentException.class, () -> tree.allocate(7, 0), "order above C");
        tree.free(page, 2);
        assertThrows(IllegalStateException.class, () -> tree.free(page, 2), "double free");
        assertAllZero(tree);
    }

    @ParameterizedTest
    @ValueSource(strings = {"paper", "elide", "line", "elide-line"})
    @Timeout(10)
    void fourThreadsNeverHoldOnePageTwiceAndLeaveTheTreeWhole(final String mode) throws Exception
    {
        final NbbsBuddyTree tree = tree(8, 0, mode);
        final Outcome outcome = run(tree, 1000);
        assertNull(outcome.failure.get(), () -> outcome.failure.get());
        assertTrue(outcome.allocated.get() > 10_000, "blocks allocated: " + outcome.allocated.get());
        assertTrue(outcome.refused.get() > 0, "the tree never filled up: " + outcome.refused.get());
        assertAllZero(tree);
        assertEquals(0, tree.allocate(8, 0), "the whole tree at the end");
    }

    @Test
    @Timeout(10)
    void aStatusUpdateThatIsNotAtomicIsCaught() throws Exception
    {
        Outcome outcome = null;
        for (int i = 0; i < 8 && (null == outcome || null == outcome.failure.get()); i++)
        {
            outcome = run(new NonAtomicNbbsBuddyTree(8), 400);
        }
        assertNotNull(outcome.failure.get(), "the broken variant was not caught");
    }

    /**
     * Four threads for a while: each allocates blocks of orders 0 to 5 (half the time from its own offset, half from
     * the start of the level, where they meet), claims every page in the owner array with a CAS, and frees blocks
     * (clearing its pages first), holding up to 48 blocks; then frees everything and checks the tree is whole.
     */
    private static Outcome run(final NbbsBuddyTree tree, final long millis) throws InterruptedException
    {
        final Outcome outcome = new Outcome();
        final AtomicIntegerArray owner = new AtomicIntegerArray(1 << tree.treeOrder());
        final long deadline = System.nanoTime() + millis * 1_000_000L;
        final Thread[] workers = new Thread[4];
        for (int t = 0; t < workers.length; t++)
        {
            final int id = t + 1;
            workers[t] = new Thread(() -> work(tree, owner, id, deadline, outcome), "nbbs-worker-" + id);
            workers[t].start();
        }
        for (final Thread worker : workers)
        {
            worker.join();
        }
        if (null == outcome.failure.get())
        {
            for (int p = 0; p < owner.length(); p++)
            {
                if (owner.get(p) != 0)
                {
                    outcome.failure.compareAndSet(null, "page " + p + " still owned at the end");
                }
            }
            if (!tree.isWhollyFree())
            {
                outcome.failure.compareAndSet(null, "root status 0x" + Integer.toHexString(tree.status(1)) +
                    " at the end");
            }
        }
        return outcome;
    }

    private static void work(final NbbsBuddyTree tree, final AtomicIntegerArray owner, final int id,
        final long deadline, final Outcome outcome)
    {
        final Random random = new Random(id * 31L + System.nanoTime());
        final long[] held = new long[48];
        final int[] heldOrder = new int[48];
        int count = 0;
        try
        {
            for (long op = 0; null == outcome.failure.get() && ((op & 255) != 0 || System.nanoTime() < deadline);
                op++)
            {
                if (count == held.length || (count > 0 && random.nextInt(5) < 2))
                {
                    final int release = random.nextInt(4) == 0 ? count : 1;
                    for (int i = 0; i < release; i++)
                    {
                        final int victim = random.nextInt(count);
                        final long page = held[victim];
                        final int k = heldOrder[victim];
                        count--;
                        held[victim] = held[count];
                        heldOrder[victim] = heldOrder[count];
                        for (long p = page; p < page + (1L << k); p++)
                        {
                            owner.set((int)p, 0);
                        }
                        tree.free(page, k);
                    }
                    continue;
                }
                final int k = random.nextInt(6);
                final long page = random.nextBoolean() ? tree.allocate(k) : tree.allocate(k, 0);
                if (page < 0)
                {
                    outcome.refused.incrementAndGet();
                    continue;
                }
                for (long p = page; p < page + (1L << k); p++)
                {
                    if (!owner.compareAndSet((int)p, 0, id))
                    {
                        outcome.failure.compareAndSet(null, "worker " + id + " got page " + p + " (block " + page +
                            " order " + k + ") held by worker " + owner.get((int)p));
                        return;
                    }
                }
                held[count] = page;
                heldOrder[count] = k;
                count++;
                outcome.allocated.incrementAndGet();
            }
            while (count > 0)
            {
                count--;
                for (long p = held[count]; p < held[count] + (1L << heldOrder[count]); p++)
                {
                    owner.set((int)p, 0);
                }
                tree.free(held[count], heldOrder[count]);
            }
        }
        catch (final IllegalStateException e)
        {
            outcome.failure.compareAndSet(null, "worker " + id + ": " + e.getMessage());
        }
    }

    /** paper: the pseudo-code, packed bytes; elide: the authors' elided CASes; line: a cache line per node. */
    private static NbbsBuddyTree tree(final int order, final long firstPage, final String mode)
    {
        return new NbbsBuddyTree(order, firstPage, mode.startsWith("elide"), mode.endsWith("line") ? 6 : 0);
    }

    private static void take(final boolean[] used, final long page, final int order)
    {
        for (long p = page; p < page + (1L << order); p++)
        {
            assertTrue(!used[(int)p], "page " + p + " handed out twice");
            used[(int)p] = true;
        }
    }

    private static void give(final boolean[] used, final long page, final int order)
    {
        for (long p = page; p < page + (1L << order); p++)
        {
            used[(int)p] = false;
        }
    }

    /** A buddy tree refuses order k only when no aligned run of 2^k pages is free. */
    private static boolean freeBlockOfOrderIsAbsent(final boolean[] used, final int order)
    {
        final int size = 1 << order;
        for (int b = 0; b < used.length; b += size)
        {
            boolean free = true;
            for (int p = b; p < b + size && free; p++)
            {
                free = !used[p];
            }
            if (free)
            {
                return false;
            }
        }
        return true;
    }

    private static void assertAllZero(final NbbsBuddyTree tree)
    {
        for (int n = 1; n < 2 << tree.treeOrder(); n++)
        {
            final int node = n;
            assertEquals(0, tree.status(n), () -> "node " + node + " status 0x" +
                Integer.toHexString(tree.status(node)));
        }
        assertTrue(tree.isWhollyFree());
    }

    private static final class Outcome
    {
        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicLong allocated = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
    }

    /**
     * The broken variant: a status update as a volatile read then a volatile write, so that two threads that read
     * the same byte both "succeed" (two owners of one node, or a lost mark).
     */
    private static final class NonAtomicNbbsBuddyTree extends NbbsBuddyTree
    {
        NonAtomicNbbsBuddyTree(final int treeOrder)
        {
            super(treeOrder, 0, false);
        }

        @Override
        boolean casStatus(final int node, final int expected, final int update)
        {
            if (status(node) != expected)
            {
                return false;
            }
            Thread.onSpinWait();
            return super.casStatus(node, status(node), update);
        }
    }
}
