/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

import dev.iommu.ptw.PageSizes;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlatformFileTest
{
    private static final String EXAMPLE = String.join("\n",
        "# an ARM64 server",
        "architecture arm64",
        "interface-version 2",
        "dma-guard on",
        "limits devices=64 domains=32 table-pages=4096",
        "iommu smmu0 base=0x2b400000 width=48 page-sizes=4k,2m pasid=0 device-id-lookup=no segment=1",
        "pci nic0 0001:01:00.0 iommu=smmu0 external=yes   # a NIC",
        "acpi uart0 hid=ARMH0011 uid=3 input-mappings=0x100+2 iommu=smmu0",
        "pci legacy 0001:02:00.0 iommu=none",
        "");

    @Test
    void parsesEveryDeclaration()
    {
        final Platform platform = PlatformFile.parse(EXAMPLE);

        assertEquals(Architecture.ARM64, platform.architecture());
        assertEquals(2, platform.maxInterfaceVersion());
        assertTrue(platform.policy().isEnabled());
        assertEquals(64, platform.limits().maxDmaDevices());
        assertEquals(32, platform.limits().maxDomains());
        assertEquals(4096, platform.limits().maxTablePages());
        assertEquals(ResourceLimits.DEFAULTS.maxPasidDevices(), platform.limits().maxPasidDevices());
        final IommuUnit smmu = platform.iommus().get(0);
        assertEquals(0x2b40_0000L, smmu.mmioBase());
        assertEquals(PageSizes.ALLOW_4K | PageSizes.ALLOW_2M, smmu.pageSizes());
        assertFalse(smmu.supportsPasid());
        assertFalse(smmu.implementsDeviceIdLookup());
        assertEquals(1, smmu.pciSegment());
        assertTrue(platform.device("nic0").isExternal());
        assertEquals("3", platform.device("uart0").acpiUniqueId());
        assertEquals(0x100, platform.device("uart0").inputMappingBase());
        assertNull(platform.device("legacy").iommu());
    }

    @Test
    void loadsFromAFile(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("machine.platform");
        Files.writeString(file, EXAMPLE);
        assertEquals(3, PlatformFile.load(file).devices().size());

        Files.writeString(file, "architecture sparc\n");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlatformFile.load(file));
        assertTrue(e.getMessage().startsWith(file + ": line 1 "), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "frobnicate 3 | unknown declaration",
        "architecture | exactly one value",
        "dma-guard maybe | is not yes/no",
        "limits devices=0 | must be at least 1",
        "limits devices=x | is not a number",
        "limits colours=3 | unknown keys",
        "iommu u width=40 | not one of 39, 48, 57",
        "iommu u page-sizes=2m | must include 4k",
        "iommu u bogus | is not key=value",
        "pci d 0000:00:01 iommu=none | is not SEGMENT:BUS:DEVICE.FUNCTION",
        "pci d 0000:00:01.0 | missing key 'iommu'",
        "pci d 0000:00:01.0 iommu=nope | no IOMMU named 'nope'",
        "pci d 0000:00:zz.0 iommu=none | is not a hexadecimal number",
        "acpi a iommu=none | missing key 'hid'",
    })
    void badLinesNameTheirLineAndProblem(final String line, final String problem)
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> PlatformFile.parse("# first\n" + line));
        assertTrue(e.getMessage().startsWith("line 2 '"), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}
