/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.util.Arrays;

import static dev.iommu.core.iova.FreeBlockNodeDescriptor.KEY_OFFSET;
import static dev.iommu.core.iova.FreeBlockNodeDescriptor.LINKS_OFFSET;
import static dev.iommu.core.iova.FreeBlockNodeDescriptor.LONGS_PER_NODE;
import static dev.iommu.core.iova.FreeBlockNodeDescriptor.MASK_OFFSET;
import static dev.iommu.core.iova.FreeBlockNodeDescriptor.META_OFFSET;
import static dev.iommu.core.iova.FreeBlockNodeDescriptor.base;

/**
 * The free blocks of a buddy space: an AVL tree keyed by first page, held in parallel primitive arrays (no object
 * per block). Each node carries its block's order and, as augmentation, the bit set of orders present in its
 * subtree, so "the lowest free block of order j at or above page t" is one O(log n) descent, and "which free block
 * contains page p" is one floor search. Height is at most 1.44 log2(n + 2), so the recursion is shallow.
 * <p>
 * Each node is four consecutive longs of one array ({@link FreeBlockNodeDescriptor}), so a visit costs one cache
 * miss, not one per field.
 * Node 0 is the nil sentinel (all zero: height 0, empty order set). Freed nodes are chained through their left
 * link. Nodes live in fixed chunks of 1,024 (32 KiB): growing adds a chunk and never copies nodes, so growth
 * costs no pause proportional to the tree (only the small array of chunk references is copied, at doublings).
 * No allocation otherwise. Not thread-safe: the owner serialises access.
 */
final class FreeBlockTree
{
    static final int NIL = 0;

    private static final int CHUNK_SHIFT = 10;
    private static final int CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

    private long[][] chunks;
    private int capacity;
    private int root = NIL;
    private int freeList = NIL;
    private int nextUnused = 1;
    private int size;
    private int removedOrder;

    FreeBlockTree(final int initialCapacity)
    {
        final int chunkCount = Math.max(1, (initialCapacity + 1 + CHUNK_MASK) >>> CHUNK_SHIFT);
        chunks = new long[chunkCount][];
        for (int i = 0; i < chunkCount; i++)
        {
            chunks[i] = new long[(1 << CHUNK_SHIFT) * LONGS_PER_NODE];
        }
        capacity = chunkCount << CHUNK_SHIFT;
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
        return mask(root);
    }

    long key(final int node)
    {
        return get(node, KEY_OFFSET);
    }

    int order(final int node)
    {
        return FreeBlockNodeDescriptor.order(get(node, META_OFFSET));
    }

    private long mask(final int node)
    {
        return get(node, MASK_OFFSET);
    }

    private int height(final int node)
    {
        return FreeBlockNodeDescriptor.height(get(node, META_OFFSET));
    }

    private int left(final int node)
    {
        return FreeBlockNodeDescriptor.left(get(node, LINKS_OFFSET));
    }

    private int right(final int node)
    {
        return FreeBlockNodeDescriptor.right(get(node, LINKS_OFFSET));
    }

    private void setLeft(final int node, final int child)
    {
        set(node, LINKS_OFFSET, FreeBlockNodeDescriptor.withLeft(get(node, LINKS_OFFSET), child));
    }

    private void setRight(final int node, final int child)
    {
        set(node, LINKS_OFFSET, FreeBlockNodeDescriptor.withRight(get(node, LINKS_OFFSET), child));
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
        removedOrder = -1;
        root = remove(root, key, order);
        if (removedOrder >= 0)
        {
            size--;
            return true;
        }
        return false;
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
        root = remove(root, key, -1);
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
            final long k = key(n);
            if (key < k)
            {
                n = left(n);
            }
            else if (key > k)
            {
                n = right(n);
            }
            else
            {
                return order(n);
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
            if (key(n) <= key)
            {
                best = n;
                n = right(n);
            }
            else
            {
                n = left(n);
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

    /**
     * Checks every node's cached height and order mask, the AVL balance and the key order (tests only).
     *
     * @return the number of nodes.
     * @throws IllegalStateException naming the first broken node.
     */
    int checkInvariants()
    {
        final int count = checkSubtree(root, Long.MIN_VALUE, Long.MAX_VALUE);
        if (count != size)
        {
            throw new IllegalStateException("size " + size + " but " + count + " nodes");
        }
        return count;
    }

    private int checkSubtree(final int n, final long lowExclusive, final long highExclusive)
    {
        if (n == NIL)
        {
            return 0;
        }
        final long key = key(n);
        if (key <= lowExclusive || key >= highExclusive)
        {
            throw new IllegalStateException("key order broken at " + key);
        }
        final int l = left(n);
        final int r = right(n);
        final int count = 1 + checkSubtree(l, lowExclusive, key) + checkSubtree(r, key, highExclusive);
        if (height(n) != 1 + Math.max(height(l), height(r)) || Math.abs(height(l) - height(r)) > 1)
        {
            throw new IllegalStateException("height or balance broken at " + key);
        }
        if (mask(n) != (mask(l) | mask(r) | (1L << order(n))))
        {
            throw new IllegalStateException("order mask broken at " + key);
        }
        return count;
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
            forEach(left(n), visitor);
            visitor.block(key(n), order(n));
            forEach(right(n), visitor);
        }
    }

    private int ceilingWithOrder(final int n, final long threshold, final long bit)
    {
        if (n == NIL || (mask(n) & bit) == 0)
        {
            return NIL;
        }
        if (key(n) < threshold)
        {
            return ceilingWithOrder(right(n), threshold, bit);
        }
        // key(n) >= threshold: everything to the right qualifies; prefer the left subtree, then n, then the right.
        final int inLeft = ceilingWithOrder(left(n), threshold, bit);
        if (inLeft != NIL)
        {
            return inLeft;
        }
        if ((1L << order(n)) == bit)
        {
            return n;
        }
        return lowestWithOrder(right(n), bit);
    }

    private int lowestWithOrder(final int start, final long bit)
    {
        int n = start;
        while (n != NIL && (mask(n) & bit) != 0)
        {
            if ((mask(left(n)) & bit) != 0)
            {
                n = left(n);
            }
            else if ((1L << order(n)) == bit)
            {
                return n;
            }
            else
            {
                n = right(n);
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
        // Masks only grow on insert: set the order's bit on the way down, so the way up has nothing to recompute
        // unless the child's root or height changed (AVL: a rotation or height change stops after O(1) levels on
        // average). This avoids reading every sibling on the path, each a likely cache miss in a large tree.
        set(n, MASK_OFFSET, mask(n) | (1L << order));
        if (key < key(n))
        {
            final int old = left(n);
            final int oldHeight = height(old);
            final int child = insert(old, key, order);
            if (child == old && height(child) == oldHeight)
            {
                return n;
            }
            setLeft(n, child);
        }
        else
        {
            final int old = right(n);
            final int oldHeight = height(old);
            final int child = insert(old, key, order);
            if (child == old && height(child) == oldHeight)
            {
                return n;
            }
            setRight(n, child);
        }
        return balance(n);
    }

    private int remove(final int n, final long key, final int requiredOrder)
    {
        if (n == NIL)
        {
            return NIL;
        }
        final long k = key(n);
        if (key < k)
        {
            final int old = left(n);
            final int oldHeight = height(old);
            final int child = remove(old, key, requiredOrder);
            if (unchangedAfterRemove(n, old, oldHeight, child))
            {
                return n;
            }
            setLeft(n, child);
            return balance(n);
        }
        if (key > k)
        {
            final int old = right(n);
            final int oldHeight = height(old);
            final int child = remove(old, key, requiredOrder);
            if (unchangedAfterRemove(n, old, oldHeight, child))
            {
                return n;
            }
            setRight(n, child);
            return balance(n);
        }
        if (requiredOrder >= 0 && order(n) != requiredOrder)
        {
            return n;
        }
        removedOrder = order(n);
        final int l = left(n);
        final int r = right(n);
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
        while (left(m) != NIL)
        {
            m = left(m);
        }
        setRight(m, removeMin(r));
        setLeft(m, l);
        return balance(m);
    }

    /**
     * After a removal below n: true when n needs no update. Nothing was removed; or the child kept its root and
     * height, and n's mask keeps the removed order's bit (the only bit a removal can clear) because the child still
     * has it or n itself has that order. Otherwise the caller rebalances (which reads the sibling).
     */
    private boolean unchangedAfterRemove(final int n, final int old, final int oldHeight, final int child)
    {
        if (removedOrder < 0)
        {
            return true;
        }
        final long bit = 1L << removedOrder;
        return child == old && height(child) == oldHeight && ((mask(child) & bit) != 0 || order(n) == removedOrder);
    }

    private int removeMin(final int n)
    {
        if (left(n) == NIL)
        {
            return right(n);
        }
        setLeft(n, removeMin(left(n)));
        return balance(n);
    }

    private int balance(final int n)
    {
        update(n);
        final int l = left(n);
        final int r = right(n);
        final int bf = height(l) - height(r);
        if (bf > 1)
        {
            if (height(left(l)) < height(right(l)))
            {
                setLeft(n, rotateLeft(l));
            }
            return rotateRight(n);
        }
        if (bf < -1)
        {
            if (height(right(r)) < height(left(r)))
            {
                setRight(n, rotateRight(r));
            }
            return rotateLeft(n);
        }
        return n;
    }

    private int rotateRight(final int n)
    {
        final int l = left(n);
        setLeft(n, right(l));
        setRight(l, n);
        update(n);
        update(l);
        return l;
    }

    private int rotateLeft(final int n)
    {
        final int r = right(n);
        setRight(n, left(r));
        setLeft(r, n);
        update(n);
        update(r);
        return r;
    }

    private void update(final int n)
    {
        final int l = left(n);
        final int r = right(n);
        final long[] chunk = chunks[n >>> CHUNK_SHIFT];
        final int b = base(n & CHUNK_MASK);
        final int order = FreeBlockNodeDescriptor.order(chunk[b + META_OFFSET]);
        chunk[b + MASK_OFFSET] = mask(l) | mask(r) | (1L << order);
        chunk[b + META_OFFSET] = FreeBlockNodeDescriptor.meta(1 + Math.max(height(l), height(r)), order);
    }

    private int newNode(final long key, final int order)
    {
        int n = freeList;
        if (n != NIL)
        {
            freeList = left(n);
        }
        else
        {
            if (nextUnused == capacity)
            {
                grow();
            }
            n = nextUnused++;
        }
        final long[] chunk = chunks[n >>> CHUNK_SHIFT];
        final int b = base(n & CHUNK_MASK);
        chunk[b + KEY_OFFSET] = key;
        chunk[b + MASK_OFFSET] = 1L << order;
        chunk[b + LINKS_OFFSET] = 0;
        chunk[b + META_OFFSET] = FreeBlockNodeDescriptor.meta(1, order);
        return n;
    }

    private void freeNode(final int n)
    {
        final long[] chunk = chunks[n >>> CHUNK_SHIFT];
        final int b = base(n & CHUNK_MASK);
        chunk[b + KEY_OFFSET] = 0;
        chunk[b + MASK_OFFSET] = 0;
        chunk[b + LINKS_OFFSET] = FreeBlockNodeDescriptor.withLeft(0, freeList);
        chunk[b + META_OFFSET] = 0;
        freeList = n;
    }

    private void grow()
    {
        final int chunkIndex = capacity >>> CHUNK_SHIFT;
        if (chunkIndex == chunks.length)
        {
            chunks = Arrays.copyOf(chunks, chunks.length * 2);
        }
        chunks[chunkIndex] = new long[(1 << CHUNK_SHIFT) * LONGS_PER_NODE];
        capacity += 1 << CHUNK_SHIFT;
    }

    private long get(final int node, final int offset)
    {
        return chunks[node >>> CHUNK_SHIFT][base(node & CHUNK_MASK) + offset];
    }

    private void set(final int node, final int offset, final long value)
    {
        chunks[node >>> CHUNK_SHIFT][base(node & CHUNK_MASK) + offset] = value;
    }
}
