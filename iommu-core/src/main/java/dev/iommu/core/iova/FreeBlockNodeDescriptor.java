/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

/**
 * Layout of one node of {@link FreeBlockTree}: four consecutive longs of its node array (32 bytes, so two nodes
 * per cache line and one miss per visit).
 * <pre>
 *   long 0 (KEY)    | first page of the free block (63)                                      |
 *   long 1 (MASK)   | bit j set when the subtree rooted here holds a free block of order j   |
 *   long 2 (LINKS)  | right child index (32)                | left child index (32)          |
 *   long 3 (META)   | unused (48)                           | height (8)  | order (8)        |
 * </pre>
 * Node 0 is the nil sentinel and stays all zero (height 0, empty mask). A freed node keeps the next free node's
 * index in its left link.
 */
final class FreeBlockNodeDescriptor
{
    static final int LONGS_PER_NODE = 4;
    static final int KEY_OFFSET = 0;
    static final int MASK_OFFSET = 1;
    static final int LINKS_OFFSET = 2;
    static final int META_OFFSET = 3;
    static final int HEIGHT_SHIFT = 8;
    static final long BYTE_MASK = 0xFF;
    static final long LEFT_MASK = 0xFFFF_FFFFL;

    private FreeBlockNodeDescriptor()
    {
    }

    static int base(final int node)
    {
        return node * LONGS_PER_NODE;
    }

    static long meta(final int height, final int order)
    {
        return ((long)height << HEIGHT_SHIFT) | order;
    }

    static int order(final long meta)
    {
        return (int)(meta & BYTE_MASK);
    }

    static int height(final long meta)
    {
        return (int)((meta >>> HEIGHT_SHIFT) & BYTE_MASK);
    }

    static int left(final long links)
    {
        return (int)links;
    }

    static int right(final long links)
    {
        return (int)(links >>> 32);
    }

    static long withLeft(final long links, final int left)
    {
        return (links & ~LEFT_MASK) | (left & LEFT_MASK);
    }

    static long withRight(final long links, final int right)
    {
        return (links & LEFT_MASK) | ((long)right << 32);
    }
}
