/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.Arrays;

/**
 * The free blocks of a buddy space: an AVL tree keyed by first page, held in parallel primitive arrays (no object
 * per block). Each node carries its block's order and, as augmentation, the bit set of orders present in its
 * subtree, so "the lowest free block of order j at or above page t" is one O(log n) descent, and "which free block
 * contains page p" is one floor search. Height is at most 1.44 log2(n + 2), so the recursion is shallow.
 * <p>
 * Node 0 is the nil sentinel (height 0, empty order set). Freed nodes are chained through {@code lefts}. The arrays
 * double when full (amortised, under the owner's lock); there is no per-operation allocation otherwise.
 * Not thread-safe: the owner serialises access.
 */
final class FreeBlockTree
{
    static final int NIL = 0;

    private long[] keys;
    private long[] masks;
    private int[] lefts;
    private int[] rights;
    private byte[] heights;
    private byte[] orders;
    private int root = NIL;
    private int freeList = NIL;
    private int nextUnused = 1;
    private int size;
    private int removedOrder;

    FreeBlockTree(final int initialCapacity)
    {
        final int capacity = Math.max(16, initialCapacity + 1);
        keys = new long[capacity];
        masks = new long[capacity];
        lefts = new int[capacity];
        rights = new int[capacity];
        heights = new byte[capacity];
        orders = new byte[capacity];
    }

    int size()
    {
        return size;
    }

    /**
     * @return the set of orders of all free blocks, bit j set when some free block has order j.
     */
    long orderMask()
    {
        return masks[root];
    }

    long key(final int node)
    {
        return keys[node];
    }

    int order(final int node)
    {
        return orders[node];
    }

    /**
     * Inserts a block that is not present.
     *
     * @param key   its first page.
     * @param order its order.
     */
    void insert(final long key, final int order)
    {
        root = insert(root, key, order);
        size++;
    }

    /**
     * Removes the block starting at key if it is present with the given order.
     *
     * @param key   first page.
     * @param order the order it must have.
     * @return true when removed.
     */
    boolean removeIfOrder(final long key, final int order)
    {
        if (orderOf(key) != order)
        {
            return false;
        }
        remove(key);
        return true;
    }

    /**
     * Removes the block starting at key.
     *
     * @param key first page.
     * @return its order, or -1 when absent (nothing changed).
     */
    int remove(final long key)
    {
        removedOrder = -1;
        root = remove(root, key);
        if (removedOrder >= 0)
        {
            size--;
        }
        return removedOrder;
    }

    /**
     * @param key first page.
     * @return the order of the free block starting exactly at key, or -1.
     */
    int orderOf(final long key)
    {
        int n = root;
        while (n != NIL)
        {
            final long k = keys[n];
            if (key < k)
            {
                n = lefts[n];
            }
            else if (key > k)
            {
                n = rights[n];
            }
            else
            {
                return orders[n];
            }
        }
        return -1;
    }

    /**
     * @param key a page.
     * @return the node with the greatest first page at or below key, or {@link #NIL}.
     */
    int floor(final long key)
    {
        int n = root;
        int best = NIL;
        while (n != NIL)
        {
            if (keys[n] <= key)
            {
                best = n;
                n = rights[n];
            }
            else
            {
                n = lefts[n];
            }
        }
        return best;
    }

    /**
     * @param threshold the lowest acceptable first page.
     * @param order     the exact order wanted.
     * @return the node of the lowest free block of that order starting at or above threshold, or {@link #NIL}.
     */
    int ceilingWithOrder(final long threshold, final int order)
    {
        return ceilingWithOrder(root, threshold, 1L << order);
    }

    /**
     * Calls the visitor on every free block in address order (tests and introspection only).
     *
     * @param visitor receives first page and order.
     */
    void forEach(final BlockVisitor visitor)
    {
        forEach(root, visitor);
    }

    /** Receives blocks from {@link #forEach(BlockVisitor)}. */
    interface BlockVisitor
    {
        void block(long page, int order);
    }

    private void forEach(final int n, final BlockVisitor visitor)
    {
        if (n != NIL)
        {
            forEach(lefts[n], visitor);
            visitor.block(keys[n], orders[n]);
            forEach(rights[n], visitor);
        }
    }

    private int ceilingWithOrder(final int n, final long threshold, final long bit)
    {
        if (n == NIL || (masks[n] & bit) == 0)
        {
            return NIL;
        }
        if (keys[n] < threshold)
        {
            return ceilingWithOrder(rights[n], threshold, bit);
        }
        // keys[n] >= threshold: everything to the right qualifies; prefer the left subtree, then n, then the right.
        final int inLeft = ceilingWithOrder(lefts[n], threshold, bit);
        if (inLeft != NIL)
        {
            return inLeft;
        }
        if ((1L << orders[n]) == bit)
        {
            return n;
        }
        return lowestWithOrder(rights[n], bit);
    }

    private int lowestWithOrder(final int start, final long bit)
    {
        int n = start;
        while (n != NIL && (masks[n] & bit) != 0)
        {
            if ((masks[lefts[n]] & bit) != 0)
            {
                n = lefts[n];
            }
            else if ((1L << orders[n]) == bit)
            {
                return n;
            }
            else
            {
                n = rights[n];
            }
        }
        return NIL;
    }

    private int insert(final int n, final long key, final int order)
    {
        if (n == NIL)
        {
            return newNode(key, order);
        }
        // Evaluate the recursive call before naming the array: it may grow (replace) the arrays.
        if (key < keys[n])
        {
            final int child = insert(lefts[n], key, order);
            lefts[n] = child;
        }
        else
        {
            final int child = insert(rights[n], key, order);
            rights[n] = child;
        }
        return balance(n);
    }

    private int remove(final int n, final long key)
    {
        if (n == NIL)
        {
            return NIL;
        }
        final long k = keys[n];
        if (key < k)
        {
            lefts[n] = remove(lefts[n], key);
            return balance(n);
        }
        if (key > k)
        {
            rights[n] = remove(rights[n], key);
            return balance(n);
        }
        removedOrder = orders[n];
        final int l = lefts[n];
        final int r = rights[n];
        freeNode(n);
        if (l == NIL)
        {
            return r;
        }
        if (r == NIL)
        {
            return l;
        }
        int m = r;
        while (lefts[m] != NIL)
        {
            m = lefts[m];
        }
        rights[m] = removeMin(r);
        lefts[m] = l;
        return balance(m);
    }

    private int removeMin(final int n)
    {
        if (lefts[n] == NIL)
        {
            return rights[n];
        }
        lefts[n] = removeMin(lefts[n]);
        return balance(n);
    }

    private int balance(final int n)
    {
        update(n);
        final int l = lefts[n];
        final int r = rights[n];
        final int bf = heights[l] - heights[r];
        if (bf > 1)
        {
            if (heights[lefts[l]] < heights[rights[l]])
            {
                lefts[n] = rotateLeft(l);
            }
            return rotateRight(n);
        }
        if (bf < -1)
        {
            if (heights[rights[r]] < heights[lefts[r]])
            {
                rights[n] = rotateRight(r);
            }
            return rotateLeft(n);
        }
        return n;
    }

    private int rotateRight(final int n)
    {
        final int l = lefts[n];
        lefts[n] = rights[l];
        rights[l] = n;
        update(n);
        update(l);
        return l;
    }

    private int rotateLeft(final int n)
    {
        final int r = rights[n];
        rights[n] = lefts[r];
        lefts[r] = n;
        update(n);
        update(r);
        return r;
    }

    private void update(final int n)
    {
        final int l = lefts[n];
        final int r = rights[n];
        heights[n] = (byte)(1 + Math.max(heights[l], heights[r]));
        masks[n] = masks[l] | masks[r] | (1L << orders[n]);
    }

    private int newNode(final long key, final int order)
    {
        int n = freeList;
        if (n != NIL)
        {
            freeList = lefts[n];
        }
        else
        {
            if (nextUnused == keys.length)
            {
                grow();
            }
            n = nextUnused++;
        }
        keys[n] = key;
        orders[n] = (byte)order;
        lefts[n] = NIL;
        rights[n] = NIL;
        heights[n] = 1;
        masks[n] = 1L << order;
        return n;
    }

    private void freeNode(final int n)
    {
        lefts[n] = freeList;
        rights[n] = NIL;
        masks[n] = 0;
        heights[n] = 0;
        freeList = n;
    }

    private void grow()
    {
        final int capacity = keys.length * 2;
        keys = Arrays.copyOf(keys, capacity);
        masks = Arrays.copyOf(masks, capacity);
        lefts = Arrays.copyOf(lefts, capacity);
        rights = Arrays.copyOf(rights, capacity);
        heights = Arrays.copyOf(heights, capacity);
        orders = Arrays.copyOf(orders, capacity);
    }
}
