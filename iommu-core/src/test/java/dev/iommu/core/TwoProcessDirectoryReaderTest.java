/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.platform.Platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An owner emulator on a persistent directory against {@link DirectoryReader}s in another JVM
 * ({@link DirectoryReaderProcess}, three reader threads on a machine of few cores, so that they are preempted at any
 * point of a translation). For about four seconds the owner, in each cycle k, creates a domain, maps the watched page
 * to frame k, attaches the device, unmaps the page, detaches the device and deletes the domain, then at once creates
 * a decoy domain over the freed table pages (its root is the deleted domain's, as the arena reuses pages) mapping
 * the page to a decoy frame, to which the device is never attached; in odd cycles it also moves the device to a
 * long-lived domain and back. The readers check every translation against the owner's counters in a shared control
 * file ({@link DirectoryReaderProcess#allowed}): no frame of a cycle whose unmap had returned before the translation
 * began, no decoy frame, the long-lived domain's frame only while the device was attached to it.
 */
final class TwoProcessDirectoryReaderTest
{
    private static final long PAGE = V2Rig.PAGE;
    private static final int THREADS = 3;
    private static final long RUN_NS = TimeUnit.SECONDS.toNanos(4);

    static Platform platform()
    {
        return V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES));
    }

    @Test
    void aReaderInAnotherProcessSeesTheOwnersAttachmentsAndUnmapsInOrder(@TempDir final Path directory)
        throws Exception
    {
        final Path controlFile = directory.resolve("control");
        final Path persistent = directory.resolve("iommu");
        final UnsafeBuffer control = DirectoryReaderProcess.mapControl(controlFile);
        try (V2Rig rig = new V2Rig(new EmulatorContext().platform(platform()).persistentDirectory(persistent)))
        {
            final IommuDmaDevice nic = rig.device("nic");
            final IommuDmaDomain other = rig.explicitDomain();
            map(rig, other, DirectoryReaderProcess.OTHER_FRAME);
            final Process reader = ChildJvm.start(DirectoryReaderProcess.class, persistent.toString(),
                controlFile.toString(), Integer.toString(THREADS));
            try
            {
                final long readyBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (control.getLongVolatile(DirectoryReaderProcess.READY) < THREADS && reader.isAlive() &&
                    System.nanoTime() < readyBy)
                {
                    // A bounded poll of the readers' ready count (shared memory), parking between looks so that the
                    // child JVM starting on the same two cores gets them.
                    LockSupport.parkNanos(1_000_000L);
                }
                assertEquals(THREADS, control.getLongVolatile(DirectoryReaderProcess.READY), "readers ready");
                final long deadline = System.nanoTime() + RUN_NS;
                long cycle = 0;
                while (System.nanoTime() < deadline &&
                    control.getLongVolatile(DirectoryReaderProcess.VIOLATIONS) == 0)
                {
                    cycle++;
                    run(rig, control, reader, nic, other, cycle);
                }
                control.putLongVolatile(DirectoryReaderProcess.STOP, 1);
                assertTrue(reader.waitFor(30, TimeUnit.SECONDS), "the reader process stops");
                long translations = 0;
                long mapped = 0;
                long seenOther = 0;
                for (int i = 0; i < THREADS; i++)
                {
                    translations += control.getLongVolatile(DirectoryReaderProcess.TRANSLATIONS + 64 * i);
                    mapped += control.getLongVolatile(DirectoryReaderProcess.MAPPED + 64 * i);
                    seenOther += control.getLongVolatile(DirectoryReaderProcess.OTHER + 64 * i);
                }
                final String summary = cycle + " cycles, " + translations + " translations (" + mapped +
                    " of the cycle's domain, " + seenOther + " of the long-lived one), " +
                    control.getLongVolatile(DirectoryReaderProcess.RETRIES) + " retries, " +
                    control.getLongVolatile(DirectoryReaderProcess.VIOLATIONS) + " violations";
                System.out.println("TwoProcessDirectoryReaderTest: " + summary);
                assertEquals(0, control.getLongVolatile(DirectoryReaderProcess.VIOLATIONS), summary +
                    "; the first saw 0x" + Long.toHexString(control.getLongVolatile(
                    DirectoryReaderProcess.FIRST_VIOLATION)));
                assertEquals(0, reader.exitValue(), "the reader process failed");
                assertTrue(mapped > 0 && seenOther > 0 && translations > mapped + seenOther, summary);
            }
            finally
            {
                reader.destroyForcibly();
            }
        }
    }

    /**
     * One cycle: the cycle's domain (map, attach, unmap, detach, delete), the decoy over its pages, and in odd
     * cycles a visit to the long-lived domain.
     */
    private static void run(final V2Rig rig, final UnsafeBuffer control, final Process reader,
        final IommuDmaDevice nic, final IommuDmaDomain other, final long cycle)
    {
        final IommuDmaDomain domain = rig.explicitDomain();
        map(rig, domain, DirectoryReaderProcess.ATTACHED_FRAMES + (cycle & (DirectoryReaderProcess.FAMILY - 1)));
        control.putLongVolatile(DirectoryReaderProcess.ATTACH_STARTED, cycle);
        rig.expect("AttachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.attachDeviceEx(domain, nic));
        if ((cycle & 63) == 0)
        {
            awaitTranslations(control, reader);
        }
        rig.expect("UnmapLogicalRange", NtStatus.STATUS_SUCCESS,
            () -> rig.iommu.unmapLogicalRange(domain, DirectoryReaderProcess.PAGE_ADDRESS, 1));
        control.putLongVolatile(DirectoryReaderProcess.UNMAP_DONE, cycle);
        rig.expect("DetachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.detachDeviceEx(nic));
        rig.expect("DeleteDomain", NtStatus.STATUS_SUCCESS, () -> rig.iommu.deleteDomain(domain));
        final IommuDmaDomain decoy = rig.explicitDomain();
        map(rig, decoy, DirectoryReaderProcess.DECOY_FRAMES + (cycle & (DirectoryReaderProcess.FAMILY - 1)));
        if ((cycle & 1) == 1)
        {
            control.putLongVolatile(DirectoryReaderProcess.OTHER_ATTACH_STARTED, cycle);
            rig.expect("AttachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.attachDeviceEx(other, nic));
            if ((cycle & 127) == 1)
            {
                awaitTranslations(control, reader);
            }
            rig.expect("DetachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.detachDeviceEx(nic));
            control.putLongVolatile(DirectoryReaderProcess.OTHER_DETACH_DONE, cycle);
        }
        rig.expect("DeleteDomain decoy", NtStatus.STATUS_SUCCESS, () -> rig.iommu.deleteDomain(decoy));
    }

    private static void map(final V2Rig rig, final IommuDmaDomain domain, final long frame)
    {
        final LongRef out = new LongRef();
        rig.expect("MapLogicalRangeEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.mapLogicalRangeEx(domain,
            IommuPermissions.READ_WRITE, V2Rig.contiguous(frame * PAGE, 1),
            new LongRef(DirectoryReaderProcess.PAGE_ADDRESS), null, null, out));
    }

    /**
     * Waits until the first reader thread has started a translation after this call began (a spin on its counter),
     * or the reader process has exited.
     */
    private static void awaitTranslations(final UnsafeBuffer control, final Process reader)
    {
        final long target = control.getLongVolatile(DirectoryReaderProcess.TRANSLATIONS) + 2;
        while (control.getLongVolatile(DirectoryReaderProcess.TRANSLATIONS) < target && reader.isAlive() &&
            control.getLongVolatile(DirectoryReaderProcess.VIOLATIONS) == 0)
        {
            Thread.onSpinWait();
        }
        assertTrue(reader.isAlive(), "the reader process exited early");
    }
}
