/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.iommu.api.IommuPermissions.READ;
import static dev.iommu.api.IommuPermissions.READ_WRITE;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static dev.iommu.core.V2Rig.PAGE;
import static dev.iommu.core.V2Rig.pfns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Devices, domains, tokens and state-change registrations torn down (and built up) in every order: every
 * permutation of a small set of operations runs against one emulator, each call's status is predicted from what
 * has been done so far (spec 1.5 ordering rules: the wrong order gets its status and changes nothing), and after
 * each permutation nothing is left: table pages back to the start, no live domain or device, no token (the domain
 * could be deleted), no registration (no callback runs on a later policy change).
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
