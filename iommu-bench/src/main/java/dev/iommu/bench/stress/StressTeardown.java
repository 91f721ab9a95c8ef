/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.VerifierReport;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;

/**
 * The platform a stress run runs on, and the end of the run, after every worker cleaned up what it made: the shared
 * objects given back, the leak check (no table page, domain, device, PASID sub-device, shared page or ASID left), the
 * check that every status seen is one its member may return in the run's profile and that every racing set lies
 * inside that profile's layer, the verifier's leak audit at close (with {@code --verifier}), and the list of members
 * no thread called.
 */
final class StressTeardown
{
    private final StressRun run;
    private final long seed;
    private final StressProfile profile;

    StressTeardown(final StressRun run, final long seed, final StressProfile profile)
    {
        this.run = run;
        this.seed = seed;
        this.profile = profile;
    }

    /**
     * Every status seen is one its member may return in the profile; every racing set is inside the profile's layer.
     */
    void checkStatuses(final Map<String, int[]> seen)
    {
        for (final Map.Entry<String, int[]> e : seen.entrySet())
        {
            for (int t = 0; t < 3; t++)
            {
                final int extra = e.getValue()[t] & ~AllowedStatuses.mask(profile.layer(), e.getKey());
                leakCheck(extra == 0, StressChecks.tableName(t) + " " + e.getKey() + " returned " +
                    AllowedStatuses.names(extra) + ", not a status it may return");
            }
        }
        final List<String> racing = AllowedStatuses.racingSetsAreAllowed(profile.layer());
        leakCheck(racing.isEmpty(), "racing statuses not allowed for " + racing);
    }

    /**
     * The platform of a run: one x64 IOMMU with 48-bit addresses, every page size and PASIDs; per thread two device
     * objects for V2 tokens, one for V1 and one for the V3 PASID parent; the shared device objects, every other one
     * external; the devices of the slot domain and of the doomed domain.
     */
    static Platform platform(final int threads, final int sharedSlots)
    {
        final Platform.Builder builder = Platform.builder().architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, StressRun.PASID_WIDTH, true, 0)
            .limits(new ResourceLimits(6 * threads + 20, 8 * threads + 20, 1 << 18, 16,
                StressV3PasidOps.MAX_SUB_DEVICES * threads + 16));
        for (int i = 0; i < 2 * threads; i++)
        {
            builder.pci("own" + i, 1, i / 8, i % 8, 0, "vtd0", false);
        }
        for (int i = 0; i < threads; i++)
        {
            builder.pci("v1_" + i, 3, i / 8, i % 8, 0, "vtd0", false);
            builder.pci("pasid" + i, 4, i / 8, i % 8, 0, "vtd0", false);
        }
        for (int i = 0; i < sharedSlots; i++)
        {
            builder.pci("shared" + i, 2, i, 0, 0, "vtd0", i % 2 == 1);
        }
        builder.pci("slots", 5, 0, 0, 0, "vtd0", false);
        builder.pci("doomed", 5, 1, 0, 0, "vtd0", false);
        return builder.build();
    }

    /**
     * What the workers saw: member name to one tally mask per table, over all workers.
     */
    static Map<String, int[]> seen(final StressWorker[] workers)
    {
        final Map<String, int[]> seen = new TreeMap<>();
        for (final StressWorker worker : workers)
        {
            for (final Map.Entry<String, int[]> e : worker.checks().seen().entrySet())
            {
                final int[] masks = seen.computeIfAbsent(e.getKey(), k -> new int[3]);
                for (int t = 0; t < masks.length; t++)
                {
                    masks[t] |= e.getValue()[t];
                }
            }
        }
        return seen;
    }

    /**
     * With the verifier on: closes the emulator (its leak audit runs then: with everything given back it must find
     * nothing), and fails the run if a rule it never triggers fired.
     *
     * @return the verifier's reports per rule.
     */
    long[] closeAndAudit(final IommuEmulator emulator, final StressVerifier verifier)
    {
        emulator.close();
        final VerifierReport forbidden = verifier.firstForbidden(profile);
        if (null != forbidden)
        {
            throw new StressFailure(seed, -1, -1, "verifier", forbidden.member(), forbidden.address(),
                "a rule this run never triggers fired: " + forbidden);
        }
        return verifier.counts();
    }

    /**
     * The members of each table no thread called, as "V1 FlushDomain" and so on.
     */
    static List<String> uncalled(final Map<String, int[]> seen)
    {
        final List<String> uncalled = new ArrayList<>();
        for (int version = 1; version <= 3; version++)
        {
            final Set<String> members = AllowedStatuses.members(version);
            for (final String member : members)
            {
                final int[] masks = seen.get(member);
                if (null == masks || masks[version - 1] == 0)
                {
                    uncalled.add(StressChecks.tableName(version - 1) + " " + member);
                }
            }
        }
        return uncalled;
    }

    /**
     * Gives back the shared devices, the own devices and the shared domains, then checks that nothing is left.
     */
    void cleanUpShared()
    {
        final DmaIommuInterfaceV2 iommu = run.iommu();
        final IommuEmulator emulator = run.emulator();
        for (int i = 0; i < run.sharedSlots(); i++)
        {
            final IommuDmaDevice device = run.sharedDevice(i);
            final int unregister = iommu.unregisterInterfaceStateChangeCallback(run.callback(i), device);
            leakCheck(unregister == NtStatus.STATUS_SUCCESS || unregister == NtStatus.STATUS_UNSUCCESSFUL,
                "unregister shared " + i + ": " + NtStatus.name(unregister));
            final int detach = iommu.detachDeviceEx(device);
            leakCheck(detach == NtStatus.STATUS_SUCCESS || detach == NtStatus.STATUS_INVALID_PARAMETER_1,
                "detach shared " + i + ": " + NtStatus.name(detach));
            expect(NtStatus.STATUS_SUCCESS, iommu.deleteDevice(device), "DeleteDevice shared " + i);
        }
        for (int i = 0; i < run.ownDevices(); i++)
        {
            expect(NtStatus.STATUS_SUCCESS, iommu.deleteDevice(run.ownDevice(i)), "DeleteDevice own");
        }
        run.slotDomain().cleanUp(iommu, this);
        run.doomedDomain().cleanUp(iommu, this);
        leakCheck(run.sharedOwners().isEmpty(), run.sharedOwners().size() + " shared pages still owned");
        expect(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(run.sharedDomain()), "DeleteDomain shared");
        for (int i = 0; i < run.sharedPoolDomains(); i++)
        {
            expect(NtStatus.STATUS_SUCCESS, iommu.deleteDomain(run.sharedPoolDomain(i)), "DeleteDomain pool");
        }
        asidSpaceIsEmpty();
        leakCheck(emulator.tablePagesInUse() == 0, emulator.tablePagesInUse() + " table pages leaked");
        leakCheck(emulator.liveDomains() == 0, emulator.liveDomains() + " domains leaked");
        leakCheck(emulator.liveDevices() == 0, emulator.liveDevices() + " devices leaked");
        leakCheck(emulator.livePasidDevices() == 0, emulator.livePasidDevices() + " PASID sub-devices leaked");
        leakCheck(run.asidOwners().isEmpty(), run.asidOwners().size() + " ASIDs still registered as live");
    }

    /**
     * Every PASID went back: the next sub-device gets the lowest one, 1 (PasidRules: lowest free first, from 1).
     */
    private void asidSpaceIsEmpty()
    {
        final DmaIommuInterfaceV3 v3 = run.v3();
        final Ref<IommuDmaDevice> parent = new Ref<>();
        expect(NtStatus.STATUS_SUCCESS, v3.createDevice(run.pasidPdo(0), new IommuDeviceCreationConfiguration().pasid(
            IommuPasidConfigurationType.PASID_TAGGED_DMA, false), parent), "CreateDevice PASID parent");
        final Ref<IommuDmaPasidDevice> sub = new Ref<>();
        final IntRef asid = new IntRef();
        expect(NtStatus.STATUS_SUCCESS, v3.createPasidDevice(parent.get(), sub, asid), "CreatePasidDevice");
        leakCheck(asid.get() == 1, "a PASID sub-device created after teardown got ASID " + asid.get() +
            ", not 1: PASIDs leaked");
        expect(NtStatus.STATUS_SUCCESS, v3.deletePasidDevice(sub.get()), "DeletePasidDevice");
        expect(NtStatus.STATUS_SUCCESS, v3.deleteDevice(parent.get()), "DeleteDevice PASID parent");
    }

    void expect(final int expected, final int actual, final String what)
    {
        if (expected != actual)
        {
            throw new StressFailure(seed, -1, -1, what, "setup or cleanup", -1,
                "expected " + NtStatus.name(expected) + ", got " + NtStatus.name(actual));
        }
    }

    void leakCheck(final boolean ok, final String what)
    {
        if (!ok)
        {
            throw new StressFailure(seed, -1, -1, "leak check", "emulator", -1, what);
        }
    }

    /**
     * Waits for a worker thread a while, keeping an interrupt for the caller.
     */
    static void joinQuietly(final Thread thread, final long millis)
    {
        try
        {
            thread.join(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
