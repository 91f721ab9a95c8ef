/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import static dev.iommu.ptw.PteDescriptor.TABLE;

/**
 * Introspection of a {@link RadixPageTable}, for quiescent tables or debugging (concurrent changes may or may not be
 * seen): a human-readable dump of every present entry, and the mapped ranges coalesced ({@link RangeCoalescer}).
 * Follows only child indexes that are arena pages. Made per call.
 */
final class TableDump extends LevelRangeWalk
{
    private final TableArena arena;
    private final int top;
    private final StringBuilder out;
    private final RangeCoalescer coalescer;

    private TableDump(final TableArena arena, final int top, final StringBuilder out, final RangeCoalescer coalescer)
    {
        this.arena = arena;
        this.top = top;
        this.out = out;
        this.coalescer = coalescer;
    }

    /**
     * Append a line per present entry, indented by level, below the root at {@code rootAddress}.
     */
    static void dump(final StringBuilder out, final TableArena arena, final long rootAddress, final int top)
    {
        new TableDump(arena, top, out, null).walkWhole(rootAddress, top, 0);
    }

    /**
     * Give every maximal range mapped consecutively with the same permissions to {@code consumer}, in address order.
     */
    static void forEachMappedRange(
        final MappedRangeConsumer consumer, final TableArena arena, final long rootAddress, final int top)
    {
        final RangeCoalescer coalescer = new RangeCoalescer(consumer);
        new TableDump(arena, top, null, coalescer).walkWhole(rootAddress, top, 0);
        coalescer.flush();
    }

    @Override
    long visit(
        final long address, final long entry, final int level, final long entryBase, final long start,
        final long end)
    {
        final int shift = PteDescriptor.shift(level);
        if (null != out)
        {
            for (int d = top - level; d >= 0; d--)
            {
                out.append("  ");
            }
            out.append("L").append(level).append('[').append(PteDescriptor.index(entryBase, level)).append("] 0x")
                .append(Long.toHexString(entryBase));
            if ((entry & TABLE) != 0)
            {
                out.append(" -> table page ").append(PteDescriptor.childIndex(entry)).append('\n');
            }
            else
            {
                out.append(" => 0x").append(Long.toHexString(PteDescriptor.output(entry)))
                    .append(" size=0x").append(Long.toHexString(1L << shift))
                    .append(" perm=").append(PteDescriptor.permissions(entry)).append('\n');
            }
        }
        if ((entry & TABLE) != 0)
        {
            final int child = PteDescriptor.childIndex(entry);
            if (level > 0 && arena.isPage(child))
            {
                walkWhole(arena.pageAddress(child), level - 1, entryBase);
            }
        }
        else if (null != coalescer)
        {
            coalescer.add(entryBase, PteDescriptor.output(entry), 1L << shift, PteDescriptor.permissions(entry));
        }
        return 0;
    }
}
