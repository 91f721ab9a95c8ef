/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.DeviceObject;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.InputMappingElement;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * CreateDevice, DeleteDevice, AttachDeviceEx, DetachDeviceEx, QueryAvailableDomainTypes and QueryInputMappings:
 * one test per documented status and per choice made for spec 5.2, through {@link DeviceMembers} (the V2 table of an
 * emulator on an ARM64 platform).
 */
class DeviceMembersTest
{
    private final Platform arm = Platform.builder()
        .architecture(Architecture.ARM64)
        .iommu("smmu0", 0x2b40_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
        .iommu("nolookup", 0x2b50_0000L, 48, PageSizes.ALLOW_ALL, 0, false, 0)
        .pci("nic", 0, 1, 0, 0, "smmu0", false)
        .pci("tb", 0, 2, 0, 0, "smmu0", true)
        .acpi("uart", "ARMH0011", "0", 0x100, 2, "smmu0", false)
        .pci("direct", 0, 3, 0, 0, null, false)
        .pci("broken", 0, 4, 0, 0, "nolookup", false)
        .limits(new ResourceLimits(3, 8, 64, 4, 4))
        .build();
    private final Members devices = new Members(arm);
    private final Members domains = devices;
    private final Ref<IommuDmaDevice> out = new Ref<>();

    @AfterEach
    void close()
    {
        devices.close();
    }

    /** The device members of an emulator, through its V2 table, named as the tests read. */
    private static final class Members implements AutoCloseable
    {
        private final IommuEmulator emulator;
        private final DmaIommuInterfaceV2 iommu;

        Members(final Platform platform)
        {
            emulator = IommuEmulator.launch(new EmulatorContext().platform(platform).dispatcherThread(false));
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            assertEquals(NtStatus.STATUS_SUCCESS, emulator.ioGetIommuInterfaceEx(2, 0, ex));
            iommu = ex.v2();
        }

        int create(final DeviceObject object, final IommuDeviceCreationConfiguration config,
            final Ref<IommuDmaDevice> out)
        {
            return iommu.createDevice(object, config, out);
        }

        DmaDevice resolve(final IommuDmaDevice device)
        {
            return device instanceof DmaDevice && ((DmaDevice)device).isAlive() ? (DmaDevice)device : null;
        }

        Domain resolve(final IommuDmaDomain domain)
        {
            return domain instanceof Domain && ((Domain)domain).isAlive() ? (Domain)domain : null;
        }

        int delete(final IommuDmaDevice device)
        {
            return iommu.deleteDevice(device);
        }

        int delete(final IommuDmaDomain domain)
        {
            return iommu.deleteDomain(domain);
        }

        int attach(final IommuDmaDomain domain, final IommuDmaDevice device)
        {
            return iommu.attachDeviceEx(domain, device);
        }

        int detach(final IommuDmaDevice device)
        {
            return iommu.detachDeviceEx(device);
        }

        void queryAvailableDomainTypes(final IommuDmaDevice device, final IntRef types)
        {
            iommu.queryAvailableDomainTypes(device, types);
        }

        int queryInputMappings(final DeviceObject object, final InputMappingElement[] buffer, final int length,
            final IntRef returned)
        {
            return iommu.queryInputMappings(object, buffer, length, returned);
        }

        int liveCount()
        {
            return emulator.liveDevices();
        }

        IommuDmaDomain passThrough()
        {
            final Ref<IommuDmaDomain> domain = new Ref<>();
            assertEquals(NtStatus.STATUS_SUCCESS,
                iommu.createDomainEx(IommuDmaDomainType.PASS_THROUGH, 0, null, null, domain));
            return domain.get();
        }

        @Override
        public void close()
        {
            emulator.close();
        }
    }

    @Test
    void createDeviceSuccess()
    {
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("nic"), null, out));
        assertNotNull(devices.resolve(out.get()));
        assertEquals(1, devices.liveCount());
    }

    @Test
    void createDeviceInvalidParameterForNullOrForeignDeviceObject()
    {
        final Platform other = Platform.builder().iommu("u", 0).pci("nic", 0, 1, 0, 0, "u", false).build();
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.create(null, null, out));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.create(other.device("nic"), null, out));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.create(new DeviceObject()
        {
        }, null, out));
        assertNull(out.get());
    }

    @Test
    void createDeviceNotFoundWhenNoIommuTranslatesTheDevice()
    {
        assertEquals(NtStatus.STATUS_NOT_FOUND, devices.create(arm.device("direct"), null, out));
    }

    @Test
    void createDeviceInvalidParameter2ForConfigurationsThatDoNotFit()
    {
        final IommuDeviceCreationConfiguration acpi = new IommuDeviceCreationConfiguration().acpi(0x100, 2);
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_2, devices.create(arm.device("uart"), null, out),
            "ARM64 ACPI device without its input mappings");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_2, devices.create(arm.device("nic"), acpi, out),
            "PCI device with an ACPI configuration");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_2,
            devices.create(arm.device("uart"), new IommuDeviceCreationConfiguration().acpi(0x100, 1), out),
            "ACPI configuration that is not the device's");
        final IommuDeviceCreationConfiguration twice = new IommuDeviceCreationConfiguration().acpi(0x100, 2)
            .nextConfiguration(new IommuDeviceCreationConfiguration().acpi(0x100, 2));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_2, devices.create(arm.device("uart"), twice, out),
            "two ACPI configurations");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_2, devices.create(arm.device("nic"),
            new IommuDeviceCreationConfiguration(), out), "a configuration of type None (null type)");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_2, devices.create(arm.device("nic"),
            new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.MAX, false), out),
            "PASID configuration type Max");
        assertNull(out.get());
        assertEquals(0, devices.liveCount());
    }

    @Test
    void createDeviceAcceptsTheDocumentedConfigurationsIncludingACircularList()
    {
        final IommuDeviceCreationConfiguration acpi = new IommuDeviceCreationConfiguration().acpi(0x100, 2);
        final IommuDeviceCreationConfiguration pasid = new IommuDeviceCreationConfiguration()
            .pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, true);
        acpi.nextConfiguration(pasid);
        pasid.nextConfiguration(acpi);
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("uart"), acpi, out));
        final DmaDevice device = devices.resolve(out.get());
        assertEquals(IommuPasidConfigurationType.PASID_TAGGED_DMA, device.pasidConfig());
        assertEquals(true, device.pasidFaultsSuppressed());
    }

    @Test
    void createDeviceUnsuccessfulWhenTheIommuHasNoDeviceIdLookup()
    {
        assertEquals(NtStatus.STATUS_UNSUCCESSFUL, devices.create(arm.device("broken"), null, out));
    }

    @Test
    void createDeviceInvalidParameter3WithoutAnOutParameter()
    {
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_3, devices.create(arm.device("nic"), null, null));
        assertEquals(0, devices.liveCount());
    }

    @Test
    void createDeviceTwiceForOneDeviceObjectIsInvalidParameter()
    {
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("nic"), null, out));
        final IommuDmaDevice first = out.get();
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.create(arm.device("nic"), null, out));
        assertSame(first, out.get());
        assertEquals(NtStatus.STATUS_SUCCESS, devices.delete(first));
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("nic"), null, out));
    }

    @Test
    void createDeviceInsufficientResourcesAtTheLimit()
    {
        final IommuDeviceCreationConfiguration acpi = new IommuDeviceCreationConfiguration().acpi(0x100, 2);
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("nic"), null, out));
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("tb"), null, out));
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("uart"), acpi, out));
        final IommuDmaDevice third = out.get();
        assertEquals(3, devices.liveCount());

        final Platform roomy = Platform.builder().architecture(Architecture.ARM64).iommu("u", 0)
            .pci("a", 0, 1, 0, 0, "u", false).build();
        final Platform limited = Platform.builder().architecture(Architecture.ARM64).iommu("u", 0)
            .pci("a", 0, 1, 0, 0, "u", false).pci("b", 0, 2, 0, 0, "u", false)
            .limits(new ResourceLimits(1, 1, 1, 1, 1)).build();
        final Members small = new Members(limited);
        assertEquals(NtStatus.STATUS_SUCCESS, small.create(limited.device("a"), null, out));
        final IommuDmaDevice only = out.get();
        assertEquals(NtStatus.STATUS_INSUFFICIENT_RESOURCES, small.create(limited.device("b"), null, out));
        assertSame(only, out.get(), "a failed create writes nothing");
        assertEquals(1, small.liveCount());
        assertEquals(NtStatus.STATUS_SUCCESS, small.delete(only));
        assertEquals(NtStatus.STATUS_SUCCESS, small.create(limited.device("b"), null, out));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, small.create(roomy.device("a"), null, out));
        assertEquals(NtStatus.STATUS_SUCCESS, devices.delete(third));
        small.close();
    }

    @Test
    void deleteDeviceStatuses()
    {
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("nic"), null, out));
        final IommuDmaDevice device = out.get();
        final IommuDmaDomain domain = passThrough();

        assertEquals(NtStatus.STATUS_SUCCESS, devices.attach(domain, device));
        assertEquals(NtStatus.STATUS_RESOURCE_IN_USE, devices.delete(device), "still attached");
        assertEquals(NtStatus.STATUS_SUCCESS, devices.detach(device));
        devices.resolve(device).stateChangeRegistered(true);
        assertEquals(NtStatus.STATUS_RESOURCE_IN_USE, devices.delete(device), "callback still registered");
        devices.resolve(device).stateChangeRegistered(false);
        assertEquals(NtStatus.STATUS_SUCCESS, devices.delete(device));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.delete(device), "deleted token");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.delete((IommuDmaDevice)null));
        assertEquals(0, devices.liveCount());
    }

    @Test
    void attachDeviceExStatuses()
    {
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("tb"), null, out));
        final IommuDmaDevice device = out.get();
        final IommuDmaDomain first = passThrough();
        final IommuDmaDomain second = passThrough();

        arm.policy().enabled(true);
        assertEquals(NtStatus.STATUS_ACCESS_DENIED, devices.attach(first, device), "DMA Guard: external device");
        arm.policy().enabled(false);
        assertEquals(NtStatus.STATUS_SUCCESS, devices.attach(first, device));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.attach(second, device), "already attached");
        assertEquals(1, domains.resolve(first).attachedDevices());
        assertEquals(0, domains.resolve(second).attachedDevices());
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.attach(null, device));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.attach(first, null));
        assertEquals(NtStatus.STATUS_SUCCESS, devices.detach(device));
        assertEquals(NtStatus.STATUS_SUCCESS, domains.delete(second));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.attach(second, device), "deleted domain");
        assertEquals(NtStatus.STATUS_SUCCESS, devices.attach(first, device));
        assertEquals(NtStatus.STATUS_RESOURCE_IN_USE, domains.delete(first), "domain with a device");
    }

    @Test
    void detachDeviceExStatuses()
    {
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("nic"), null, out));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_1, devices.detach(out.get()), "not attached");
        assertEquals(NtStatus.STATUS_SUCCESS, devices.attach(passThrough(), out.get()));
        assertEquals(NtStatus.STATUS_SUCCESS, devices.detach(out.get()));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_1, devices.detach(out.get()), "detached twice");
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER, devices.detach(null));
    }

    @Test
    void queryAvailableDomainTypesFollowsThePolicyAndWritesZeroForAnInvalidToken()
    {
        assertEquals(NtStatus.STATUS_SUCCESS, devices.create(arm.device("tb"), null, out));
        final IntRef types = new IntRef();
        devices.queryAvailableDomainTypes(out.get(), types);
        assertEquals(0xF, types.get());
        arm.policy().enabled(true);
        devices.queryAvailableDomainTypes(out.get(), types);
        assertEquals(0xD, types.get());
        devices.queryAvailableDomainTypes(null, types);
        assertEquals(0, types.get());
        devices.queryAvailableDomainTypes(out.get(), null);
    }

    @Test
    void queryInputMappingsStatuses()
    {
        final InputMappingElement[] buffer = {new InputMappingElement(), new InputMappingElement()};
        final IntRef length = new IntRef();

        assertEquals(NtStatus.STATUS_BUFFER_TOO_SMALL,
            devices.queryInputMappings(arm.device("uart"), buffer, 4, length));
        assertEquals(8, length.get());
        assertEquals(0, buffer[0].inputMappingId(), "nothing written when too small");
        assertEquals(NtStatus.STATUS_SUCCESS, devices.queryInputMappings(arm.device("uart"), buffer, 8, length));
        assertEquals(0x100, buffer[0].inputMappingId());
        assertEquals(0x101, buffer[1].inputMappingId());
        assertEquals(8, length.get());
        assertEquals(NtStatus.STATUS_SUCCESS, devices.queryInputMappings(arm.device("nic"), buffer, 8, null));
        assertEquals(0x100, buffer[0].inputMappingId(), "requester id of 00:01.0 is 0x100");
        assertEquals(NtStatus.STATUS_UNSUCCESSFUL, devices.queryInputMappings(arm.device("direct"), buffer, 8, null));
        assertEquals(NtStatus.STATUS_UNSUCCESSFUL, devices.queryInputMappings(null, buffer, 8, null));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_2,
            devices.queryInputMappings(arm.device("uart"), new InputMappingElement[1], 8, null));

        final Platform x64 = Platform.builder().iommu("u", 0).pci("d", 0, 1, 0, 0, "u", false).build();
        try (Members x64Devices = new Members(x64))
        {
            assertEquals(NtStatus.STATUS_UNSUCCESSFUL,
                x64Devices.queryInputMappings(x64.device("d"), buffer, 8, null));
        }
    }

    private IommuDmaDomain passThrough()
    {
        return devices.passThrough();
    }
}
