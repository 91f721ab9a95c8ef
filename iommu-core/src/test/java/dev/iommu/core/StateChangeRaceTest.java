/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.CyclicBarrier;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A driver's view of its device's available domain types converges on the policy when RegisterInterfaceStateChange
 * Callback races policy changes, with the dispatcher thread running (issue 14 defect 3: the state was read before the
 * registration was installed, so a change in between reached nobody and the first call's old value stayed for
 * good), and when a burst of changes overflows a small notification ring (defect 4).
 */
final class StateChangeRaceTest
{
    private static final long DEADLINE_NS = 10_000_000_000L;

    /** The last value the callback saw; written by whichever thread calls it. */
    private static final class LastSeen implements IommuInterfaceStateChangeCallback
    {
        volatile int value = -1;

        @Override
        public void onStateChange(final dev.iommu.api.IommuInterfaceStateChange stateChange, final Object context)
        {
            value = stateChange.availableDomainTypes();
        }
    }

    private static void awaitValue(final LastSeen seen, final int expected, final String what)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (seen.value != expected && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(expected, seen.value, what);
    }

    @Test
    void registrationRacingPolicyChangesConverges() throws Exception
    {
        final Platform platform = V2Rig.x64Platform(V2Rig.limits(64));
        try (IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext().platform(platform)))
        {
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            assertEquals(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(2, 0, ex));
            final DmaIommuInterfaceV2 iommu = ex.v2();
            final Ref<IommuDmaDevice> out = new Ref<>();
            final PhysicalDeviceObject pdo = platform.device("nic");
            assertEquals(NtStatus.STATUS_SUCCESS, iommu.createDevice(pdo, null, out));
            final IommuDmaDevice device = out.get();
            final IommuInterfaceStateChangeFields fields =
                new IommuInterfaceStateChangeFields().availableDomainTypes(true);
            // Three policies with three different available sets: each round ends on one that neither the state
            // before the round nor the round's earlier changes had, so seeing it means every change was shown.
            final int[] allowed = {
                IommuDmaDomainType.TRANSLATE.mask(),
                IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.PASS_THROUGH.mask(),
                -1,
            };
            final int[] available = new int[allowed.length];
            for (int i = 0; i < allowed.length; i++)
            {
                platform.policy().restrict(pdo, allowed[i]);
                available[i] = platform.policy().availableDomainTypes(pdo);
            }
            assertEquals(3, java.util.Arrays.stream(available).distinct().count(), "three distinct sets");
            final CyclicBarrier start = new CyclicBarrier(2);
            int current = allowed.length - 1;
            for (int round = 0; round < 300; round++)
            {
                // From the current policy p, with f the third one: [f], [q, f] or [q, p, f] where q is neither.
                final int p = current;
                final int f = (p + 1 + round % 2) % 3;
                final int q = 3 - p - f;
                final int[] changes = round % 3 == 0 ? new int[] {f} : round % 3 == 1 ? new int[] {q, f} :
                    new int[] {q, p, f};
                final Thread changer = new Thread(() ->
                {
                    await(start);
                    for (final int change : changes)
                    {
                        platform.policy().restrict(pdo, allowed[change]);
                    }
                }, "policy-changer");
                changer.start();
                final LastSeen seen = new LastSeen();
                await(start);
                assertEquals(NtStatus.STATUS_SUCCESS, iommu.registerInterfaceStateChangeCallback(seen, null, device,
                    fields));
                changer.join();
                awaitValue(seen, available[f], "round " + round);
                assertEquals(NtStatus.STATUS_SUCCESS, iommu.unregisterInterfaceStateChangeCallback(seen, device));
                assertEquals(available[f], seen.value, "round " + round + ": nothing older was shown after it");
                current = f;
            }
        }
    }

    @Test
    void aBurstOverflowingTheRingConverges()
    {
        final Platform platform = V2Rig.x64Platform(V2Rig.limits(64));
        try (IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext().platform(platform)
            .dispatcherThread(false).notificationRingBytes(EmulatorContext.MIN_NOTIFICATION_RING_BYTES)))
        {
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            assertEquals(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(2, 0, ex));
            final DmaIommuInterfaceV2 iommu = ex.v2();
            final Ref<IommuDmaDevice> out = new Ref<>();
            final PhysicalDeviceObject pdo = platform.device("nic");
            assertEquals(NtStatus.STATUS_SUCCESS, iommu.createDevice(pdo, null, out));
            final LastSeen seen = new LastSeen();
            assertEquals(NtStatus.STATUS_SUCCESS, iommu.registerInterfaceStateChangeCallback(seen, null, out.get(),
                new IommuInterfaceStateChangeFields().availableDomainTypes(true)));
            // Far more changes than the ring holds records, ending on the restricted value.
            for (int i = 0; i < 1001; i++)
            {
                platform.policy().restrict(pdo, (i & 1) == 0 ? IommuDmaDomainType.TRANSLATE.mask() : -1);
            }
            int cycles = 0;
            while (emulator.deliverNotifications() > 0)
            {
                cycles++;
            }
            assertEquals(true, cycles > 0, "something was delivered");
            assertEquals(IommuDmaDomainType.TRANSLATE.mask(), platform.policy().availableDomainTypes(pdo));
            assertEquals(platform.policy().availableDomainTypes(pdo), seen.value, "the driver's view healed");
            assertEquals(NtStatus.STATUS_SUCCESS, iommu.unregisterInterfaceStateChangeCallback(seen, out.get()));
        }
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
