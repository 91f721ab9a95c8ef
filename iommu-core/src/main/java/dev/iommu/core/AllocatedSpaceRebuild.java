/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.Arrays;

import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaResult;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.Translation;

/**
 * Derives, at reopen, what an allocator domain keeps on the heap from what its page tables map: the allocator's live
 * blocks and the {@link BlockLedger}. The tables survive a restart (a file arena, {@link RadixPageTable#attach}); the
 * allocator and the ledger do not, and are rebuilt here so that the domain behaves as one whose blocks
 * MapLogicalRangeEx allocated: every mapped page outside the excluded ranges lies in exactly one live allocator block
 * recorded in the ledger with its count of mapped pages, and every page neither mapped, excluded nor reserved is free.
 * <p>
 * <b>Blocks.</b> Each maximal run of mapped pages (consecutive input addresses, whatever their frames and
 * permissions) less the excluded ranges is split greedily into maximal aligned power-of-two blocks: from the run's
 * first page, the largest order its alignment and the rest of the run allow. Each block is wholly mapped, so its
 * ledger count is its size. The split need not be the original blocks (a run may join several, a block with holes
 * from partial unmaps gives several runs, and its unmapped pages become free), only a consistent state: unmapping
 * every mapped page frees every block exactly once and leaves the allocator whole. A large leaf is never cut by the
 * split: a 2 MiB (1 GiB) leaf is an aligned 512-page (2^18-page) chunk of its run, and the greedy split reaches its
 * first page with at least that alignment left, so the leaf lies in one block (an unmap of it through the ledger stays
 * whole). Blocks are also capped at the ledger's largest order.
 * <p>
 * <b>Excluded ranges</b> are left alone, mapped or not: the blocks of logical address tokens (the caller restores
 * them itself with {@link IovaAllocator#restoreBlock}, before or after this call; pages mapped in them are the
 * token's, not ledger blocks) and the domain's reserved regions (never allocator space; identity-mapped ones hold
 * mappings).
 * <p>
 * <b>All or nothing.</b> The tables are read first and every block is checked before the allocator or the ledger
 * changes: a mapped page the allocator cannot take (beyond its width, page 0 when that is not usable, a reserved
 * region or a block already restored that the excluded ranges do not cover), or a large leaf that an excluded range
 * cuts, is refused with an {@link IllegalStateException} naming the pages, and the allocator and the ledger are as
 * they were. The allocator then takes every block under one hold of its lock ({@link IovaAllocator#restoreBlocks}),
 * and only then are the ledger entries written.
 * <p>
 * Cost: one walk of the tables ({@link RadixPageTable#forEachMappedRange}: present tables only, never the pages of the
 * address space), a few table walks at the ends of excluded ranges, and per run one range take in the allocator's
 * buddy space. The tables, the allocator and the ledger must be quiescent (reopen, before the domain is published).
 */
final class AllocatedSpaceRebuild
{
    private static final int PAGE_SHIFT = 12;
    private static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    private static final int ORDER_BITS = 6;
    private static final long ORDER_MASK = (1L << ORDER_BITS) - 1;

    private final RadixPageTable table;
    /** The excluded ranges, sorted, merged (overlapping or touching ones joined). */
    private final long[] excludedStarts;
    private final long[] excludedEnds;
    /** The end of the allocator's space in bytes: 2^width. */
    private final long limit;
    private final int maxOrder;
    /** Packed blocks, {@code (firstPage << 6) | order}, ascending. */
    private long[] blocks = new long[1024];
    private int blockCount;
    private long blockPages;
    private long excludedPages;
    /** The first excluded range not wholly below the run being split. */
    private int nextExcluded;
    private long runStart;
    private long runEnd;

    private AllocatedSpaceRebuild(
        final RadixPageTable table, final long[] excludedStarts, final long[] excludedEnds, final long limit,
        final int maxOrder)
    {
        this.table = table;
        this.excludedStarts = excludedStarts;
        this.excludedEnds = excludedEnds;
        this.limit = limit;
        this.maxOrder = maxOrder;
    }

    /**
     * Rebuilds the allocator's live blocks and the ledger from the mapped pages of the table.
     *
     * @param table          the domain's table, attached, its mappings present.
     * @param allocator      a fresh allocator of the domain's configuration (width, reserved regions, page-zero flag):
     *                       nothing allocated, save token blocks the caller restored already (they must be excluded).
     * @param ledger         a fresh, empty ledger of the domain's width.
     * @param excludedStarts first addresses of the ranges to leave alone (token blocks, reserved regions),
     *                       page-aligned, in any order, overlapping or not.
     * @param excludedEnds   their ends (exclusive), page-aligned; an end at or below its start is an empty range.
     * @return what was restored.
     * @throws IllegalArgumentException when the excluded ranges are malformed (nothing changed).
     * @throws IllegalStateException    when a mapped page outside the excluded ranges cannot be an allocator block, or
     *     an excluded range cuts a large leaf (nothing changed).
     */
    static Rebuilt rebuild(
        final RadixPageTable table,
        final IovaAllocator allocator,
        final BlockLedger ledger,
        final long[] excludedStarts,
        final long[] excludedEnds)
    {
        if (excludedStarts.length != excludedEnds.length)
        {
            throw new IllegalArgumentException("excluded ranges: " + excludedStarts.length + " starts but " +
                excludedEnds.length + " ends");
        }
        final int width = allocator.addressWidth();
        final int pageBits = width - PAGE_SHIFT;
        final long[][] merged = merge(excludedStarts, excludedEnds);
        final AllocatedSpaceRebuild rebuild = new AllocatedSpaceRebuild(
            table, merged[0], merged[1], 1L << width, Math.min(pageBits, ledger.maxOrder()));
        rebuild.collect();
        final int refused = allocator.restoreBlocks(rebuild.blocks, rebuild.blockCount);
        if (refused >= 0)
        {
            throw rebuild.refusal(allocator, refused);
        }
        for (int i = 0; i < rebuild.blockCount; i++)
        {
            final long block = rebuild.blocks[i];
            final int order = (int)(block & ORDER_MASK);
            ledger.open(block >>> ORDER_BITS, order, 1L << order);
        }
        return new Rebuilt(rebuild.blockCount, rebuild.blockPages, rebuild.excludedPages);
    }

    /**
     * What {@link #rebuild} restored, for the caller to report.
     */
    static final class Rebuilt
    {
        private final long blocks;
        private final long pages;
        private final long excludedPages;

        Rebuilt(final long blocks, final long pages, final long excludedPages)
        {
            this.blocks = blocks;
            this.pages = pages;
            this.excludedPages = excludedPages;
        }

        /**
         * @return the allocator blocks restored (each one ledger entry).
         */
        long blocks()
        {
            return blocks;
        }

        /**
         * @return the mapped pages those blocks hold.
         */
        long pages()
        {
            return pages;
        }

        /**
         * @return the mapped pages left alone inside the excluded ranges.
         */
        long excludedPages()
        {
            return excludedPages;
        }

        @Override
        public String toString()
        {
            return blocks + " blocks of " + pages + " mapped pages restored, " + excludedPages +
                " mapped pages in excluded ranges left alone";
        }
    }

    /**
     * Sorts and joins the excluded ranges: {@code {starts, ends}}, disjoint, ascending, none empty.
     */
    private static long[][] merge(final long[] starts, final long[] ends)
    {
        final long[][] ranges = new long[starts.length][];
        int n = 0;
        for (int i = 0; i < starts.length; i++)
        {
            if (((starts[i] | ends[i]) & (PAGE_SIZE - 1)) != 0 || starts[i] < 0)
            {
                throw new IllegalArgumentException("excluded range [0x" + Long.toHexString(starts[i]) + ", 0x" +
                    Long.toHexString(ends[i]) + ") is not page-aligned or is negative");
            }
            if (ends[i] > starts[i])
            {
                ranges[n++] = new long[] {starts[i], ends[i]};
            }
        }
        Arrays.sort(ranges, 0, n, (a, b) -> Long.compare(a[0], b[0]));
        final long[] mergedStarts = new long[n];
        final long[] mergedEnds = new long[n];
        int m = 0;
        for (int i = 0; i < n; i++)
        {
            if (m > 0 && ranges[i][0] <= mergedEnds[m - 1])
            {
                mergedEnds[m - 1] = Math.max(mergedEnds[m - 1], ranges[i][1]);
            }
            else
            {
                mergedStarts[m] = ranges[i][0];
                mergedEnds[m] = ranges[i][1];
                m++;
            }
        }
        return new long[][] {Arrays.copyOf(mergedStarts, m), Arrays.copyOf(mergedEnds, m)};
    }

    /**
     * Walks the mapped ranges, joins those that touch into runs, and splits each run into blocks.
     */
    private void collect()
    {
        runStart = 0;
        runEnd = 0;
        table.forEachMappedRange(this::mapped);
        if (runEnd > runStart)
        {
            split(runStart, runEnd);
        }
    }

    private void mapped(final long iova, final long output, final long length, final int permissions)
    {
        if (iova == runEnd && runEnd > runStart)
        {
            runEnd += length;
            return;
        }
        if (runEnd > runStart)
        {
            split(runStart, runEnd);
        }
        runStart = iova;
        runEnd = iova + length;
    }

    /**
     * Splits a mapped run [start, end) around the excluded ranges into pieces, each split into blocks.
     */
    private void split(final long start, final long end)
    {
        long cursor = start;
        while (cursor < end)
        {
            while (nextExcluded < excludedStarts.length && excludedEnds[nextExcluded] <= cursor)
            {
                nextExcluded++;
            }
            final boolean inside = nextExcluded < excludedStarts.length && excludedStarts[nextExcluded] <= cursor;
            final long to = inside ? Math.min(end, excludedEnds[nextExcluded]) :
                nextExcluded < excludedStarts.length ? Math.min(end, excludedStarts[nextExcluded]) : end;
            if (to < end)
            {
                // An excluded range starts or ends inside the run: no leaf may lie across that edge.
                checkNoLeafAcross(to);
            }
            if (inside)
            {
                excludedPages += (to - cursor) >>> PAGE_SHIFT;
            }
            else
            {
                addBlocks(cursor, to);
            }
            cursor = to;
        }
    }

    private void checkNoLeafAcross(final long edge)
    {
        final long size = Translation.pageSize(table.walk(edge - PAGE_SIZE));
        if (size > PAGE_SIZE && (edge & (size - 1)) != 0)
        {
            throw new IllegalStateException("the edge 0x" + Long.toHexString(edge) + " of an excluded range cuts a " +
                (size >>> 10) + " KiB leaf mapped at 0x" + Long.toHexString(edge & -size) +
                ": the tables do not match the excluded ranges");
        }
    }

    /**
     * Splits mapped pages [from, to) (bytes) into maximal aligned blocks.
     */
    private void addBlocks(final long from, final long to)
    {
        if (to > limit)
        {
            throw new IllegalStateException("mapped page 0x" + Long.toHexString(Math.max(from, limit)) +
                " lies beyond the allocator's space (2^" + Long.numberOfTrailingZeros(limit) +
                ") and in no excluded range");
        }
        long page = from >>> PAGE_SHIFT;
        final long endPage = to >>> PAGE_SHIFT;
        while (page < endPage)
        {
            final int byLength = 63 - Long.numberOfLeadingZeros(endPage - page);
            final int order = Math.min(Math.min(Long.numberOfTrailingZeros(page), byLength), maxOrder);
            if (blockCount == blocks.length)
            {
                blocks = Arrays.copyOf(blocks, blockCount * 2);
            }
            blocks[blockCount++] = (page << ORDER_BITS) | order;
            page += 1L << order;
        }
        blockPages += endPage - (from >>> PAGE_SHIFT);
    }

    private IllegalStateException refusal(final IovaAllocator allocator, final int index)
    {
        final long block = blocks[index];
        final long address = (block >>> ORDER_BITS) << PAGE_SHIFT;
        final long pages = 1L << (int)(block & ORDER_MASK);
        // The batch changed nothing; the same block alone gives the reason (and is refused again, changing nothing).
        final long reason = allocator.restoreBlock(address, pages);
        final String where = "mapped pages [0x" + Long.toHexString(address) + ", 0x" +
            Long.toHexString(address + (pages << PAGE_SHIFT)) + ") in no excluded range";
        if (reason == address)
        {
            // Cannot happen when the batch refused it; undo, so that nothing changed.
            allocator.free(address, pages);
            allocator.releaseThreadCache();
            return new IllegalStateException(where + ": refused by the allocator among the other blocks");
        }
        final int region = firstReservedRegion(allocator, address, pages);
        final String why = region >= 0 ? "they overlap the allocator's reserved region " + region :
            address == 0 ? "page 0 is not part of the allocator's space" :
            reason == IovaResult.ADDRESS_IN_USE ? "they are not free in the allocator (a block restored before this " +
                "call, such as a token's, that the excluded ranges do not cover)" :
            "the allocator refuses them as a block (" + IovaResult.name(reason) + ")";
        return new IllegalStateException(where + " cannot be an allocator block: " + why);
    }

    private static int firstReservedRegion(final IovaAllocator allocator, final long address, final long pages)
    {
        // Error path only: the blocks that can be refused are small unless the tables map a large range there.
        final long probes = Math.min(pages, 1L << 16);
        for (long i = 0; i < probes; i++)
        {
            final int region = allocator.reservedRegionAt(address + (i << PAGE_SHIFT));
            if (region >= 0)
            {
                return region;
            }
        }
        return -1;
    }
}
