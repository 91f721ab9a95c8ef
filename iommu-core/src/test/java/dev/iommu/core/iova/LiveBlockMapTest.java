/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveBlockMapTest
{
    @Test
    void swizzleIsABijectionAndSpreadsNeighboursOverCacheLines()
    {
        final java.util.BitSet seen = new java.util.BitSet();
        for (long slot = 0; slot < LiveSlotDescriptor.LEAF_BYTES; slot++)
        {
            final int index = LiveSlotDescriptor.byteIndex(slot);
            assertTrue(index >= 0 && index < LiveSlotDescriptor.LEAF_BYTES, "slot " + slot);
            assertFalse(seen.get(index), "slot " + slot);
            seen.set(index);
            if ((slot & 63) != 63)
            {
                assertTrue(LiveSlotDescriptor.byteIndex(slot + 1) / 64 != index / 64, "neighbours share a line");
            }
        }
    }

    @Test
    void setClearAndOrdersAreIndependent()
    {
        final LiveBlockMap map = new LiveBlockMap(51, 5);
        final long high = (1L << 50) + 64;
        assertFalse(map.clearLive(high, 0));
        assertFalse(map.isLive(high, 0));
        assertTrue(map.setLive(high, 0));
        assertFalse(map.setLive(high, 0));
        assertTrue(map.isLive(high, 0));
        assertFalse(map.isLive(high, 1));
        assertFalse(map.isLive(high + 1, 0));
        assertTrue(map.clearLive(high, 0));
        assertFalse(map.clearLive(high, 0));
        assertTrue(map.setLive(32, 5));
        assertTrue(map.isLive(32, 5));
        assertFalse(map.isLive(32, 4));
    }
}
