/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import dev.iommu.ptw.Translation;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A fresh emulated machine for one test, driven through the V2 table from {@code IoGetIommuInterfaceEx(2, 0, ex)}
 * (and the V1 and V3 tables of the same emulator, {@link #v1} and {@link #v3}),
 * with helpers that set up domains, devices and mappings, and {@link #refused(String, int, IntSupplier)}: the check
 * that a call returns its status and changes nothing (table pages, live domains and devices, and every watched
 * translation).
 * <p>
 * x64 machine: IOMMU {@code vtd0} (48-bit, all page sizes, PASIDs, device-id lookup) and {@code lame} (no device-id
 * lookup, segment 1); PCI devices {@code nic}, {@code disk}, {@code gpu} and {@code ext} (external) behind vtd0,
 * {@code legacy} behind lame, {@code direct} behind no IOMMU. DMA Guard is on. ARM64 machine: SMMU {@code smmu0},
 * ACPI device {@code acpi} (input mappings 0x40, 2 ids), PCI device {@code pci} behind it.
 */
final class V2Rig implements AutoCloseable
{
    static final long PAGE = 4096;
    static final int ALLOCATOR_WIDTH = 39;
    static final int SMALL_TABLE_PAGES = 512;

    final Platform platform;
    final IommuEmulator emulator;
    final DmaIommuInterfaceV2 iommu;
    /** The V1 table of the same emulator. */
    final DmaIommuInterfaceV1 v1;
    /** The V3 table of the same emulator (null on a platform whose kernel predates V3). */
    final DmaIommuInterfaceV3 v3;
    private final List<IommuDmaDomain> watchedDomains = new ArrayList<>();
    private final List<Long> watchedAddresses = new ArrayList<>();

    V2Rig(final Platform platform)
    {
        this(platform, true);
    }

    V2Rig(final Platform platform, final boolean largePages)
    {
        this(new EmulatorContext().platform(platform).largePages(largePages));
    }

    /**
     * A rig over any context (a profile, the verifier); the dispatcher thread is always off (the test delivers).
     */
    V2Rig(final EmulatorContext context)
    {
        this.platform = context.platform();
        this.emulator = IommuEmulator.launch(context.dispatcherThread(false));
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        assertEquals(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(2, 0, ex));
        this.iommu = ex.v2();
        assertEquals(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(1, 0, ex));
        this.v1 = ex.v1();
        this.v3 = emulator.ioGetIommuInterfaceEx(3, 0, ex) == NtStatus.STATUS_SUCCESS ? ex.v3() : null;
    }

    static V2Rig x64()
    {
        return new V2Rig(x64Platform(limits(SMALL_TABLE_PAGES)));
    }

    static V2Rig x64(final ResourceLimits limits)
    {
        return new V2Rig(x64Platform(limits));
    }

    /**
     * The x64 platform of {@link #x64()} in the observed-Windows profile.
     */
    static V2Rig observedX64()
    {
        return new V2Rig(new EmulatorContext().platform(x64Platform(limits(SMALL_TABLE_PAGES)))
            .profile(BehaviourProfile.OBSERVED_WINDOWS));
    }

    static V2Rig arm64()
    {
        return new V2Rig(arm64Platform(limits(SMALL_TABLE_PAGES)));
    }

    static ResourceLimits limits(final int tablePages)
    {
        return new ResourceLimits(64, 64, tablePages, 4, 64);
    }

    static Platform x64Platform(final ResourceLimits limits)
    {
        return Platform.builder()
            .architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
            .iommu("lame", 0xFED8_0000L, 48, PageSizes.ALLOW_ALL, 0, false, 1)
            .pci("nic", 0, 1, 0, 0, "vtd0", false)
            .pci("disk", 0, 2, 0, 0, "vtd0", false)
            .pci("gpu", 0, 3, 0, 0, "vtd0", false)
            .pci("ext", 0, 4, 0, 0, "vtd0", true)
            .pci("legacy", 1, 1, 0, 0, "lame", false)
            .pci("direct", 0, 5, 0, 0, null, false)
            .dmaGuard(true)
            .limits(limits)
            .build();
    }

    static Platform arm64Platform(final ResourceLimits limits)
    {
        return Platform.builder()
            .architecture(Architecture.ARM64)
            .iommu("smmu0", 0x2B40_0000L, 48, PageSizes.ALLOW_ALL, 16, true, 0)
            .acpi("acpi", "ARMH0011", "0", 0x40, 2, "smmu0", false)
            .pci("pci", 0, 1, 0, 0, "smmu0", false)
            .limits(limits)
            .build();
    }

    @Override
    public void close()
    {
        emulator.close();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Set-up helpers (each asserts success)
    // ------------------------------------------------------------------------------------------------------------

    IommuDmaDevice device(final String name)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.createDevice(platform.device(name), null, out),
            "CreateDevice " + name);
        return out.get();
    }

    IommuDmaDomain domain(final IommuDmaDomainType type)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.createDomainEx(type, 0, null, null, out), "CreateDomainEx");
        return out.get();
    }

    /** A Translate domain with a buddy allocator of {@link #ALLOCATOR_WIDTH} bits. */
    IommuDmaDomain allocatorDomain()
    {
        return allocatorDomain(ALLOCATOR_WIDTH);
    }

    IommuDmaDomain allocatorDomain(final int width)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
            new IommuDmaLogicalAllocatorConfig().buddy(width), null, out), "CreateDomainEx allocator");
        return out.get();
    }

    /** A Translate domain without an allocator (explicit addresses). */
    IommuDmaDomain explicitDomain()
    {
        return domain(IommuDmaDomainType.TRANSLATE);
    }

    IommuDmaDevice attached(final String name, final IommuDmaDomain domain)
    {
        final IommuDmaDevice device = device(name);
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.attachDeviceEx(domain, device), "AttachDeviceEx " + name);
        return device;
    }

    static IommuMapPhysicalAddress contiguous(final long base, final long pages)
    {
        return new IommuMapPhysicalAddress().useContiguousRange(base, pages * PAGE);
    }

    static IommuMapPhysicalAddress pfns(final long... frames)
    {
        return new IommuMapPhysicalAddress().usePfnArray(frames, frames.length);
    }

    /** Maps {@code pages} pages of frames from {@code frame} at an explicit address, read-write, and watches them. */
    void mapAt(final IommuDmaDomain domain, final long iova, final long frame, final long pages)
    {
        final LongRef out = new LongRef();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.mapLogicalRangeEx(domain, IommuPermissions.READ_WRITE,
            contiguous(frame * PAGE, pages), new LongRef(iova), null, null, out), "MapLogicalRangeEx explicit");
        assertEquals(iova, out.get());
        watch(domain, iova);
        watch(domain, iova + (pages - 1) * PAGE);
    }

    /** Maps the frames at an allocator-chosen address, read-write, watches them, and returns the address. */
    long mapAllocated(final IommuDmaDomain domain, final long... frames)
    {
        final LongRef out = new LongRef();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.mapLogicalRangeEx(domain, IommuPermissions.READ_WRITE,
            pfns(frames), null, null, null, out), "MapLogicalRangeEx allocator");
        watch(domain, out.get());
        watch(domain, out.get() + (frames.length - 1) * PAGE);
        return out.get();
    }

    IommuDmaLogicalAddressToken reserveAt(final IommuDmaDomain domain, final long iova, final long pages)
    {
        final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.reserveLogicalAddressRange(
            domain, pages * PAGE, new LongRef(iova), null, null, out), "ReserveLogicalAddressRange explicit");
        return out.get();
    }

    IommuDmaLogicalAddressToken reserve(final IommuDmaDomain domain, final long pages)
    {
        final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, iommu.reserveLogicalAddressRange(
            domain, pages * PAGE, null, null, null, out), "ReserveLogicalAddressRange allocator");
        return out.get();
    }

    /** What the domain's tables give for a read of {@code iova} (the device-independent view). */
    static long walk(final IommuDmaDomain domain, final long iova)
    {
        return ((MappingDomain)domain).translate(iova, IommuPermissions.READ);
    }

    /** The output address of a read of {@code iova}, or -1 for a fault. */
    static long output(final IommuDmaDomain domain, final long iova)
    {
        final long t = walk(domain, iova);
        return Translation.isFault(t) ? -1 : Translation.outputAddress(t, iova);
    }

    /** The output address a device's read of {@code iova} reaches, or -1 for a fault. */
    long seen(final IommuDmaDevice device, final long iova)
    {
        final long t = emulator.translate(device, iova, IommuPermissions.READ);
        return Translation.isFault(t) ? -1 : Translation.outputAddress(t, iova);
    }

    void watch(final IommuDmaDomain domain, final long iova)
    {
        watchedDomains.add(domain);
        watchedAddresses.add(iova);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The refusal check
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Runs {@code call}, asserts it returns {@code expected}, and that nothing observable changed ({@link #snapshot()}:
     * table pages, domains, devices, PASID sub-devices, registrations, per domain its devices, tokens, protected
     * ranges, allocator free bytes and mapped pages, and the translation of every watched address of a live domain).
     */
    void refused(final String what, final int expected, final IntSupplier call)
    {
        final long[] before = snapshot();
        final int status = call.getAsInt();
        assertEquals(NtStatus.name(expected), NtStatus.name(status), what);
        final long[] after = snapshot();
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(after),
            what + ": a refused call changed nothing (pages, domains, devices, tokens, ranges, IOVA, translations)");
    }

    /** Runs {@code call} and asserts its status (for successes and partial successes). */
    void expect(final String what, final int expected, final IntSupplier call)
    {
        assertEquals(NtStatus.name(expected), NtStatus.name(call.getAsInt()), what);
    }

    long[] snapshot()
    {
        return snapshot(emulator, watchedDomains, watchedAddresses);
    }

    /**
     * Everything a refused call must leave as it was, all the way down: table pages, live domains, devices and PASID
     * sub-devices, registered state-change callbacks, and for every live domain its attached devices, outstanding
     * tokens, protected ranges (tokens and reserved regions) and allocator free bytes; then the translation of every
     * watched address of a live domain.
     */
    static long[] snapshot(final IommuEmulator emulator, final List<IommuDmaDomain> domains, final List<Long> addresses)
    {
        final EmulatorSnapshot snapshot = emulator.snapshot();
        final List<Long> state = new ArrayList<>();
        state.add(snapshot.tablePagesInUse());
        state.add((long)snapshot.liveDomains());
        state.add((long)snapshot.liveDevices());
        state.add((long)snapshot.livePasidDevices());
        for (final EmulatorSnapshot.DomainState d : snapshot.domains())
        {
            state.addAll(List.of(d.id(), (long)d.attachedDevices(), (long)d.outstandingTokens(),
                (long)d.protectedRanges(), d.iovaFreeBytes(), d.mappedPages(), d.tablePages()));
        }
        for (final EmulatorSnapshot.DeviceState d : snapshot.devices())
        {
            state.addAll(List.of(d.id(), d.domainId(), (long)d.pasidDevices(), d.stateChangeRegistered() ? 1L : 0L));
        }
        for (int i = 0; i < addresses.size(); i++)
        {
            final IommuDmaDomain domain = domains.get(i);
            state.add(((Domain)domain).isAlive() ? walk(domain, addresses.get(i)) : 0);
        }
        final long[] result = new long[state.size()];
        for (int i = 0; i < result.length; i++)
        {
            result[i] = state.get(i);
        }
        return result;
    }
}
