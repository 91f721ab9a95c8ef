/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.EmulatorContext;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.Platform;
import dev.iommu.ptw.PageSizes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code iommu stat} on a persistent emulator's counters (beside its state, in {@code <directory>/counters}) before
 * and after a restart: the second launch's counters say how many objects it restored.
 */
final class StatAcrossRestartTest
{
    @Test
    void statAttachesBeforeAndAfterARestart(@TempDir final Path directory)
    {
        final Platform platform = Platform.builder().architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 0, true, 0)
            .pci("nic", 0, 1, 0, 0, "vtd0", false).build();
        final String dir = directory.resolve(EmulatorContext.COUNTERS_SUBDIRECTORY).toString();
        try (IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext().platform(platform)
            .persistentDirectory(directory)))
        {
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            emulator.ioGetIommuInterfaceEx(2, 0, ex);
            final Ref<IommuDmaDomain> domain = new Ref<>();
            assertEquals(NtStatus.STATUS_SUCCESS, ex.v2().createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null,
                domain));
            emulator.refreshCounters();
            final String before = stat(dir);
            assertTrue(before.matches("(?s).*\\s1 - domains\\n.*"), before);
            assertTrue(before.matches("(?s).*\\s0 - objects restored at launch.*"), before);
        }
        try (IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext().platform(platform)
            .persistentDirectory(directory)))
        {
            final String after = stat(dir);
            assertTrue(after.matches("(?s).*\\s1 - domains\\n.*"), after);
            assertTrue(after.matches("(?s).*\\s1 - objects restored at launch.*"), after);
            assertTrue(after.matches("(?s).*\\s0 - recovery repairs at launch.*"), after);
            assertEquals(1, emulator.liveDomains());
        }
    }

    private static String stat(final String dir)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = StatCommand.run(List.of("--dir", dir, "--count", "1"), new PrintStream(out, true,
            StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
