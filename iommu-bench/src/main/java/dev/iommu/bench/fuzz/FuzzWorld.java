/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.ArrayList;
import java.util.List;

import dev.iommu.api.DeviceObject;
import dev.iommu.api.DmaIommuInterface;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.DomainConfigurationArch;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.BehaviourProfile;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.EmulatorSnapshot;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;

/**
 * The long-lived emulator a fuzz target calls (documented profile, x64 or ARM64, an IOMMU with a narrow PASID space
 * and one without PASIDs or device-id lookup, no dispatcher thread), set up with live objects of every kind (domains of
 * each type the architecture has, a caller-owned one configured on ARM64, devices attached and detached, an ACPI
 * device with input mappings on ARM64,
 * a V1-attached device object, PASID sub-devices, tokens with and without a mapped segment, mappings and a
 * state-change registration) and with handles a driver must not pass: deleted ones, foreign ones (made by a second
 * emulator) and forged ones (objects of the api handle types the emulator never made). Objects the fuzzed calls
 * create join the pools; the world is rebuilt every {@link #RESET_INPUTS} inputs or when the calls drive it far from
 * the baseline ({@link #drifted()}).
 * <p>
 * The watched translations ({@link #translations()}) are the device-side answers for the baseline's mappings: a
 * refused call must not change them.
 */
final class FuzzWorld implements AutoCloseable
{
    /** Inputs between two rebuilds. */
    static final int RESET_INPUTS = 2000;
    /** Created objects of one kind kept in a pool; more mark the world as drifted. */
    static final int MAX_CREATED = 24;

    private static final long PAGE = 4096;
    private static final int MAX_DOMAINS = 32;
    private static final int MAX_TABLE_PAGES = 1536;
    private static final int DRIFT_TABLE_PAGES = 48;
    private static final int ACPI_BASE = 0x40;

    private final IommuEmulator emulator;
    private final IommuEmulator foreignEmulator;
    private final Platform platform;
    private final DmaIommuInterfaceV1 v1;
    private final DmaIommuInterfaceV1 legacy;
    private final DmaIommuInterfaceV2 v2;
    private final DmaIommuInterfaceV3 v3;

    final List<IommuDmaDomain> domains = new ArrayList<>();
    final List<IommuDmaDevice> devices = new ArrayList<>();
    final List<IommuDmaPasidDevice> pasidDevices = new ArrayList<>();
    final List<IommuDmaLogicalAddressToken> tokens = new ArrayList<>();
    final List<IommuDmaLogicalAddressTokenMappedSegment> segments = new ArrayList<>();
    final List<DeviceObject> deviceObjects = new ArrayList<>();
    final List<Long> addresses = new ArrayList<>();
    final List<IommuInterfaceStateChangeCallback> callbacks = new ArrayList<>();

    private final List<IommuDmaDevice> watchedDevices = new ArrayList<>();
    private final List<Long> watchedAddresses = new ArrayList<>();
    private final int baselineObjects;
    private final long baselineTablePages;
    private long inputs;

    /**
     * Builds the emulator, the foreign emulator and the baseline objects.
     *
     * @param architecture the platform's architecture: x64, or ARM64 (caller-owned domains, ACPI input mappings).
     */
    FuzzWorld(final Architecture architecture)
    {
        platform = platform(architecture);
        emulator = IommuEmulator.launch(new EmulatorContext().platform(platform).dispatcherThread(false)
            .notificationRingBytes(1 << 16).profile(BehaviourProfile.DOCUMENTED));
        foreignEmulator = IommuEmulator.launch(new EmulatorContext().platform(platform(architecture))
            .dispatcherThread(false)
            .notificationRingBytes(EmulatorContext.MIN_NOTIFICATION_RING_BYTES));
        final DmaIommuInterfaceEx holder = new DmaIommuInterfaceEx();
        expect(emulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_1, 0, holder), "IoGetIommuInterfaceEx 1");
        v1 = holder.v1();
        expect(emulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_2, 0, holder), "IoGetIommuInterfaceEx 2");
        v2 = holder.v2();
        expect(emulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_3, 0, holder), "IoGetIommuInterfaceEx 3");
        v3 = holder.v3();
        final DmaIommuInterface old = new DmaIommuInterface();
        expect(emulator.ioGetIommuInterface(DmaIommuInterface.VERSION, old), "IoGetIommuInterface");
        legacy = old.v1();
        callbacks.add((change, context) ->
        {
        });
        callbacks.add((change, context) ->
        {
        });
        baseline();
        foreign();
        forged();
        baselineObjects = domains.size() + devices.size() + pasidDevices.size() + tokens.size() + segments.size();
        baselineTablePages = emulator.tablePagesInUse();
    }

    private static Platform platform(final Architecture architecture)
    {
        final Platform.Builder builder = Platform.builder().architecture(architecture)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 3, true, 0)
            .iommu("vtd1", 0xFEDA_0000L, 39, PageSizes.ALLOW_ALL, 0, false, 1)
            .limits(new ResourceLimits(12, MAX_DOMAINS, MAX_TABLE_PAGES, 2, 6));
        if (architecture == Architecture.ARM64)
        {
            builder.acpi("acpi0", "ARMH0011", "0", ACPI_BASE, 2, "vtd0", false);
        }
        for (int i = 0; i < 8; i++)
        {
            builder.pci("dev" + i, 0, 1, i, 0, "vtd0", i == 7);
        }
        builder.pci("nolookup", 1, 2, 0, 0, "vtd1", false);
        builder.pci("bare", 0, 3, 0, 0, null, false);
        return builder.build();
    }

    private void baseline()
    {
        for (final DeviceObject pdo : platform.devices())
        {
            deviceObjects.add(pdo);
        }
        final IommuDmaDomain allocator = domainEx(IommuDmaDomainType.TRANSLATE,
            new IommuDmaLogicalAllocatorConfig().buddy(39));
        final IommuDmaDomain explicit = domainEx(IommuDmaDomainType.TRANSLATE, null);
        final IommuDmaDomain passThrough = domainEx(IommuDmaDomainType.PASS_THROUGH, null);
        final IommuDmaDomain stage1 = domainEx(IommuDmaDomainType.TRANSLATE_S1, null);
        final Ref<IommuDmaDomain> out = new Ref<>();
        expect(v1.createDomain(true, out), "CreateDomain");
        final IommuDmaDomain v1Domain = out.get();
        domains.add(v1Domain);
        final IommuDmaDomain deleted = domainEx(IommuDmaDomainType.TRANSLATE, null);
        expect(v2.deleteDomain(deleted), "DeleteDomain");

        final IommuDmaDevice attachedA = device("dev0", null);
        final IommuDmaDevice attachedB = device("dev1", null);
        device("dev2", null);
        final IommuDmaDevice parent = device("dev3",
            new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false));
        final IommuDmaDevice gone = device("dev4", null);
        expect(v2.deleteDevice(gone), "DeleteDevice");
        expect(v2.attachDeviceEx(allocator, attachedA), "AttachDeviceEx");
        expect(v2.attachDeviceEx(explicit, attachedB), "AttachDeviceEx");
        expect(v2.registerInterfaceStateChangeCallback(callbacks.get(0), null, attachedA,
            new IommuInterfaceStateChangeFields().availableDomainTypes(true)), "RegisterInterfaceStateChangeCallback");
        final Ref<IommuDmaPasidDevice> pasidOut = new Ref<>();
        final IntRef asid = new IntRef();
        expect(v3.createPasidDevice(parent, pasidOut, asid), "CreatePasidDevice");
        pasidDevices.add(pasidOut.get());
        expect(v3.attachPasidDevice(stage1, pasidOut.get()), "AttachPasidDevice");
        expect(v3.createPasidDevice(parent, pasidOut, asid), "CreatePasidDevice");
        pasidDevices.add(pasidOut.get());
        expect(v3.createPasidDevice(parent, pasidOut, asid), "CreatePasidDevice");
        expect(v3.deletePasidDevice(pasidOut.get()), "DeletePasidDevice");
        pasidDevices.add(pasidOut.get());
        expect(v1.attachDevice(v1Domain, platform.device("dev5"), 0, 1), "AttachDevice");

        final LongRef address = new LongRef();
        expect(v2.mapLogicalRangeEx(allocator, IommuPermissions.READ_WRITE,
            new IommuMapPhysicalAddress().useContiguousRange(0x4000_0000L, 4 * PAGE), null, null, null, address),
            "MapLogicalRangeEx");
        watch(attachedA, address.get(), 4);
        expect(v2.mapLogicalRangeEx(explicit, IommuPermissions.READ, new IommuMapPhysicalAddress()
            .usePfnArray(new long[]{0x500, 0x777}, 2), new LongRef(0x10_0000L), null, null, address),
            "MapLogicalRangeEx");
        watch(attachedB, 0x10_0000L, 2);
        expect(v2.mapIdentityRangeEx(explicit, IommuPermissions.WRITE,
            new IommuMapPhysicalAddress().useContiguousRange(0x20_0000L, PAGE)), "MapIdentityRangeEx");
        watch(attachedB, 0x20_0000L, 1);
        expect(v1.mapLogicalRange(v1Domain, IommuPermissions.READ_WRITE,
            new Mdl().describe(new long[]{0x900}, PAGE), 0x30_0000L), "MapLogicalRange");
        watch(emulator.dmaDeviceOf(platform.device("dev5")), 0x30_0000L, 1);

        final Ref<IommuDmaLogicalAddressToken> tokenOut = new Ref<>();
        expect(v2.reserveLogicalAddressRange(allocator, 16 * PAGE, null, null, null, tokenOut),
            "ReserveLogicalAddressRange");
        final IommuDmaLogicalAddressToken token = tokenOut.get();
        tokens.add(token);
        final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
        expect(v2.mapReservedLogicalRange(token, 2 * PAGE, IommuPermissions.READ,
            new IommuMapPhysicalAddress().useContiguousRange(0x6000_0000L, 2 * PAGE), segment),
            "MapReservedLogicalRange");
        segments.add(segment);
        expect(v2.reserveLogicalAddressRange(explicit, 8 * PAGE, new LongRef(0x80_0000L), null, null, tokenOut),
            "ReserveLogicalAddressRange");
        tokens.add(tokenOut.get());
        expect(v2.reserveLogicalAddressRange(allocator, 4 * PAGE, null, null, null, tokenOut),
            "ReserveLogicalAddressRange");
        expect(v2.freeReservedLogicalAddressRange(tokenOut.get()), "FreeReservedLogicalAddressRange");
        tokens.add(tokenOut.get());
        final IommuDmaLogicalAddressTokenMappedSegment unmapped = new IommuDmaLogicalAddressTokenMappedSegment();
        expect(v2.mapReservedLogicalRange(token, 8 * PAGE, IommuPermissions.WRITE,
            new IommuMapPhysicalAddress().useContiguousRange(0x7000_0000L, PAGE), unmapped),
            "MapReservedLogicalRange");
        final IommuDmaLogicalAddressTokenMappedSegment stale = new IommuDmaLogicalAddressTokenMappedSegment()
            .owningToken(unmapped.owningToken()).offset(unmapped.offset()).size(unmapped.size());
        expect(v2.unmapReservedLogicalRange(unmapped), "UnmapReservedLogicalRange");
        segments.add(stale);
        if (platform.architecture() == Architecture.ARM64)
        {
            armObjects();
        }
        addresses.add(0x10_0000L);
        addresses.add(0x20_0000L);
        addresses.add(0x30_0000L);
        addresses.add(0x80_0000L);
        deliver();
    }

    private void armObjects()
    {
        final IommuDmaDomain unmanaged = domainEx(IommuDmaDomainType.UNMANAGED, null);
        final DomainConfiguration configuration = new DomainConfiguration().type(DomainConfigurationArch.ARM64);
        configuration.arm64().ttbr0(0x8000_0000L).inputSize0(48).translationEnabled(true);
        expect(v2.configureDomain(unmanaged, configuration), "ConfigureDomain");
        final IommuDmaDevice acpi = device("acpi0", new IommuDeviceCreationConfiguration().acpi(ACPI_BASE, 2));
        expect(v2.attachDeviceEx(unmanaged, acpi), "AttachDeviceEx acpi0");
        final Ref<IommuDmaDomain> out = new Ref<>();
        expect(v1.createDomain(false, out), "CreateDomain(FALSE)");
        domains.add(out.get());
    }

    private void foreign()
    {
        final DmaIommuInterfaceEx holder = new DmaIommuInterfaceEx();
        expect(foreignEmulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_3, 0, holder), "foreign V3");
        final DmaIommuInterfaceV3 other = holder.v3();
        final Ref<IommuDmaDomain> domainOut = new Ref<>();
        expect(other.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, domainOut), "foreign domain");
        domains.add(domainOut.get());
        final Ref<IommuDmaDevice> deviceOut = new Ref<>();
        final Platform foreignPlatform = foreignEmulator.platform();
        expect(other.createDevice(foreignPlatform.device("dev3"),
            new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false),
            deviceOut), "foreign device");
        devices.add(deviceOut.get());
        deviceObjects.add(foreignPlatform.device("dev0"));
        final Ref<IommuDmaPasidDevice> pasidOut = new Ref<>();
        expect(other.createPasidDevice(deviceOut.get(), pasidOut, new IntRef()), "foreign PASID device");
        pasidDevices.add(pasidOut.get());
        final Ref<IommuDmaLogicalAddressToken> tokenOut = new Ref<>();
        expect(other.reserveLogicalAddressRange(domainOut.get(), 4 * PAGE, new LongRef(0x40_0000L), null, null,
            tokenOut), "foreign token");
        tokens.add(tokenOut.get());
        final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
        expect(other.mapReservedLogicalRange(tokenOut.get(), 0, IommuPermissions.READ,
            new IommuMapPhysicalAddress().useContiguousRange(0x1000_0000L, PAGE), segment), "foreign segment");
        segments.add(segment);
    }

    private void forged()
    {
        domains.add(new IommuDmaDomain()
        {
        });
        devices.add(new IommuDmaDevice()
        {
        });
        pasidDevices.add(new IommuDmaPasidDevice()
        {
        });
        final IommuDmaLogicalAddressToken real = tokens.get(1);
        tokens.add(new IommuDmaLogicalAddressToken()
        {
            @Override
            public long logicalAddressBase()
            {
                return real.logicalAddressBase();
            }

            @Override
            public long size()
            {
                return real.size();
            }
        });
        deviceObjects.add(new DeviceObject()
        {
        });
        segments.add(new IommuDmaLogicalAddressTokenMappedSegment().owningToken(tokens.get(0)).offset(0)
            .size(2 * PAGE));
    }

    private IommuDmaDomain domainEx(final IommuDmaDomainType type, final IommuDmaLogicalAllocatorConfig config)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        expect(v2.createDomainEx(type, 0, config, null, out), "CreateDomainEx " + type);
        domains.add(out.get());
        return out.get();
    }

    private IommuDmaDevice device(final String name, final IommuDeviceCreationConfiguration config)
    {
        final Ref<IommuDmaDevice> out = new Ref<>();
        expect(v2.createDevice(platform.device(name), config, out), "CreateDevice " + name);
        devices.add(out.get());
        return out.get();
    }

    private void watch(final IommuDmaDevice device, final long address, final int pages)
    {
        for (int i = 0; i < pages; i++)
        {
            watchedDevices.add(device);
            watchedAddresses.add(address + i * PAGE);
            addresses.add(address + i * PAGE);
        }
    }

    private static void expect(final int status, final String what)
    {
        if (status != NtStatus.STATUS_SUCCESS)
        {
            throw new IllegalStateException("fuzz world set-up: " + what + " returned " + NtStatus.name(status));
        }
    }

    /**
     * @return the emulator the targets call.
     */
    IommuEmulator emulator()
    {
        return emulator;
    }

    /**
     * @return the V1 table of {@code IoGetIommuInterfaceEx(1)}.
     */
    DmaIommuInterfaceV1 v1()
    {
        return v1;
    }

    /**
     * @return the table of the deprecated {@code IoGetIommuInterface}.
     */
    DmaIommuInterfaceV1 legacy()
    {
        return legacy;
    }

    /**
     * @return the V2 table.
     */
    DmaIommuInterfaceV2 v2()
    {
        return v2;
    }

    /**
     * @return the V3 table.
     */
    DmaIommuInterfaceV3 v3()
    {
        return v3;
    }

    /**
     * The device-side answers for the watched addresses (read and write accesses).
     *
     * @return one translation-or-fault word per watched page and access.
     */
    long[] translations()
    {
        final long[] answers = new long[2 * watchedAddresses.size()];
        for (int i = 0; i < watchedAddresses.size(); i++)
        {
            final IommuDmaDevice device = watchedDevices.get(i);
            final long address = watchedAddresses.get(i);
            answers[2 * i] = emulator.translate(device, address, IommuPermissions.READ);
            answers[2 * i + 1] = emulator.translate(device, address, IommuPermissions.WRITE);
        }
        return answers;
    }

    /**
     * @return the emulator's snapshot.
     */
    EmulatorSnapshot snapshot()
    {
        return emulator.snapshot();
    }

    /**
     * Delivers pending state changes and faults (no dispatcher thread runs).
     */
    void deliver()
    {
        while (emulator.deliverNotifications() > 0)
        {
            Thread.onSpinWait();
        }
    }

    /**
     * Counts one input.
     *
     * @return whether the world should be rebuilt now (every {@link #RESET_INPUTS} inputs, or drifted).
     */
    boolean inputDone()
    {
        inputs++;
        return inputs >= RESET_INPUTS || drifted();
    }

    /**
     * Whether the fuzzed calls drove the world far from the baseline: many objects created, many table pages taken
     * (which also makes every snapshot slower), many domains.
     *
     * @return true to rebuild.
     */
    boolean drifted()
    {
        final int objects = domains.size() + devices.size() + pasidDevices.size() + tokens.size() + segments.size();
        return objects - baselineObjects > MAX_CREATED || addresses.size() > 4 * MAX_CREATED ||
            emulator.tablePagesInUse() > baselineTablePages + DRIFT_TABLE_PAGES ||
            emulator.liveDomains() > MAX_DOMAINS / 2;
    }

    @Override
    public void close()
    {
        emulator.close();
        foreignEmulator.close();
    }
}
