/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.iommu.api.NtStatus.STATUS_ACCESS_DENIED;
import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_NONE_MAPPED;
import static dev.iommu.api.NtStatus.STATUS_NOT_SUPPORTED;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifier for the state-change and PASID members: {@link VerifierRule#UNREGISTER_WHILE_RUNNING} fires in both
 * profiles on an Unregister while the callback runs (on another thread, driven with latches; or from inside it) and
 * stays silent on the correct sequence; every {@link VerifierRule#PROFILE_DEPENDENT_RESULT} of these members carries
 * both answers, in either profile; calls whose answers agree report nothing.
 */
class ObservedStatePasidVerifierTest
{
    private static final int BIT0 = IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES;

    private final List<VerifierReport> reports = new CopyOnWriteArrayList<>();

    private V2Rig rig(final BehaviourProfile profile, final Platform platform, final CountDownLatch reported)
    {
        return new V2Rig(new EmulatorContext().platform(platform).profile(profile).verifier(true)
            .verifierListener((final VerifierReport report) ->
            {
                reports.add(report);
                if (null != reported && report.rule() == VerifierRule.UNREGISTER_WHILE_RUNNING)
                {
                    reported.countDown();
                }
            }));
    }

    private V2Rig rig(final BehaviourProfile profile)
    {
        return rig(profile, V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)), null);
    }

    private List<VerifierReport> of(final VerifierRule rule)
    {
        return reports.stream().filter((final VerifierReport r) -> r.rule() == rule).collect(Collectors.toList());
    }

    private static IommuInterfaceStateChangeFields fields(final int asUlong)
    {
        return new IommuInterfaceStateChangeFields().asUlong(asUlong);
    }

    private static IommuDmaDevice tagged(final V2Rig r, final String name)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.iommu.createDevice(r.platform.device(name),
            new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false), out));
        return out.get();
    }

    private static IommuDmaPasidDevice sub(final V2Rig r, final IommuDmaDevice parent)
    {
        final Ref<IommuDmaPasidDevice> out = new Ref<>();
        assertEquals(STATUS_SUCCESS, r.v3.createPasidDevice(parent, out, new IntRef()));
        return out.get();
    }

    // ------------------------------------------------------------------------------------------------------------
    // UNREGISTER_WHILE_RUNNING
    // ------------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void unregisterWhileTheCallbackRunsOnAnotherThread(final BehaviourProfile profile) throws InterruptedException
    {
        final CountDownLatch reported = new CountDownLatch(1);
        try (V2Rig r = rig(profile, V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)), reported))
        {
            final IommuDmaDevice nic = r.device("nic");
            final CountDownLatch entered = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final IommuInterfaceStateChangeCallback blocking = (final IommuInterfaceStateChange change,
                final Object ctx) ->
            {
                entered.countDown();
                ObservedStateChangeConformanceTest.awaitQuietly(release);
            };
            // The first call is synchronous on the registering thread in both profiles: it blocks there.
            final AtomicInteger registered = new AtomicInteger(-1);
            final Thread registering = new Thread(() -> registered.set(
                r.iommu.registerInterfaceStateChangeCallback(blocking, null, nic, fields(BIT0))), "register");
            registering.start();
            entered.await();
            final AtomicInteger unregistered = new AtomicInteger(-1);
            final Thread unregistering = new Thread(() -> unregistered.set(
                r.iommu.unregisterInterfaceStateChangeCallback(blocking, nic)), "unregister");
            unregistering.start();
            // Reported before the unregister takes effect (the documented profile then waits for the callback).
            reported.await();
            release.countDown();
            registering.join();
            unregistering.join();
            assertEquals(STATUS_SUCCESS, registered.get());
            assertEquals(STATUS_SUCCESS, unregistered.get());
            final List<VerifierReport> hazards = of(VerifierRule.UNREGISTER_WHILE_RUNNING);
            assertEquals(1, hazards.size(), hazards.toString());
            assertEquals("UnregisterInterfaceStateChangeCallback", hazards.get(0).member());
            assertEquals("device#" + ((DmaDevice)nic).id(), hazards.get(0).objects());
            assertTrue(hazards.get(0).detail().contains("another thread"), hazards.get(0).detail());
            assertEquals("unregister", hazards.get(0).threadName());
            assertEquals(1, r.emulator.verifierReports(VerifierRule.UNREGISTER_WHILE_RUNNING));
        }
    }

    /**
     * A later call: the documented profile's dispatcher (driven by the test's thread) or Windows' policy-changing
     * thread runs the callback, which blocks; Unregister from another thread is reported.
     */
    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void unregisterWhileALaterCallRuns(final BehaviourProfile profile) throws InterruptedException
    {
        final CountDownLatch reported = new CountDownLatch(1);
        try (V2Rig r = rig(profile, V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)), reported))
        {
            final IommuDmaDevice nic = r.device("nic");
            final CountDownLatch entered = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final List<Thread> threads = new CopyOnWriteArrayList<>();
            final IommuInterfaceStateChangeCallback blocking = (final IommuInterfaceStateChange change,
                final Object ctx) ->
            {
                threads.add(Thread.currentThread());
                if (threads.size() == 2)
                {
                    entered.countDown();
                    ObservedStateChangeConformanceTest.awaitQuietly(release);
                }
            };
            assertEquals(STATUS_SUCCESS, r.iommu.registerInterfaceStateChangeCallback(blocking, null, nic,
                fields(BIT0)));
            final Thread changer = new Thread(() ->
            {
                r.platform.policy().restrict(r.platform.device("nic"), IommuDmaDomainType.PASS_THROUGH.mask());
                r.emulator.deliverNotifications();
            }, "changer");
            changer.start();
            entered.await();
            assertSame(changer, threads.get(1));
            final AtomicInteger unregistered = new AtomicInteger(-1);
            final Thread unregistering = new Thread(() -> unregistered.set(
                r.iommu.unregisterInterfaceStateChangeCallback(blocking, nic)), "unregister");
            unregistering.start();
            reported.await();
            if (profile == BehaviourProfile.OBSERVED_WINDOWS)
            {
                unregistering.join();
                assertEquals(STATUS_SUCCESS, unregistered.get(), "returned while the callback still runs");
                assertEquals(1, release.getCount());
            }
            release.countDown();
            changer.join();
            unregistering.join();
            assertEquals(STATUS_SUCCESS, unregistered.get());
            final List<VerifierReport> hazards = of(VerifierRule.UNREGISTER_WHILE_RUNNING);
            assertEquals(1, hazards.size(), hazards.toString());
            assertTrue(hazards.get(0).detail().contains("another thread"), hazards.get(0).detail());
            assertEquals(2, threads.size());
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void unregisterFromInsideTheCallback(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDevice nic = r.device("nic");
            final AtomicInteger inside = new AtomicInteger(-1);
            final IommuInterfaceStateChangeCallback[] self = new IommuInterfaceStateChangeCallback[1];
            self[0] = (final IommuInterfaceStateChange change, final Object ctx) ->
                inside.set(r.iommu.unregisterInterfaceStateChangeCallback(self[0], nic));
            assertEquals(STATUS_SUCCESS,
                r.iommu.registerInterfaceStateChangeCallback(self[0], null, nic, fields(BIT0)));
            assertEquals(STATUS_SUCCESS, inside.get(), "unregistered from inside");
            final List<VerifierReport> hazards = of(VerifierRule.UNREGISTER_WHILE_RUNNING);
            assertEquals(1, hazards.size(), hazards.toString());
            assertTrue(hazards.get(0).detail().contains("inside"), hazards.get(0).detail());
            assertEquals(STATUS_SUCCESS, r.iommu.deleteDevice(nic), "no registration left");
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void silentOnTheCorrectSequence(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDevice nic = r.device("nic");
            final AtomicInteger calls = new AtomicInteger();
            final IommuInterfaceStateChangeCallback counting =
                (final IommuInterfaceStateChange change, final Object ctx) -> calls.incrementAndGet();
            assertEquals(STATUS_SUCCESS,
                r.iommu.registerInterfaceStateChangeCallback(counting, null, nic, fields(BIT0)));
            r.platform.policy().restrict(r.platform.device("nic"), IommuDmaDomainType.PASS_THROUGH.mask());
            r.emulator.deliverNotifications();
            assertEquals(2, calls.get(), "the first call and the change, in either profile");
            assertEquals(STATUS_SUCCESS, r.iommu.unregisterInterfaceStateChangeCallback(counting, nic));
            assertEquals(List.of(), reports, "nothing to report: the answers agree and nothing ran");
            assertEquals(0, r.emulator.verifierReports(VerifierRule.UNREGISTER_WHILE_RUNNING));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // PROFILE_DEPENDENT_RESULT: both answers
    // ------------------------------------------------------------------------------------------------------------

    private void assertDivergence(final String member, final int documented, final int observed)
    {
        final List<VerifierReport> found = of(VerifierRule.PROFILE_DEPENDENT_RESULT);
        assertEquals(1, found.size(), found.toString());
        final VerifierReport report = found.get(0);
        assertEquals(member, report.member());
        assertEquals(NtStatus.name(documented), NtStatus.name(report.documentedStatus()), "documented answer");
        assertEquals(NtStatus.name(observed), NtStatus.name(report.observedStatus()), "observed answer");
        reports.clear();
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void stateChangeDivergencesCarryBothAnswers(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDevice nic = r.device("nic");
            final IommuInterfaceStateChangeCallback noop = (final IommuInterfaceStateChange change, final Object c) ->
            {
            };
            final int reservedOnly = r.iommu.registerInterfaceStateChangeCallback(noop, null, nic, fields(0x6));
            assertEquals(profile == BehaviourProfile.DOCUMENTED ? STATUS_INVALID_PARAMETER_4 : STATUS_SUCCESS,
                reservedOnly);
            assertDivergence("RegisterInterfaceStateChangeCallback", STATUS_INVALID_PARAMETER_4, STATUS_SUCCESS);
            r.iommu.unregisterInterfaceStateChangeCallback(null, nic);
            assertDivergence("UnregisterInterfaceStateChangeCallback", STATUS_INVALID_PARAMETER_1, STATUS_UNSUCCESSFUL);
            r.iommu.registerInterfaceStateChangeCallback(noop, null, nic, fields(0));
            r.iommu.unregisterInterfaceStateChangeCallback(noop, r.device("disk"));
            assertEquals(List.of(), reports, "StateFields 0 and no registration: both profiles agree");
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void pasidDivergencesCarryBothAnswers(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final boolean documented = profile == BehaviourProfile.DOCUMENTED;
            final IommuDmaDevice gpu = tagged(r, "gpu");
            final IommuDmaPasidDevice s = sub(r, gpu);
            final IommuDmaDomain translate = r.explicitDomain();
            final IommuDmaDomain s1 = r.domain(IommuDmaDomainType.TRANSLATE_S1);
            final IommuDmaDomain passThrough = r.domain(IommuDmaDomainType.PASS_THROUGH);
            assertEquals(List.of(), reports, "creation agrees");

            assertEquals(documented ? STATUS_SUCCESS : STATUS_ACCESS_DENIED, r.v3.attachPasidDevice(translate, s));
            assertDivergence("AttachPasidDevice", STATUS_SUCCESS, STATUS_ACCESS_DENIED);
            if (documented)
            {
                assertEquals(STATUS_SUCCESS, r.v3.detachPasidDevice(s));
                assertEquals(List.of(), reports);
            }
            assertEquals(STATUS_INVALID_PARAMETER_1, r.v3.attachPasidDevice(passThrough, s));
            assertEquals(List.of(), reports, "PassThrough: _1 in both");
            assertEquals(STATUS_SUCCESS, r.v3.attachPasidDevice(s1, s));
            assertEquals(List.of(), reports);
            assertEquals(documented ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS, r.v3.attachPasidDevice(s1, s));
            assertDivergence("AttachPasidDevice", STATUS_UNSUCCESSFUL, STATUS_SUCCESS);
            assertEquals(1, ((Domain)s1).attachedDevices());

            final PasidDevice zero = new PasidDevice((DmaDevice)gpu, 0);
            assertEquals(documented ? STATUS_INVALID_PARAMETER_1 : STATUS_NOT_SUPPORTED, r.v3.detachPasidDevice(zero));
            assertDivergence("DetachPasidDevice", STATUS_INVALID_PARAMETER_1, STATUS_NOT_SUPPORTED);
            if (!documented)
            {
                // Documented, a forged PASID 0 handle would be deleted (and its ASID 0 freed): not tried there.
                assertEquals(STATUS_NOT_SUPPORTED, r.v3.deletePasidDevice(zero));
                assertDivergence("DeletePasidDevice", STATUS_SUCCESS, STATUS_NOT_SUPPORTED);
                assertEquals(STATUS_NOT_SUPPORTED, r.v3.attachPasidDevice(s1, zero));
                assertDivergence("AttachPasidDevice", STATUS_SUCCESS, STATUS_NOT_SUPPORTED);
            }
            r.v3.queryDeviceInfo(gpu, 1, new IntRef(), new IommuDmaDeviceInformation());
            assertEquals(List.of(), reports, "BUFFER_TOO_SMALL in both");
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void createPasidDeviceExhaustionOrder(final BehaviourProfile profile)
    {
        final Platform narrow = Platform.builder()
            .architecture(Architecture.X64)
            .iommu("narrow", 0xFED7_0000L, 48, PageSizes.ALLOW_ALL, 2, true, 0)
            .pci("a", 0, 1, 0, 0, "narrow", false)
            .limits(new ResourceLimits(64, 64, V2Rig.SMALL_TABLE_PAGES, 4, 3))
            .build();
        try (V2Rig r = rig(profile, narrow, null))
        {
            final IommuDmaDevice a = tagged(r, "a");
            sub(r, a);
            sub(r, a);
            sub(r, a);
            assertEquals(List.of(), reports);
            final int status = r.v3.createPasidDevice(a, new Ref<>(), new IntRef());
            assertEquals(profile == BehaviourProfile.DOCUMENTED ? STATUS_INSUFFICIENT_RESOURCES : STATUS_NONE_MAPPED,
                status);
            assertDivergence("CreatePasidDevice", STATUS_INSUFFICIENT_RESOURCES, STATUS_NONE_MAPPED);
            assertEquals(3, r.emulator.livePasidDevices());
        }
    }

    @Test
    void offReportsNothing()
    {
        try (V2Rig r = V2Rig.observedX64())
        {
            final IommuDmaDevice nic = r.device("nic");
            final IommuInterfaceStateChangeCallback noop = (final IommuInterfaceStateChange change, final Object c) ->
            {
            };
            assertEquals(STATUS_SUCCESS, r.iommu.registerInterfaceStateChangeCallback(noop, null, nic, fields(0x6)));
            assertEquals(0, r.emulator.verifierReports(VerifierRule.PROFILE_DEPENDENT_RESULT));
        }
    }
}
