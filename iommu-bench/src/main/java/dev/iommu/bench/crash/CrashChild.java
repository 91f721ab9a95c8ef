/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.crash;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;

/**
 * The process the crash test kills: an emulator on a persistent directory, and worker threads that make random
 * calls of every kind on objects of their own (maps through the allocator and at explicit addresses, unmaps,
 * reservations, token segment maps and unmaps, token frees, device attaches and detaches, domain deletions and
 * creations), each recorded in the {@link CrashLog} before it starts and after it returns. It runs until killed.
 * <p>
 * Arguments: persistent directory, log file, seed, threads.
 */
public final class CrashChild
{
    static final int MAP_ALLOCATED = 1;
    static final int UNMAP_ALLOCATED = 2;
    static final int MAP_EXPLICIT = 3;
    static final int UNMAP_EXPLICIT = 4;
    static final int RESERVE = 5;
    static final int MAP_SEGMENT = 6;
    static final int UNMAP_SEGMENT = 7;
    static final int FREE_TOKEN = 8;
    static final int ATTACH = 9;
    static final int DETACH = 10;
    static final int CREATE_DOMAIN = 11;
    static final int DELETE_DOMAIN = 12;
    static final int CREATE_DEVICE = 13;

    /** Explicit-domain slots per thread, each {@link #SLOT_PAGES} pages. */
    static final int SLOTS = 32;
    static final long SLOT_PAGES = 64;
    static final int ALLOCATOR_WIDTH = 39;
    static final long PAGE = 4096;
    /** The allocator domain's reservations, in pages. */
    static final long ALLOCATOR_TOKEN_PAGES = 16;

    private CrashChild()
    {
    }

    /**
     * The slot addresses of a thread's explicit domain.
     *
     * @param thread the worker.
     * @param slot   the slot.
     * @return its first address.
     */
    static long slotAddress(final int thread, final int slot)
    {
        return (1L << 32) + ((long)thread << 30) + slot * SLOT_PAGES * PAGE;
    }

    /**
     * Runs the child.
     *
     * @param args directory, log file, seed, threads.
     * @throws InterruptedException never in practice (the workers run until the process is killed).
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final Path directory = Path.of(args[0]);
        final Path logFile = Path.of(args[1]);
        final long seed = Long.parseLong(args[2]);
        final int threads = Integer.parseInt(args[3]);
        final IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext()
            .platform(CrashPlatform.build(threads)).persistentDirectory(directory).dispatcherThread(false));
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        emulator.ioGetIommuInterfaceEx(2, 0, ex);
        final CrashLog log = CrashLog.map(logFile, threads, CrashTestRun.RECORDS_PER_THREAD, false);
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            final Worker worker = new Worker(t, emulator, ex.v2(), log, new SplittableRandom(seed * 31 + t));
            workers[t] = new Thread(worker::run, "crash-worker-" + t);
            workers[t].start();
        }
        for (final Thread worker : workers)
        {
            worker.join();
        }
    }

    /** One worker: its domains, device, mappings and tokens, and its part of the log. */
    private static final class Worker
    {
        private final int thread;
        private final IommuEmulator emulator;
        private final DmaIommuInterfaceV2 iommu;
        private final CrashLog log;
        private final SplittableRandom random;
        private int index;

        private IommuDmaDomain explicit;
        private IommuDmaDomain allocated;
        private IommuDmaDevice device;
        private IommuDmaDomain attachedTo;
        private final long[] slotPages = new long[SLOTS];
        private final IommuDmaLogicalAddressToken[] slotTokens = new IommuDmaLogicalAddressToken[SLOTS];
        private final List<long[]> allocatedMaps = new ArrayList<>();
        private final List<IommuDmaLogicalAddressToken> allocatorTokens = new ArrayList<>();
        private final List<IommuDmaLogicalAddressTokenMappedSegment> segments = new ArrayList<>();

        Worker(final int thread, final IommuEmulator emulator, final DmaIommuInterfaceV2 iommu, final CrashLog log,
            final SplittableRandom random)
        {
            this.thread = thread;
            this.emulator = emulator;
            this.iommu = iommu;
            this.log = log;
            this.random = random;
        }

        void run()
        {
            explicit = createDomain(false);
            allocated = createDomain(true);
            final Ref<IommuDmaDevice> out = new Ref<>();
            final int at = begin(CREATE_DEVICE, 0, 0, 0, 0, 0);
            end(at, iommu.createDevice(CrashPlatform.device(emulator.platform(), thread), null, out), () ->
                emulator.stableId(out.get()));
            device = out.get();
            while (index < log.recordsPerThread() - 4)
            {
                step(random.nextInt(100));
            }
        }

        private void step(final int dice)
        {
            if (dice < 25)
            {
                mapAllocated();
            }
            else if (dice < 43)
            {
                unmapAllocated();
            }
            else if (dice < 58)
            {
                mapExplicit();
            }
            else if (dice < 70)
            {
                unmapExplicit();
            }
            else if (dice < 75)
            {
                reserve();
            }
            else if (dice < 85)
            {
                mapSegment();
            }
            else if (dice < 92)
            {
                unmapSegment();
            }
            else if (dice < 95)
            {
                freeToken();
            }
            else if (dice < 99)
            {
                attachOrDetach();
            }
            else
            {
                recreateExplicit();
            }
        }

        private IommuDmaDomain createDomain(final boolean withAllocator)
        {
            final Ref<IommuDmaDomain> out = new Ref<>();
            final int at = begin(CREATE_DOMAIN, 0, withAllocator ? 1 : 0, 0, 0, 0);
            end(at, iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, withAllocator ?
                new IommuDmaLogicalAllocatorConfig().buddy(ALLOCATOR_WIDTH) : null, null, out), () ->
                emulator.stableId(out.get()));
            return out.get();
        }

        private long frame()
        {
            return 0x10_0000L + random.nextLong(1L << 24);
        }

        private void mapAllocated()
        {
            // Up to 4,096 pages (tens of microseconds of table writes): a good part of the child's time goes into
            // them, where a kill leaves a call half applied unless recovery undoes it.
            final long pages = 1 + random.nextInt(random.nextBoolean() ? 256 : 4096);
            final long frame = frame();
            final LongRef address = new LongRef();
            final int at = begin(MAP_ALLOCATED, emulator.stableId(allocated), 0, pages, frame, 0);
            final int status = iommu.mapLogicalRangeEx(allocated, IommuPermissions.READ_WRITE,
                new IommuMapPhysicalAddress().useContiguousRange(frame * PAGE, pages * PAGE), null, null, null,
                address);
            end(at, status, address::get);
            allocatedMaps.add(new long[] {address.get(), pages});
        }

        private void unmapAllocated()
        {
            if (allocatedMaps.isEmpty())
            {
                return;
            }
            final long[] map = allocatedMaps.remove(random.nextInt(allocatedMaps.size()));
            final int at = begin(UNMAP_ALLOCATED, emulator.stableId(allocated), map[0], map[1], 0, 0);
            end(at, iommu.unmapLogicalRange(allocated, map[0], map[1]), () -> 0);
        }

        private void mapExplicit()
        {
            final int slot = random.nextInt(SLOTS);
            if (slotPages[slot] != 0 || null != slotTokens[slot])
            {
                return;
            }
            final long pages = 1 + random.nextInt((int)SLOT_PAGES);
            final long frame = frame();
            final long address = slotAddress(thread, slot);
            final int at = begin(MAP_EXPLICIT, emulator.stableId(explicit), address, pages, frame, 0);
            end(at, iommu.mapLogicalRangeEx(explicit, IommuPermissions.READ_WRITE,
                new IommuMapPhysicalAddress().useContiguousRange(frame * PAGE, pages * PAGE), new LongRef(address),
                null, null, new LongRef()), () -> address);
            slotPages[slot] = pages;
        }

        private void unmapExplicit()
        {
            final int slot = random.nextInt(SLOTS);
            if (slotPages[slot] == 0)
            {
                return;
            }
            final long address = slotAddress(thread, slot);
            final int at = begin(UNMAP_EXPLICIT, emulator.stableId(explicit), address, slotPages[slot], 0, 0);
            end(at, iommu.unmapLogicalRange(explicit, address, slotPages[slot]), () -> 0);
            slotPages[slot] = 0;
        }

        private void reserve()
        {
            final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
            if (random.nextBoolean())
            {
                final int slot = random.nextInt(SLOTS);
                if (slotPages[slot] != 0 || null != slotTokens[slot])
                {
                    return;
                }
                final long address = slotAddress(thread, slot);
                final int at = begin(RESERVE, emulator.stableId(explicit), address, SLOT_PAGES, 0, 0);
                end(at, iommu.reserveLogicalAddressRange(explicit, SLOT_PAGES * PAGE, new LongRef(address), null,
                    null, out), () -> emulator.stableId(out.get()));
                slotTokens[slot] = out.get();
            }
            else
            {
                final int at = begin(RESERVE, emulator.stableId(allocated), 0, ALLOCATOR_TOKEN_PAGES, 0, 0);
                end(at, iommu.reserveLogicalAddressRange(allocated, ALLOCATOR_TOKEN_PAGES * PAGE, null, null, null,
                    out), () -> emulator.stableId(out.get()));
                allocatorTokens.add(out.get());
            }
        }

        private IommuDmaLogicalAddressToken someToken()
        {
            final int pick = random.nextInt(SLOTS + allocatorTokens.size());
            return pick < SLOTS ? slotTokens[pick] : allocatorTokens.get(pick - SLOTS);
        }

        private void mapSegment()
        {
            final IommuDmaLogicalAddressToken token = someToken();
            if (null == token)
            {
                return;
            }
            final long tokenPages = token.size() / PAGE;
            final long offsetPages = random.nextLong(tokenPages);
            final long pages = 1 + random.nextLong(Math.min(32, tokenPages - offsetPages));
            for (final IommuDmaLogicalAddressTokenMappedSegment s : segments)
            {
                if (s.owningToken() == token && s.offset() / PAGE < offsetPages + pages &&
                    offsetPages < (s.offset() + s.size()) / PAGE)
                {
                    return;
                }
            }
            final long frame = frame();
            final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
            final int at = begin(MAP_SEGMENT, emulator.stableId(token), offsetPages * PAGE, pages, frame, 0);
            end(at, iommu.mapReservedLogicalRange(token, offsetPages * PAGE, IommuPermissions.READ_WRITE,
                new IommuMapPhysicalAddress().useContiguousRange(frame * PAGE, pages * PAGE), segment), () -> 0);
            segments.add(segment);
        }

        private void unmapSegment()
        {
            if (segments.isEmpty())
            {
                return;
            }
            final IommuDmaLogicalAddressTokenMappedSegment segment = segments.remove(random.nextInt(segments.size()));
            final int at = begin(UNMAP_SEGMENT, emulator.stableId(segment.owningToken()), segment.offset(),
                segment.size() / PAGE, 0, 0);
            end(at, iommu.unmapReservedLogicalRange(segment), () -> 0);
        }

        private void freeToken()
        {
            final IommuDmaLogicalAddressToken token = someToken();
            if (null == token)
            {
                return;
            }
            for (final IommuDmaLogicalAddressTokenMappedSegment s : segments)
            {
                if (s.owningToken() == token)
                {
                    return;
                }
            }
            final int at = begin(FREE_TOKEN, emulator.stableId(token), 0, 0, 0, 0);
            end(at, iommu.freeReservedLogicalAddressRange(token), () -> 0);
            if (!allocatorTokens.remove(token))
            {
                for (int s = 0; s < SLOTS; s++)
                {
                    if (slotTokens[s] == token)
                    {
                        slotTokens[s] = null;
                    }
                }
            }
        }

        private void attachOrDetach()
        {
            if (null == attachedTo)
            {
                final IommuDmaDomain domain = random.nextBoolean() ? explicit : allocated;
                final int at = begin(ATTACH, emulator.stableId(device), 0, 0, 0, emulator.stableId(domain));
                end(at, iommu.attachDeviceEx(domain, device), () -> 0);
                attachedTo = domain;
            }
            else
            {
                final int at = begin(DETACH, emulator.stableId(device), 0, 0, 0, 0);
                end(at, iommu.detachDeviceEx(device), () -> 0);
                attachedTo = null;
            }
        }

        private void recreateExplicit()
        {
            if (attachedTo == explicit)
            {
                return;
            }
            for (int s = 0; s < SLOTS; s++)
            {
                if (slotPages[s] != 0 || null != slotTokens[s])
                {
                    return;
                }
            }
            final int at = begin(DELETE_DOMAIN, emulator.stableId(explicit), 0, 0, 0, 0);
            end(at, iommu.deleteDomain(explicit), () -> 0);
            explicit = createDomain(false);
        }

        private int begin(final int op, final long id, final long address, final long pages, final long frame,
            final long other)
        {
            final int at = index++;
            log.intent(thread, at, op, id, address, pages, frame, other);
            return at;
        }

        /**
         * Acknowledges a call that succeeded; a refusal is recorded and stops the worker (the parent reports it:
         * every call here is well-formed and should succeed).
         */
        private void end(final int at, final int status, final java.util.function.LongSupplier result)
        {
            if (status == NtStatus.STATUS_SUCCESS)
            {
                log.done(thread, at, CrashLog.ACKNOWLEDGED, result.getAsLong());
                return;
            }
            log.done(thread, at, CrashLog.REFUSED, status);
            throw new IllegalStateException("call " + at + " (op " + log.op(thread, at) + ") refused: " +
                NtStatus.name(status));
        }
    }
}
