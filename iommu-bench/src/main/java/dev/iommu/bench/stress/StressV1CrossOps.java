/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.SplittableRandom;

import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.DomainConfigurationArch;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * The V1 refusals and cross-table checks of one stress thread ({@link StressV1Ops} owns the V1 device object, domain
 * and model they use), each status predicted exactly in the run's {@link StressProfile}: the x64 refusals and stubs
 * (FlushDomain, FlushDomainByVaList, ConfigureDomain, QueryInputMappings), the map members on an allocator domain,
 * bad permissions, MDLs and addresses; V1 against V2 tokens (a device object held by the other table, CreateDevice
 * sharing a token where the profile shares it, the V1 device unknown to the token members), and V1 AttachDevice of
 * the shared device objects racing the other threads.
 */
final class StressV1CrossOps
{
    private static final long PAGE = StressChecks.PAGE;
    private static final long WINDOW_PAGES = StressV1Ops.WINDOW_PAGES;
    private static final int V1 = StressChecks.V1;
    private static final int V2 = StressChecks.V2;
    private static final int V3 = StressChecks.V3;

    private final StressRun run;
    private final StressWorker worker;
    private final StressChecks checks;
    private final SplittableRandom random;
    private final StressV1Ops ops;
    private final StressProfile profile;
    private final IommuEmulator emulator;
    private final DmaIommuInterfaceV2 v2;
    private final Ref<IommuDmaDomain> domainOut = new Ref<>();

    StressV1CrossOps(final StressRun run, final StressWorker worker, final StressChecks checks,
        final SplittableRandom random, final StressV1Ops ops)
    {
        this.run = run;
        this.worker = worker;
        this.checks = checks;
        this.random = random;
        this.ops = ops;
        this.profile = checks.profile();
        this.emulator = run.emulator();
        this.v2 = run.iommu();
    }

    private DmaIommuInterfaceV1 v1()
    {
        return ops.v1();
    }

    private IommuDmaDomain domain()
    {
        return ops.domain();
    }

    private static Mdl mdl(final long[] frames)
    {
        return StressV1Ops.mdl(frames);
    }

    void refusal()
    {
        checks.count(StressWorker.Call.V1_REFUSAL);
        final int notManaged = NtStatus.STATUS_INVALID_PARAMETER_1;
        final long[] frames = {1 + random.nextLong(WINDOW_PAGES - 1)};
        switch (random.nextInt(8))
        {
            case 0:
                checks.check(V1, "FlushDomain", notManaged, v1().flushDomain(domain()), "V1 domain", -1);
                checks.check(V1, "FlushDomain", NtStatus.STATUS_INVALID_PARAMETER, v1().flushDomain(null), "null",
                    -1);
                break;
            case 1:
                checks.check(V1, "FlushDomainByVaList", notManaged, v1().flushDomainByVaList(domain(),
                    random.nextBoolean(), 1, new long[]{frames[0] * PAGE}), "V1 domain", frames[0] * PAGE);
                break;
            case 2:
                checks.check(V1, "ConfigureDomain", notManaged, v1().configureDomain(domain(),
                    new DomainConfiguration().type(DomainConfigurationArch.X64)), "V1 domain", -1);
                break;
            case 3:
                checks.check(V1, "QueryInputMappings", profile.queryInputMappings(), v1().queryInputMappings(ops.pdo(),
                    new InputMappingElement[]{new InputMappingElement()}, InputMappingElement.SIZE_X64,
                    new IntRef()), "x64 device object", -1);
                break;
            case 4:
            {
                if (!profile.v1RefusesAllocatorDomain())
                {
                    v1OnAllocatorDomain(frames);
                    break;
                }
                final IommuDmaDomain allocator = worker.allocatorDomain();
                final int notSupported = NtStatus.STATUS_NOT_SUPPORTED;
                checks.check(V1, "MapLogicalRange", notSupported, v1().mapLogicalRange(allocator, 3, mdl(frames),
                    0x10000), "allocator domain", 0x10000);
                checks.check(V1, "MapIdentityRange", notSupported, v1().mapIdentityRange(allocator, 3, mdl(frames)),
                    "allocator domain", frames[0] * PAGE);
                checks.check(V1, "UnmapIdentityRange", notSupported, v1().unmapIdentityRange(allocator, mdl(frames)),
                    "allocator domain", frames[0] * PAGE);
                break;
            }
            case 5:
                checks.check(V1, "MapLogicalRange", profile.permissionsValidated() ?
                    NtStatus.STATUS_INVALID_PARAMETER_2 : ops.model().map(1, frames, 4, false),
                    v1().mapLogicalRange(domain(), 4, mdl(frames), PAGE), "V1 domain, permissions", PAGE);
                checks.check(V1, "MapLogicalRange", NtStatus.STATUS_INVALID_PARAMETER_3,
                    v1().mapLogicalRange(domain(), 3, mdl(frames).byteOffset(16), PAGE), "V1 domain, MDL", PAGE);
                checks.check(V1, "MapLogicalRange", NtStatus.STATUS_INVALID_PARAMETER_4,
                    v1().mapLogicalRange(domain(), 3, mdl(frames), PAGE + 8), "V1 domain, unaligned", PAGE + 8);
                checks.check(V1, "MapLogicalRange", NtStatus.STATUS_INVALID_PARAMETER_4,
                    v1().mapLogicalRange(domain(), 3, mdl(frames), 1L << 48), "V1 domain, past the end", 1L << 48);
                break;
            case 6:
                checks.check(V1, "UnmapLogicalRange", NtStatus.STATUS_INVALID_PARAMETER_2,
                    v1().unmapLogicalRange(domain(), PAGE + 1, 1), "V1 domain, unaligned", PAGE + 1);
                checks.check(V1, "UnmapLogicalRange", profile.unmapNoPages(),
                    v1().unmapLogicalRange(domain(), PAGE, 0), "V1 domain, no pages", PAGE);
                checks.check(V1, "UnmapIdentityRange", NtStatus.STATUS_INVALID_PARAMETER_2,
                    v1().unmapIdentityRange(domain(), new Mdl()), "V1 domain, empty MDL", -1);
                break;
            default:
                checks.check(V1, "MapIdentityRange", NtStatus.STATUS_INVALID_PARAMETER_3, v1().mapIdentityRange(
                    domain(), 3, mdl(new long[]{1L << 36})), "V1 domain, frame past the end", 1L << 48);
                break;
        }
    }

    /**
     * The V1 map members on an allocator domain() where they ignore the allocator (observed 4 V1 MapLogicalRange,
     * MapIdentityRange, UnmapIdentityRange): on a domain() of its own (leaves outside the allocator's blocks would
     * clash with a later allocation), MapLogicalRange and MapIdentityRange map, UnmapIdentityRange zeroes, and
     * UnmapLogicalRange zeroes and then finds no block to free (STATUS_INVALID_PARAMETER).
     */
    private void v1OnAllocatorDomain(final long[] frames)
    {
        checks.check(V2, "CreateDomainEx", NtStatus.STATUS_SUCCESS, v2.createDomainEx(IommuDmaDomainType.TRANSLATE,
            0, new IommuDmaLogicalAllocatorConfig().buddy(39), null, domainOut), "allocator domain", -1);
        final IommuDmaDomain allocator = domainOut.get();
        final long at = 0x10000;
        checks.check(V1, "MapLogicalRange", NtStatus.STATUS_SUCCESS, v1().mapLogicalRange(allocator, 3, mdl(frames),
            at), "allocator domain", at);
        checks.check(V1, "MapIdentityRange", frames[0] * PAGE == at ? profile.mapClash() : NtStatus.STATUS_SUCCESS,
            v1().mapIdentityRange(allocator, 3, mdl(frames)), "allocator domain", frames[0] * PAGE);
        checks.check(V1, "UnmapIdentityRange", NtStatus.STATUS_SUCCESS, v1().unmapIdentityRange(allocator,
            mdl(frames)), "allocator domain", frames[0] * PAGE);
        checks.check(V1, "UnmapLogicalRange", NtStatus.STATUS_INVALID_PARAMETER, v1().unmapLogicalRange(allocator,
            at, 1), "allocator domain", at);
        checks.check(V2, "DeleteDomain", NtStatus.STATUS_SUCCESS, v2.deleteDomain(allocator), "allocator domain", -1);
    }

    void crossCheck()
    {
        checks.count(StressWorker.Call.V1_CROSS);
        switch (random.nextInt(4))
        {
            case 0:
            {
                // Another thread's device object: it has a V2 token (ops.attached() and mapped into) for the whole run.
                final PhysicalDeviceObject other = run.ownPdo(random.nextInt(run.ownDevices()));
                checks.check(V1, "AttachDevice", profile.deviceObjectTaken(),
                    v1().attachDevice(domain(), other, 0, 1), "V2 device object " + other.name(), -1);
                checks.check(V1, "DetachDevice", NtStatus.STATUS_INVALID_PARAMETER_2,
                    v1().detachDevice(domain(), other, 0), "V2 device object " + other.name(), -1);
                break;
            }
            case 1:
                tokenLocksOutV1();
                break;
            case 2:
                v2RefusesV1Device();
                break;
            default:
                racingSharedAttach();
                break;
        }
    }

    /**
     * A device V1 ops.attached() is named by its device object only: the token-based members do not know it.
     */
    private void v2RefusesV1Device()
    {
        final IommuDmaDevice device = emulator.dmaDeviceOf(ops.pdo());
        if (null == device)
        {
            return;
        }
        final int invalid = NtStatus.STATUS_INVALID_PARAMETER;
        final DmaIommuInterfaceV3 v3 = run.v3();
        switch (random.nextInt(5))
        {
            case 0:
                checks.check(V3, "DetachDeviceEx", invalid, v3.detachDeviceEx(device), "V1 device", -1);
                break;
            case 1:
                checks.check(V3, "AttachDeviceEx", invalid, v3.attachDeviceEx(worker.explicitDomain(), device),
                    "V1 device", -1);
                break;
            case 2:
                checks.check(V3, "DeleteDevice", invalid, v3.deleteDevice(device), "V1 device", -1);
                break;
            case 3:
                checks.check(V3, "QueryDeviceInfo", invalid, v3.queryDeviceInfo(device,
                    IommuDmaDeviceInformation.SIZE_X64, new IntRef(), new IommuDmaDeviceInformation()), "V1 device",
                    -1);
                break;
            default:
                checks.check(V3, "CreatePasidDevice", invalid, v3.createPasidDevice(device, new Ref<>(),
                    new IntRef()), "V1 device", -1);
                break;
        }
        if (emulator.dmaDeviceOf(ops.pdo()) != device)
        {
            checks.fail("dmaDeviceOf", ops.pdo().name(), -1, "a refused call changed the V1 device");
        }
    }

    private void tokenLocksOutV1()
    {
        final Ref<IommuDmaDevice> token = new Ref<>();
        final int created = v2.createDevice(ops.pdo(), null, token);
        checks.check(V2, "CreateDevice", ops.attached() ? profile.deviceObjectTaken() : NtStatus.STATUS_SUCCESS,
            created, "V1 device object", -1);
        if (ops.attached())
        {
            return;
        }
        checks.check(V1, "AttachDevice", profile.deviceObjectTaken(), v1().attachDevice(domain(), ops.pdo(), 0, 1),
            "V1 device object with a token", -1);
        if (emulator.dmaDeviceOf(ops.pdo()) != token.get())
        {
            checks.fail("dmaDeviceOf", ops.pdo().name(), -1, "not the token CreateDevice returned");
        }
        checks.expectEntry(token.get(), IommuEmulator.NO_PASID, PAGE, 1, -1);
        // CreateDevice again, the same settings: the same token with one more reference, or refused.
        final Ref<IommuDmaDevice> again = new Ref<>();
        final boolean shares = profile.createDeviceShares();
        checks.check(V2, "CreateDevice", shares ? NtStatus.STATUS_SUCCESS : profile.deviceObjectTaken(),
            v2.createDevice(ops.pdo(), null, again), "V1 device object with a token", -1);
        if (shares)
        {
            if (again.get() != token.get())
            {
                checks.fail("CreateDevice", ops.pdo().name(), -1, "a second CreateDevice returned another token");
            }
            checks.check(V2, "DeleteDevice", NtStatus.STATUS_SUCCESS, v2.deleteDevice(token.get()), "token, shared",
                -1);
            if (emulator.dmaDeviceOf(ops.pdo()) != token.get())
            {
                checks.fail("DeleteDevice", ops.pdo().name(), -1, "the first of two references deleted the device");
            }
        }
        checks.check(V2, "DeleteDevice", NtStatus.STATUS_SUCCESS, v2.deleteDevice(token.get()), "token", -1);
    }

    /**
     * V1 AttachDevice of a shared device object, racing the other threads' delete and re-create of its token: refused
     * while a token exists, else attached (then it translates through this thread's domain until DetachDevice).
     * Where V1 AttachDevice moves a device attached elsewhere ({@link StressProfile#v1AttachElsewhere()}), another
     * thread's V1 attach of the same device object would move it from under this one (a hazard a correct driver
     * does not create): the threads then take turns with the device object ({@link StressRun#v1Claims()}).
     */
    private void racingSharedAttach()
    {
        final int slot = random.nextInt(run.sharedSlots());
        final boolean takeTurns = profile.v1AttachElsewhere() == NtStatus.STATUS_SUCCESS;
        if (takeTurns && !run.v1Claims().compareAndSet(slot, 0, worker.index() + 1))
        {
            return;
        }
        try
        {
            final PhysicalDeviceObject shared = run.sharedPdo(slot);
            final int status = v1().attachDevice(domain(), shared, 0, 1);
            checks.allowed(V1, "AttachDevice", status, "shared device object " + slot);
            if (status != NtStatus.STATUS_SUCCESS)
            {
                return;
            }
            // Held through V1: no token can be created for it, and its accesses walk this thread's domain.
            final long page = ops.model().pick(random, 0);
            final long iova = page * PAGE + random.nextInt((int)PAGE);
            checks.expectEntry(emulator.dmaDeviceOf(shared), IommuEmulator.NO_PASID, iova, 1 + random.nextInt(3),
                ops.model().entry(page));
            checks.check(V1, "DetachDevice", NtStatus.STATUS_SUCCESS, v1().detachDevice(domain(), shared, 0),
                "shared device object " + slot, -1);
        }
        finally
        {
            if (takeTurns)
            {
                run.v1Claims().set(slot, 0);
            }
        }
    }
}
