/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.DmaTranslation;

/**
 * One stress thread. It owns an allocator domain and an explicit-address domain, each with a device of its own
 * attached, and keeps a model of what it mapped and reserved in them, so that every status and every device-side
 * translation there is predicted exactly. It also maps into a domain all threads share (a shared page-owner map
 * checks that no two live blocks overlap) and races the other threads with lifecycle calls on a shared pool of
 * devices and domains, where it checks that each status is one the member may return.
 */
final class StressWorker implements Runnable
{
    private static final long PAGE = 4096;
    private static final int ALLOCATOR_WIDTH = 39;
    private static final long EXPLICIT_WINDOW_PAGES = 1L << 18;

    private final StressRun run;
    private final int index;
    private final long seed;
    private final SplittableRandom random;
    private final DmaIommuInterfaceV2 iommu;
    private final IommuEmulator emulator;
    private final IommuDmaDomain allocatorDomain;
    private final IommuDmaDomain explicitDomain;
    private final IommuDmaDevice allocatorDevice;
    private final IommuDmaDevice explicitDevice;
    private final ConcurrentHashMap<Long, Integer> sharedOwners;

    private final List<Mapping> allocated = new ArrayList<>();
    private final List<Mapping> sharedMappings = new ArrayList<>();
    private final TreeMap<Long, Long> explicitPages = new TreeMap<>();
    private final List<Token> tokens = new ArrayList<>();
    private final LongRef out = new LongRef();
    private final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
    private long nextFrame;
    private long operation;
    private final long[] calls = new long[Call.values().length];

    /** What a worker does, for the summary. */
    enum Call
    {
        MAP_ALLOCATED, MAP_SHARED, MAP_EXPLICIT, UNMAP, TRANSLATE, RESERVE, MAP_RESERVED, UNMAP_RESERVED, FREE_TOKEN,
        BAD_INPUT, LIFECYCLE, POLICY
    }

    StressWorker(final StressRun run, final int index, final long seed)
    {
        this.run = run;
        this.index = index;
        this.seed = seed;
        this.random = new SplittableRandom(seed * 31 + index);
        this.iommu = run.iommu();
        this.emulator = run.emulator();
        this.sharedOwners = run.sharedOwners();
        this.nextFrame = ((long)index + 1) << 28;
        final Ref<IommuDmaDomain> domain = new Ref<>();
        check("CreateDomainEx", NtStatus.STATUS_SUCCESS, iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
            new IommuDmaLogicalAllocatorConfig().buddy(ALLOCATOR_WIDTH), null, domain), "setup", -1);
        allocatorDomain = domain.get();
        check("CreateDomainEx", NtStatus.STATUS_SUCCESS,
            iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, domain), "setup", -1);
        explicitDomain = domain.get();
        allocatorDevice = run.ownDevice(2 * index);
        explicitDevice = run.ownDevice(2 * index + 1);
        check("AttachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(allocatorDomain, allocatorDevice),
            "setup", -1);
        check("AttachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(explicitDomain, explicitDevice),
            "setup", -1);
    }

    long[] calls()
    {
        return calls;
    }

    long operations()
    {
        return operation;
    }

    @Override
    public void run()
    {
        while (run.keepGoing(operation))
        {
            operation++;
            final int choice = random.nextInt(100);
            if (choice < 14)
            {
                mapAllocated(false);
            }
            else if (choice < 20)
            {
                mapAllocated(true);
            }
            else if (choice < 32)
            {
                mapExplicit();
            }
            else if (choice < 48)
            {
                unmap();
            }
            else if (choice < 70)
            {
                translate();
            }
            else if (choice < 75)
            {
                reserve();
            }
            else if (choice < 81)
            {
                mapReserved();
            }
            else if (choice < 85)
            {
                unmapReserved();
            }
            else if (choice < 88)
            {
                freeToken();
            }
            else if (choice < 93)
            {
                badInput();
            }
            else if (choice < 99)
            {
                lifecycle();
            }
            else
            {
                calls[Call.POLICY.ordinal()]++;
                run.changePolicy(random);
            }
            run.progress();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Allocator domains
    // ------------------------------------------------------------------------------------------------------------

    private void mapAllocated(final boolean shared)
    {
        calls[(shared ? Call.MAP_SHARED : Call.MAP_ALLOCATED).ordinal()]++;
        final int pages = 1 + random.nextInt(16);
        final long[] frames = frames(pages);
        final int permissions = random.nextInt(4);
        physical.usePfnArray(frames, pages);
        final IommuDmaDomain domain = shared ? run.sharedDomain() : allocatorDomain;
        final int status = iommu.mapLogicalRangeEx(domain, permissions, physical, null, null, null, out);
        check("MapLogicalRangeEx", NtStatus.STATUS_SUCCESS, status, shared ? "shared domain" : "allocator domain", -1);
        final long iova = out.get();
        final long end = iova + pages * PAGE;
        if (iova <= 0 || (iova & (PAGE - 1)) != 0 || end > (1L << ALLOCATOR_WIDTH))
        {
            fail("MapLogicalRangeEx", "allocator domain", iova, "address outside [4 KiB, 2^39) or unaligned");
        }
        final List<Mapping> list = shared ? sharedMappings : allocated;
        for (final Mapping other : list)
        {
            if (other.iova < end && iova < other.iova + other.pages * PAGE)
            {
                fail("MapLogicalRangeEx", "allocator domain", iova, "overlaps the live mapping at 0x" +
                    Long.toHexString(other.iova));
            }
        }
        for (final Token token : tokens)
        {
            if (!shared && token.domain == allocatorDomain && token.base < end && iova < token.base + token.size)
            {
                fail("MapLogicalRangeEx", "allocator domain", iova, "overlaps a token");
            }
        }
        if (shared)
        {
            for (int i = 0; i < pages; i++)
            {
                final Integer before = sharedOwners.putIfAbsent(iova + i * PAGE, index);
                if (null != before)
                {
                    fail("MapLogicalRangeEx", "shared domain", iova + i * PAGE,
                        "page already held by thread " + before);
                }
            }
        }
        list.add(new Mapping(iova, pages, frames, permissions));
    }

    private void unmap()
    {
        calls[Call.UNMAP.ordinal()]++;
        final int which = random.nextInt(3);
        if (which == 2 || (allocated.isEmpty() && sharedMappings.isEmpty()))
        {
            unmapExplicit();
            return;
        }
        final boolean shared = which == 1 && !sharedMappings.isEmpty() || allocated.isEmpty();
        final List<Mapping> list = shared ? sharedMappings : allocated;
        final int at = random.nextInt(list.size());
        final Mapping mapping = list.get(at);
        final IommuDmaDomain domain = shared ? run.sharedDomain() : allocatorDomain;
        if (random.nextBoolean())
        {
            final int page = random.nextInt(mapping.pages);
            final boolean gone = mapping.unmapped[page];
            if (shared && !gone)
            {
                sharedOwners.remove(mapping.iova + page * PAGE);
            }
            final int status = iommu.unmapLogicalRange(domain, mapping.iova + page * PAGE, 1);
            check("UnmapLogicalRange", gone ? NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS, status,
                "allocator domain, one page", mapping.iova + page * PAGE);
            mapping.unmapped[page] = true;
            if (mapping.allUnmapped())
            {
                list.remove(at);
            }
            return;
        }
        if (shared)
        {
            for (int i = 0; i < mapping.pages; i++)
            {
                if (!mapping.unmapped[i])
                {
                    sharedOwners.remove(mapping.iova + i * PAGE);
                }
            }
        }
        check("UnmapLogicalRange", NtStatus.STATUS_SUCCESS, iommu.unmapLogicalRange(domain, mapping.iova,
            mapping.pages), "allocator domain, whole mapping", mapping.iova);
        list.remove(at);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Explicit-address domain
    // ------------------------------------------------------------------------------------------------------------

    private void mapExplicit()
    {
        calls[Call.MAP_EXPLICIT.ordinal()]++;
        final long page = 1 + random.nextLong(EXPLICIT_WINDOW_PAGES - 16);
        final int pages = 1 + random.nextInt(8);
        final long[] frames = frames(pages);
        final int permissions = random.nextInt(4);
        physical.usePfnArray(frames, pages);
        final boolean conflict = explicitPages.subMap(page, page + pages).size() > 0 ||
            tokenOverlaps(explicitDomain, page * PAGE, (page + pages) * PAGE);
        final int status = iommu.mapLogicalRangeEx(
            explicitDomain, permissions, physical, new LongRef(page * PAGE), null, null, out);
        check("MapLogicalRangeEx", conflict ? NtStatus.STATUS_IN_USE : NtStatus.STATUS_SUCCESS, status,
            "explicit domain", page * PAGE);
        if (!conflict)
        {
            for (int i = 0; i < pages; i++)
            {
                explicitPages.put(page + i, (frames[i] << 2) | permissions);
            }
        }
    }

    private void unmapExplicit()
    {
        final long page = 1 + random.nextLong(EXPLICIT_WINDOW_PAGES - 16);
        final Long near = explicitPages.ceilingKey(page);
        final long from = null != near && random.nextInt(4) != 0 ? near : page;
        final int pages = 1 + random.nextInt(8);
        final int expected = tokenOverlaps(explicitDomain, from * PAGE, (from + pages) * PAGE) ?
            NtStatus.STATUS_INVALID_PARAMETER :
            explicitPages.subMap(from, from + pages).isEmpty() ?
                NtStatus.STATUS_INVALID_PARAMETER : NtStatus.STATUS_SUCCESS;
        check("UnmapLogicalRange", expected, iommu.unmapLogicalRange(explicitDomain, from * PAGE, pages),
            "explicit domain", from * PAGE);
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            explicitPages.subMap(from, from + pages).clear();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Device-side translation
    // ------------------------------------------------------------------------------------------------------------

    private void translate()
    {
        calls[Call.TRANSLATE.ordinal()]++;
        final int access = 1 + random.nextInt(3);
        if (random.nextBoolean() && !allocated.isEmpty())
        {
            final Mapping mapping = allocated.get(random.nextInt(allocated.size()));
            final int page = random.nextInt(mapping.pages);
            final long iova = mapping.iova + page * PAGE + random.nextInt((int)PAGE);
            final long expected = mapping.unmapped[page] ? -1 : (mapping.frames[page] << 12) | (iova & (PAGE - 1));
            expectTranslation(allocatorDevice, iova, access, expected, mapping.permissions);
            return;
        }
        long page = 1 + random.nextLong(EXPLICIT_WINDOW_PAGES - 16);
        if (!explicitPages.isEmpty() && random.nextInt(4) != 0)
        {
            final Long mapped = explicitPages.ceilingKey(page);
            page = null == mapped ? explicitPages.firstKey() : mapped;
        }
        final long iova = page * PAGE + random.nextInt((int)PAGE);
        final Long entry = explicitPages.get(page);
        final long segmentFrame = segmentFrame(iova);
        if (segmentFrame >= 0)
        {
            expectTranslation(explicitDevice, iova, access, (segmentFrame << 12) | (iova & (PAGE - 1)),
                IommuPermissions.READ_WRITE);
            return;
        }
        expectTranslation(explicitDevice, iova, access,
            null == entry ? -1 : ((entry >>> 2) << 12) | (iova & (PAGE - 1)), null == entry ? 0 : (int)(entry & 3));
    }

    private void expectTranslation(
        final IommuDmaDevice device, final long iova, final int access, final long expected, final int permissions)
    {
        final long t = emulator.translate(device, iova, access);
        if (expected < 0)
        {
            if (DmaTranslation.faultReason(t) != DmaTranslation.FAULT_NOT_PRESENT)
            {
                fail("translate", "device", iova, "expected not present, got " + Long.toHexString(t));
            }
            return;
        }
        if ((permissions & access) != access)
        {
            if (DmaTranslation.faultReason(t) != DmaTranslation.FAULT_PERMISSION)
            {
                fail("translate", "device", iova, "expected a permission fault (mapped " + permissions +
                    ", access " + access + "), got " + Long.toHexString(t));
            }
            return;
        }
        if (DmaTranslation.isFault(t) || DmaTranslation.outputAddress(t, iova) != expected)
        {
            fail("translate", "device", iova, "expected 0x" + Long.toHexString(expected) + ", got " +
                (DmaTranslation.isFault(t) ? "fault " + DmaTranslation.faultReason(t) :
                "0x" + Long.toHexString(DmaTranslation.outputAddress(t, iova))));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Tokens
    // ------------------------------------------------------------------------------------------------------------

    private void reserve()
    {
        calls[Call.RESERVE.ordinal()]++;
        if (tokens.size() >= 16)
        {
            return;
        }
        final int pages = 1 + random.nextInt(16);
        final Ref<IommuDmaLogicalAddressToken> token = new Ref<>();
        if (random.nextBoolean())
        {
            check("ReserveLogicalAddressRange", NtStatus.STATUS_SUCCESS, iommu.reserveLogicalAddressRange(
                allocatorDomain, pages * PAGE, null, null, null, token), "allocator domain", -1);
            final long base = token.get().logicalAddressBase();
            for (final Mapping mapping : allocated)
            {
                if (mapping.iova < base + pages * PAGE && base < mapping.iova + mapping.pages * PAGE)
                {
                    fail("ReserveLogicalAddressRange", "allocator domain", base, "overlaps a live mapping");
                }
            }
            tokens.add(new Token(allocatorDomain, token.get(), base, pages * PAGE));
            return;
        }
        final long page = 1 + random.nextLong(EXPLICIT_WINDOW_PAGES - 16);
        final long base = page * PAGE;
        final boolean conflict = !explicitPages.subMap(page, page + pages).isEmpty() ||
            tokenOverlaps(explicitDomain, base, base + pages * PAGE);
        check("ReserveLogicalAddressRange", conflict ? NtStatus.STATUS_IN_USE : NtStatus.STATUS_SUCCESS,
            iommu.reserveLogicalAddressRange(explicitDomain, pages * PAGE, new LongRef(base), null, null, token),
            "explicit domain", base);
        if (!conflict)
        {
            tokens.add(new Token(explicitDomain, token.get(), base, pages * PAGE));
        }
    }

    private void mapReserved()
    {
        calls[Call.MAP_RESERVED.ordinal()]++;
        if (tokens.isEmpty())
        {
            return;
        }
        final Token token = tokens.get(random.nextInt(tokens.size()));
        final long tokenPages = token.size / PAGE;
        final long offsetPages = random.nextLong(tokenPages + 1);
        final int pages = 1 + random.nextInt(4);
        final long[] frames = frames(pages);
        physical.usePfnArray(frames, pages);
        final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
        final int expected;
        if (offsetPages + pages > tokenPages)
        {
            expected = NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        else if (token.overlapsSegment(offsetPages * PAGE, pages * PAGE))
        {
            expected = NtStatus.STATUS_RESOURCE_IN_USE;
        }
        else
        {
            expected = NtStatus.STATUS_SUCCESS;
        }
        check("MapReservedLogicalRange", expected, iommu.mapReservedLogicalRange(
            token.handle, offsetPages * PAGE, IommuPermissions.READ_WRITE, physical, segment), "token",
            token.base + offsetPages * PAGE);
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            token.segments.put(offsetPages * PAGE, new Segment(segment, frames));
        }
    }

    private void unmapReserved()
    {
        calls[Call.UNMAP_RESERVED.ordinal()]++;
        if (tokens.isEmpty())
        {
            return;
        }
        final Token token = tokens.get(random.nextInt(tokens.size()));
        if (token.segments.isEmpty())
        {
            final IommuDmaLogicalAddressTokenMappedSegment forged = new IommuDmaLogicalAddressTokenMappedSegment()
                .owningToken(token.handle).offset(0).size(PAGE);
            check("UnmapReservedLogicalRange", NtStatus.STATUS_INVALID_PARAMETER,
                iommu.unmapReservedLogicalRange(forged), "token", token.base);
            return;
        }
        final Long offset = token.segments.firstKey();
        final Segment segment = token.segments.remove(offset);
        check("UnmapReservedLogicalRange", NtStatus.STATUS_SUCCESS, iommu.unmapReservedLogicalRange(segment.segment),
            "token", token.base + offset);
        if (null != segment.segment.owningToken())
        {
            fail("UnmapReservedLogicalRange", "token", token.base + offset, "the segment was not zeroed");
        }
    }

    private void freeToken()
    {
        calls[Call.FREE_TOKEN.ordinal()]++;
        if (tokens.isEmpty())
        {
            return;
        }
        final int at = random.nextInt(tokens.size());
        final Token token = tokens.get(at);
        final int expected = token.segments.isEmpty() ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_RESOURCE_IN_USE;
        check("FreeReservedLogicalAddressRange", expected, iommu.freeReservedLogicalAddressRange(token.handle),
            "token", token.base);
        if (expected == NtStatus.STATUS_SUCCESS)
        {
            tokens.remove(at);
            check("FreeReservedLogicalAddressRange", NtStatus.STATUS_INVALID_PARAMETER,
                iommu.freeReservedLogicalAddressRange(token.handle), "freed token", token.base);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Bad input and lifecycle races
    // ------------------------------------------------------------------------------------------------------------

    private void badInput()
    {
        calls[Call.BAD_INPUT.ordinal()]++;
        final long pagesBefore = emulator.tablePagesInUse();
        physical.useContiguousRange(0x1000, PAGE);
        switch (random.nextInt(6))
        {
            case 0:
                check("UnmapLogicalRange", NtStatus.STATUS_INVALID_PARAMETER_2,
                    iommu.unmapLogicalRange(allocatorDomain, 0x1001, 1), "allocator domain", 0x1001);
                break;
            case 1:
                check("MapLogicalRangeEx", NtStatus.STATUS_INVALID_PARAMETER_2,
                    iommu.mapLogicalRangeEx(allocatorDomain, 0x4, physical, null, null, null, out),
                    "allocator domain", -1);
                break;
            case 2:
                check("MapLogicalRangeEx", NtStatus.STATUS_NOT_SUPPORTED, iommu.mapLogicalRangeEx(
                    allocatorDomain, 1, physical, new LongRef(0x10000), null, null, out), "allocator domain", 0x10000);
                break;
            case 3:
                check("MapLogicalRangeEx", NtStatus.STATUS_NOT_SUPPORTED,
                    iommu.mapLogicalRangeEx(explicitDomain, 1, physical, null, null, null, out), "explicit domain", -1);
                break;
            case 4:
                check("MapLogicalRangeEx", NtStatus.STATUS_INVALID_PARAMETER_MIX, iommu.mapLogicalRangeEx(
                    allocatorDomain, 1, physical, null, new LongRef(0x20000), new LongRef(0x10000), out),
                    "allocator domain", -1);
                break;
            default:
                check("ReserveLogicalAddressRange", NtStatus.STATUS_INVALID_PARAMETER_2,
                    iommu.reserveLogicalAddressRange(
                        explicitDomain, 100, new LongRef(0x10000), null, null, new Ref<>()),
                    "explicit domain", 0x10000);
                break;
        }
        if (emulator.tablePagesInUse() < pagesBefore - 64)
        {
            // Other threads free tables concurrently; a refused call itself frees none (checked by the conformance
            // tests exactly); here only a gross change is a violation.
            fail("bad input", "emulator", -1, "table pages dropped from " + pagesBefore);
        }
    }

    private void lifecycle()
    {
        calls[Call.LIFECYCLE.ordinal()]++;
        final int slot = random.nextInt(run.sharedSlots());
        final IommuDmaDevice device = run.sharedDevice(slot);
        final IommuDmaDomain domain = run.sharedPoolDomain(random.nextInt(run.sharedPoolDomains()));
        switch (random.nextInt(8))
        {
            case 0:
            case 1:
                allowed("AttachDeviceEx", iommu.attachDeviceEx(domain, device), "shared device", slot);
                break;
            case 2:
            case 3:
                allowed("DetachDeviceEx", iommu.detachDeviceEx(device), "shared device", slot);
                break;
            case 4:
            {
                final int status = iommu.deleteDevice(device);
                allowed("DeleteDevice", status, "shared device", slot);
                if (status == NtStatus.STATUS_SUCCESS)
                {
                    final Ref<IommuDmaDevice> created = new Ref<>();
                    final PhysicalDeviceObject pdo = run.sharedPdo(slot);
                    final int create = iommu.createDevice(pdo, null, created);
                    allowed("CreateDevice", create, "shared device", slot);
                    if (create == NtStatus.STATUS_SUCCESS)
                    {
                        run.replaceSharedDevice(slot, device, created.get());
                    }
                }
                break;
            }
            case 5:
                allowed("RegisterInterfaceStateChangeCallback", iommu.registerInterfaceStateChangeCallback(
                    run.callback(slot), null, device, new IommuInterfaceStateChangeFields().availableDomainTypes(true)),
                    "shared device", slot);
                break;
            case 6:
                allowed("UnregisterInterfaceStateChangeCallback",
                    iommu.unregisterInterfaceStateChangeCallback(run.callback(slot), device), "shared device", slot);
                break;
            default:
            {
                final IntRef types = new IntRef();
                iommu.queryAvailableDomainTypes(device, types);
                if ((types.get() & ~0xF) != 0)
                {
                    fail("QueryAvailableDomainTypes", "shared device " + slot, -1, "bits " + types.get());
                }
                break;
            }
        }
    }

    /**
     * Gives back everything this worker holds, checking each status, then detaches its devices and deletes its
     * domains.
     */
    void cleanUp()
    {
        for (final Token token : tokens)
        {
            for (final Segment segment : token.segments.values())
            {
                check("UnmapReservedLogicalRange", NtStatus.STATUS_SUCCESS,
                    iommu.unmapReservedLogicalRange(segment.segment), "cleanup", token.base);
            }
            check("FreeReservedLogicalAddressRange", NtStatus.STATUS_SUCCESS,
                iommu.freeReservedLogicalAddressRange(token.handle), "cleanup", token.base);
        }
        tokens.clear();
        for (final Mapping mapping : allocated)
        {
            unmapRemaining(allocatorDomain, mapping, false);
        }
        for (final Mapping mapping : sharedMappings)
        {
            unmapRemaining(run.sharedDomain(), mapping, true);
        }
        allocated.clear();
        sharedMappings.clear();
        for (final Map.Entry<Long, Long> e : explicitPages.entrySet())
        {
            check("UnmapLogicalRange", NtStatus.STATUS_SUCCESS,
                iommu.unmapLogicalRange(explicitDomain, e.getKey() * PAGE, 1), "cleanup", e.getKey() * PAGE);
        }
        explicitPages.clear();
        check("DetachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(allocatorDevice), "cleanup", -1);
        check("DetachDeviceEx", NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(explicitDevice), "cleanup", -1);
        check("DeleteDomain", NtStatus.STATUS_SUCCESS, iommu.deleteDomain(allocatorDomain), "cleanup", -1);
        check("DeleteDomain", NtStatus.STATUS_SUCCESS, iommu.deleteDomain(explicitDomain), "cleanup", -1);
    }

    private void unmapRemaining(final IommuDmaDomain domain, final Mapping mapping, final boolean shared)
    {
        for (int i = 0; i < mapping.pages; i++)
        {
            if (!mapping.unmapped[i])
            {
                if (shared)
                {
                    sharedOwners.remove(mapping.iova + i * PAGE);
                }
                check("UnmapLogicalRange", NtStatus.STATUS_SUCCESS,
                    iommu.unmapLogicalRange(domain, mapping.iova + i * PAGE, 1), "cleanup", mapping.iova + i * PAGE);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    private long[] frames(final int pages)
    {
        final long[] frames = new long[pages];
        for (int i = 0; i < pages; i++)
        {
            frames[i] = nextFrame++;
        }
        return frames;
    }

    private boolean tokenOverlaps(final IommuDmaDomain domain, final long from, final long to)
    {
        for (final Token token : tokens)
        {
            if (token.domain == domain && token.base < to && from < token.base + token.size)
            {
                return true;
            }
        }
        return false;
    }

    private long segmentFrame(final long iova)
    {
        for (final Token token : tokens)
        {
            if (token.domain == explicitDomain && iova >= token.base && iova < token.base + token.size)
            {
                final long offset = iova - token.base;
                final Map.Entry<Long, Segment> e = token.segments.floorEntry(offset);
                if (null != e && offset < e.getKey() + e.getValue().segment.size())
                {
                    return e.getValue().frames[(int)((offset - e.getKey()) / PAGE)];
                }
                return -1;
            }
        }
        return -1;
    }

    private void check(
        final String call, final int expected, final int actual, final String object, final long address)
    {
        if (expected != actual)
        {
            fail(call, object, address, "expected " + NtStatus.name(expected) + ", got " + NtStatus.name(actual));
        }
    }

    private void allowed(final String call, final int status, final String object, final int slot)
    {
        if (!AllowedStatuses.allows(call, status))
        {
            fail(call, object + " " + slot, -1, "status " + NtStatus.name(status) + " is not one the member returns");
        }
    }

    private void fail(final String call, final String object, final long address, final String detail)
    {
        throw new StressFailure(seed, index, operation, call, object, address, detail);
    }

    private static final class Mapping
    {
        final long iova;
        final int pages;
        final long[] frames;
        final int permissions;
        final boolean[] unmapped;

        Mapping(final long iova, final int pages, final long[] frames, final int permissions)
        {
            this.iova = iova;
            this.pages = pages;
            this.frames = frames;
            this.permissions = permissions;
            this.unmapped = new boolean[pages];
        }

        boolean allUnmapped()
        {
            for (final boolean gone : unmapped)
            {
                if (!gone)
                {
                    return false;
                }
            }
            return true;
        }
    }

    private static final class Token
    {
        final IommuDmaDomain domain;
        final IommuDmaLogicalAddressToken handle;
        final long base;
        final long size;
        final TreeMap<Long, Segment> segments = new TreeMap<>();

        Token(final IommuDmaDomain domain, final IommuDmaLogicalAddressToken handle, final long base, final long size)
        {
            this.domain = domain;
            this.handle = handle;
            this.base = base;
            this.size = size;
        }

        boolean overlapsSegment(final long offset, final long size)
        {
            final Map.Entry<Long, Segment> before = segments.lowerEntry(offset + size);
            return null != before && before.getKey() + before.getValue().segment.size() > offset;
        }
    }

    private static final class Segment
    {
        final IommuDmaLogicalAddressTokenMappedSegment segment;
        final long[] frames;

        Segment(final IommuDmaLogicalAddressTokenMappedSegment segment, final long[] frames)
        {
            this.segment = segment;
            this.frames = frames;
        }
    }
}
