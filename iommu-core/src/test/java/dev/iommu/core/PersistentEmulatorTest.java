/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.iommu.api.DomainConfiguration;
import dev.iommu.api.DomainConfigurationArch;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An emulator on a persistent directory, closed and launched again: every object comes back under its stable id,
 * every mapping translates as before, and the reopened emulator goes on (unmaps free their blocks, new ids are new);
 * a directory it cannot trust is refused with a clear {@link PersistenceException} and left as it was.
 */
final class PersistentEmulatorTest
{
    private static final long PAGE = V2Rig.PAGE;

    @TempDir
    Path directory;

    private static Platform platform()
    {
        return V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES));
    }

    private V2Rig open()
    {
        return new V2Rig(new EmulatorContext().platform(platform()).persistentDirectory(directory));
    }

    private V2Rig openArm64()
    {
        return new V2Rig(new EmulatorContext().platform(V2Rig.arm64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .persistentDirectory(directory));
    }

    private IommuDmaDomain allocatorDomain(final V2Rig rig)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, rig.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
            new IommuDmaLogicalAllocatorConfig().buddy(V2Rig.ALLOCATOR_WIDTH), null, out));
        return out.get();
    }

    @Test
    void aNewDirectoryReportsNothingRestored()
    {
        try (V2Rig rig = open())
        {
            assertFalse(rig.emulator.recoveryReport().reopened());
            assertTrue(Files.exists(directory.resolve(IommuEmulator.TABLES_FILE)));
        }
    }

    @Test
    void everyObjectComesBackUnderItsIdWithItsMappings()
    {
        final long explicitId;
        final long allocatorId;
        final long deviceId;
        final long tokenId;
        final long allocatedAddress;
        final long[] before;
        final long freeBefore;
        try (V2Rig rig = open())
        {
            final IommuDmaDomain explicit = rig.domain(IommuDmaDomainType.TRANSLATE);
            final IommuDmaDomain allocator = allocatorDomain(rig);
            final IommuDmaDevice nic = rig.device("nic");
            rig.expect("AttachDeviceEx", NtStatus.STATUS_SUCCESS, () -> rig.iommu.attachDeviceEx(explicit, nic));
            rig.mapAt(explicit, 0x4000_0000L, 0x1234, 3);
            allocatedAddress = rig.mapAllocated(allocator, 0x500, 0x501, 0x777);
            rig.mapAllocated(allocator, 0x900);
            final IommuDmaLogicalAddressToken token = rig.reserveAt(explicit, 0x8000_0000L, 16);
            final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
            rig.expect("MapReservedLogicalRange", NtStatus.STATUS_SUCCESS, () -> rig.iommu.mapReservedLogicalRange(
                token, 4 * PAGE, IommuPermissions.READ_WRITE, V2Rig.pfns(0x42, 0x43), segment));
            rig.watch(explicit, 0x8000_0000L + 4 * PAGE);
            rig.watch(explicit, 0x8000_0000L + 5 * PAGE);
            rig.watch(allocator, allocatedAddress + 2 * PAGE);
            explicitId = rig.emulator.stableId(explicit);
            allocatorId = rig.emulator.stableId(allocator);
            deviceId = rig.emulator.stableId(nic);
            tokenId = rig.emulator.stableId(token);
            before = translations(rig, explicit, allocator, allocatedAddress);
            freeBefore = freeBytes(rig, allocatorId);
        }
        try (V2Rig rig = open())
        {
            final RecoveryReport report = rig.emulator.recoveryReport();
            assertTrue(report.reopened() && report.cleanShutdown(), report.toString());
            assertEquals(0, report.repairs(), report.toString());
            assertEquals(2, report.domains());
            assertEquals(1, report.devices());
            assertEquals(1, report.tokens());
            final IommuDmaDomain explicit = rig.emulator.domainById(explicitId);
            final IommuDmaDomain allocator = rig.emulator.domainById(allocatorId);
            final IommuDmaDevice nic = rig.emulator.deviceById(deviceId);
            final IommuDmaLogicalAddressToken token = rig.emulator.tokenById(tokenId);
            assertNotNull(explicit);
            assertNotNull(allocator);
            assertNotNull(nic);
            assertNotNull(token);
            assertEquals(0x8000_0000L, token.logicalAddressBase());
            assertEquals(16 * PAGE, token.size());
            assertEquals(nic, rig.emulator.dmaDeviceOf(rig.platform.device("nic")), "dmaDeviceOf finds the token");
            assertEquals(Arrays.toString(before), Arrays.toString(translations(rig, explicit, allocator,
                allocatedAddress)));
            assertEquals(0x1234 * PAGE + PAGE, rig.seen(nic, 0x4000_0000L + PAGE), "the device is attached again");
            // The allocator was rebuilt from the tables: its blocks are taken (3 pages in a 4-page block before, the
            // mapped pages now), and it goes on: the same unmaps give everything back.
            assertTrue(freeBytes(rig, allocatorId) >= freeBefore);
            rig.expect("UnmapReservedLogicalRange", NtStatus.STATUS_SUCCESS, () -> rig.iommu.unmapReservedLogicalRange(
                new IommuDmaLogicalAddressTokenMappedSegment().owningToken(token).offset(4 * PAGE).size(2 * PAGE)));
            rig.expect("FreeReservedLogicalAddressRange", NtStatus.STATUS_SUCCESS,
                () -> rig.iommu.freeReservedLogicalAddressRange(token));
            rig.expect("UnmapLogicalRange", NtStatus.STATUS_SUCCESS,
                () -> rig.iommu.unmapLogicalRange(allocator, allocatedAddress, 3));
            final IommuDmaDomain fresh = allocatorDomain(rig);
            final long whole = freeBytes(rig, rig.emulator.stableId(fresh));
            assertTrue(rig.emulator.stableId(fresh) > allocatorId, "a new domain gets a new id");
            final IommuDmaLogicalAddressToken another = rig.reserveAt(explicit, 0x9000_0000L, 1);
            assertTrue(rig.emulator.stableId(another) > tokenId, "a new token gets a new id");
            assertEquals(1, rig.emulator.snapshot().domains().stream()
                .filter(d -> d.id() == allocatorId).findFirst().orElseThrow().mappedPages());
            assertTrue(freeBytes(rig, allocatorId) < whole, "the other mapping still holds its block");
        }
    }

    @Test
    void unmanagedDomainsAndDetachedDevicesComeBackAsTheyWere()
    {
        final long unmanagedId;
        final long deviceId;
        try (V2Rig rig = openArm64())
        {
            final IommuDmaDomain unmanaged = rig.domain(IommuDmaDomainType.UNMANAGED);
            final DomainConfiguration configuration = new DomainConfiguration().type(DomainConfigurationArch.ARM64);
            configuration.arm64().ttbr0(0x1000).mair0(7).inputSize0(48).translationEnabled(true);
            final int status = rig.iommu.configureDomain(unmanaged, configuration);
            unmanagedId = rig.emulator.stableId(unmanaged);
            assertEquals(NtStatus.STATUS_SUCCESS, status, "ConfigureDomain");
            deviceId = rig.emulator.stableId(rig.device("pci"));
        }
        try (V2Rig rig = openArm64())
        {
            final IommuDmaDomain unmanaged = rig.emulator.domainById(unmanagedId);
            assertNotNull(unmanaged);
            assertEquals(IommuDmaDomainType.UNMANAGED, ((Domain)unmanaged).type());
            final dev.iommu.api.DomainConfigurationArm64 restored = ((UnmanagedDomain)unmanaged).configuration();
            assertEquals(0x1000, restored.ttbr0());
            assertEquals(7, restored.mair0());
            assertEquals(48, restored.inputSize0());
            assertTrue(restored.translationEnabled());
            final IommuDmaDevice disk = rig.emulator.deviceById(deviceId);
            assertNotNull(disk);
            assertEquals(0, rig.emulator.snapshot().devices().get(0).domainId());
            rig.expect("DeleteDevice", NtStatus.STATUS_SUCCESS, () -> rig.iommu.deleteDevice(disk));
            rig.expect("DeleteDomain", NtStatus.STATUS_SUCCESS, () -> rig.iommu.deleteDomain(unmanaged));
        }
        try (V2Rig rig = openArm64())
        {
            assertNull(rig.emulator.deviceById(deviceId), "a deleted device stays deleted");
            assertNull(rig.emulator.domainById(unmanagedId), "a deleted domain stays deleted");
            assertEquals(0, rig.emulator.tablePagesInUse());
        }
    }

    @Test
    void theObservedProfileIsRefusedAPersistentDirectory()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () ->
            new EmulatorContext().platform(platform()).persistentDirectory(directory)
                .profile(BehaviourProfile.OBSERVED_WINDOWS).conclude());
        assertTrue(refused.getMessage().contains("documented profile"), refused.getMessage());
        assertFalse(Files.exists(directory.resolve(IommuEmulator.TABLES_FILE)), "nothing written");
    }

    @Test
    void aTokenBeyondWhatASegmentKeyHoldsIsRefusedAndChangesNothing()
    {
        final Platform wide = Platform.builder().architecture(dev.iommu.core.platform.Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 57, dev.iommu.ptw.PageSizes.ALLOW_ALL, 20, true, 0)
            .pci("nic", 0, 1, 0, 0, "vtd0", false)
            .limits(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)).build();
        try (V2Rig rig = new V2Rig(new EmulatorContext().platform(wide).persistentDirectory(directory)))
        {
            final IommuDmaDomain domain = rig.domain(IommuDmaDomainType.TRANSLATE);
            final long beyond = ContextRecordDescriptor.MAX_PERSISTED_TOKEN_BYTES + PAGE;
            rig.refused("ReserveLogicalAddressRange of 16 TiB + 4 KiB", NtStatus.STATUS_INSUFFICIENT_RESOURCES,
                () -> rig.iommu.reserveLogicalAddressRange(domain, beyond, new dev.iommu.api.LongRef(1L << 50), null,
                    null, new Ref<>()));
            // (A token of exactly 16 TiB would be kept, but building its 2^23 leaf tables needs more table pages than
            // any platform here has.)
        }
    }

    @Test
    void aSecondOwnerIsRefused()
    {
        try (V2Rig rig = open())
        {
            final PersistenceException refused = assertThrows(PersistenceException.class, this::open);
            assertTrue(refused.getMessage().contains("another owner"), refused.getMessage());
            assertNotNull(rig.emulator.platform());
        }
    }

    @Test
    void aTruncatedTablesFileIsRefusedAndLeftAlone() throws IOException
    {
        open().close();
        final Path tables = directory.resolve(IommuEmulator.TABLES_FILE);
        try (RandomAccessFile file = new RandomAccessFile(tables.toFile(), "rw"))
        {
            file.setLength(file.length() / 2);
        }
        final byte[] bytes = Files.readAllBytes(tables);
        final PersistenceException refused = assertThrows(PersistenceException.class, this::open);
        assertTrue(refused.getMessage().contains(tables.toString()), refused.getMessage());
        assertTrue(Arrays.equals(bytes, Files.readAllBytes(tables)), "the refused file is unchanged");
    }

    @Test
    void aFlippedHeaderByteIsRefused() throws IOException
    {
        open().close();
        final Path tables = directory.resolve(IommuEmulator.TABLES_FILE);
        try (RandomAccessFile file = new RandomAccessFile(tables.toFile(), "rw"))
        {
            file.seek(9);
            final int b = file.read();
            file.seek(9);
            file.write(b ^ 0x10);
        }
        final PersistenceException refused = assertThrows(PersistenceException.class, this::open);
        assertTrue(refused.getMessage().contains("checksum"), refused.getMessage());
    }

    @Test
    void aNewerLayoutVersionIsRefusedAndLeftAlone() throws IOException
    {
        open().close();
        final Path tables = directory.resolve(IommuEmulator.TABLES_FILE);
        // Layout version 2 in the header (at 16), its CRC32C of [0, 40) recomputed (at 40): a consistent, newer file.
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(tables,
            java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(48).order(java.nio.ByteOrder.nativeOrder());
            channel.read(header, 0);
            header.putInt(16, 2);
            final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(header.array(), 0, 40);
            header.putLong(40, crc.getValue());
            header.rewind();
            channel.write(header, 0);
        }
        final byte[] bytes = Files.readAllBytes(tables);
        final PersistenceException refused = assertThrows(PersistenceException.class, this::open);
        assertTrue(refused.getMessage().contains("layout version 2 is newer than this library's (1)"),
            refused.getMessage());
        assertTrue(Arrays.equals(bytes, Files.readAllBytes(tables)), "the refused file is unchanged");
    }

    @Test
    void aDeviceThePlatformDoesNotHaveIsRefused()
    {
        try (V2Rig rig = open())
        {
            rig.device("gpu");
        }
        final Platform other = Platform.builder().architecture(dev.iommu.core.platform.Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, dev.iommu.ptw.PageSizes.ALLOW_ALL, 20, true, 0)
            .pci("nic", 0, 1, 0, 0, "vtd0", false)
            .limits(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)).build();
        final PersistenceException refused = assertThrows(PersistenceException.class, () -> IommuEmulator.launch(
            new EmulatorContext().platform(other).persistentDirectory(directory)));
        assertTrue(refused.getMessage().contains("'gpu'"), refused.getMessage());
        // Refused without damage: the right platform opens it.
        try (V2Rig rig = open())
        {
            assertEquals(1, rig.emulator.recoveryReport().devices());
        }
    }

    @Test
    void aContextTableThatIsNotOneIsRefusedAtOnce() throws IOException
    {
        open().close();
        final Path context = directory.resolve(PersistedContext.CONTEXT_FILE);
        final long length = Files.size(context);
        try (RandomAccessFile file = new RandomAccessFile(context.toFile(), "rw"))
        {
            file.setLength(0);
            file.setLength(length);
        }
        final PersistenceException refused = assertThrows(PersistenceException.class, this::open);
        assertTrue(refused.getMessage().contains("is not a context table"), refused.getMessage());
        // Refused without damage to the other files: the tables file's owner lock was released.
        assertTrue(Files.exists(directory.resolve(IommuEmulator.TABLES_FILE)));
        final PersistenceException again = assertThrows(PersistenceException.class, this::open);
        assertTrue(again.getMessage().contains("is not a context table"), again.getMessage());
    }

    @Test
    void aContextTableWithoutItsTablesIsRefused() throws IOException
    {
        open().close();
        Files.delete(directory.resolve(IommuEmulator.TABLES_FILE));
        final PersistenceException refused = assertThrows(PersistenceException.class, this::open);
        assertTrue(refused.getMessage().contains("no " + IommuEmulator.TABLES_FILE), refused.getMessage());
    }

    private static long[] translations(final V2Rig rig, final IommuDmaDomain explicit, final IommuDmaDomain allocator,
        final long allocatedAddress)
    {
        final long[] out = new long[8];
        out[0] = V2Rig.output(explicit, 0x4000_0000L);
        out[1] = V2Rig.output(explicit, 0x4000_0000L + 2 * PAGE);
        out[2] = V2Rig.output(explicit, 0x4000_0000L + 3 * PAGE);
        out[3] = V2Rig.output(explicit, 0x8000_0000L + 4 * PAGE);
        out[4] = V2Rig.output(explicit, 0x8000_0000L + 5 * PAGE);
        out[5] = V2Rig.output(allocator, allocatedAddress);
        out[6] = V2Rig.output(allocator, allocatedAddress + 2 * PAGE);
        out[7] = V2Rig.output(allocator, allocatedAddress + 3 * PAGE);
        return out;
    }

    private static long freeBytes(final V2Rig rig, final long domainId)
    {
        return rig.emulator.snapshot().domains().stream().filter(d -> d.id() == domainId).findFirst().orElseThrow()
            .iovaFreeBytes();
    }
}
