/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

import dev.iommu.ptw.PageSizes;
import dev.iommu.api.DeviceObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlatformTest
{
    @Test
    void buildsUnitsAndDevicesInDeclarationOrder()
    {
        final Platform platform = Platform.builder()
            .architecture(Architecture.ARM64)
            .iommu("smmu0", 0x2b40_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
            .pci("nic0", 0, 1, 0, 0, "smmu0", false)
            .acpi("uart0", "ARMH0011", "0", 0x100, 2, "smmu0", false)
            .pci("legacy", 0, 2, 3, 1, null, false)
            .build();

        assertEquals(Architecture.ARM64, platform.architecture());
        assertEquals(1, platform.iommus().size());
        assertEquals(3, platform.devices().size());
        final PhysicalDeviceObject nic = platform.device("nic0");
        assertSame(platform.iommus().get(0), nic.iommu());
        assertEquals(0x100, nic.inputMappingBase());
        assertEquals(1, nic.inputMappingCount());
        assertEquals(0x219, platform.device("legacy").inputMappingBase());
        assertNull(platform.device("legacy").iommu());
        assertEquals(2, platform.device("uart0").inputMappingCount());
        assertEquals(3, platform.maxInterfaceVersion());
    }

    @Test
    void ownsOnlyItsOwnDevices()
    {
        final Platform a = Platform.builder().iommu("u", 0).pci("d", 0, 0, 1, 0, "u", false).build();
        final Platform b = Platform.builder().iommu("u", 0).pci("d", 0, 0, 1, 0, "u", false).build();

        assertTrue(a.owns(a.device("d")));
        assertFalse(a.owns(b.device("d")));
        assertFalse(a.owns(null));
        assertFalse(a.owns(new DeviceObject()
        {
        }));
    }

    @Test
    void refusesBadDeclarationsAndKeepsWhatWasValid()
    {
        final Platform.Builder builder = Platform.builder().iommu("u", 0).pci("d", 0, 0, 1, 0, "u", false);

        assertThrows(IllegalArgumentException.class, () -> builder.iommu("u", 0));
        assertThrows(IllegalArgumentException.class, () -> builder.iommu("w", 0, 40, PageSizes.ALLOW_ALL, 0, true, 0));
        assertThrows(IllegalArgumentException.class, () -> builder.iommu("w", 0, 48, PageSizes.ALLOW_2M, 0, true, 0));
        assertThrows(IllegalArgumentException.class, () -> builder.iommu("w", 0, 48, PageSizes.ALLOW_ALL, 21, true, 0));
        assertThrows(IllegalArgumentException.class, () -> builder.pci("d", 0, 0, 2, 0, "u", false));
        assertThrows(IllegalArgumentException.class, () -> builder.pci("e", 0, 0, 1, 0, "u", false));
        assertThrows(IllegalArgumentException.class, () -> builder.pci("e", 0, 0, 32, 0, "u", false));
        assertThrows(IllegalArgumentException.class, () -> builder.pci("e", 0, 0, 2, 0, "nope", false));
        assertThrows(IllegalArgumentException.class, () -> builder.acpi("e", "HID", "0", 0, 1, "u", false));
        assertThrows(IllegalStateException.class, () -> builder.architecture(Architecture.ARM64));

        builder.pci("e", 0, 0, 2, 0, "u", false);
        final Platform platform = builder.build();
        assertEquals(2, platform.devices().size());
        assertThrows(IllegalStateException.class, builder::build);
        assertThrows(IllegalArgumentException.class, () -> platform.device("missing"));
    }

    @Test
    void arm64AcpiDevicesNeedInputMappings()
    {
        final Platform.Builder builder = Platform.builder().architecture(Architecture.ARM64).iommu("u", 0);
        assertThrows(IllegalArgumentException.class, () -> builder.acpi("a", "HID", "0", 0, 0, "u", false));
        builder.acpi("a", "HID", "0", 7, 1, "u", false);
        assertEquals(7, builder.build().device("a").inputMappingBase());
    }

    @Test
    void limitsMustBePositive()
    {
        assertThrows(IllegalArgumentException.class, () -> new ResourceLimits(0, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ResourceLimits(1, 1, 1, 1, -1));
        assertEquals(4096, ResourceLimits.DEFAULTS.maxDmaDevices());
    }
}
