/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaAllocatorConfig;
import dev.iommu.core.iova.IovaFreeSpace;
import dev.iommu.core.iova.IovaResult;
import dev.iommu.ptw.PageTableConfig;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.PtwResult;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.TableArena;
import dev.iommu.ptw.Translation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link AllocatedSpaceRebuild}, model-based: a domain with an allocator runs random MapLogicalRangeEx-style maps
 * (1 to 40 pages of random frames, now and then 512 or 600 contiguous pages mapped with a 2 MiB leaf) and unmaps
 * (whole maps, parts of one, ranges across several), with two token blocks and two reserved regions (one
 * identity-mapped) beside them; a second domain over a table attached to the same root page, with a fresh allocator
 * and ledger, is rebuilt and checked against a reference model (a map of mapped pages): same translations, every
 * mapped page in exactly one live ledger block with the right count, free space exactly the complement of mapped,
 * excluded and reserved pages; then it runs on against the model, and once everything is unmapped the ledger is
 * empty and the allocator whole. Also: excluded ranges left alone, a whole-space block, large leaves kept whole,
 * refusals that change nothing, and a million mapped pages.
 */
class AllocatedSpaceRebuildTest
{
    private static final int WIDTH = 32;
    private static final int TABLE_WIDTH = 39;
    private static final long PAGE = 4096;
    private static final long SIZE_2M = 1L << 21;
    private static final int RW = PtwPermissions.READ_WRITE;
    /** A reserved region, not mapped: 32 pages at 1 MiB. */
    private static final long R1 = 0x10_0000L;
    private static final long R1_PAGES = 32;
    /** A reserved region identity-mapped (2 MiB leaves): 1,024 pages at 32 MiB. */
    private static final long R2 = 0x200_0000L;
    private static final long R2_PAGES = 1024;
    private static final int TOKEN_A_PAGES = 16;
    private static final int TOKEN_B_PAGES = 64;

    private final List<TableArena> arenas = new ArrayList<>();

    @AfterEach
    void close()
    {
        arenas.forEach(TableArena::close);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The model test
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void aRebuiltDomainMatchesTheModelRunsOnAndEndsWhole()
    {
        final Random random = new Random(20260611);
        final TableArena arena = arena(1024);
        final Rig first = new Rig(RadixPageTable.create(arena, tableConfig()), new IovaAllocator(config()), null);
        assertEquals(PtwResult.OK, first.domain.addReservedRegion(R1, R1_PAGES, false));
        assertEquals(PtwResult.OK, first.domain.addReservedRegion(R2, R2_PAGES, true));
        final Model model = new Model();
        model.exclude(R1, R1 + R1_PAGES * PAGE);
        model.exclude(R2, R2 + R2_PAGES * PAGE);
        model.churn(first, random, 1_500);
        // Two logical address tokens: their blocks come from the allocator, pages mapped in them are theirs.
        final long tokenA = first.allocator.allocate(TOKEN_A_PAGES, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        final long tokenB = first.allocator.allocate(TOKEN_B_PAGES, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        assertTrue(tokenA > 0 && tokenB > 0);
        assertEquals(PtwResult.OK, first.table.map(tokenA + 2 * PAGE, 0x7000_0000L, 3 * PAGE, RW));
        assertEquals(PtwResult.OK, first.table.map(tokenB + 63 * PAGE, 0x7100_0000L, PAGE, RW));
        model.exclude(tokenA, tokenA + TOKEN_A_PAGES * PAGE);
        model.exclude(tokenB, tokenB + TOKEN_B_PAGES * PAGE);
        model.churn(first, random, 1_500);
        model.verify(first);
        assertTrue(model.pages.size() > 5_000, "a populated domain: " + model.pages.size());
        assertFalse(model.largeLeaves.isEmpty(), "with 2 MiB leaves");

        // Reopen: the same root page, attached; a fresh allocator (token A restored before, token B after).
        final RadixPageTable attached = RadixPageTable.attach(arena, tableConfig(), first.table.rootPage(),
            new BitSet());
        final IovaAllocator allocator = new IovaAllocator(config());
        assertEquals(tokenA, allocator.restoreBlock(tokenA, TOKEN_A_PAGES));
        final BlockLedger ledger = new BlockLedger(WIDTH - 12);
        // Unsorted, overlapping and empty ranges: the rebuild sorts and joins them.
        final long[] starts = {tokenB, R2, R1, tokenA, R1 + 4 * PAGE, 0x4000_0000L};
        final long[] ends = {tokenB + TOKEN_B_PAGES * PAGE, R2 + R2_PAGES * PAGE, R1 + R1_PAGES * PAGE,
            tokenA + TOKEN_A_PAGES * PAGE, R1 + 8 * PAGE, 0x4000_0000L};
        final AllocatedSpaceRebuild.Rebuilt rebuilt =
            AllocatedSpaceRebuild.rebuild(attached, allocator, ledger, starts, ends);
        assertEquals(tokenB, allocator.restoreBlock(tokenB, TOKEN_B_PAGES));
        final Rig second = new Rig(attached, allocator, ledger);

        assertEquals(model.pages.size(), rebuilt.pages());
        assertEquals(R2_PAGES + 3 + 1, rebuilt.excludedPages(), "the identity region and the token pages");
        final long[] blocks = new long[1];
        ledger.forEachBlock((page, order, mapped) ->
        {
            assertEquals(1L << order, mapped, "a restored block is wholly mapped");
            blocks[0]++;
        });
        assertEquals(blocks[0], rebuilt.blocks());
        model.verify(second);
        assertFreeSpaceIsTheComplement(model, allocator);
        assertEquals(0x7000_0000L + PAGE, output(second, tokenA + 3 * PAGE), "token pages untouched");
        assertEquals(0x7100_0000L, output(second, tokenB + 63 * PAGE));
        assertEquals(R2 + 5 * PAGE, output(second, R2 + 5 * PAGE), "identity region untouched");

        model.churn(second, random, 3_000);
        model.verify(second);
        model.unmapEverything(second);
        model.verify(second);
        ledger.forEachBlock((page, order, mapped) -> fail("ledger not empty: block at page " + page));
        assertEquals(3, second.table.unmap(tokenA, TOKEN_A_PAGES * PAGE));
        assertEquals(1, second.table.unmap(tokenB, TOKEN_B_PAGES * PAGE));
        assertEquals(IovaResult.SUCCESS, allocator.free(tokenA, TOKEN_A_PAGES));
        assertEquals(IovaResult.SUCCESS, allocator.free(tokenB, TOKEN_B_PAGES));
        assertWhole(allocator, new IovaAllocator(config()));
        assertEquals(R2_PAGES, second.table.countMapped(0, 1L << TABLE_WIDTH), "only the identity region is left");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Excluded ranges, large leaves, the largest block
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void excludedRangesAreLeftAloneMappedOrNot()
    {
        final TableArena arena = arena(64);
        final RadixPageTable table = RadixPageTable.create(arena, tableConfig());
        // Pages mapped on both sides of an excluded range and across its edges (4 KiB leaves only there).
        assertEquals(PtwResult.OK, table.mapScatter(0x40_0000L, frames(64, 0x500), 0, 64, RW));
        final IovaAllocator allocator = new IovaAllocator(new IovaAllocatorConfig().addressWidth(WIDTH));
        final BlockLedger ledger = new BlockLedger(WIDTH - 12);
        final long excludedStart = 0x40_0000L + 10 * PAGE;
        final long excludedEnd = 0x40_0000L + 26 * PAGE;
        final long unmappedExcluded = 0x100_0000L;
        final AllocatedSpaceRebuild.Rebuilt rebuilt = AllocatedSpaceRebuild.rebuild(table, allocator, ledger,
            new long[] {excludedStart, unmappedExcluded}, new long[] {excludedEnd, unmappedExcluded + 16 * PAGE});
        assertEquals(48, rebuilt.pages());
        assertEquals(16, rebuilt.excludedPages());
        // [0, 10) -> 8 + 2; [26, 64) -> 2 + 4 + 32: every block aligned to its size.
        assertEquals(5, rebuilt.blocks());
        final List<long[]> found = new ArrayList<>();
        ledger.forEachBlock((page, order, mapped) -> found.add(new long[] {page, order, mapped}));
        final long base = 0x40_0000L >>> 12;
        final long[][] expected = {
            {base, 3, 8}, {base + 8, 1, 2}, {base + 26, 1, 2}, {base + 28, 2, 4}, {base + 32, 5, 32}};
        assertEquals(expected.length, found.size());
        for (int i = 0; i < expected.length; i++)
        {
            assertArrayEquals(expected[i], found.get(i));
            assertEquals((expected[i][0] << 6) | expected[i][1], allocator.liveBlockContaining(expected[i][0] << 12));
        }
        // The excluded ranges are free in the allocator (the caller restores token blocks itself): both can be.
        assertEquals(excludedStart, allocator.restoreBlock(excludedStart, 2));
        assertEquals(excludedStart + 2 * PAGE, allocator.restoreBlock(excludedStart + 2 * PAGE, 2));
        assertEquals(unmappedExcluded, allocator.restoreBlock(unmappedExcluded, 16));
        assertEquals(IovaResult.NOT_ALLOCATED, allocator.liveBlockContaining(excludedStart + 8 * PAGE));
        assertEquals(0x501L << 12, Translation.outputAddress(table.walk(0x40_0000L + PAGE), 0));
        assertEquals(0x50cL << 12, Translation.outputAddress(table.walk(excludedStart + 2 * PAGE), 0),
            "excluded pages still mapped");
    }

    @Test
    void largeLeavesStayWholeInOneBlockAndUnmapAsBefore()
    {
        final TableArena arena = arena(64);
        final Rig first = new Rig(RadixPageTable.create(arena, tableConfig()), new IovaAllocator(config()), null);
        // 600 contiguous pages: a 1,024-page block, its first 512 pages one 2 MiB leaf; then 4 KiB pages after it.
        final LongRef out = new LongRef();
        assertEquals(NtStatus.STATUS_SUCCESS,
            first.domain.mapLogical(RW, 64 * SIZE_2M, null, 600, null, null, null, out));
        final long large = out.get();
        assertEquals(SIZE_2M, Translation.pageSize(first.table.walk(large)), "a 2 MiB leaf");
        assertEquals(NtStatus.STATUS_SUCCESS,
            first.domain.mapLogical(RW, 0, frames(7, 0x900), 7, null, null, null, out));
        final long small = out.get();

        final IovaAllocator allocator = new IovaAllocator(config());
        final BlockLedger ledger = new BlockLedger(WIDTH - 12);
        final RadixPageTable attached = RadixPageTable.attach(arena, tableConfig(), first.table.rootPage(),
            new BitSet());
        final AllocatedSpaceRebuild.Rebuilt rebuilt = AllocatedSpaceRebuild.rebuild(attached, allocator, ledger,
            new long[] {R1, R2}, new long[] {R1 + R1_PAGES * PAGE, R2 + R2_PAGES * PAGE});
        assertEquals(607, rebuilt.pages());
        // 600 = 512 + 64 + 16 + 8; 7 = 4 + 2 + 1.
        assertEquals(7, rebuilt.blocks());
        assertEquals(((large >>> 12) << 6) | 9, allocator.liveBlockContaining(large + 100 * PAGE),
            "the leaf is one block");
        final Rig second = new Rig(attached, allocator, ledger);
        assertEquals(NtStatus.STATUS_CONFLICTING_ADDRESSES, second.domain.unmapLogical(large + PAGE, 4));
        assertEquals(NtStatus.STATUS_CONFLICTING_ADDRESSES, second.domain.unmapLogical(large + 500 * PAGE, 20));
        assertEquals(NtStatus.STATUS_SUCCESS, second.domain.unmapLogical(large + 520 * PAGE, 70));
        assertEquals(NtStatus.STATUS_SUCCESS, second.domain.unmapLogical(large, 600), "the original unmap");
        assertEquals(NtStatus.STATUS_SUCCESS, second.domain.unmapLogical(small + 3 * PAGE, 1));
        assertEquals(NtStatus.STATUS_SUCCESS, second.domain.unmapLogical(small, 7));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, second.domain.unmapLogical(small, 7), "nothing left");
        ledger.forEachBlock((page, order, mapped) -> fail("ledger not empty: block at page " + page));
        assertWhole(allocator, new IovaAllocator(config()));
    }

    @Test
    void aWholeSpaceMappedIsOneBlockWhenPageZeroIsUsableElsePageZeroIsRefused()
    {
        final TableArena arena = arena(16);
        final RadixPageTable table = RadixPageTable.create(arena, tableConfig());
        // A 4-page space (width 14): all four pages mapped.
        assertEquals(PtwResult.OK, table.mapScatter(0, frames(4, 0x300), 0, 4, RW));
        final IovaAllocatorConfig usable = new IovaAllocatorConfig().addressWidth(14).pageZeroUsable(true);
        final IovaAllocator allocator = new IovaAllocator(usable);
        final BlockLedger ledger = new BlockLedger(2);
        final AllocatedSpaceRebuild.Rebuilt rebuilt = AllocatedSpaceRebuild.rebuild(table, allocator, ledger,
            new long[0], new long[0]);
        assertEquals(1, rebuilt.blocks());
        assertEquals(2, allocator.liveBlockContaining(3 * PAGE), "one block of order 2 at page 0");
        assertEquals(0, allocator.freeBytes());
        final Rig rig = new Rig(table, allocator, ledger);
        assertEquals(NtStatus.STATUS_SUCCESS, rig.domain.unmapLogical(PAGE, 2));
        assertEquals(0, allocator.freeBytes(), "the block stays live while pages of it are mapped");
        assertEquals(NtStatus.STATUS_SUCCESS, rig.domain.unmapLogical(0, 4));
        assertWhole(allocator, new IovaAllocator(usable));

        // The same mappings with page 0 outside the space: refused, nothing changed.
        assertEquals(PtwResult.OK, table.mapScatter(0, frames(4, 0x300), 0, 4, RW));
        final IovaAllocatorConfig unusable = new IovaAllocatorConfig().addressWidth(14);
        final IovaAllocator other = new IovaAllocator(unusable);
        final BlockLedger otherLedger = new BlockLedger(2);
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> AllocatedSpaceRebuild.rebuild(table, other, otherLedger, new long[0], new long[0]));
        assertTrue(refused.getMessage().contains("page 0"), refused.getMessage());
        assertUnchanged(other, new IovaAllocator(unusable), otherLedger);
        // Excluding page 0 (as a reserved region would): pages 1..3 become blocks of 1 and 2 pages.
        final AllocatedSpaceRebuild.Rebuilt rest = AllocatedSpaceRebuild.rebuild(table, other, otherLedger,
            new long[] {0}, new long[] {PAGE});
        assertEquals(2, rest.blocks());
        assertEquals(1, rest.excludedPages());
        assertEquals(0, other.freeBytes());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Refusals
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void aMappedPageTheAllocatorCannotTakeIsRefusedAndNothingChanges()
    {
        final TableArena arena = arena(64);
        final RadixPageTable table = RadixPageTable.create(arena, tableConfig());
        assertEquals(PtwResult.OK, table.mapScatter(0x40_0000L, frames(40, 0x500), 0, 40, RW));
        assertEquals(PtwResult.OK, table.mapScatter(R1 + 30 * PAGE, frames(4, 0x600), 0, 4, RW));
        final long[] regionOnly = {R1};
        final long[] regionOnlyEnd = {R1 + R1_PAGES * PAGE};

        // A mapped page in a reserved region that is not excluded (the run also runs on past the region's end).
        IovaAllocator allocator = new IovaAllocator(config());
        BlockLedger ledger = new BlockLedger(WIDTH - 12);
        final IovaAllocator allocatorForRegion = allocator;
        final BlockLedger ledgerForRegion = ledger;
        IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> AllocatedSpaceRebuild.rebuild(table, allocatorForRegion, ledgerForRegion, new long[0], new long[0]));
        assertTrue(refused.getMessage().contains("reserved region 0"), refused.getMessage());
        assertUnchanged(allocator, new IovaAllocator(config()), ledger);
        // Excluded, it is accepted.
        assertEquals(42, AllocatedSpaceRebuild.rebuild(table, allocator, ledger, regionOnly, regionOnlyEnd).pages());

        // A block the caller restored (a token's) that the excluded ranges do not cover.
        allocator = new IovaAllocator(config());
        ledger = new BlockLedger(WIDTH - 12);
        assertEquals(0x40_0000L, allocator.restoreBlock(0x40_0000L, 16));
        final IovaAllocator allocatorForToken = allocator;
        final BlockLedger ledgerForToken = ledger;
        final IovaAllocator expected = new IovaAllocator(config());
        assertEquals(0x40_0000L, expected.restoreBlock(0x40_0000L, 16));
        refused = assertThrows(IllegalStateException.class,
            () -> AllocatedSpaceRebuild.rebuild(table, allocatorForToken, ledgerForToken, regionOnly, regionOnlyEnd));
        assertTrue(refused.getMessage().contains("not free in the allocator"), refused.getMessage());
        assertUnchanged(allocator, expected, ledger);

        // A mapped page beyond the allocator's width (the table is wider).
        assertEquals(PtwResult.OK, table.map(1L << (WIDTH + 1), 0x800_0000L, PAGE, RW));
        final IovaAllocator allocatorForWidth = new IovaAllocator(config());
        final BlockLedger ledgerForWidth = new BlockLedger(WIDTH - 12);
        refused = assertThrows(IllegalStateException.class,
            () -> AllocatedSpaceRebuild.rebuild(table, allocatorForWidth, ledgerForWidth, regionOnly, regionOnlyEnd));
        assertTrue(refused.getMessage().contains("beyond the allocator's space"), refused.getMessage());
        assertUnchanged(allocatorForWidth, new IovaAllocator(config()), ledgerForWidth);

        // Malformed excluded ranges.
        assertThrows(IllegalArgumentException.class, () -> AllocatedSpaceRebuild.rebuild(table,
            new IovaAllocator(config()), new BlockLedger(WIDTH - 12), new long[] {R1 + 1}, new long[] {R1 + PAGE}));
        assertThrows(IllegalArgumentException.class, () -> AllocatedSpaceRebuild.rebuild(table,
            new IovaAllocator(config()), new BlockLedger(WIDTH - 12), new long[] {R1}, new long[0]));
    }

    @Test
    void anExcludedRangeThatCutsALargeLeafIsRefused()
    {
        final TableArena arena = arena(64);
        final RadixPageTable table = RadixPageTable.create(arena, tableConfig());
        assertEquals(PtwResult.OK, table.map(4 * SIZE_2M, 8 * SIZE_2M, SIZE_2M, RW));
        assertEquals(SIZE_2M, Translation.pageSize(table.walk(4 * SIZE_2M)));
        final IovaAllocator allocator = new IovaAllocator(config());
        final BlockLedger ledger = new BlockLedger(WIDTH - 12);
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> AllocatedSpaceRebuild.rebuild(table, allocator, ledger,
                new long[] {4 * SIZE_2M + 16 * PAGE, R1}, new long[] {4 * SIZE_2M + 32 * PAGE, R1 + R1_PAGES * PAGE}));
        assertTrue(refused.getMessage().contains("cuts a 2048 KiB leaf"), refused.getMessage());
        assertUnchanged(allocator, new IovaAllocator(config()), ledger);
    }

    // ------------------------------------------------------------------------------------------------------------
    // A million pages
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void aMillionMappedPagesRebuild()
    {
        final int width = 36;
        final IovaAllocatorConfig config = new IovaAllocatorConfig().addressWidth(width);
        final TableArena arena = arena(8192);
        final Rig first = new Rig(RadixPageTable.create(arena, tableConfig()), new IovaAllocator(config), null);
        final Random random = new Random(7);
        final long[] frames = new long[16];
        final LongRef out = new LongRef();
        long mapped = 0;
        int maps = 0;
        while (mapped < 1_000_000)
        {
            final int pages = 1 + random.nextInt(16);
            for (int i = 0; i < pages; i++)
            {
                frames[i] = 0x1000 + random.nextInt(1 << 24);
            }
            assertEquals(NtStatus.STATUS_SUCCESS, first.domain.mapLogical(RW, 0, frames, pages, null, null, null, out));
            mapped += pages;
            maps++;
            if (maps % 10 == 0 && pages > 2)
            {
                // A hole: one page unmapped inside the block.
                assertEquals(NtStatus.STATUS_SUCCESS, first.domain.unmapLogical(out.get() + PAGE, 1));
                mapped--;
            }
        }
        assertEquals(mapped, first.table.countMapped(0, 1L << width));

        final RadixPageTable attached = RadixPageTable.attach(arena, tableConfig(), first.table.rootPage(),
            new BitSet());
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long best = Long.MAX_VALUE;
        long firstNanos = 0;
        long firstCpu = 0;
        long bestCpu = Long.MAX_VALUE;
        IovaAllocator allocator = null;
        BlockLedger ledger = null;
        AllocatedSpaceRebuild.Rebuilt rebuilt = null;
        for (int round = 0; round < 3; round++)
        {
            allocator = new IovaAllocator(config);
            ledger = new BlockLedger(width - 12);
            final long cpu = threads.getCurrentThreadCpuTime();
            final long start = System.nanoTime();
            rebuilt = AllocatedSpaceRebuild.rebuild(attached, allocator, ledger, new long[0], new long[0]);
            final long nanos = System.nanoTime() - start;
            final long cpuNanos = threads.getCurrentThreadCpuTime() - cpu;
            firstNanos = round == 0 ? nanos : firstNanos;
            firstCpu = round == 0 ? cpuNanos : firstCpu;
            best = Math.min(best, nanos);
            bestCpu = Math.min(bestCpu, cpuNanos);
        }
        System.out.printf("AllocatedSpaceRebuild: %s; first %.1f ms (%.1f ms CPU), best of 3 %.1f ms (%.1f ms CPU)%n",
            rebuilt, firstNanos / 1e6, firstCpu / 1e6, best / 1e6, bestCpu / 1e6);
        assertEquals(mapped, rebuilt.pages());
        final long[] sum = new long[2];
        ledger.forEachBlock((page, order, count) ->
        {
            sum[0] += count;
            sum[1]++;
        });
        assertEquals(mapped, sum[0]);
        assertEquals(rebuilt.blocks(), sum[1]);
        assertEquals(new IovaAllocator(config).freeBytes() - mapped * PAGE, allocator.freeBytes());
        // Free space: exactly the complement of the mapped runs in [PAGE, 2^width).
        final List<long[]> runs = new ArrayList<>();
        attached.forEachMappedRange((iova, output, length, permissions) -> addRange(runs, iova, iova + length));
        assertRangesEqual(complement(runs, PAGE, 1L << width), IovaFreeSpace.freeRanges(allocator));
        // And it unmaps whole.
        final Rig second = new Rig(attached, allocator, ledger);
        for (final long[] run : runs)
        {
            assertEquals(NtStatus.STATUS_SUCCESS, second.domain.unmapLogical(run[0], (run[1] - run[0]) >>> 12));
        }
        assertWhole(allocator, new IovaAllocator(config));
    }

    // ------------------------------------------------------------------------------------------------------------
    // The rig and the model
    // ------------------------------------------------------------------------------------------------------------

    /**
     * A mapping domain with an allocator, built as DomainFactory builds one (table wider than the allocator).
     */
    private static final class Rig
    {
        final RadixPageTable table;
        final IovaAllocator allocator;
        final BlockLedger ledger;
        final MappingDomain domain;

        Rig(final RadixPageTable table, final IovaAllocator allocator, final BlockLedger ledger)
        {
            this.table = table;
            this.allocator = allocator;
            this.ledger = null == ledger ? new BlockLedger(allocator.addressWidth() - 12) : ledger;
            final DomainTable owner = new DomainTable(1);
            assertTrue(owner.acquire());
            domain = new MappingDomain(owner, IommuDmaDomainType.TRANSLATE, owner.nextId(), table, allocator,
                allocator.addressWidth(), Verifier.off(), new OperationGate(), new ProtectedRanges(), this.ledger);
            owner.publish(domain);
        }
    }

    /**
     * The reference: every page of allocator space mapped, with its output; the 2 MiB leaves; the maps made; the
     * excluded ranges (which unmaps never touch).
     */
    private static final class Model
    {
        final TreeMap<Long, Long> pages = new TreeMap<>();
        final NavigableSet<Long> largeLeaves = new TreeSet<>();
        final List<long[]> maps = new ArrayList<>();
        final List<long[]> excluded = new ArrayList<>();

        void exclude(final long start, final long end)
        {
            excluded.add(new long[] {start, end});
        }

        void churn(final Rig rig, final Random random, final int operations)
        {
            for (int i = 0; i < operations; i++)
            {
                if (maps.isEmpty() || random.nextInt(100) < 52)
                {
                    map(rig, random);
                }
                else
                {
                    unmap(rig, random);
                }
            }
        }

        private void map(final Rig rig, final Random random)
        {
            final boolean large = random.nextInt(30) == 0;
            final int count = large ? (random.nextBoolean() ? 512 : 600) : 1 + random.nextInt(40);
            final long base = large ? (1 + random.nextInt(1 << 10)) * SIZE_2M : 0;
            final long[] frames = large ? null : new long[count];
            for (int i = 0; !large && i < count; i++)
            {
                frames[i] = 0x100 + random.nextInt(1 << 28);
            }
            final LongRef out = new LongRef();
            assertEquals(NtStatus.STATUS_SUCCESS,
                rig.domain.mapLogical(RW, base, frames, count, null, null, null, out));
            final long address = out.get();
            assertTrue(pages.subMap(address, address + count * PAGE).isEmpty(),
                "the allocator handed out mapped pages at 0x" + Long.toHexString(address));
            for (int i = 0; i < count; i++)
            {
                pages.put(address + i * PAGE, large ? base + i * PAGE : frames[i] << 12);
            }
            if (large && Translation.pageSize(rig.table.walk(address)) == SIZE_2M)
            {
                // A 2 MiB leaf unless an emptied leaf table of an earlier map was still there.
                largeLeaves.add(address);
            }
            maps.add(new long[] {address, count});
        }

        private void unmap(final Rig rig, final Random random)
        {
            final int index = random.nextInt(maps.size());
            final long[] target = maps.get(index);
            final long address;
            final long count;
            switch (random.nextInt(3))
            {
                case 0:
                    address = target[0];
                    count = target[1];
                    break;
                case 1:
                    final int offset = random.nextInt((int)target[1]);
                    address = target[0] + offset * PAGE;
                    count = 1 + random.nextInt((int)target[1] - offset);
                    break;
                default:
                    address = target[0] + (random.nextInt(80) - 40) * PAGE;
                    count = 1 + random.nextInt(120);
                    break;
            }
            final long end = address + count * PAGE;
            if (address < PAGE || end > 1L << WIDTH || touchesExcluded(address, end))
            {
                return;
            }
            boolean cuts = false;
            for (final long leaf : largeLeaves.subSet(address - SIZE_2M + 1, true, end, false))
            {
                cuts |= leaf < address || leaf + SIZE_2M > end;
            }
            final boolean any = !pages.subMap(address, end).isEmpty();
            final int expected = cuts ? NtStatus.STATUS_CONFLICTING_ADDRESSES :
                any ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER;
            assertEquals(expected, rig.domain.unmapLogical(address, count),
                "unmap of " + count + " pages at 0x" + Long.toHexString(address));
            if (expected == NtStatus.STATUS_SUCCESS)
            {
                pages.subMap(address, end).clear();
                largeLeaves.subSet(address, true, end, false).clear();
            }
            if (pages.subMap(target[0], target[0] + target[1] * PAGE).isEmpty())
            {
                maps.remove(index);
            }
        }

        private boolean touchesExcluded(final long start, final long end)
        {
            for (final long[] range : excluded)
            {
                if (range[0] < end && start < range[1])
                {
                    return true;
                }
            }
            return false;
        }

        void unmapEverything(final Rig rig)
        {
            final List<long[]> runs = new ArrayList<>();
            for (final long page : pages.keySet())
            {
                addRange(runs, page, page + PAGE);
            }
            for (final long[] run : runs)
            {
                assertEquals(NtStatus.STATUS_SUCCESS, rig.domain.unmapLogical(run[0], (run[1] - run[0]) >>> 12));
            }
            pages.clear();
            largeLeaves.clear();
            maps.clear();
        }

        /**
         * Translations, the table's mapped pages outside the excluded ranges, and the ledger, against the model.
         */
        void verify(final Rig rig)
        {
            for (final Map.Entry<Long, Long> e : pages.entrySet())
            {
                assertEquals((long)e.getValue(), output(rig, e.getKey()), "page 0x" + Long.toHexString(e.getKey()));
            }
            final List<Long> mapped = new ArrayList<>();
            rig.table.forEachMappedRange((iova, output, length, permissions) ->
            {
                for (long a = iova; a < iova + length; a += PAGE)
                {
                    if (!touchesExcluded(a, a + PAGE))
                    {
                        mapped.add(a);
                    }
                }
            });
            assertEquals(new ArrayList<>(pages.keySet()), mapped, "the table maps exactly the model's pages");
            final long[] counted = new long[1];
            final long[] previousEnd = new long[1];
            rig.ledger.forEachBlock((page, order, count) ->
            {
                final long start = page << 12;
                final long size = PAGE << order;
                assertTrue(start >= previousEnd[0], "blocks are disjoint");
                previousEnd[0] = start + size;
                assertFalse(touchesExcluded(start, start + size), "no block in an excluded range");
                assertTrue(count > 0);
                assertEquals(rig.table.countMapped(start, size), count, "count of the block at " + page);
                assertEquals((page << 6) | order, rig.allocator.liveBlockContaining(start), "live block " + page);
                counted[0] += count;
            });
            assertEquals(pages.size(), counted[0], "every mapped page is in one ledger block");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    private TableArena arena(final int capacity)
    {
        final TableArena arena = TableArena.allocateDirect(capacity);
        arenas.add(arena);
        return arena;
    }

    private static PageTableConfig tableConfig()
    {
        return new PageTableConfig().addressWidth(TABLE_WIDTH);
    }

    private static IovaAllocatorConfig config()
    {
        return new IovaAllocatorConfig().addressWidth(WIDTH).explicitAllowed(false)
            .reserve(R1, R1_PAGES).reserve(R2, R2_PAGES);
    }

    private static long[] frames(final int count, final long first)
    {
        final long[] frames = new long[count];
        for (int i = 0; i < count; i++)
        {
            frames[i] = first + i;
        }
        return frames;
    }

    private static long output(final Rig rig, final long address)
    {
        final long t = rig.domain.translate(address, PtwPermissions.READ);
        assertFalse(Translation.isFault(t), "fault at 0x" + Long.toHexString(address));
        return Translation.outputAddress(t, address);
    }

    private static void addRange(final List<long[]> ranges, final long start, final long end)
    {
        final long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
        if (null != last && last[1] == start)
        {
            last[1] = end;
        }
        else
        {
            ranges.add(new long[] {start, end});
        }
    }

    private static List<long[]> complement(final List<long[]> taken, final long from, final long to)
    {
        final List<long[]> sorted = new ArrayList<>(taken);
        sorted.sort(Comparator.comparingLong(r -> r[0]));
        final List<long[]> free = new ArrayList<>();
        long cursor = from;
        for (final long[] range : sorted)
        {
            if (range[0] > cursor)
            {
                free.add(new long[] {cursor, Math.min(range[0], to)});
            }
            cursor = Math.max(cursor, range[1]);
        }
        if (cursor < to)
        {
            free.add(new long[] {cursor, to});
        }
        return free;
    }

    private static void assertFreeSpaceIsTheComplement(final Model model, final IovaAllocator allocator)
    {
        final List<long[]> taken = new ArrayList<>();
        for (final long page : model.pages.keySet())
        {
            addRange(taken, page, page + PAGE);
        }
        taken.addAll(model.excluded);
        assertRangesEqual(complement(taken, PAGE, 1L << WIDTH), IovaFreeSpace.freeRanges(allocator));
    }

    private static void assertRangesEqual(final List<long[]> expected, final List<long[]> actual)
    {
        assertEquals(expected.size(), actual.size(), "free ranges");
        for (int i = 0; i < expected.size(); i++)
        {
            assertArrayEquals(expected.get(i), actual.get(i), "free range " + i);
        }
    }

    /** Everything back: cached blocks drained, the same free bytes and the same free blocks as a fresh one. */
    private static void assertWhole(final IovaAllocator allocator, final IovaAllocator fresh)
    {
        allocator.releaseThreadCache();
        allocator.trim();
        assertEquals(fresh.freeBytes(), allocator.freeBytes(), "whole again");
        assertArrayEquals(IovaFreeSpace.freeBlocks(fresh), IovaFreeSpace.freeBlocks(allocator));
    }

    private static void assertUnchanged(final IovaAllocator allocator, final IovaAllocator expected,
        final BlockLedger ledger)
    {
        assertEquals(expected.freeBytes(), allocator.freeBytes(), "nothing taken");
        assertArrayEquals(IovaFreeSpace.freeBlocks(expected), IovaFreeSpace.freeBlocks(allocator));
        ledger.forEachBlock((page, order, mapped) -> fail("nothing recorded: block at page " + page));
    }
}
