/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.ptw.Translation;
import org.junit.jupiter.api.Test;

import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.core.V2Rig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Randomized model-based test of the V2 interface: random MapLogicalRangeEx (1 to 64 pages, PFN arrays),
 * UnmapLogicalRange (whole, partial, spanning two mappings or holes), device-side translates, and the token calls
 * (Reserve, MapReserved, UnmapReserved, Free) on one allocator domain and one explicit-address domain, each call's
 * status predicted by a simple reference model (a TreeMap page to frame and permissions, the allocator's live blocks,
 * the token ranges and their segments) and every translate compared with it. The seed is printed in every failure
 * message; set {@code -Diommu.model.seed=<seed>} to replay one.
 */
class InterfaceModelTest
{
    private static final int OPERATIONS = 24_000;
    private static final long WINDOW = 0x1000_0000L >>> 12;
    private static final long WINDOW_PAGES = 2048;
    private static final int MAX_TOKENS = 6;
    private static final int CHECK_EVERY = Integer.getInteger("iommu.model.checkEvery", 1000);

    /** A reference model of one domain. */
    private static final class Model
    {
        final boolean allocator;
        final IommuDmaDomain domain;
        final IommuDmaDevice device;
        /** Page number to {frame, permissions, owner}: owner -1 for a plain mapping, else the token's base page. */
        final TreeMap<Long, long[]> pages = new TreeMap<>();
        /** Allocator blocks of plain mappings: first page to {block pages, mapped pages}. */
        final TreeMap<Long, long[]> blocks = new TreeMap<>();
        /** Tokens by base page. */
        final TreeMap<Long, TokenModel> tokens = new TreeMap<>();
        /** Copies of segments already unmapped. */
        final List<IommuDmaLogicalAddressTokenMappedSegment> staleSegments = new ArrayList<>();

        Model(final boolean allocator, final IommuDmaDomain domain, final IommuDmaDevice device)
        {
            this.allocator = allocator;
            this.domain = domain;
            this.device = device;
        }

        boolean anyMapped(final long from, final long to)
        {
            final Long key = pages.ceilingKey(from);
            return null != key && key < to;
        }

        boolean anyPlainMapped(final long from, final long to)
        {
            for (final Map.Entry<Long, long[]> e : pages.subMap(from, to).entrySet())
            {
                if (e.getValue()[2] == -1)
                {
                    return true;
                }
            }
            return false;
        }

        boolean overlapsToken(final long from, final long to)
        {
            final Map.Entry<Long, TokenModel> below = tokens.lowerEntry(to);
            return null != below && below.getValue().basePage + below.getValue().pages > from;
        }

        /** Whether [from, to) overlaps a live allocator block (plain mappings' or tokens' rounded blocks). */
        boolean overlapsBlock(final long from, final long to)
        {
            final Map.Entry<Long, long[]> below = blocks.lowerEntry(to);
            if (null != below && below.getKey() + below.getValue()[0] > from)
            {
                return true;
            }
            final Map.Entry<Long, TokenModel> token = tokens.lowerEntry(to);
            return null != token && token.getKey() + roundUp(token.getValue().pages) > from;
        }
    }

    /** A reference model of one token. */
    private static final class TokenModel
    {
        final IommuDmaLogicalAddressToken handle;
        final long basePage;
        final long pages;
        /** Offset page to the segment mapped there. */
        final TreeMap<Long, IommuDmaLogicalAddressTokenMappedSegment> segments = new TreeMap<>();

        TokenModel(final IommuDmaLogicalAddressToken handle)
        {
            this.handle = handle;
            this.basePage = handle.logicalAddressBase() >>> 12;
            this.pages = handle.size() >>> 12;
        }
    }

    private static long roundUp(final long pages)
    {
        return pages <= 1 ? 1 : Long.highestOneBit(pages - 1) << 1;
    }

    private V2Rig rig;
    private long initialFreeBytes;
    private SplittableRandom random;
    private long seed;
    private int step;
    private String lastOp = "";

    @Test
    void randomOperationsMatchTheModel()
    {
        seed = Long.getLong("iommu.model.seed", System.nanoTime());
        random = new SplittableRandom(seed);
        rig = new V2Rig(V2Rig.x64Platform(V2Rig.limits(4096)));
        try
        {
            run();
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError("seed " + seed + " (replay with -Diommu.model.seed=" + seed + "), step " + step +
                ", last operation " + lastOp + ": " + ex.getMessage(), ex);
        }
        finally
        {
            rig.close();
        }
    }

    private void run()
    {
        final long startPages = rig.emulator.tablePagesInUse();
        final IommuDmaDomain allocatorDomain = rig.allocatorDomain();
        final IommuDmaDomain explicitDomain = rig.explicitDomain();
        final IovaAllocator iova = ((MappingDomain)allocatorDomain).allocator();
        initialFreeBytes = iova.freeBytes();
        final Model[] models = {
            new Model(true, allocatorDomain, rig.attached("nic", allocatorDomain)),
            new Model(false, explicitDomain, rig.attached("disk", explicitDomain))};
        final int[] counts = new int[8];
        for (step = 0; step < OPERATIONS; step++)
        {
            final Model m = models[random.nextInt(2)];
            final int dice = random.nextInt(100);
            final int op = dice < 28 ? 0 : dice < 52 ? 1 : dice < 70 ? 2 : dice < 77 ? 3 : dice < 86 ? 4 :
                dice < 93 ? 5 : dice < 98 ? 6 : 7;
            counts[op]++;
            switch (op)
            {
                case 0:
                    map(m);
                    break;
                case 1:
                    unmap(m);
                    break;
                case 2:
                    translate(m, randomPage(m));
                    break;
                case 3:
                    reserve(m);
                    break;
                case 4:
                    mapReserved(m);
                    break;
                case 5:
                    unmapReserved(m);
                    break;
                case 6:
                    free(m);
                    break;
                default:
                    unmapStale(m);
                    break;
            }
            translate(m, randomPage(m));
            if (step % CHECK_EVERY == CHECK_EVERY - 1)
            {
                fullCheck(models[0]);
                fullCheck(models[1]);
            }
        }
        for (int op = 0; op < 7; op++)
        {
            assertTrue(counts[op] > OPERATIONS / 50, "operation " + op + " ran " + counts[op] + " times");
        }
        for (final Model m : models)
        {
            tearDown(m);
        }
        fullCheck(models[0]);
        final IovaAllocator allocator = ((MappingDomain)allocatorDomain).allocator();
        assertEquals(initialFreeBytes, allocator.freeBytes(), "IOVA space all back");
        final long whole = allocator.allocate(1L << 26, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        assertTrue(whole > 0, "every block merged back: the top half of the space is free (" + whole + ")");
        allocator.free(whole, 1L << 26);
        assertEquals(STATUS_SUCCESS, rig.iommu.detachDeviceEx(models[0].device));
        assertEquals(STATUS_SUCCESS, rig.iommu.detachDeviceEx(models[1].device));
        assertEquals(1, ((MappingDomain)explicitDomain).table().tablePages(),
            "explicit domain: one unmap over whole spans returns every table but the root");
        assertEquals(STATUS_SUCCESS, rig.iommu.deleteDomain(allocatorDomain));
        assertEquals(STATUS_SUCCESS, rig.iommu.deleteDomain(explicitDomain));
        assertEquals(startPages, rig.emulator.tablePagesInUse(), "table pages back to the start");
    }

    private long randomPage(final Model m)
    {
        if (!m.pages.isEmpty() && random.nextInt(3) != 0)
        {
            final Long key = m.pages.ceilingKey(m.allocator ? random.nextLong(1, m.pages.lastKey() + 1) :
                WINDOW + random.nextLong(WINDOW_PAGES));
            if (null != key)
            {
                return key + random.nextInt(-1, 2);
            }
        }
        return m.allocator ? random.nextLong(0, 1 << 16) : WINDOW + random.nextLong(-8, WINDOW_PAGES + 72);
    }

    private long[] frames(final int n)
    {
        final long[] frames = new long[n];
        for (int i = 0; i < n; i++)
        {
            frames[i] = random.nextLong(1, 1L << 30);
        }
        return frames;
    }

    private static int status(final String what, final int expected, final int actual)
    {
        assertEquals(NtStatus.name(expected), NtStatus.name(actual), what);
        return actual;
    }

    private void map(final Model m)
    {
        final int n = random.nextInt(1, 65);
        final long[] frames = frames(n);
        final int perms = random.nextInt(1, 4);
        final LongRef out = new LongRef();
        if (m.allocator)
        {
            lastOp = "map allocator " + n;
            status(lastOp, STATUS_SUCCESS, rig.iommu.mapLogicalRangeEx(
                m.domain, perms, V2Rig.pfns(frames), null, null, null, out));
            final long first = out.get() >>> 12;
            final long block = roundUp(n);
            assertEquals(0, first % block, "buddy block aligned to its size");
            assertTrue(first > 0, "page 0 never handed out");
            assertTrue(!m.overlapsBlock(first, first + block), "a live block or token handed out again at " + first);
            m.blocks.put(first, new long[]{block, n});
            for (int i = 0; i < n; i++)
            {
                m.pages.put(first + i, new long[]{frames[i], perms, -1});
            }
        }
        else
        {
            final long first = WINDOW + random.nextLong(WINDOW_PAGES);
            lastOp = "map explicit " + first + "+" + n;
            final int expected = m.anyMapped(first, first + n) || m.overlapsToken(first, first + n) ?
                STATUS_IN_USE : STATUS_SUCCESS;
            status(lastOp, expected, rig.iommu.mapLogicalRangeEx(
                m.domain, perms, V2Rig.pfns(frames), new LongRef(first << 12), null, null, out));
            if (expected == STATUS_SUCCESS)
            {
                assertEquals(first << 12, out.get());
                for (int i = 0; i < n; i++)
                {
                    m.pages.put(first + i, new long[]{frames[i], perms, -1});
                }
            }
        }
    }

    private void unmap(final Model m)
    {
        long first;
        if (!m.pages.isEmpty() && random.nextInt(4) != 0)
        {
            final long pick = randomPage(m);
            first = Math.max(1, pick - random.nextInt(0, 4));
        }
        else
        {
            first = randomPage(m);
        }
        first = Math.max(1, first);
        final long n;
        final int shape = random.nextInt(4);
        if (shape == 0 && m.pages.containsKey(first))
        {
            // Whole mapping from here: up to the end of the run of mapped pages.
            long end = first;
            while (m.pages.containsKey(end) && m.pages.get(end)[2] == -1)
            {
                end++;
            }
            n = Math.max(1, end - first);
        }
        else
        {
            n = random.nextInt(1, shape == 1 ? 130 : 40);
        }
        lastOp = (m.allocator ? "unmap allocator " : "unmap explicit ") + first + "+" + n;
        final int expected = m.overlapsToken(first, first + n) ? STATUS_INVALID_PARAMETER :
            m.anyPlainMapped(first, first + n) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
        final long[] before = expected == STATUS_SUCCESS ? null : rig.snapshot();
        status(lastOp, expected, rig.iommu.unmapLogicalRange(m.domain, first << 12, n));
        if (expected != STATUS_SUCCESS)
        {
            assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(rig.snapshot()), lastOp);
            return;
        }
        final List<Long> gone = new ArrayList<>(m.pages.subMap(first, first + n).keySet());
        for (final long page : gone)
        {
            m.pages.remove(page);
            if (m.allocator)
            {
                final Map.Entry<Long, long[]> block = m.blocks.floorEntry(page);
                assertTrue(null != block && block.getKey() + block.getValue()[0] > page, "page in a block");
                if (--block.getValue()[1] == 0)
                {
                    m.blocks.remove(block.getKey());
                }
            }
        }
    }

    private void translate(final Model m, final long page)
    {
        if (page < 0)
        {
            return;
        }
        final long offset = random.nextLong(PAGE);
        final long address = (page << 12) + offset;
        final int access = random.nextBoolean() ? IommuPermissions.READ : IommuPermissions.WRITE;
        final long t = rig.emulator.translate(m.device, address, access);
        final long[] entry = m.pages.get(page);
        final String what = "translate 0x" + Long.toHexString(address) + " access " + access + " after " + lastOp;
        if (null == entry)
        {
            assertTrue(Translation.isFault(t), what + ": expected a fault");
            assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(t), what);
        }
        else if ((entry[1] & access) == 0)
        {
            assertTrue(Translation.isFault(t), what + ": expected a permission fault");
            assertEquals(Translation.FAULT_PERMISSION, Translation.faultReason(t), what);
        }
        else
        {
            assertTrue(!Translation.isFault(t), what + ": unexpected fault " + Translation.faultReason(t));
            assertEquals(Long.toHexString((entry[0] << 12) + offset),
                Long.toHexString(Translation.outputAddress(t, address)), what);
        }
    }

    private void reserve(final Model m)
    {
        if (m.tokens.size() >= MAX_TOKENS)
        {
            return;
        }
        final int n = random.nextInt(1, 17);
        final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
        if (m.allocator)
        {
            lastOp = "reserve allocator " + n;
            status(lastOp, STATUS_SUCCESS, rig.iommu.reserveLogicalAddressRange(
                m.domain, n * PAGE, null, null, null, out));
            final TokenModel token = new TokenModel(out.get());
            assertTrue(!m.overlapsBlock(token.basePage, token.basePage + roundUp(n)),
                "token over a live block at " + token.basePage);
            assertEquals(0, token.basePage % roundUp(n));
            m.tokens.put(token.basePage, token);
        }
        else
        {
            final long first = WINDOW + random.nextLong(WINDOW_PAGES);
            lastOp = "reserve explicit " + first + "+" + n;
            final int expected = m.anyMapped(first, first + n) || m.overlapsToken(first, first + n) ?
                STATUS_IN_USE : STATUS_SUCCESS;
            status(lastOp, expected, rig.iommu.reserveLogicalAddressRange(
                m.domain, n * PAGE, new LongRef(first << 12), null, null, out));
            if (expected == STATUS_SUCCESS)
            {
                final TokenModel token = new TokenModel(out.get());
                assertEquals(first, token.basePage);
                m.tokens.put(first, token);
            }
        }
    }

    private TokenModel randomToken(final Model m)
    {
        if (m.tokens.isEmpty())
        {
            return null;
        }
        int index = random.nextInt(m.tokens.size());
        for (final TokenModel token : m.tokens.values())
        {
            if (index-- == 0)
            {
                return token;
            }
        }
        return null;
    }

    private void mapReserved(final Model m)
    {
        final TokenModel token = randomToken(m);
        if (null == token)
        {
            return;
        }
        final long offset = random.nextLong(token.pages);
        final int n = random.nextInt(1, (int)Math.min(token.pages, 8) + 2);
        final long[] frames = frames(n);
        final int perms = random.nextInt(1, 4);
        lastOp = "mapReserved " + token.basePage + "@" + offset + "+" + n;
        final int expected;
        if (offset + n > token.pages)
        {
            expected = STATUS_INVALID_PARAMETER_4;
        }
        else if (m.anyMapped(token.basePage + offset, token.basePage + offset + n))
        {
            expected = STATUS_RESOURCE_IN_USE;
        }
        else
        {
            expected = STATUS_SUCCESS;
        }
        final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
        status(lastOp, expected, rig.iommu.mapReservedLogicalRange(
            token.handle, offset * PAGE, perms, V2Rig.pfns(frames), segment));
        if (expected == STATUS_SUCCESS)
        {
            assertEquals(offset * PAGE, segment.offset());
            assertEquals(n * PAGE, segment.size());
            token.segments.put(offset, segment);
            for (int i = 0; i < n; i++)
            {
                m.pages.put(token.basePage + offset + i, new long[]{frames[i], perms, token.basePage});
            }
        }
    }

    private void unmapReserved(final Model m)
    {
        final TokenModel token = randomToken(m);
        if (null == token || token.segments.isEmpty())
        {
            return;
        }
        final long offset = token.segments.keySet().toArray(new Long[0])[random.nextInt(token.segments.size())];
        final IommuDmaLogicalAddressTokenMappedSegment segment = token.segments.remove(offset);
        lastOp = "unmapReserved " + token.basePage + "@" + offset;
        m.staleSegments.add(new IommuDmaLogicalAddressTokenMappedSegment()
            .owningToken(segment.owningToken()).offset(segment.offset()).size(segment.size()));
        final long pages = segment.size() >>> 12;
        status(lastOp, STATUS_SUCCESS, rig.iommu.unmapReservedLogicalRange(segment));
        assertEquals(null, segment.owningToken(), "segment zeroed");
        for (long i = 0; i < pages; i++)
        {
            m.pages.remove(token.basePage + offset + i);
        }
    }

    private void unmapStale(final Model m)
    {
        if (m.staleSegments.isEmpty())
        {
            return;
        }
        final IommuDmaLogicalAddressTokenMappedSegment stale =
            m.staleSegments.remove(random.nextInt(m.staleSegments.size()));
        final long base = stale.owningToken().logicalAddressBase() >>> 12;
        lastOp = "unmap stale segment " + base + "@" + (stale.offset() >>> 12);
        // A stale copy is refused unless a live segment of exactly that offset and size was mapped again since.
        final TokenModel token = m.tokens.get(base);
        if (null != token && token.handle == stale.owningToken())
        {
            final IommuDmaLogicalAddressTokenMappedSegment now = token.segments.get(stale.offset() >>> 12);
            if (null != now && now.size() == stale.size())
            {
                return;
            }
        }
        final long[] before = rig.snapshot();
        status(lastOp, STATUS_INVALID_PARAMETER, rig.iommu.unmapReservedLogicalRange(stale));
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(rig.snapshot()), lastOp);
    }

    private void free(final Model m)
    {
        final TokenModel token = randomToken(m);
        if (null == token)
        {
            return;
        }
        lastOp = "free " + token.basePage + " with " + token.segments.size() + " segments";
        final int expected = token.segments.isEmpty() ? STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
        status(lastOp, expected, rig.iommu.freeReservedLogicalAddressRange(token.handle));
        if (expected == STATUS_SUCCESS)
        {
            m.tokens.remove(token.basePage);
            status(lastOp + " twice", STATUS_INVALID_PARAMETER,
                rig.iommu.freeReservedLogicalAddressRange(token.handle));
        }
    }

    /** Every model page translates as the model says, and the tables hold no other mapped page. */
    private void fullCheck(final Model m)
    {
        for (final Map.Entry<Long, long[]> e : m.pages.entrySet())
        {
            final long t = ((MappingDomain)m.domain).table().walk(e.getKey() << 12);
            if (Translation.isFault(t) || Translation.outputAddress(t, e.getKey() << 12) != e.getValue()[0] << 12)
            {
                fail("page " + e.getKey() + " should map frame " + e.getValue()[0]);
            }
        }
        if (m.allocator)
        {
            long live = 0;
            for (final long[] block : m.blocks.values())
            {
                live += block[0];
            }
            for (final TokenModel token : m.tokens.values())
            {
                live += roundUp(token.pages);
            }
            final IovaAllocator allocator = ((MappingDomain)m.domain).allocator();
            assertEquals(live * PAGE, initialFreeBytes - allocator.freeBytes(),
                "IOVA bytes held = live blocks and tokens, step " + step);
        }
        final long span = m.allocator ? 1L << V2Rig.ALLOCATOR_WIDTH : 1L << 48;
        assertEquals(m.pages.size(), ((MappingDomain)m.domain).table().countMapped(0, span),
            "mapped pages in the tables, step " + step);
    }

    private void tearDown(final Model m)
    {
        for (final TokenModel token : m.tokens.values())
        {
            for (final IommuDmaLogicalAddressTokenMappedSegment segment : token.segments.values())
            {
                assertEquals(STATUS_SUCCESS, rig.iommu.unmapReservedLogicalRange(segment));
            }
            assertEquals(STATUS_SUCCESS, rig.iommu.freeReservedLogicalAddressRange(token.handle));
        }
        m.tokens.clear();
        m.pages.values().removeIf((final long[] entry) -> entry[2] != -1);
        if (!m.allocator)
        {
            // One unmap over whole table spans: it returns every table but the root (spec 2.13).
            if (m.pages.isEmpty())
            {
                rig.mapAt(m.domain, WINDOW << 12, 1, 1);
            }
            assertEquals(STATUS_SUCCESS, rig.iommu.unmapLogicalRange(m.domain, 0, 1L << 36));
            m.pages.clear();
        }
        while (!m.pages.isEmpty())
        {
            final long first = m.pages.firstKey();
            long end = first;
            while (m.pages.containsKey(end))
            {
                m.pages.remove(end);
                end++;
            }
            assertEquals(STATUS_SUCCESS, rig.iommu.unmapLogicalRange(m.domain, first << 12, end - first));
        }
        m.blocks.clear();
        assertEquals(0, ((MappingDomain)m.domain).table().countMapped(0, 1L << V2Rig.ALLOCATOR_WIDTH));
    }
}
