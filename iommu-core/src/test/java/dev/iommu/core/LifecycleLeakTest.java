/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.FaultInformation;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.ptw.Translation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.iommu.api.IommuPermissions.READ;
import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.pfns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Devices, domains, tokens and state-change registrations torn down (and built up) in every order: every
 * permutation of a small set of operations runs against one emulator, each call's status is predicted from what
 * has been done so far (spec 1.5 ordering rules: the wrong order gets its status and changes nothing), and after
 * each permutation nothing is left: table pages back to the start, no live domain or device, no token (the domain
 * could be deleted), no registration (no callback runs on a later policy change).
 * <p>
 * The same for PASID sub-devices (attached to a Translate and a TranslateS1 domain, detached, deleted, with their
 * parent and domains, in every order: none left alive, their PASIDs reusable from 1 again) and for devices that V1
 * AttachDevice attached by their device object (the device record gone after V1 DetachDevice, the device object
 * free for a token): deleted objects of sampled permutations must become unreachable (weak references cleared).
 */
class LifecycleLeakTest
{
    private static final int UNREGISTER = 0;
    private static final int DETACH_NIC = 1;
    private static final int DETACH_DISK = 2;
    private static final int UNMAP_SEGMENT = 3;
    private static final int FREE_TOKEN = 4;
    private static final int DELETE_NIC = 5;
    private static final int DELETE_DISK = 6;
    private static final int DELETE_DOMAIN = 7;
    private static final String[] NAMES = {
        "UnregisterCallback(nic)", "DetachDeviceEx(nic)", "DetachDeviceEx(disk)", "UnmapReservedLogicalRange",
        "FreeReservedLogicalAddressRange", "DeleteDevice(nic)", "DeleteDevice(disk)", "DeleteDomain"};

    private final V2Rig rig = V2Rig.x64();
    private final int[] callbackCalls = new int[1];
    private final IommuInterfaceStateChangeCallback callback =
        (final IommuInterfaceStateChange change, final Object context) -> callbackCalls[0]++;
    private final IommuInterfaceStateChangeFields fields =
        new IommuInterfaceStateChangeFields().availableDomainTypes(true);

    private IommuDmaDevice nic;
    private IommuDmaDevice disk;
    private IommuDmaDomain domain;
    private IommuDmaLogicalAddressToken token;
    private IommuDmaLogicalAddressTokenMappedSegment segment;
    private long plainIova;
    private long tokenBase;

    @AfterEach
    void close()
    {
        rig.close();
    }

    private void setUp()
    {
        nic = rig.device("nic");
        disk = rig.device("disk");
        final Ref<IommuDmaDomain> d = new Ref<>();
        assertEquals(STATUS_SUCCESS, rig.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
            new IommuDmaLogicalAllocatorConfig().buddy(V2Rig.ALLOCATOR_WIDTH), null, d));
        domain = d.get();
        assertEquals(STATUS_SUCCESS, rig.iommu.attachDeviceEx(domain, nic));
        assertEquals(STATUS_SUCCESS, rig.iommu.attachDeviceEx(domain, disk));
        final LongRef out = new LongRef();
        assertEquals(STATUS_SUCCESS, rig.iommu.mapLogicalRangeEx(domain, READ_WRITE, pfns(0x42, 0x43), null, null,
            null, out));
        plainIova = out.get();
        final Ref<IommuDmaLogicalAddressToken> t = new Ref<>();
        assertEquals(STATUS_SUCCESS, rig.iommu.reserveLogicalAddressRange(domain, 4 * PAGE, null, null, null, t));
        token = t.get();
        tokenBase = token.logicalAddressBase();
        segment = new IommuDmaLogicalAddressTokenMappedSegment();
        assertEquals(STATUS_SUCCESS, rig.iommu.mapReservedLogicalRange(token, PAGE, READ, pfns(0x77), segment));
        assertEquals(STATUS_SUCCESS, rig.iommu.registerInterfaceStateChangeCallback(callback, null, nic, fields));
    }

    private int call(final int op)
    {
        switch (op)
        {
            case UNREGISTER:
                return rig.iommu.unregisterInterfaceStateChangeCallback(callback, nic);
            case DETACH_NIC:
                return rig.iommu.detachDeviceEx(nic);
            case DETACH_DISK:
                return rig.iommu.detachDeviceEx(disk);
            case UNMAP_SEGMENT:
                return rig.iommu.unmapReservedLogicalRange(segment);
            case FREE_TOKEN:
                return rig.iommu.freeReservedLogicalAddressRange(token);
            case DELETE_NIC:
                return rig.iommu.deleteDevice(nic);
            case DELETE_DISK:
                return rig.iommu.deleteDevice(disk);
            default:
                return rig.iommu.deleteDomain(domain);
        }
    }

    /** The status the spec (and the recorded choices) give {@code op} after the operations in {@code done}. */
    private static int predict(final int op, final boolean[] done)
    {
        if (done[op])
        {
            switch (op)
            {
                case UNREGISTER:
                    return STATUS_UNSUCCESSFUL;
                case DETACH_NIC:
                    return done[DELETE_NIC] ? STATUS_INVALID_PARAMETER : STATUS_INVALID_PARAMETER_1;
                case DETACH_DISK:
                    return done[DELETE_DISK] ? STATUS_INVALID_PARAMETER : STATUS_INVALID_PARAMETER_1;
                default:
                    return STATUS_INVALID_PARAMETER;
            }
        }
        switch (op)
        {
            case FREE_TOKEN:
                return done[UNMAP_SEGMENT] ? STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
            case DELETE_NIC:
                return done[DETACH_NIC] && done[UNREGISTER] ? STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
            case DELETE_DISK:
                return done[DETACH_DISK] ? STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
            case DELETE_DOMAIN:
                return done[DETACH_NIC] && done[DETACH_DISK] && done[FREE_TOKEN] ?
                    STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
            default:
                return STATUS_SUCCESS;
        }
    }

    /** What the devices see must follow from what is done. */
    private void checkDeviceView(final boolean[] done, final String where)
    {
        final long nicSees = rig.seen(nic, plainIova + PAGE);
        assertEquals(done[DETACH_NIC] ? -1 : 0x43 * PAGE, nicSees, where + ": nic view");
        final long diskSees = rig.seen(disk, tokenBase + PAGE);
        assertEquals(done[DETACH_DISK] || done[UNMAP_SEGMENT] ? -1 : 0x77 * PAGE, diskSees, where + ": disk view");
    }

    @Test
    void everyTeardownOrderGivesItsStatusesAndLeavesNothing()
    {
        final long startPages = rig.emulator.tablePagesInUse();
        final int[] order = {0, 1, 2, 3, 4, 5, 6, 7};
        int permutations = 0;
        int refusals = 0;
        do
        {
            permutations++;
            setUp();
            final boolean[] done = new boolean[NAMES.length];
            final List<Integer> pending = new ArrayList<>();
            for (final int op : order)
            {
                pending.add(op);
            }
            final StringBuilder trace = new StringBuilder();
            while (!pending.isEmpty())
            {
                final int before = pending.size();
                for (int i = 0; i < pending.size(); i++)
                {
                    final int op = pending.get(i);
                    trace.append(NAMES[op]).append(' ');
                    final int expected = predict(op, done);
                    final long[] snapshot = rig.snapshot();
                    assertEquals(NtStatus.name(expected), NtStatus.name(call(op)), "after " + trace);
                    if (expected == STATUS_SUCCESS)
                    {
                        done[op] = true;
                        pending.remove(i--);
                        final int again = predict(op, done);
                        assertEquals(NtStatus.name(again), NtStatus.name(call(op)), "repeated, after " + trace);
                    }
                    else
                    {
                        refusals++;
                        assertEquals(java.util.Arrays.toString(snapshot), java.util.Arrays.toString(rig.snapshot()),
                            "a refused call changed nothing, after " + trace);
                    }
                    if (!done[DELETE_NIC] && !done[DELETE_DISK] && !done[DELETE_DOMAIN])
                    {
                        checkDeviceView(done, trace.toString());
                    }
                }
                assertTrue(pending.size() < before, "progress, after " + trace);
            }
            assertEquals(startPages, rig.emulator.tablePagesInUse(), "table pages leaked, order " + trace);
            assertEquals(0, rig.emulator.liveDomains(), trace.toString());
            assertEquals(0, rig.emulator.liveDevices(), trace.toString());
        }
        while (nextPermutation(order));
        assertEquals(40320, permutations);
        assertTrue(refusals > permutations, "wrong orders were exercised: " + refusals);
        assertEquals(permutations, callbackCalls[0], "one immediate call per registration");
        rig.platform.policy().blockingActive(true);
        while (rig.emulator.deliverNotifications() > 0)
        {
            Thread.onSpinWait();
        }
        assertEquals(permutations, callbackCalls[0], "no registration left behind");
    }

    private static final int CREATE_NIC = 0;
    private static final int CREATE_DOMAIN = 1;
    private static final int ATTACH = 2;
    private static final int MAP = 3;
    private static final int REGISTER = 4;
    private static final int RESERVE = 5;

    @Test
    void everyBuildUpOrderGivesItsStatuses()
    {
        final long startPages = rig.emulator.tablePagesInUse();
        final int[] order = {0, 1, 2, 3, 4, 5};
        int permutations = 0;
        do
        {
            permutations++;
            final Ref<IommuDmaDevice> device = new Ref<>();
            final Ref<IommuDmaDomain> dom = new Ref<>();
            final Ref<IommuDmaLogicalAddressToken> tok = new Ref<>();
            final LongRef out = new LongRef();
            final boolean[] done = new boolean[6];
            final StringBuilder trace = new StringBuilder();
            for (final int op : order)
            {
                trace.append(op).append(' ');
                final int status;
                final int expected;
                switch (op)
                {
                    case CREATE_NIC:
                        status = rig.iommu.createDevice(rig.platform.device("nic"), null, device);
                        expected = STATUS_SUCCESS;
                        break;
                    case CREATE_DOMAIN:
                        status = rig.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                            new IommuDmaLogicalAllocatorConfig().buddy(V2Rig.ALLOCATOR_WIDTH), null, dom);
                        expected = STATUS_SUCCESS;
                        break;
                    case ATTACH:
                        status = rig.iommu.attachDeviceEx(dom.get(), device.get());
                        expected = done[CREATE_NIC] && done[CREATE_DOMAIN] ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
                        break;
                    case MAP:
                        status = rig.iommu.mapLogicalRangeEx(dom.get(), READ, pfns(9), null, null, null, out);
                        expected = done[CREATE_DOMAIN] ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
                        break;
                    case REGISTER:
                        status = rig.iommu.registerInterfaceStateChangeCallback(callback, null, device.get(), fields);
                        expected = done[CREATE_NIC] ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER_3;
                        break;
                    default:
                        status = rig.iommu.reserveLogicalAddressRange(dom.get(), PAGE, null, null, null, tok);
                        expected = done[CREATE_DOMAIN] ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
                        break;
                }
                assertEquals(NtStatus.name(expected), NtStatus.name(status), "order " + trace);
                done[op] = expected == STATUS_SUCCESS;
            }
            if (done[ATTACH] && done[MAP])
            {
                assertEquals(9 * PAGE, rig.seen(device.get(), out.get()), "order " + trace);
            }
            // Tear down in the one right order; whatever was not built is skipped.
            if (done[REGISTER])
            {
                assertEquals(STATUS_SUCCESS, rig.iommu.unregisterInterfaceStateChangeCallback(callback, device.get()));
            }
            if (done[ATTACH])
            {
                assertEquals(STATUS_SUCCESS, rig.iommu.detachDeviceEx(device.get()));
            }
            if (done[RESERVE])
            {
                assertEquals(STATUS_SUCCESS, rig.iommu.freeReservedLogicalAddressRange(tok.get()));
            }
            assertEquals(STATUS_SUCCESS, rig.iommu.deleteDevice(device.get()));
            assertEquals(STATUS_SUCCESS, rig.iommu.deleteDomain(dom.get()), "live mapping dropped, order " + trace);
            assertEquals(startPages, rig.emulator.tablePagesInUse(), "order " + trace);
            assertEquals(0, rig.emulator.liveDomains());
            assertEquals(0, rig.emulator.liveDevices());
        }
        while (nextPermutation(order));
        assertEquals(720, permutations);
    }

    @Test
    void unmappingEveryPageOfAnExplicitDomainReturnsItsTables()
    {
        final long start = rig.emulator.tablePagesInUse();
        final IommuDmaDomain d = rig.explicitDomain();
        final long root = rig.emulator.tablePagesInUse();
        for (int i = 0; i < 64; i++)
        {
            rig.mapAt(d, 0x40_0000L * i + 0x1000 * i, 0x100 + i, 1 + i % 5);
        }
        final Ref<IommuDmaLogicalAddressToken> t = new Ref<>();
        assertEquals(STATUS_SUCCESS, rig.iommu.reserveLogicalAddressRange(
            d, 8 * PAGE, new LongRef(0x7F_0000_0000L), null, null, t));
        assertEquals(STATUS_SUCCESS, rig.iommu.freeReservedLogicalAddressRange(t.get()));
        // One unmap covering whole table spans frees the tables (spec 2.13: "may release page-table memory").
        assertEquals(STATUS_SUCCESS, rig.iommu.unmapLogicalRange(d, 0, 1L << 36));
        assertEquals(root, rig.emulator.tablePagesInUse(), "only the root is left");
        assertEquals(STATUS_SUCCESS, rig.iommu.deleteDomain(d));
        assertEquals(start, rig.emulator.tablePagesInUse());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Every teardown order of a scenario: statuses, device views, counts, and nothing left reachable
    // ------------------------------------------------------------------------------------------------------------

    /** Deleted objects of every this-many-th permutation are watched through weak references. */
    private static final int TRACK_EVERY = 97;

    /** Weak references to objects the driver has deleted (or that the emulator deleted for it). */
    private final List<WeakReference<Object>> tracked = new ArrayList<>();

    /** One teardown scenario: what it builds, its operations, their statuses, and what must hold after each. */
    private interface Scenario
    {
        /** Builds what the operations tear down; {@code track}: watch its objects through weak references. */
        void setUp(boolean track);

        int call(int op);

        /** The status {@code op} gets after the operations in {@code done}. */
        int predict(int op, boolean[] done);

        /** Whether a refusal of {@code op} is final (it can never succeed after {@code done}). */
        boolean settled(int op, boolean[] done);

        /** What the devices see and what the emulator counts after {@code done}. */
        void check(boolean[] done, String where);

        /** Deletes what the operations left (nothing, or objects built by an operation) and drops the references. */
        void finish(String where);

        String name(int op);
    }

    /**
     * Runs every order of {@code ops} operations against one emulator (a refused operation is tried again after the
     * others, until it succeeds or its refusal is final); each call's status is predicted, a refused call changes
     * nothing, and after each order no domain, device or sub-device is left and the table pages are back.
     *
     * @return {permutations, refusals}.
     */
    private int[] everyOrder(final Scenario scenario, final int ops)
    {
        final long startPages = rig.emulator.tablePagesInUse();
        final int[] order = new int[ops];
        for (int i = 0; i < ops; i++)
        {
            order[i] = i;
        }
        int permutations = 0;
        int refusals = 0;
        do
        {
            scenario.setUp(permutations % TRACK_EVERY == 0);
            permutations++;
            final boolean[] done = new boolean[ops];
            final List<Integer> pending = new ArrayList<>();
            for (final int op : order)
            {
                pending.add(op);
            }
            final StringBuilder trace = new StringBuilder();
            scenario.check(done, "set up");
            while (!pending.isEmpty())
            {
                final int before = pending.size();
                for (int i = 0; i < pending.size(); i++)
                {
                    final int op = pending.get(i);
                    trace.append(scenario.name(op)).append(' ');
                    final int expected = scenario.predict(op, done);
                    final long[] snapshot = rig.snapshot();
                    assertEquals(NtStatus.name(expected), NtStatus.name(scenario.call(op)), "after " + trace);
                    if (expected == STATUS_SUCCESS)
                    {
                        done[op] = true;
                        pending.remove(i--);
                        assertEquals(NtStatus.name(scenario.predict(op, done)), NtStatus.name(scenario.call(op)),
                            "repeated, after " + trace);
                    }
                    else
                    {
                        refusals++;
                        assertEquals(java.util.Arrays.toString(snapshot), java.util.Arrays.toString(rig.snapshot()),
                            "a refused call changed nothing, after " + trace);
                        if (scenario.settled(op, done))
                        {
                            pending.remove(i--);
                        }
                    }
                    scenario.check(done, trace.toString());
                }
                assertTrue(pending.size() < before, "progress, after " + trace);
            }
            scenario.finish(trace.toString());
            assertEquals(startPages, rig.emulator.tablePagesInUse(), "table pages leaked, order " + trace);
            assertEquals(0, rig.emulator.liveDomains(), trace.toString());
            assertEquals(0, rig.emulator.liveDevices(), trace.toString());
            assertEquals(0, rig.emulator.livePasidDevices(), trace.toString());
        }
        while (nextPermutation(order));
        return new int[]{permutations, refusals};
    }

    private void track(final Object... objects)
    {
        for (final Object o : objects)
        {
            tracked.add(new WeakReference<>(o));
        }
    }

    /** Every tracked object is unreachable: nothing in the emulator keeps a deleted object. */
    private void assertTrackedCollected(final int expected)
    {
        assertEquals(expected, tracked.size(), "objects tracked");
        final List<String> alive = new ArrayList<>();
        for (int attempt = 0; attempt < 50; attempt++)
        {
            System.gc();
            alive.clear();
            for (final WeakReference<Object> ref : tracked)
            {
                final Object o = ref.get();
                if (null != o)
                {
                    alive.add(o.toString());
                }
            }
            if (alive.isEmpty())
            {
                return;
            }
            Thread.onSpinWait();
        }
        assertEquals(List.of(), alive, "deleted objects still reachable");
    }

    private static final int DETACH_SUB_T = 0;
    private static final int DETACH_SUB_S1 = 1;
    private static final int DELETE_SUB_T = 2;
    private static final int DELETE_SUB_S1 = 3;
    private static final int DETACH_PARENT = 4;
    private static final int DELETE_PARENT = 5;
    private static final int DELETE_T = 6;
    private static final int DELETE_S1 = 7;
    private static final String[] PASID_NAMES = {
        "DetachPasidDevice(T)", "DetachPasidDevice(S1)", "DeletePasidDevice(T)", "DeletePasidDevice(S1)",
        "DetachDeviceEx(parent)", "DeleteDevice(parent)", "DeleteDomain(T)", "DeleteDomain(S1)"};
    private static final long PASID_IOVA = 0x7_0000_0000L;

    /**
     * A device created for PASID-tagged DMA, attached to a Translate domain T (one page mapped), with two sub-devices:
     * PASID 1 attached to T too (a sub-device may join its parent's domain), PASID 2 to a TranslateS1 domain. Every
     * order of detaching and deleting them, the parent and both domains.
     */
    private final class PasidScenario implements Scenario
    {
        IommuDmaDevice parent;
        IommuDmaDomain translate;
        IommuDmaDomain stage1;
        IommuDmaPasidDevice subT;
        IommuDmaPasidDevice subS1;

        @Override
        public void setUp(final boolean track)
        {
            final Ref<IommuDmaDevice> p = new Ref<>();
            assertEquals(STATUS_SUCCESS, rig.v3.createDevice(rig.platform.device("nic"),
                new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false), p));
            parent = p.get();
            final Ref<IommuDmaDomain> d = new Ref<>();
            assertEquals(STATUS_SUCCESS, rig.v3.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, d));
            translate = d.get();
            assertEquals(STATUS_SUCCESS, rig.v3.createDomainEx(IommuDmaDomainType.TRANSLATE_S1, 0, null, null, d));
            stage1 = d.get();
            assertEquals(STATUS_SUCCESS, rig.v3.mapLogicalRangeEx(translate, READ_WRITE, pfns(0x42),
                new LongRef(PASID_IOVA), null, null, new LongRef()));
            assertEquals(STATUS_SUCCESS, rig.v3.attachDeviceEx(translate, parent));
            final Ref<IommuDmaPasidDevice> s = new Ref<>();
            final IntRef asid = new IntRef();
            assertEquals(STATUS_SUCCESS, rig.v3.createPasidDevice(parent, s, asid));
            assertEquals(1, asid.get(), "PASIDs from 1 again: every earlier one was given back");
            subT = s.get();
            assertEquals(STATUS_SUCCESS, rig.v3.createPasidDevice(parent, s, asid));
            assertEquals(2, asid.get(), "then 2");
            subS1 = s.get();
            assertEquals(STATUS_SUCCESS, rig.v3.attachPasidDevice(translate, subT));
            assertEquals(STATUS_SUCCESS, rig.v3.attachPasidDevice(stage1, subS1));
            if (track)
            {
                track(parent, translate, stage1, subT, subS1);
            }
        }

        @Override
        public int call(final int op)
        {
            switch (op)
            {
                case DETACH_SUB_T:
                    return rig.v3.detachPasidDevice(subT);
                case DETACH_SUB_S1:
                    return rig.v3.detachPasidDevice(subS1);
                case DELETE_SUB_T:
                    return rig.v3.deletePasidDevice(subT);
                case DELETE_SUB_S1:
                    return rig.v3.deletePasidDevice(subS1);
                case DETACH_PARENT:
                    return rig.v3.detachDeviceEx(parent);
                case DELETE_PARENT:
                    return rig.v3.deleteDevice(parent);
                case DELETE_T:
                    return rig.v3.deleteDomain(translate);
                default:
                    return rig.v3.deleteDomain(stage1);
            }
        }

        @Override
        public int predict(final int op, final boolean[] done)
        {
            switch (op)
            {
                case DETACH_SUB_T:
                case DETACH_SUB_S1:
                    // Deleted sub-devices are unknown handles; live ones not attached are _1 (spec 2.33).
                    return !done[op] ? STATUS_SUCCESS :
                        done[op + 2] ? STATUS_INVALID_PARAMETER : STATUS_INVALID_PARAMETER_1;
                case DELETE_SUB_T:
                case DELETE_SUB_S1:
                    // Spec 1.5 item 3, 2.31.
                    return done[op] ? STATUS_INVALID_PARAMETER :
                        done[op - 2] ? STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
                case DETACH_PARENT:
                    return !done[op] ? STATUS_SUCCESS :
                        done[DELETE_PARENT] ? STATUS_INVALID_PARAMETER : STATUS_INVALID_PARAMETER_1;
                case DELETE_PARENT:
                    // Spec 5.2 item 9: sub-devices alive keep their parent.
                    return done[op] ? STATUS_INVALID_PARAMETER :
                        done[DETACH_PARENT] && done[DELETE_SUB_T] && done[DELETE_SUB_S1] ?
                            STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
                case DELETE_T:
                    // An attached sub-device counts as an attached device (spec 5.3 item 14).
                    return done[op] ? STATUS_INVALID_PARAMETER :
                        done[DETACH_PARENT] && done[DETACH_SUB_T] ? STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
                default:
                    return done[op] ? STATUS_INVALID_PARAMETER :
                        done[DETACH_SUB_S1] ? STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
            }
        }

        @Override
        public boolean settled(final int op, final boolean[] done)
        {
            return false;
        }

        @Override
        public void check(final boolean[] done, final String where)
        {
            final long frame = 0x42 * PAGE;
            assertEquals(done[DETACH_PARENT] ? -1 : frame, seen(parent, IommuEmulator.NO_PASID, PASID_IOVA),
                where + ": untagged DMA of the parent");
            assertEquals(done[DETACH_PARENT] ? -1 : frame, seen(parent, 0, PASID_IOVA), where + ": PASID 0");
            assertEquals(done[DETACH_SUB_T] ? -1 : frame, seen(parent, 1, PASID_IOVA), where + ": PASID 1 in T");
            assertEquals(-1, seen(parent, 2, PASID_IOVA), where + ": PASID 2 in the empty TranslateS1 domain");
            assertEquals(-1, seen(parent, 3, PASID_IOVA), where + ": no PASID 3");
            final int subs = (done[DELETE_SUB_T] ? 0 : 1) + (done[DELETE_SUB_S1] ? 0 : 1);
            assertEquals(subs, rig.emulator.livePasidDevices(), where + ": live sub-devices");
            assertEquals(done[DELETE_PARENT] ? 0 : 1, rig.emulator.liveDevices(), where + ": live devices");
            assertEquals((done[DELETE_T] ? 0 : 1) + (done[DELETE_S1] ? 0 : 1), rig.emulator.liveDomains(),
                where + ": live domains");
            assertSame(done[DELETE_PARENT] ? null : parent, rig.emulator.dmaDeviceOf(rig.platform.device("nic")),
                where + ": dmaDeviceOf(nic)");
        }

        @Override
        public void finish(final String where)
        {
            parent = null;
            translate = null;
            stage1 = null;
            subT = null;
            subS1 = null;
        }

        @Override
        public String name(final int op)
        {
            return PASID_NAMES[op];
        }
    }

    /** The output address a PASID-tagged (or untagged) read of {@code iova} reaches, or -1 for a fault. */
    private long seen(final IommuDmaDevice device, final int pasid, final long iova)
    {
        final long t = rig.emulator.translate(device, pasid, iova, READ);
        return Translation.isFault(t) ? -1 : Translation.outputAddress(t, iova);
    }

    @Test
    void pasidSubDevicesInEveryTeardownOrderGiveTheirStatusesAndLeaveNothing()
    {
        final int[] result = everyOrder(new PasidScenario(), PASID_NAMES.length);
        assertEquals(40320, result[0]);
        assertTrue(result[1] > result[0], "wrong orders were exercised: " + result[1]);
        // A last sub-device after all of them: PASID 1 again, then nothing left.
        final Ref<IommuDmaDevice> p = new Ref<>();
        assertEquals(STATUS_SUCCESS, rig.v3.createDevice(rig.platform.device("gpu"),
            new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, true), p));
        final Ref<IommuDmaPasidDevice> s = new Ref<>();
        final IntRef asid = new IntRef();
        assertEquals(STATUS_SUCCESS, rig.v3.createPasidDevice(p.get(), s, asid));
        assertEquals(1, asid.get());
        assertEquals(STATUS_SUCCESS, rig.v3.deletePasidDevice(s.get()));
        assertEquals(STATUS_SUCCESS, rig.v3.deleteDevice(p.get()));
        assertTrackedCollected(5 * ((40320 + TRACK_EVERY - 1) / TRACK_EVERY));
    }

    private static final int V1_DETACH_GPU = 0;
    private static final int V1_DETACH_EXT = 1;
    private static final int V1_FAULTS_OFF = 2;
    private static final int V1_UNMAP = 3;
    private static final int V1_DELETE_DOMAIN = 4;
    private static final int V1_TOKEN_GPU = 5;
    private static final String[] V1_NAMES = {
        "V1 DetachDevice(gpu)", "V1 DetachDevice(ext)", "V1 SetDeviceFaultReporting(gpu, off)",
        "V1 UnmapLogicalRange", "V1 DeleteDomain", "CreateDevice(gpu)"};
    private static final long V1_IOVA = 0x5000_0000L;

    /**
     * A V1 domain (CreateDomain TRUE, one page mapped by V1 MapLogicalRange) with gpu and ext attached by their device
     * objects (V1 AttachDevice) and fault reporting on for gpu. Every order of detaching them (V1 DetachDevice),
     * turning gpu's fault reporting off, unmapping the page, deleting the domain, and a token for gpu (CreateDevice:
     * refused while the V1 record stands, spec 5.2 item 7). A refusal is final when it can never succeed any more
     * (fault reporting of a detached device, an unmap in a deleted domain).
     */
    private final class V1Scenario implements Scenario
    {
        final int[] faultCalls = new int[1];
        final PhysicalDeviceObject gpu = rig.platform.device("gpu");
        final PhysicalDeviceObject ext = rig.platform.device("ext");
        final DeviceFaultConfiguration faults = new DeviceFaultConfiguration()
            .faultHandler((final Object context, final FaultInformation info) -> faultCalls[0]++);
        IommuDmaDomain domain;
        IommuDmaDevice gpuRecord;
        IommuDmaDevice extRecord;
        IommuDmaDevice gpuToken;
        boolean track;

        @Override
        public void setUp(final boolean trackThis)
        {
            track = trackThis;
            final Ref<IommuDmaDomain> d = new Ref<>();
            assertEquals(STATUS_SUCCESS, rig.v1.createDomain(true, d));
            domain = d.get();
            assertEquals(STATUS_SUCCESS, rig.v1.mapLogicalRange(domain, READ_WRITE,
                new Mdl().describe(new long[]{0x42}, PAGE), V1_IOVA));
            assertNull(rig.emulator.dmaDeviceOf(gpu), "no record for gpu before its attach");
            assertEquals(STATUS_SUCCESS, rig.v1.attachDevice(domain, gpu, 0, 1));
            assertEquals(STATUS_SUCCESS, rig.v1.attachDevice(domain, ext, 0, 1));
            gpuRecord = rig.emulator.dmaDeviceOf(gpu);
            extRecord = rig.emulator.dmaDeviceOf(ext);
            assertNotNull(gpuRecord);
            assertNotNull(extRecord);
            assertEquals(STATUS_SUCCESS, rig.v1.setDeviceFaultReporting(gpu, 0, true, faults));
            gpuToken = null;
            if (track)
            {
                track(domain, gpuRecord, extRecord);
            }
        }

        @Override
        public int call(final int op)
        {
            switch (op)
            {
                case V1_DETACH_GPU:
                    return rig.v1.detachDevice(domain, gpu, 0);
                case V1_DETACH_EXT:
                    return rig.v1.detachDevice(domain, ext, 0);
                case V1_FAULTS_OFF:
                    return rig.v1.setDeviceFaultReporting(gpu, 0, false, null);
                case V1_UNMAP:
                    return rig.v1.unmapLogicalRange(domain, V1_IOVA, 1);
                case V1_DELETE_DOMAIN:
                    return rig.v1.deleteDomain(domain);
                default:
                    final Ref<IommuDmaDevice> out = new Ref<>();
                    final int status = rig.iommu.createDevice(gpu, null, out);
                    if (status == STATUS_SUCCESS)
                    {
                        gpuToken = out.get();
                        if (track)
                        {
                            track(gpuToken);
                        }
                    }
                    return status;
            }
        }

        @Override
        public int predict(final int op, final boolean[] done)
        {
            switch (op)
            {
                case V1_DETACH_GPU:
                case V1_DETACH_EXT:
                    // Not attached through V1 any more (no record, or gpu's token) _2; a deleted domain first.
                    return !done[op] ? STATUS_SUCCESS :
                        done[V1_DELETE_DOMAIN] ? STATUS_INVALID_PARAMETER : STATUS_INVALID_PARAMETER_2;
                case V1_FAULTS_OFF:
                    // Disabling when off succeeds; a device not attached (no record, or an idle token) _1.
                    return done[V1_DETACH_GPU] ? STATUS_INVALID_PARAMETER_1 : STATUS_SUCCESS;
                case V1_UNMAP:
                    return done[V1_DELETE_DOMAIN] || done[op] ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
                case V1_DELETE_DOMAIN:
                    return done[op] ? STATUS_INVALID_PARAMETER :
                        done[V1_DETACH_GPU] && done[V1_DETACH_EXT] ? STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
                default:
                    // One device per device object: the V1 record, then the token, takes it.
                    return !done[op] && done[V1_DETACH_GPU] ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
            }
        }

        @Override
        public boolean settled(final int op, final boolean[] done)
        {
            return op == V1_FAULTS_OFF && done[V1_DETACH_GPU] || op == V1_UNMAP && done[V1_DELETE_DOMAIN];
        }

        @Override
        public void check(final boolean[] done, final String where)
        {
            final int devices = (done[V1_DETACH_GPU] ? 0 : 1) + (done[V1_DETACH_EXT] ? 0 : 1) +
                (done[V1_TOKEN_GPU] ? 1 : 0);
            assertEquals(devices, rig.emulator.liveDevices(), where + ": live devices");
            assertEquals(done[V1_DELETE_DOMAIN] ? 0 : 1, rig.emulator.liveDomains(), where + ": live domains");
            assertSame(!done[V1_DETACH_GPU] ? gpuRecord : done[V1_TOKEN_GPU] ? gpuToken : null,
                rig.emulator.dmaDeviceOf(gpu), where + ": dmaDeviceOf(gpu): the V1 record, then gone or the token");
            assertSame(done[V1_DETACH_EXT] ? null : extRecord, rig.emulator.dmaDeviceOf(ext),
                where + ": dmaDeviceOf(ext): gone after V1 DetachDevice");
            final long frame = 0x42 * PAGE;
            assertEquals(done[V1_DETACH_GPU] || done[V1_UNMAP] ? -1 : frame, rig.seen(gpuRecord, V1_IOVA),
                where + ": gpu's DMA (a detached record reaches nothing)");
            assertEquals(done[V1_DETACH_EXT] || done[V1_UNMAP] ? -1 : frame, rig.seen(extRecord, V1_IOVA),
                where + ": ext's DMA");
            if (done[V1_TOKEN_GPU])
            {
                assertEquals(-1, rig.seen(gpuToken, V1_IOVA), where + ": gpu's new token is not attached");
            }
        }

        @Override
        public void finish(final String where)
        {
            if (null != gpuToken)
            {
                assertEquals(STATUS_SUCCESS, rig.iommu.deleteDevice(gpuToken), where);
            }
            domain = null;
            gpuRecord = null;
            extRecord = null;
            gpuToken = null;
        }

        @Override
        public String name(final int op)
        {
            return V1_NAMES[op];
        }
    }

    @Test
    void v1AttachedDevicesInEveryTeardownOrderGiveTheirStatusesAndLeaveNothing()
    {
        final int[] result = everyOrder(new V1Scenario(), V1_NAMES.length);
        assertEquals(720, result[0]);
        assertTrue(result[1] > result[0], "wrong orders were exercised: " + result[1]);
        // 3 objects per tracked permutation, and gpu's token in every one of them (CreateDevice always succeeds).
        assertTrackedCollected(4 * ((720 + TRACK_EVERY - 1) / TRACK_EVERY));
    }

    private static boolean nextPermutation(final int[] a)
    {
        int i = a.length - 2;
        while (i >= 0 && a[i] >= a[i + 1])
        {
            i--;
        }
        if (i < 0)
        {
            return false;
        }
        int j = a.length - 1;
        while (a[j] <= a[i])
        {
            j--;
        }
        swap(a, i, j);
        for (int l = i + 1, r = a.length - 1; l < r; l++, r--)
        {
            swap(a, l, r);
        }
        return true;
    }

    private static void swap(final int[] a, final int i, final int j)
    {
        final int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
