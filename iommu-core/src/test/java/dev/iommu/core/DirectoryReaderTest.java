/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.iommu.api.DeviceObject;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.platform.Platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link DirectoryReader} on an owner's persistent directory, in the owner's JVM (a second mapping of the files,
 * what another process has): it answers as the owner's {@link IommuEmulator#translate} for every address and access
 * of the cases below, and follows attach, detach, unmap, map, delete and re-create; a directory that is not an
 * emulator's is refused.
 */
final class DirectoryReaderTest
{
    private static final long PAGE = V2Rig.PAGE;
    private static final long A = 0x4000_0000L;
    private static final int[] ACCESSES = {IommuPermissions.READ, IommuPermissions.WRITE, IommuPermissions.READ_WRITE,
        0, 8};

    @TempDir
    Path directory;

    private static Platform platform()
    {
        return V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES));
    }

    private V2Rig owner()
    {
        return new V2Rig(new EmulatorContext().platform(platform()).persistentDirectory(directory));
    }

    /** Every case address, every access: the reader (by device object and by id) answers as the owner. */
    private static void agrees(final V2Rig rig, final DirectoryReader reader, final DeviceObject pdo,
        final IommuDmaDevice device, final String when)
    {
        final long id = null == device ? 0 : rig.emulator.stableId(device);
        final long[] addresses = {A, A + PAGE + 123, A + 2 * PAGE, A + 3 * PAGE, A + 4 * PAGE, 0, A + (1L << 21),
            (1L << 48) - PAGE, 1L << 48, 1L << 60, -PAGE};
        for (final long address : addresses)
        {
            for (final int access : ACCESSES)
            {
                final long expected = rig.emulator.translate(device, address, access);
                final String what = when + ": 0x" + Long.toHexString(address) + " access " + access;
                assertEquals(describe(expected, address), describe(reader.translate(pdo, address, access), address),
                    what + " (by device object)");
                if (0 != id)
                {
                    assertEquals(describe(expected, address), describe(reader.translate(id, address, access), address),
                        what + " (by id)");
                }
            }
        }
    }

    private static String describe(final long translation, final long address)
    {
        return DmaTranslation.isFault(translation) ? "fault " + DmaTranslation.faultReason(translation) :
            "0x" + Long.toHexString(DmaTranslation.outputAddress(translation, address)) + " perm " +
            DmaTranslation.permissions(translation) + " size " + DmaTranslation.pageSize(translation);
    }

    private static void map(final V2Rig rig, final IommuDmaDomain domain, final long iova, final long frame,
        final long pages, final int permissions)
    {
        final LongRef out = new LongRef();
        rig.expect("MapLogicalRangeEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.mapLogicalRangeEx(domain,
            permissions, V2Rig.contiguous(frame * PAGE, pages), new LongRef(iova), null, null, out));
    }

    @Test
    void translatesAsTheOwnerAndFollowsItsChanges()
    {
        try (V2Rig rig = owner())
        {
            final DeviceObject nic = rig.platform.device("nic");
            final IommuDmaDomain first = rig.explicitDomain();
            final IommuDmaDomain second = rig.explicitDomain();
            final IommuDmaDevice device = rig.device("nic");
            rig.expect("AttachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.attachDeviceEx(first, device));
            map(rig, first, A, 0x1234, 2, IommuPermissions.READ_WRITE);
            map(rig, first, A + 2 * PAGE, 0x2000, 1, IommuPermissions.READ);
            map(rig, first, A + (1L << 21), 0x40000, 512, IommuPermissions.READ_WRITE);
            map(rig, second, A, 0x5678, 4, IommuPermissions.READ_WRITE);
            try (DirectoryReader reader = DirectoryReader.open(directory, rig.platform))
            {
                assertEquals(rig.emulator.stableId(device), reader.deviceId(nic));
                assertEquals(0, reader.deviceId(rig.platform.device("disk")));
                agrees(rig, reader, nic, device, "attached to the first domain");
                assertFalse(DmaTranslation.isFault(reader.translate(nic, A, IommuPermissions.READ)));

                rig.expect("UnmapLogicalRange", NtStatus.STATUS_SUCCESS,
                    () -> rig.iommu.unmapLogicalRange(first, A, 1));
                agrees(rig, reader, nic, device, "after an unmap");
                map(rig, first, A, 0x3333, 1, IommuPermissions.WRITE);
                agrees(rig, reader, nic, device, "mapped again");

                rig.expect("DetachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.detachDeviceEx(device));
                agrees(rig, reader, nic, device, "detached");
                assertTrue(DmaTranslation.isFault(reader.translate(nic, A, IommuPermissions.READ)));

                rig.expect("AttachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.attachDeviceEx(second, device));
                agrees(rig, reader, nic, device, "attached to the second domain");
                rig.expect("DeleteDomain", NtStatus.STATUS_SUCCESS, () -> rig.iommu.deleteDomain(first));
                final IommuDmaDomain third = rig.explicitDomain();
                map(rig, third, A, 0x7777, 4, IommuPermissions.READ_WRITE);
                agrees(rig, reader, nic, device, "another domain made over the first one's pages");

                // Many changes of one record: its generations wrap round (mod 256).
                for (int i = 0; i < 300; i++)
                {
                    final IommuDmaDomain target = (i & 1) == 0 ? third : second;
                    rig.expect("DetachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.detachDeviceEx(device));
                    rig.expect("AttachDeviceEx", NtStatus.STATUS_SUCCESS,
                        () -> rig.iommu.attachDeviceEx(target, device));
                    if (i % 37 == 0)
                    {
                        agrees(rig, reader, nic, device, "change " + i);
                    }
                }
                agrees(rig, reader, nic, device, "after 600 changes");

                final long oldId = rig.emulator.stableId(device);
                rig.expect("DetachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.detachDeviceEx(device));
                rig.expect("DeleteDevice", NtStatus.STATUS_SUCCESS, () -> rig.iommu.deleteDevice(device));
                assertTrue(DmaTranslation.isFault(reader.translate(nic, A, IommuPermissions.READ)));
                assertTrue(DmaTranslation.isFault(reader.translate(oldId, A, IommuPermissions.READ)));
                assertEquals(0, reader.deviceId(nic));

                final IommuDmaDevice again = rig.device("nic");
                assertNotEquals(oldId, rig.emulator.stableId(again));
                rig.expect("AttachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.attachDeviceEx(third, again));
                agrees(rig, reader, nic, again, "a new device of the same device object");
                assertEquals(DmaTranslation.FAULT_NOT_PRESENT,
                    DmaTranslation.faultReason(reader.translate(oldId, A, IommuPermissions.READ)));
                assertEquals(0x7777 * PAGE,
                    DmaTranslation.outputAddress(reader.translate(nic, A, IommuPermissions.READ), A));
            }
        }
    }

    @Test
    void aPassThroughDomainIsTheIdentityAndAnUnknownDeviceFaults()
    {
        try (V2Rig rig = owner())
        {
            final DeviceObject gpu = rig.platform.device("gpu");
            final IommuDmaDomain passThrough = rig.domain(IommuDmaDomainType.PASS_THROUGH);
            final IommuDmaDevice device = rig.device("gpu");
            rig.expect("AttachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.attachDeviceEx(passThrough, device));
            try (DirectoryReader reader = DirectoryReader.open(directory, rig.platform))
            {
                agrees(rig, reader, gpu, device, "PassThrough");
                assertEquals(0x1234_5000L + 7, DmaTranslation.outputAddress(
                    reader.translate(gpu, 0x1234_5000L + 7, IommuPermissions.READ_WRITE), 0x1234_5000L + 7));
                assertEquals(DmaTranslation.FAULT_NOT_PRESENT, DmaTranslation.faultReason(
                    reader.translate(rig.platform.device("disk"), A, IommuPermissions.READ)));
                assertEquals(DmaTranslation.FAULT_NOT_PRESENT, DmaTranslation.faultReason(
                    reader.translate(12_345L, A, IommuPermissions.READ)));
                assertEquals(DmaTranslation.FAULT_NOT_PRESENT, DmaTranslation.faultReason(
                    reader.translate(platform().device("gpu"), A, IommuPermissions.READ)),
                    "a device object of another platform");
            }
        }
    }

    @Test
    void aDirectoryThatIsNotAnEmulatorsIsRefused() throws IOException
    {
        final PersistenceException missing = assertThrows(PersistenceException.class,
            () -> DirectoryReader.open(directory.resolve("nothing"), platform()));
        assertTrue(missing.getMessage().contains("not a directory"), missing.getMessage());
        final PersistenceException empty = assertThrows(PersistenceException.class,
            () -> DirectoryReader.open(directory, platform()));
        assertTrue(empty.getMessage().contains("no " + IommuEmulator.TABLES_FILE), empty.getMessage());
        Files.write(directory.resolve(IommuEmulator.TABLES_FILE), new byte[8192]);
        final PersistenceException noContext = assertThrows(PersistenceException.class,
            () -> DirectoryReader.open(directory, platform()));
        assertTrue(noContext.getMessage().contains("no " + PersistedContext.CONTEXT_FILE), noContext.getMessage());
        Files.write(directory.resolve(PersistedContext.CONTEXT_FILE), new byte[8192]);
        final PersistenceException foreign = assertThrows(PersistenceException.class,
            () -> DirectoryReader.open(directory, platform()));
        assertTrue(foreign.getMessage().contains(PersistedContext.CONTEXT_FILE), foreign.getMessage());
    }

    @Test
    void aForeignContextTableIsRefused() throws IOException
    {
        try (V2Rig rig = owner())
        {
            rig.explicitDomain();
        }
        Files.write(directory.resolve(PersistedContext.CONTEXT_FILE), new byte[8192]);
        final PersistenceException foreign = assertThrows(PersistenceException.class,
            () -> DirectoryReader.open(directory, platform()));
        assertTrue(foreign.getMessage().contains("is not a context table"), foreign.getMessage());
    }

    @Test
    void aForeignArenaIsRefused() throws IOException
    {
        try (V2Rig rig = owner())
        {
            rig.explicitDomain();
        }
        Files.write(directory.resolve(IommuEmulator.TABLES_FILE), new byte[8192]);
        final PersistenceException foreign = assertThrows(PersistenceException.class,
            () -> DirectoryReader.open(directory, platform()));
        assertTrue(foreign.getMessage().contains(IommuEmulator.TABLES_FILE), foreign.getMessage());
    }
}
