/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.crash;

import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import dev.iommu.ptw.PageSizes;

/**
 * The machine of the crash test, the same in the child and in the parent that reopens its directory: one x64 IOMMU
 * with 48-bit addresses, a device object per worker thread, and the parent's probe device.
 */
final class CrashPlatform
{
    /** The page-table pages of the crash test's arena. */
    static final int TABLE_PAGES = 1 << 14;
    /** The device object the parent attaches to each domain in turn to translate through it. */
    static final String PROBE = "probe";

    private CrashPlatform()
    {
    }

    static Platform build(final int threads)
    {
        final Platform.Builder builder = Platform.builder().architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
            .limits(new ResourceLimits(threads + 4, 4 * threads + 8, TABLE_PAGES, 4, 4));
        for (int t = 0; t < threads; t++)
        {
            builder.pci("crash" + t, 1, t / 8, t % 8, 0, "vtd0", false);
        }
        builder.pci(PROBE, 2, 0, 0, 0, "vtd0", false);
        return builder.build();
    }

    static PhysicalDeviceObject device(final Platform platform, final int thread)
    {
        return platform.device("crash" + thread);
    }
}
