/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.ptw.Translation;
import org.junit.jupiter.api.RepeatedTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads map, translate and unmap through the V2 interface, on one shared allocator domain and on a domain each,
 * while another thread detaches and re-attaches the devices and changes the DMA Guard policy (which notifies a
 * registered state-change callback). Checked as it runs: every map returns an address no other live mapping holds
 * (a shared page-owner map), every domain-level translate of a page a thread owns gives the frame it mapped, a
 * device-side translate gives that frame or, while the device is detached, a not-present fault (never another
 * frame), every status is the one expected. At the end nothing leaks: table pages and live objects back to the
 * start, and the allocators hand out their first address again.
 */
class InterfaceConcurrencyTest
{
    private static final long PAGE = 4096;
    private static final int WORKERS = 3;
    private static final int OPERATIONS = 20_000;

    @RepeatedTest(3)
    void mapTranslateUnmapRaceLifecycleAndPolicyChanges() throws Exception
    {
        final Platform.Builder builder = Platform.builder().architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0);
        for (int i = 0; i <= WORKERS; i++)
        {
            builder.pci("dev" + i, 0, 1 + i, 0, 0, "vtd0", false);
        }
        final Platform platform = builder.build();
        try (IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext().platform(platform)
            .dispatcherThread(false)))
        {
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            assertEquals(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(2, 0, ex));
            final DmaIommuInterfaceV2 iommu = ex.v2();
            final long pagesAtStart = emulator.tablePagesInUse();

            final IommuDmaDomain shared = domain(iommu);
            final IommuDmaDomain[] own = new IommuDmaDomain[WORKERS];
            final IommuDmaDevice[] devices = new IommuDmaDevice[WORKERS + 1];
            for (int i = 0; i <= WORKERS; i++)
            {
                final Ref<IommuDmaDevice> out = new Ref<>();
                assertEquals(NtStatus.STATUS_SUCCESS, iommu.createDevice(platform.device("dev" + i), null, out));
                devices[i] = out.get();
            }
            for (int i = 0; i < WORKERS; i++)
            {
                own[i] = domain(iommu);
                assertEquals(NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(own[i], devices[i]));
            }
            assertEquals(NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(shared, devices[WORKERS]));
            final long[] freeAtStart = new long[WORKERS + 1];
            for (int i = 0; i <= WORKERS; i++)
            {
                freeAtStart[i] = ((MappingDomain)(i < WORKERS ? own[i] : shared)).allocator().freeBytes();
            }

            final AtomicInteger callbacks = new AtomicInteger();
            final IommuInterfaceStateChangeCallback callback =
                (final IommuInterfaceStateChange change, final Object context) -> callbacks.incrementAndGet();
            assertEquals(NtStatus.STATUS_SUCCESS, iommu.registerInterfaceStateChangeCallback(
                callback, null, devices[WORKERS], new IommuInterfaceStateChangeFields().availableDomainTypes(true)));

            final ConcurrentHashMap<Long, Long> sharedOwners = new ConcurrentHashMap<>();
            final AtomicReference<String> failure = new AtomicReference<>();
            final AtomicBoolean done = new AtomicBoolean();
            final CyclicBarrier start = new CyclicBarrier(WORKERS + 1);
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++)
            {
                final int worker = w;
                threads.add(new Thread(() -> runWorker(
                    emulator, iommu, worker, own[worker], devices[worker], shared, devices[WORKERS], sharedOwners,
                    failure, start)));
            }
            final Thread lifecycle = new Thread(() ->
            {
                final SplittableRandom random = new SplittableRandom(99);
                await(start);
                int policyChanges = 0;
                while (!done.get() && null == failure.get())
                {
                    final int i = random.nextInt(WORKERS);
                    final IommuDmaDomain target = own[i];
                    expect(failure, NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(devices[i]), "detach");
                    expect(failure, NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(target, devices[i]), "attach");
                    final int types = random.nextBoolean() ?
                        IommuDmaDomainType.TRANSLATE.mask() :
                        IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.PASS_THROUGH.mask();
                    platform.policy().restrict(platform.device("dev" + WORKERS), types);
                    policyChanges++;
                    emulator.deliverNotifications();
                }
                if (policyChanges == 0)
                {
                    failure.compareAndSet(null, "the lifecycle thread never ran");
                }
            });
            threads.forEach(Thread::start);
            lifecycle.start();
            for (final Thread thread : threads)
            {
                thread.join();
            }
            done.set(true);
            lifecycle.join();
            assertNull(failure.get(), failure.get());
            while (emulator.deliverNotifications() > 0)
            {
                Thread.onSpinWait();
            }
            assertTrue(callbacks.get() >= 2, "the callback saw the registration and policy changes");
            assertEquals(NtStatus.STATUS_SUCCESS,
                iommu.unregisterInterfaceStateChangeCallback(callback, devices[WORKERS]));

            // Every worker unmapped what it mapped: every block went back to its allocator exactly once.
            for (int i = 0; i <= WORKERS; i++)
            {
                final MappingDomain domain = (MappingDomain)(i < WORKERS ? own[i] : shared);
                domain.allocator().trim();
                assertEquals(freeAtStart[i], domain.allocator().freeBytes(), "allocator of domain " + i + " whole");
                assertEquals(0, domain.table().countMapped(0, 1L << 39), "nothing mapped in domain " + i);
            }
            for (int i = 0; i <= WORKERS; i++)
            {
                assertEquals(NtStatus.STATUS_SUCCESS, iommu.detachDeviceEx(devices[i]));
                assertEquals(NtStatus.STATUS_SUCCESS, iommu.deleteDevice(devices[i]));
            }
            for (int i = 0; i < WORKERS; i++)
            {
                assertEquals(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(own[i]));
            }
            assertEquals(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(shared));
            assertEquals(pagesAtStart, emulator.tablePagesInUse(), "no table page leaked");
            assertEquals(0, emulator.liveDomains());
            assertEquals(0, emulator.liveDevices());
        }
    }

    private static void runWorker(
        final IommuEmulator emulator,
        final DmaIommuInterfaceV2 iommu,
        final int worker,
        final IommuDmaDomain ownDomain,
        final IommuDmaDevice ownDevice,
        final IommuDmaDomain shared,
        final IommuDmaDevice sharedDevice,
        final ConcurrentHashMap<Long, Long> sharedOwners,
        final AtomicReference<String> failure,
        final CyclicBarrier start)
    {
        final SplittableRandom random = new SplittableRandom(worker * 7919L + 1);
        final List<long[]> live = new ArrayList<>();
        final LongRef out = new LongRef();
        final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
        long nextFrame = ((long)worker + 1) << 24;
        await(start);
        for (int op = 0; op < OPERATIONS && null == failure.get(); op++)
        {
            final int choice = random.nextInt(10);
            if (choice < 4 || live.isEmpty())
            {
                final boolean onShared = random.nextBoolean();
                final int pages = 1 + random.nextInt(8);
                final long[] frames = new long[pages];
                for (int i = 0; i < pages; i++)
                {
                    frames[i] = nextFrame++;
                }
                physical.usePfnArray(frames, pages);
                final IommuDmaDomain domain = onShared ? shared : ownDomain;
                final int status = iommu.mapLogicalRangeEx(
                    domain, IommuPermissions.READ_WRITE, physical, null, null, null, out);
                if (!expect(failure, NtStatus.STATUS_SUCCESS, status, "map"))
                {
                    return;
                }
                final long iova = out.get();
                if (onShared)
                {
                    for (int i = 0; i < pages; i++)
                    {
                        final Long before = sharedOwners.putIfAbsent(iova + i * PAGE, (long)worker);
                        if (null != before)
                        {
                            failure.compareAndSet(null, "worker " + worker + " got 0x" + Long.toHexString(iova) +
                                " which worker " + before + " holds");
                            return;
                        }
                    }
                }
                live.add(new long[]{onShared ? 1 : 0, iova, pages, frames[0], 0});
            }
            else if (choice < 8)
            {
                final long[] mapping = live.get(random.nextInt(live.size()));
                final boolean onShared = mapping[0] == 1;
                final int page = random.nextInt((int)mapping[2]);
                final long iova = mapping[1] + page * PAGE;
                final long expected = (mapping[3] + page) * PAGE;
                final MappingDomain domain = (MappingDomain)(onShared ? shared : ownDomain);
                if (((mapping[4] >>> page) & 1) != 0)
                {
                    continue;
                }
                final long t = domain.translate(iova + 8, IommuPermissions.READ);
                if (Translation.isFault(t) || Translation.outputAddress(t, iova + 8) != expected + 8)
                {
                    failure.compareAndSet(null, "worker " + worker + " translate of 0x" + Long.toHexString(iova) +
                        " gave " + Long.toHexString(t) + ", mapped frame " + Long.toHexString(expected));
                    return;
                }
                final long d = emulator.translate(onShared ? sharedDevice : ownDevice, iova, IommuPermissions.WRITE);
                if (Translation.isFault(d) ?
                    Translation.faultReason(d) != Translation.FAULT_NOT_PRESENT :
                    Translation.outputAddress(d, iova) != expected)
                {
                    failure.compareAndSet(null, "worker " + worker + " device translate of 0x" +
                        Long.toHexString(iova) + " gave " + Long.toHexString(d));
                    return;
                }
            }
            else
            {
                final int index = random.nextInt(live.size());
                final long[] mapping = live.get(index);
                final boolean onShared = mapping[0] == 1;
                final IommuDmaDomain domain = onShared ? shared : ownDomain;
                // Unmap one page (partial) or everything left of the mapping.
                final int page = random.nextInt((int)mapping[2]);
                final boolean single = random.nextBoolean() && ((mapping[4] >>> page) & 1) == 0;
                final long from = single ? page : 0;
                final long count = single ? 1 : mapping[2];
                if (onShared)
                {
                    for (long p = from; p < from + count; p++)
                    {
                        if (((mapping[4] >>> p) & 1) == 0)
                        {
                            sharedOwners.remove(mapping[1] + p * PAGE);
                        }
                    }
                }
                final int status = iommu.unmapLogicalRange(domain, mapping[1] + from * PAGE, count);
                if (!expect(failure, NtStatus.STATUS_SUCCESS, status, "unmap"))
                {
                    return;
                }
                if (single)
                {
                    mapping[4] |= 1L << page;
                }
                if (!single || Long.bitCount(mapping[4]) == mapping[2])
                {
                    live.remove(index);
                }
            }
        }
        for (final long[] mapping : live)
        {
            final IommuDmaDomain domain = mapping[0] == 1 ? shared : ownDomain;
            for (long p = 0; p < mapping[2]; p++)
            {
                if (((mapping[4] >>> p) & 1) == 0)
                {
                    sharedOwners.remove(mapping[1] + p * PAGE);
                }
            }
            expect(failure, NtStatus.STATUS_SUCCESS, iommu.unmapLogicalRange(domain, mapping[1], mapping[2]), "final");
        }
    }

    private static IommuDmaDomain domain(final DmaIommuInterfaceV2 iommu)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.createDomainEx(
            IommuDmaDomainType.TRANSLATE, 0, new IommuDmaLogicalAllocatorConfig().buddy(39), null, out));
        return out.get();
    }

    private static boolean expect(
        final AtomicReference<String> failure, final int expected, final int actual, final String what)
    {
        if (expected != actual)
        {
            failure.compareAndSet(
                null, what + ": expected " + NtStatus.name(expected) + " got " + NtStatus.name(actual));
            return false;
        }
        return true;
    }

    private static void await(final CyclicBarrier barrier)
    {
        try
        {
            barrier.await();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
