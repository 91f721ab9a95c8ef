/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.baseline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Baseline: the non-blocking buddy system (NBBS) of Marotta, Ianni, Scarselli, Pellegrini and Quaglia ("A
 * Non-blocking Buddy System for Scalable Memory Allocation on Multi-core Machines", IEEE CLUSTER 2018; TPDS 2019),
 * over 2^C pages starting at a given first page, one page per leaf, as written in the paper: the state is one status
 * byte per node of a complete binary tree held as an implicit heap (node 1 the root, covering every page; node n's
 * children 2n and 2n + 1; the nodes of order k, 2^k pages each, are [2^(C-k), 2^(C-k+1))). Status bits:
 * <pre>
 *    7         5      4            3             2            1           0
 *   +-----------+-----+------------+------------+------------+-----------+
 *   |     0     | OCC | COAL_LEFT  | COAL_RIGHT | OCC_LEFT   | OCC_RIGHT |
 *   +-----------+-----+------------+------------+------------+-----------+
 *   OCC: the node itself is allocated (a block of its order); OCC_LEFT / OCC_RIGHT: something in that child's
 *   subtree is allocated (or being allocated); COAL_LEFT / COAL_RIGHT: a release in that child's subtree is climbing
 *   through this node (pending coalescing). An allocated node is BUSY = OCC | OCC_LEFT | OCC_RIGHT.
 * </pre>
 * <b>Allocation</b> of order k scans the nodes of that level from a start offset (by default a per-thread offset,
 * thread i of P starting at i / P of the level, as the authors' code does) and tries each: {@code tryAlloc(n)} moves n
 * from 0 to BUSY with a CAS, then climbs to the root; at each ancestor it fails if the ancestor is OCC (allocated
 * whole: it undoes its marks up to the level reached and reports that ancestor, whose subtree the scan then skips),
 * else it CASes the ancestor with the child's COAL bit cleared and its OCC bit set. <b>Release</b> of a node, in
 * three phases: (1) climb setting the child's COAL bit in each ancestor (an atomic OR), stopping after the first
 * ancestor whose other child is occupied and not itself coalescing; (2) store 0 into the node; (3) climb again,
 * clearing the child's OCC and COAL bits with a CAS while its COAL bit is still set (an allocation that cleared it
 * has taken that path since: stop), stopping after the first ancestor whose other child is occupied.
 * <p>
 * So every allocation climbs to the root (its climb cannot stop early: an allocated ancestor anywhere above fails
 * it), and with {@code elideUnchangedCas} false, the paper's pseudo-code, it CASes every ancestor up to the root even
 * when the bits are already as wanted: every allocation writes the root's cache line. With {@code elideUnchangedCas}
 * true, as the authors' C code does ({@code allocators/1lvl-nb/nballoc.c} of github.com/HPDCS/NBBS: the CAS loop
 * runs only while the new value differs), an ancestor whose bits are already right is only read. A release climbs
 * only as far as the first ancestor whose other side is occupied.
 * <p>
 * <b>Why bytes, and the layout.</b> A status byte per node, as in the paper; a {@link VarHandle} on a {@code byte[]}
 * has a byte CAS (a {@code lock cmpxchgb} on x86, intrinsified), so no wider element is needed. Packed
 * ({@code nodeSpacingLog2} 0), 64 nodes share a cache line: the top six levels of the tree (nodes 1 to 63) sit in
 * one or two lines, so threads working in different halves of the tree still write the same line at every
 * allocation. The authors' code gives every node a cache line of its own ({@code allocators/1lvl-nb/nb1lvl.h}: an
 * 8-byte status and 56 bytes of padding); {@code nodeSpacingLog2} 6 does the same (node n's byte at n * 64 of a
 * {@code byte[]} 64 times larger), so that only true sharing of a node remains.
 * <p>
 * <b>Orderings.</b> Every change of a node's byte but one is a CAS or an atomic OR (volatile: totally ordered with
 * the other volatile accesses); every read of a byte is a volatile read, so one climb's reads and CASes are
 * sequentially consistent, as the C code's full-barrier {@code __sync} builtins on x86 are. The exception is phase 2
 * of a release, a release store of 0 into the node (a plain store in the C code): what the releasing thread did with
 * the pages happens-before that store, and a later allocation of the same node reads the 0 with its CAS, so it sees
 * those uses; a later allocation of an ancestor finds it 0 only after this release's phase 3, or a later climb
 * through the same ancestors, cleared the ancestors' bits with CASes that come after this thread's store in program
 * order, so it also synchronizes with the releaser through that chain of CASes. A reader that sees the phase-3 CAS
 * on an ancestor before the store of 0 (a volatile read after a release store may be reordered) can only find the
 * node still BUSY and fail there: a missed opportunity, never an overlap. Lock-free, not wait-free, as the paper says.
 */
public class NbbsBuddyTree
{
    /** Something in the right child's subtree is allocated. */
    static final int OCC_RIGHT = 0x01;
    /** Something in the left child's subtree is allocated. */
    static final int OCC_LEFT = 0x02;
    /** A release in the right child's subtree is climbing through this node. */
    static final int COAL_RIGHT = 0x04;
    /** A release in the left child's subtree is climbing through this node. */
    static final int COAL_LEFT = 0x08;
    /** The node itself is allocated. */
    static final int OCC = 0x10;
    /** An allocated node. */
    static final int BUSY = OCC | OCC_LEFT | OCC_RIGHT;
    /** The largest C: a tree of 2^(C+1) status bytes. */
    public static final int MAX_TREE_ORDER = 28;

    private static final VarHandle STATUS = MethodHandles.arrayElementVarHandle(byte[].class);

    private final int treeOrder;
    private final long firstPage;
    private final boolean elideUnchangedCas;
    /** log2 of the bytes between two nodes' status bytes: 0 packed, 6 a cache line per node. */
    private final int spacing;
    /** Status bytes; index 0 unused, node 1 the root. */
    private final byte[] tree;
    private final AtomicInteger participants = new AtomicInteger();
    /** The calling thread's index among the threads that called {@link #allocate(int)}, in order of first call. */
    private final ThreadLocal<int[]> threadIndex =
        ThreadLocal.withInitial(() -> new int[] {participants.getAndIncrement()});

    /**
     * A tree of 2^treeOrder one-page leaves over pages [0, 2^treeOrder), as the paper's pseudo-code writes it.
     *
     * @param treeOrder C, in [0, {@link #MAX_TREE_ORDER}].
     */
    public NbbsBuddyTree(final int treeOrder)
    {
        this(treeOrder, 0, false);
    }

    /**
     * A tree of 2^treeOrder one-page leaves over pages [firstPage, firstPage + 2^treeOrder).
     *
     * @param treeOrder         C, in [0, {@link #MAX_TREE_ORDER}].
     * @param firstPage         the page of leaf 0 (any value &gt;= 0; blocks are aligned relative to it).
     * @param elideUnchangedCas false: a CAS at every ancestor of every allocation, as the paper's pseudo-code;
     *                          true: none where the ancestor's bits are already as wanted, as the authors' C code.
     */
    public NbbsBuddyTree(final int treeOrder, final long firstPage, final boolean elideUnchangedCas)
    {
        this(treeOrder, firstPage, elideUnchangedCas, 0);
    }

    /**
     * A tree of 2^treeOrder one-page leaves over pages [firstPage, firstPage + 2^treeOrder), its status bytes
     * 2^nodeSpacingLog2 bytes apart.
     *
     * @param treeOrder         C, in [0, {@link #MAX_TREE_ORDER}].
     * @param firstPage         the page of leaf 0 (any value &gt;= 0; blocks are aligned relative to it).
     * @param elideUnchangedCas false: a CAS at every ancestor of every allocation, as the paper's pseudo-code;
     *                          true: none where the ancestor's bits are already as wanted, as the authors' C code.
     * @param nodeSpacingLog2   0: packed, one byte per node; 6: a 64-byte cache line per node, as the authors' code
     *                          (in [0, 7], and C + 1 + nodeSpacingLog2 at most 30).
     */
    public NbbsBuddyTree(final int treeOrder, final long firstPage, final boolean elideUnchangedCas,
        final int nodeSpacingLog2)
    {
        if (treeOrder < 0 || treeOrder > MAX_TREE_ORDER || firstPage < 0 || nodeSpacingLog2 < 0 ||
            nodeSpacingLog2 > 7 || treeOrder + 1 + nodeSpacingLog2 > 30)
        {
            throw new IllegalArgumentException("tree order " + treeOrder + ", first page " + firstPage +
                ", node spacing 2^" + nodeSpacingLog2);
        }
        this.treeOrder = treeOrder;
        this.firstPage = firstPage;
        this.elideUnchangedCas = elideUnchangedCas;
        this.spacing = nodeSpacingLog2;
        this.tree = new byte[(2 << treeOrder) << nodeSpacingLog2];
    }

    /**
     * @return C: the tree covers 2^C pages; blocks have orders 0 to C.
     */
    public int treeOrder()
    {
        return treeOrder;
    }

    /**
     * @return the page of leaf 0.
     */
    public long firstPage()
    {
        return firstPage;
    }

    /**
     * Allocates a block of 2^order pages, starting the scan of the order's level at the calling thread's offset (the
     * i-th thread to call this tree, of P so far, at i / P of the level, as the authors' code does).
     *
     * @param order the block's order, in [0, C].
     * @return the block's first page, or -1 when no node of that order could be allocated (the scan went round once).
     */
    public long allocate(final int order)
    {
        checkOrder(order);
        final int levelNodes = 1 << (treeOrder - order);
        final int index = threadIndex.get()[0];
        return allocate(order, (long)index * (levelNodes / Math.max(1, participants.get())));
    }

    /**
     * Allocates a block of 2^order pages, scanning the order's level from a given offset (taken modulo the level's
     * 2^(C-order) nodes) and wrapping round once.
     *
     * @param order the block's order, in [0, C].
     * @param start where in the level the scan begins (NBBS: a per-thread offset).
     * @return the block's first page, or -1 when no node of that order could be allocated.
     */
    public long allocate(final int order, final long start)
    {
        checkOrder(order);
        final int depth = treeOrder - order;
        final int first = 1 << depth;
        final int end = first << 1;
        int actual = first + (int)Math.floorMod(start, (long)first);
        final int startedAt = actual;
        boolean wrapped = false;
        do
        {
            final int failedAt = tryAlloc(actual);
            if (failedAt == 0)
            {
                return firstPage + ((long)(actual - first) << order);
            }
            // Skip the failing node's subtree: the first node of this level after it.
            actual = (failedAt + 1) << (depth - depth(failedAt));
            if (actual >= end)
            {
                if (wrapped)
                {
                    // A skip past the end after wrapping: the whole level was tried. (The authors' loop restarts here
                    // and spins forever when, say, the root is allocated and the scan did not start at node 0.)
                    break;
                }
                actual = first;
                wrapped = true;
            }
        }
        while (!wrapped || actual < startedAt);
        return -1;
    }

    /**
     * Releases a block this tree handed out.
     *
     * @param page  the block's first page, as {@link #allocate} returned it.
     * @param order its order.
     * @throws IllegalArgumentException when the page is outside the tree or not aligned to the order.
     * @throws IllegalStateException    when the node is not allocated (a double or wrong-size free; racy: a check, not
     *                                  a guard, as in the authors' code).
     */
    public void free(final long page, final int order)
    {
        checkOrder(order);
        final long offset = page - firstPage;
        if (offset < 0 || offset >= 1L << treeOrder || (offset & ((1L << order) - 1)) != 0)
        {
            throw new IllegalArgumentException("page " + page + " is not a block of order " + order + " of the tree");
        }
        final int node = (1 << (treeOrder - order)) + (int)(offset >>> order);
        if (status(node) != BUSY)
        {
            throw new IllegalStateException("page " + page + " order " + order + " is not allocated (status 0x" +
                Integer.toHexString(status(node)) + ")");
        }
        freeNode(node, 0);
    }

    /**
     * @return whether the root's byte is 0: nothing allocated and no operation in flight (exact when quiescent).
     */
    public boolean isWhollyFree()
    {
        return status(1) == 0;
    }

    /**
     * @param node a node index in [1, 2^(C+1)).
     * @return its status byte (a volatile read; for tests).
     */
    int status(final int node)
    {
        return (byte)STATUS.getVolatile(tree, node << spacing);
    }

    /**
     * The one CAS of a status byte, named so that a test can substitute a read-then-write and show its invariant
     * check failing (production never subclasses this class: the call stays monomorphic and is inlined).
     */
    boolean casStatus(final int node, final int expected, final int update)
    {
        return STATUS.compareAndSet(tree, node << spacing, (byte)expected, (byte)update);
    }

    /**
     * The paper's TryAlloc: marks n BUSY, then its ancestors' child bits up to the root.
     *
     * @return 0 when n is now allocated, else the node where the attempt failed (n itself, or an allocated ancestor);
     *     nothing of this attempt is left marked.
     */
    private int tryAlloc(final int n)
    {
        if (status(n) != 0 || !casStatus(n, 0, BUSY))
        {
            return n;
        }
        int current = n;
        while (current > 1)
        {
            final int child = current;
            current = child >>> 1;
            final boolean left = (child & 1) == 0;
            final int occ = left ? OCC_LEFT : OCC_RIGHT;
            final int coal = left ? COAL_LEFT : COAL_RIGHT;
            while (true)
            {
                final int value = status(current);
                if ((value & OCC) != 0)
                {
                    // The ancestor is allocated whole: undo this attempt's marks, from n up to child.
                    freeNode(n, depth(child));
                    return current;
                }
                final int update = (value & ~coal) | occ;
                // The CAS (volatile) orders this mark after the marks below it: a release that later clears the
                // child's bits here reads it, and an allocation of this ancestor (CAS from 0) cannot succeed now.
                if ((elideUnchangedCas && update == value) || casStatus(current, value, update))
                {
                    break;
                }
            }
        }
        return 0;
    }

    /**
     * The paper's FreeNode: releases n (allocated by this thread, or marked BUSY by a failing attempt of it), its
     * ancestors' marks up to depth upperDepth (0: the root).
     */
    private void freeNode(final int n, final int upperDepth)
    {
        // Phase 1: announce the release (COAL) in each ancestor, up to the first whose other child is occupied
        // and not itself being released; an atomic OR (volatile), so an allocation climbing through the ancestor
        // later (it clears the bit with its CAS) is ordered after this announcement, or before it.
        int runner = n;
        while (depth(runner) > upperDepth)
        {
            final int parent = runner >>> 1;
            final boolean left = (runner & 1) == 0;
            final byte coal = (byte)(left ? COAL_LEFT : COAL_RIGHT);
            final int old = (byte)STATUS.getAndBitwiseOr(tree, parent << spacing, coal);
            final int buddyOcc = left ? OCC_RIGHT : OCC_LEFT;
            final int buddyCoal = left ? COAL_RIGHT : COAL_LEFT;
            if ((old & buddyOcc) != 0 && (old & buddyCoal) == 0)
            {
                break;
            }
            runner = parent;
        }
        // Phase 2: the node is free. A release store: the pages' uses happen-before an allocation that reads the 0.
        STATUS.setRelease(tree, n << spacing, (byte)0);
        // Phase 3: clear the marks this release announced.
        if (depth(n) > upperDepth)
        {
            unmark(n, upperDepth);
        }
    }

    /**
     * The paper's Unmark: climbs from n clearing the child's OCC and COAL bits in each ancestor while the COAL bit
     * is still set, up to depth upperDepth or the first ancestor whose other child is occupied.
     */
    private void unmark(final int n, final int upperDepth)
    {
        int current = n;
        while (true)
        {
            final int child = current;
            current = child >>> 1;
            final boolean left = (child & 1) == 0;
            final int coal = left ? COAL_LEFT : COAL_RIGHT;
            final int clear = coal | (left ? OCC_LEFT : OCC_RIGHT);
            int update;
            while (true)
            {
                final int value = status(current);
                if ((value & coal) == 0)
                {
                    // An allocation climbed through here after phase 1 and cleared the bit: the path is its now.
                    return;
                }
                update = value & ~clear;
                // CAS (volatile): of this clear and an allocation's mark of the same ancestor, one comes first and
                // the other sees it (the allocation re-sets OCC; or this CAS fails and finds COAL cleared).
                if (casStatus(current, value, update))
                {
                    break;
                }
            }
            if (depth(current) <= upperDepth || (update & (left ? OCC_RIGHT : OCC_LEFT)) != 0)
            {
                return;
            }
        }
    }

    private void checkOrder(final int order)
    {
        if (order < 0 || order > treeOrder)
        {
            throw new IllegalArgumentException("order " + order + " outside [0, " + treeOrder + "]");
        }
    }

    private static int depth(final int node)
    {
        return 31 - Integer.numberOfLeadingZeros(node);
    }
}
