/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import org.junit.jupiter.api.RepeatedTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads race every lifecycle call on a small shared set of devices and domains while another flips the DMA
 * Guard policy. Every status must be one the member documents (or the recorded choice), and at the end the
 * books balance: each domain's attached count is the number of devices pointing at it, no device points at a
 * deleted domain, and the live counts equal what the slots hold.
 */
class LifecycleConcurrencyTest
{
    private static final int THREADS = 4;
    private static final int OPERATIONS = 50_000;
    private static final int DEVICES = 6;
    private static final int DOMAINS = 4;

    @RepeatedTest(5)
    void racingLifecycleCallsKeepTheBooksBalanced() throws Exception
    {
        final Platform.Builder builder = Platform.builder()
            .iommu("u", 0, 48, PageSizes.ALLOW_ALL, 20, true, 0)
            .limits(new ResourceLimits(DEVICES, DOMAINS, 64, 4, 4));
        for (int i = 0; i < DEVICES; i++)
        {
            builder.pci("d" + i, 0, 1 + i, 0, 0, "u", i % 2 == 0);
        }
        final Platform platform = builder.build();
        final IommuEmulator emulator = IommuEmulator.launch(
            new EmulatorContext().platform(platform).dispatcherThread(false));
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        assertEquals(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(2, 0, ex));
        final DmaIommuInterfaceV2 iommu = ex.v2();
        final AtomicReferenceArray<IommuDmaDevice> deviceSlots = new AtomicReferenceArray<>(DEVICES);
        final AtomicReferenceArray<IommuDmaDomain> domainSlots = new AtomicReferenceArray<>(DOMAINS);
        final CyclicBarrier start = new CyclicBarrier(THREADS + 1);
        final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final long seed = System.nanoTime();

        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final SplittableRandom random = new SplittableRandom(seed + t);
            threads.add(new Thread(() ->
            {
                try
                {
                    start.await();
                    final Ref<IommuDmaDevice> deviceOut = new Ref<>();
                    for (int i = 0; i < OPERATIONS; i++)
                    {
                        final int d = random.nextInt(DEVICES);
                        final int m = random.nextInt(DOMAINS);
                        switch (random.nextInt(6))
                        {
                            case 0:
                                createDevice(iommu, platform, d, deviceSlots, deviceOut);
                                break;
                            case 1:
                                deleteDevice(iommu, d, deviceSlots);
                                break;
                            case 2:
                                createDomain(iommu, m, domainSlots);
                                break;
                            case 3:
                                deleteDomain(iommu, m, domainSlots);
                                break;
                            case 4:
                                expect(iommu.attachDeviceEx(domainSlots.get(m), deviceSlots.get(d)),
                                    NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
                                    NtStatus.STATUS_ACCESS_DENIED);
                                break;
                            default:
                                expect(iommu.detachDeviceEx(deviceSlots.get(d)), NtStatus.STATUS_SUCCESS,
                                    NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER_1);
                                break;
                        }
                    }
                }
                catch (final Throwable e)
                {
                    failures.add(e);
                }
            }));
        }
        final Thread policy = new Thread(() ->
        {
            try
            {
                start.await();
                for (int i = 0; i < 2_000; i++)
                {
                    platform.policy().enabled(i % 2 == 0);
                }
            }
            catch (final Throwable e)
            {
                failures.add(e);
            }
        });
        threads.forEach(Thread::start);
        policy.start();
        for (final Thread thread : threads)
        {
            thread.join();
        }
        policy.join();
        assertTrue(failures.isEmpty(), "seed " + seed + ": " + failures);

        int liveDevices = 0;
        final int[] attachedTo = new int[DOMAINS];
        for (int d = 0; d < DEVICES; d++)
        {
            final DmaDevice device = live(deviceSlots.get(d));
            if (null == device)
            {
                continue;
            }
            liveDevices++;
            final Domain domain = device.domain();
            if (null != domain)
            {
                assertTrue(domain.isAlive(), "seed " + seed + ": " + device + " attached to a deleted domain");
                for (int m = 0; m < DOMAINS; m++)
                {
                    if (domainSlots.get(m) == domain)
                    {
                        attachedTo[m]++;
                    }
                }
            }
        }
        int liveDomains = 0;
        for (int m = 0; m < DOMAINS; m++)
        {
            final Domain domain = live(domainSlots.get(m));
            if (null != domain)
            {
                liveDomains++;
                assertEquals(attachedTo[m], domain.attachedDevices(), "seed " + seed + ": attach count");
            }
        }
        assertEquals(liveDevices, emulator.liveDevices(), "seed " + seed);
        assertEquals(liveDomains, emulator.liveDomains(), "seed " + seed);
        emulator.close();
    }

    private static DmaDevice live(final IommuDmaDevice handle)
    {
        return null != handle && ((DmaDevice)handle).isAlive() ? (DmaDevice)handle : null;
    }

    private static Domain live(final IommuDmaDomain handle)
    {
        return null != handle && ((Domain)handle).isAlive() ? (Domain)handle : null;
    }

    private static void createDevice(
        final DmaIommuInterfaceV2 devices,
        final Platform platform,
        final int d,
        final AtomicReferenceArray<IommuDmaDevice> slots,
        final Ref<IommuDmaDevice> out)
    {
        out.clear();
        final int status = devices.createDevice(platform.device("d" + d), null, out);
        expect(status, NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER);
        if (status == NtStatus.STATUS_SUCCESS)
        {
            slots.set(d, out.get());
        }
    }

    private static void deleteDevice(
        final DmaIommuInterfaceV2 devices, final int d, final AtomicReferenceArray<IommuDmaDevice> slots)
    {
        expect(devices.deleteDevice(slots.get(d)), NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_RESOURCE_IN_USE);
    }

    private static void createDomain(
        final DmaIommuInterfaceV2 domains, final int m, final AtomicReferenceArray<IommuDmaDomain> slots)
    {
        final IommuDmaDomain current = slots.get(m);
        final Ref<IommuDmaDomain> created = new Ref<>();
        if (null != live(current) ||
            domains.createDomainEx(IommuDmaDomainType.PASS_THROUGH, 0, null, null, created) != NtStatus.STATUS_SUCCESS)
        {
            return;
        }
        if (!slots.compareAndSet(m, current, created.get()))
        {
            expect(domains.deleteDomain(created.get()), NtStatus.STATUS_SUCCESS);
        }
    }

    private static void deleteDomain(
        final DmaIommuInterfaceV2 domains, final int m, final AtomicReferenceArray<IommuDmaDomain> slots)
    {
        expect(domains.deleteDomain(slots.get(m)), NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_RESOURCE_IN_USE);
    }

    private static void expect(final int status, final int... allowed)
    {
        for (final int a : allowed)
        {
            if (a == status)
            {
                return;
            }
        }
        throw new AssertionError("unexpected status " + NtStatus.name(status));
    }
}
