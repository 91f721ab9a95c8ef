/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.PhysicalDeviceObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state-change members in the observed-Windows profile (x64 build A, the new Register/Unregister variant):
 * one case per row of section 6 of the observed-behaviour record (RegisterInterfaceStateChangeCallback rows 1 to 8,
 * the later notifications, UnregisterInterfaceStateChangeCallback), each on a fresh {@link V2Rig#observedX64()},
 * asserting the status and what is left behind (registered or not: DeleteDevice's answer, the calls made, on which
 * thread, with which fields). Callbacks only record what they see; the assertions run on the test thread.
 */
class ObservedStateChangeConformanceTest
{
    private static final int BIT0 = IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES;
    private static final int TRANSLATE = IommuDmaDomainType.TRANSLATE.mask();
    private static final int TRANSLATE_S1 = IommuDmaDomainType.TRANSLATE_S1.mask();
    private static final int PASS_THROUGH = IommuDmaDomainType.PASS_THROUGH.mask();

    /** What a callback saw: one entry per call. */
    static final class Calls implements IommuInterfaceStateChangeCallback
    {
        final List<Integer> present = new CopyOnWriteArrayList<>();
        final List<Integer> types = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final List<Object> contexts = new CopyOnWriteArrayList<>();
        final List<Boolean> deviceLocked = new CopyOnWriteArrayList<>();
        volatile Object lockToProbe;

        @Override
        public void onStateChange(final IommuInterfaceStateChange change, final Object context)
        {
            present.add(change.presentFields());
            types.add(change.availableDomainTypes());
            threads.add(Thread.currentThread());
            contexts.add(context);
            deviceLocked.add(null != lockToProbe && Thread.holdsLock(lockToProbe));
        }

        int count()
        {
            return present.size();
        }
    }

    private static DynamicTest observed(final String name, final Consumer<V2Rig> body)
    {
        return ConformanceCases.on(name, V2Rig::observedX64, body);
    }

    private static IommuInterfaceStateChangeFields fields(final int asUlong)
    {
        return new IommuInterfaceStateChangeFields().asUlong(asUlong);
    }

    private static int register(final V2Rig r, final IommuInterfaceStateChangeCallback callback,
        final IommuDmaDevice device, final int stateFields)
    {
        return r.iommu.registerInterfaceStateChangeCallback(callback, "ctx", device, fields(stateFields));
    }

    private static IommuDmaDevice tagged(final V2Rig r, final String name)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.iommu.createDevice(r.platform.device(name),
            new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false), out));
        return out.get();
    }

    private static void assertRegistered(final V2Rig r, final IommuDmaDevice device, final boolean registered)
    {
        assertEquals(registered, ((DmaDevice)device).stateChangeRegistered(), "registered");
        if (registered)
        {
            r.refused("DeleteDevice with a registration", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDevice(device));
        }
    }

    /** Restricts a device to {@code allowed} domain types (-1 lifts it), on the calling thread. */
    private static void restrict(final V2Rig r, final String name, final int allowed)
    {
        r.platform.policy().restrict(r.platform.device(name), allowed);
    }

    @TestFactory
    Stream<DynamicTest> observedStateChange()
    {
        final List<DynamicTest> c = new ArrayList<>();
        register(c);
        laterNotifications(c);
        unregister(c);
        return c.stream();
    }

    @Test
    void namesFollowTheScheme()
    {
        final java.util.Set<String> members = ConformanceCases.assertNamesFollowTheScheme(observedStateChange(), 20);
        assertTrue(members.contains("RegisterInterfaceStateChangeCallback"));
        assertTrue(members.contains("UnregisterInterfaceStateChangeCallback"));
        assertTrue(members.contains("StateChangeNotification"));
    }

    // ------------------------------------------------------------------------------------------------------------
    // RegisterInterfaceStateChangeCallback rows 1 to 8
    // ------------------------------------------------------------------------------------------------------------

    private static void register(final List<DynamicTest> c)
    {
        c.add(observed("RegisterInterfaceStateChangeCallback_STATUS_INVALID_PARAMETER_4_row1WholeUlongZero", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            r.refused("StateFields 0", STATUS_INVALID_PARAMETER_4, () -> register(r, calls, nic, 0));
            assertEquals(0, calls.count(), "no call");
            assertRegistered(r, nic, false);
            r.expect("nothing registered: DeleteDevice works", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
        }));
        c.add(observed("RegisterInterfaceStateChangeCallback_STATUS_SUCCESS_row2OnlyReservedBitsAccepted", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            r.expect("reserved bits only", STATUS_SUCCESS, () -> register(r, calls, nic, 0x6));
            assertEquals(List.of(0x6), calls.present, "PresentFields = the value passed");
            assertEquals(List.of(0), calls.types, "AvailableDomainTypes 0: bit 0 not set");
            assertRegistered(r, nic, true);
            r.expect("unregister", STATUS_SUCCESS, () -> r.iommu.unregisterInterfaceStateChangeCallback(calls, nic));
        }));
        c.add(observed("RegisterInterfaceStateChangeCallback_STATUS_INSUFFICIENT_RESOURCES_row3BeforeRegistered", r ->
        {
            // A Java registration never fails to allocate: the row is the order of the rule's checks.
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            r.expect("first", STATUS_SUCCESS, () -> register(r, calls, nic, BIT0));
            final DmaDevice device = (DmaDevice)nic;
            assertEquals(STATUS_INSUFFICIENT_RESOURCES, RuleSet.observed().devices.registerLocked(device, false),
                "observed: no room before already registered");
            assertEquals(STATUS_UNSUCCESSFUL, RuleSet.documented().devices.registerLocked(device, false),
                "documented: already registered first");
            assertEquals(STATUS_UNSUCCESSFUL, RuleSet.observed().devices.registerLocked(device, true));
            assertRegistered(r, nic, true);
        }));
        c.add(observed("RegisterInterfaceStateChangeCallback_STATUS_UNSUCCESSFUL_row4AlreadyRegistered", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls first = new Calls();
            final Calls second = new Calls();
            r.expect("first", STATUS_SUCCESS, () -> register(r, first, nic, BIT0));
            r.refused("second", STATUS_UNSUCCESSFUL, () -> register(r, second, nic, BIT0 | 0x4));
            r.refused("the same again", STATUS_UNSUCCESSFUL, () -> register(r, first, nic, BIT0));
            assertEquals(0, second.count(), "the refused one is never called");
            assertEquals(1, first.count());
            restrict(r, "nic", PASS_THROUGH);
            assertEquals(2, first.count(), "the first registration is still the one called");
            assertEquals(0, second.count());
            r.refused("unregister the refused one", STATUS_UNSUCCESSFUL,
                () -> r.iommu.unregisterInterfaceStateChangeCallback(second, nic));
            r.expect("unregister the first", STATUS_SUCCESS,
                () -> r.iommu.unregisterInterfaceStateChangeCallback(first, nic));
        }));
        c.add(observed("RegisterInterfaceStateChangeCallback_STATUS_INVALID_PARAMETER_1_CHOICE_row5NullCallback", r ->
        {
            // Windows does not check the callback (row 5): undefined there, the documented answer here.
            final IommuDmaDevice nic = r.device("nic");
            r.refused("null callback", STATUS_INVALID_PARAMETER_1, () -> register(r, null, nic, BIT0));
            assertRegistered(r, nic, false);
        }));
        c.add(observed("RegisterInterfaceStateChangeCallback_STATUS_INVALID_PARAMETER_3_CHOICE_row5NullDevice", r ->
        {
            final Calls calls = new Calls();
            r.refused("null device", STATUS_INVALID_PARAMETER_3, () -> register(r, calls, null, BIT0));
            assertEquals(0, calls.count());
        }));
        c.add(observed("RegisterInterfaceStateChangeCallback_STATUS_SUCCESS_row6StoredOnTheDevice", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            r.expect("register", STATUS_SUCCESS, () -> register(r, calls, nic, BIT0));
            assertRegistered(r, nic, true);
            r.expect("unregister", STATUS_SUCCESS, () -> r.iommu.unregisterInterfaceStateChangeCallback(calls, nic));
            assertRegistered(r, nic, false);
            r.expect("then DeleteDevice", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
        }));
        c.add(observed("RegisterInterfaceStateChangeCallback_STATUS_SUCCESS_row7FirstCallOnCallerNoLock", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            calls.lockToProbe = nic;
            r.expect("bit 0 and reserved bits", STATUS_SUCCESS, () -> register(r, calls, nic, BIT0 | 0x10));
            assertEquals(1, calls.count(), "called before Register returned");
            assertSame(Thread.currentThread(), calls.threads.get(0), "on the caller's thread");
            assertEquals(List.of(false), calls.deviceLocked, "no lock held");
            assertEquals(List.of((Object)"ctx"), calls.contexts);
            assertEquals(List.of(BIT0 | 0x10), calls.present, "PresentFields = the value passed, reserved bits too");
            assertEquals(List.of(TRANSLATE | PASS_THROUGH), calls.types,
                "the computed types: Translate and PassThrough, no TranslateS1 for a device not in PASID mode");
            assertEquals(0, r.emulator.deliverNotifications(), "nothing queued");
        }));
        c.add(observed("RegisterInterfaceStateChangeCallback_STATUS_SUCCESS_row7PasidModeOfferedTranslateS1", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final Calls calls = new Calls();
            r.expect("register", STATUS_SUCCESS, () -> register(r, calls, gpu, BIT0));
            assertEquals(List.of(TRANSLATE_S1 | PASS_THROUGH), calls.types, "TranslateS1 instead of Translate");
            assertEquals(List.of(BIT0), calls.present);
        }));
        c.add(observed("RegisterInterfaceStateChangeCallback_STATUS_SUCCESS_row8ExternalDeviceNoPassThrough", r ->
        {
            final IommuDmaDevice ext = r.device("ext");
            final Calls calls = new Calls();
            r.expect("register", STATUS_SUCCESS, () -> register(r, calls, ext, BIT0));
            assertEquals(List.of(TRANSLATE), calls.types, "DMA Guard withholds PassThrough from an external device");
            assertRegistered(r, ext, true);
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Later notifications (HalpIommuInvokeInterfaceStateChangeCallbacks)
    // ------------------------------------------------------------------------------------------------------------

    private static void laterNotifications(final List<DynamicTest> c)
    {
        c.add(observed("StateChangeNotification_STATUS_SUCCESS_synchronousOnThePolicyThread", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            calls.lockToProbe = nic;
            r.expect("register", STATUS_SUCCESS, () -> register(r, calls, nic, BIT0 | 0x6));
            restrict(r, "nic", PASS_THROUGH);
            assertEquals(2, calls.count(), "called before the policy change returned");
            assertSame(Thread.currentThread(), calls.threads.get(1), "on the thread that changed the policy");
            assertEquals(BIT0, calls.present.get(1), "PresentFields = 0x1 only");
            assertEquals(PASS_THROUGH, calls.types.get(1));
            assertFalse(calls.deviceLocked.get(1), "no library lock held");
            assertEquals(0, r.emulator.deliverNotifications(), "nothing for a dispatcher");
            assertEquals(2, calls.count());
        }));
        c.add(observed("StateChangeNotification_STATUS_SUCCESS_onlyWhenTheComputedTypesChange", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            r.expect("register", STATUS_SUCCESS, () -> register(r, calls, nic, BIT0));
            // The policy drops TranslateS1, which Windows never offers a device not in PASID mode: no change.
            restrict(r, "nic", ~TRANSLATE_S1);
            assertEquals(1, calls.count(), "the cached value is unchanged: not called");
            restrict(r, "nic", PASS_THROUGH);
            restrict(r, "nic", -1);
            assertEquals(List.of(TRANSLATE | PASS_THROUGH, PASS_THROUGH, TRANSLATE | PASS_THROUGH), calls.types,
                "each change against the updated cache");
            assertEquals(0, r.emulator.deliverNotifications());
        }));
        c.add(observed("StateChangeNotification_STATUS_SUCCESS_notCalledWithoutBit0", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            r.expect("register reserved bits", STATUS_SUCCESS, () -> register(r, calls, nic, 0x2));
            restrict(r, "nic", PASS_THROUGH);
            r.platform.policy().blockingActive(true);
            assertEquals(1, calls.count(), "only the first call");
        }));
        c.add(observed("StateChangeNotification_STATUS_SUCCESS_dmaGuardBlockingChange", r ->
        {
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final Calls calls = new Calls();
            r.expect("register", STATUS_SUCCESS, () -> register(r, calls, gpu, BIT0));
            r.platform.policy().blockingActive(true);
            assertEquals(List.of(TRANSLATE_S1 | PASS_THROUGH, TRANSLATE_S1), calls.types, "PassThrough withdrawn");
            assertSame(Thread.currentThread(), calls.threads.get(1));
        }));
        c.add(observed("StateChangeNotification_STATUS_SUCCESS_otherDevicesUntouched", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final IommuDmaDevice disk = r.device("disk");
            final Calls nicCalls = new Calls();
            final Calls diskCalls = new Calls();
            r.expect("register nic", STATUS_SUCCESS, () -> register(r, nicCalls, nic, BIT0));
            r.expect("register disk", STATUS_SUCCESS, () -> register(r, diskCalls, disk, BIT0));
            restrict(r, "disk", PASS_THROUGH);
            assertEquals(1, nicCalls.count());
            assertEquals(2, diskCalls.count());
        }));
    }

    // ------------------------------------------------------------------------------------------------------------
    // UnregisterInterfaceStateChangeCallback
    // ------------------------------------------------------------------------------------------------------------

    private static void unregister(final List<DynamicTest> c)
    {
        c.add(observed("UnregisterInterfaceStateChangeCallback_STATUS_UNSUCCESSFUL_noRegistration", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            r.refused("none", STATUS_UNSUCCESSFUL, () -> r.iommu.unregisterInterfaceStateChangeCallback(
                new Calls(), nic));
        }));
        c.add(observed("UnregisterInterfaceStateChangeCallback_STATUS_UNSUCCESSFUL_anotherCallback", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            r.expect("register", STATUS_SUCCESS, () -> register(r, calls, nic, BIT0));
            r.refused("another", STATUS_UNSUCCESSFUL, () -> r.iommu.unregisterInterfaceStateChangeCallback(
                new Calls(), nic));
            assertRegistered(r, nic, true);
            restrict(r, "nic", PASS_THROUGH);
            assertEquals(2, calls.count(), "still called");
        }));
        c.add(observed("UnregisterInterfaceStateChangeCallback_STATUS_UNSUCCESSFUL_nullCallback", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            r.expect("register", STATUS_SUCCESS, () -> register(r, calls, nic, BIT0));
            r.refused("NULL is not the callback", STATUS_UNSUCCESSFUL,
                () -> r.iommu.unregisterInterfaceStateChangeCallback(null, nic));
            final IommuDmaDevice disk = r.device("disk");
            r.refused("NULL without a registration", STATUS_UNSUCCESSFUL,
                () -> r.iommu.unregisterInterfaceStateChangeCallback(null, disk));
            assertRegistered(r, nic, true);
        }));
        c.add(observed("UnregisterInterfaceStateChangeCallback_STATUS_SUCCESS_matchRemoved", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final Calls calls = new Calls();
            r.expect("register", STATUS_SUCCESS, () -> register(r, calls, nic, BIT0));
            r.expect("unregister", STATUS_SUCCESS, () -> r.iommu.unregisterInterfaceStateChangeCallback(calls, nic));
            assertRegistered(r, nic, false);
            restrict(r, "nic", PASS_THROUGH);
            assertEquals(1, calls.count(), "not called after");
            r.refused("twice", STATUS_UNSUCCESSFUL, () -> r.iommu.unregisterInterfaceStateChangeCallback(calls, nic));
            r.expect("registered anew", STATUS_SUCCESS, () -> register(r, calls, nic, BIT0));
            assertEquals(List.of(TRANSLATE | PASS_THROUGH, PASS_THROUGH), calls.types, "a fresh cache");
        }));
        c.add(observed("UnregisterInterfaceStateChangeCallback_STATUS_SUCCESS_runningCallbackNotWaitedFor", r ->
        {
            final IommuDmaDevice nic = r.device("nic");
            final CountDownLatch entered = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final Calls calls = new Calls();
            final IommuInterfaceStateChangeCallback blocking = (final IommuInterfaceStateChange change,
                final Object ctx) ->
            {
                calls.onStateChange(change, ctx);
                if (change.availableDomainTypes() == PASS_THROUGH)
                {
                    entered.countDown();
                    awaitQuietly(release);
                }
            };
            r.expect("register", STATUS_SUCCESS, () -> register(r, blocking, nic, BIT0));
            final PhysicalDeviceObject pdo = r.platform.device("nic");
            final Thread policyThread = new Thread(() -> r.platform.policy().restrict(pdo, PASS_THROUGH), "policy");
            policyThread.start();
            try
            {
                awaitQuietly(entered);
                final int status = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> r.iommu.unregisterInterfaceStateChangeCallback(blocking, nic), "Unregister must not wait");
                assertEquals(STATUS_SUCCESS, status);
                assertEquals(1, release.getCount(), "the callback is still running");
                assertTrue(policyThread.isAlive());
                assertRegistered(r, nic, false);
            }
            finally
            {
                release.countDown();
                joinQuietly(policyThread);
            }
            assertEquals(2, calls.count());
            assertSame(policyThread, calls.threads.get(1));
        }));
    }

    static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static void joinQuietly(final Thread thread)
    {
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** The types QueryAvailableDomainTypes reports, for comparison (unused by the cases: they state the bits). */
    static int query(final V2Rig r, final IommuDmaDevice device)
    {
        final IntRef types = new IntRef();
        r.iommu.queryAvailableDomainTypes(device, types);
        return types.get();
    }
}
