/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

import net.openhft.chronicle.map.ChronicleMap;
import org.agrona.collections.Long2ObjectHashMap;

import dev.iommu.api.DeviceObject;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;
import dev.iommu.ptw.ArenaFileException;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.TableArena;
import dev.iommu.ptw.TableReader;
import dev.iommu.ptw.Translation;

/**
 * Translates device addresses in another process than the emulator's, from its persistent directory
 * ({@link EmulatorContext#persistentDirectory}): a device model beside the VMM opens the directory read-only and
 * sees the owner's attaches, detaches, maps and unmaps as a thread of the owner calling
 * {@link IommuEmulator#translate(dev.iommu.api.IommuDmaDevice, long, int)} would.
 * <p>
 * It maps the table arena read-only ({@link TableArena#openReader}) and opens the context table (Chronicle Map,
 * which several processes may open at once; this class only ever reads it). A translation reads the device's record
 * (which domain it is attached to), walks that domain's tables from its root page ({@link TableReader}: no IOTLB,
 * the owner's free generation in the file guards against table pages freed under the walk), then reads the device's
 * record again; it retries when the record changed meanwhile (see {@link #translate(long, long, int)} for why that
 * makes the result safe). Results are encoded as {@link IommuEmulator#translate} encodes them: decode them with
 * {@link DmaTranslation}.
 * <p>
 * What a translation answers, by the device's state: no record (never created, or deleted) or detached: a
 * not-present fault; attached to a Translate or TranslateS1 domain: its tables, as the owner walks them (a bad-address
 * fault beyond the table's width or for an invalid access, a permission fault when the leaf does not grant the
 * access); PassThrough: the identity, read and write; Unmanaged (caller-owned tables, not walked): a not-present
 * fault. Untagged DMA only (PASID sub-devices are not read). Faults are not reported (the owner's fault handlers live
 * in the owner's process).
 * <p>
 * Cost: two lookups of the context table per translation (each takes a segment's read lock in the shared file) and
 * the walk; no allocation once the device and domain are known (a domain's table reader is cached by its id, which
 * is never given twice, and its root never changes while it lives). A device first named by its device object is
 * found by a scan of the context table, as is a device object whose device was deleted, on each call.
 * <p>
 * Not thread-safe: one reader per thread (each maps the files; the operating system shares the pages). Open readers
 * while their owner runs; after the owner's process died and a new owner launched on the directory (which recovers
 * the context table as its only user), open them again. The owner must run the documented profile (the only one a
 * persistent directory accepts), whose DeleteDomain refuses a domain with devices attached: the argument relies on
 * it.
 */
public final class DirectoryReader implements AutoCloseable
{
    private static final long NOT_PRESENT = Translation.fault(Translation.FAULT_NOT_PRESENT);
    private static final long BAD_ADDRESS = Translation.fault(Translation.FAULT_BAD_ADDRESS);
    private static final int GENERATIONS = (int)ContextRecordDescriptor.GENERATION_MASK + 1;
    /** Domain views kept at most (the cache starts over past it: dead domains' views are never read again). */
    private static final int MAX_CACHED_DOMAINS = 4096;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());


    private final Path directory;
    private final Platform platform;
    private final TableArena arena;
    private final ChronicleMap<Long, byte[]> records;
    private final Long2ObjectHashMap<DeviceCursor> devicesById = new Long2ObjectHashMap<>();
    private final Map<PhysicalDeviceObject, DeviceCursor> devicesByObject = new IdentityHashMap<>();
    private final Long2ObjectHashMap<DomainView> domains = new Long2ObjectHashMap<>();
    private long retries;
    private boolean closed;

    private DirectoryReader(final Path directory, final Platform platform, final TableArena arena,
        final ChronicleMap<Long, byte[]> records)
    {
        this.directory = directory;
        this.platform = platform;
        this.arena = arena;
        this.records = records;
    }

    /**
     * Opens an emulator's persistent directory for reading: its table arena mapped read-only and its context table.
     *
     * @param directory the directory an emulator was launched on ({@link EmulatorContext#persistentDirectory}).
     * @param platform  the owner's platform (the same machine: its device objects and limits).
     * @return the reader.
     * @throws PersistenceException when the directory is missing, is not an emulator's, or a file cannot be opened
     *     (a foreign, damaged, newer or truncated arena, a context table Chronicle Map refuses); nothing stays open.
     */
    public static DirectoryReader open(final Path directory, final Platform platform)
    {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(platform, "platform");
        if (!Files.isDirectory(directory))
        {
            throw new PersistenceException(directory + " is not a directory: no emulator's persistent directory");
        }
        final Path tables = directory.resolve(IommuEmulator.TABLES_FILE);
        final Path context = directory.resolve(PersistedContext.CONTEXT_FILE);
        if (!Files.isRegularFile(tables) || !Files.isRegularFile(context))
        {
            throw new PersistenceException(directory + " is not an emulator's persistent directory: it has no " +
                (Files.isRegularFile(tables) ? PersistedContext.CONTEXT_FILE : IommuEmulator.TABLES_FILE));
        }
        PersistedContext.checkHeader(context);
        final TableArena arena;
        try
        {
            arena = TableArena.openReader(tables);
        }
        catch (final ArenaFileException ex)
        {
            throw new PersistenceException(ex.getMessage(), ex);
        }
        try
        {
            // The owner's builder (one definition): the file exists, so this opens it; the reader writes no record.
            final ChronicleMap<Long, byte[]> records = PersistedContext.recordsBuilder(
                PersistentDirectory.contextEntries(platform.limits())).createPersistedTo(context.toFile());
            return new DirectoryReader(directory, platform, arena, records);
        }
        catch (final IOException | RuntimeException ex)
        {
            arena.close();
            throw new PersistenceException("cannot open the context table " + context + ": " + ex, ex);
        }
    }


    /**
     * The stable id of a device object's DMA device ({@link IommuEmulator#stableId}), found by a scan of the context
     * table.
     *
     * @param deviceObject a device object of the platform.
     * @return the id, 0 when the device object has no DMA device (or is not of the platform).
     */
    public long deviceId(final DeviceObject deviceObject)
    {
        checkOpen();
        final DeviceCursor device = platform.owns(deviceObject) ? find((PhysicalDeviceObject)deviceObject) : null;
        return null == device ? 0 : device.id;
    }

    /**
     * What an untagged DMA access of the device object's DMA device reaches, as
     * {@link IommuEmulator#translate(dev.iommu.api.IommuDmaDevice, long, int)} answers in the owner. The device is
     * found by a scan of the context table the first time, and again after it was deleted.
     *
     * @param deviceObject a device object of the platform.
     * @param address      the device address.
     * @param access       the {@link dev.iommu.api.IommuPermissions} the access needs.
     * @return a translation or a fault: decode with {@link DmaTranslation}.
     */
    public long translate(final DeviceObject deviceObject, final long address, final int access)
    {
        checkOpen();
        if (!platform.owns(deviceObject))
        {
            return NOT_PRESENT;
        }
        final PhysicalDeviceObject pdo = (PhysicalDeviceObject)deviceObject;
        DeviceCursor device = devicesByObject.get(pdo);
        if (null == device || device.deleted)
        {
            device = find(pdo);
            if (null == device)
            {
                devicesByObject.remove(pdo);
                return NOT_PRESENT;
            }
            devicesByObject.put(pdo, device);
        }
        return translate(device, address, access);
    }

    /**
     * What an untagged DMA access of a DMA device reaches, by the device's stable id.
     * <p>
     * The protocol: read the device's record (generation g, attached to domain X), walk X's tables, read the
     * record again; the result stands only when generation g is still there and still names X, else it starts over.
     * Why a walk then read nothing of a table page X no longer had: the owner writes a device's record before it
     * decrements its domain's count of attached devices (AttachDeviceEx, DetachDeviceEx, V1 DetachDevice), and a
     * record change writes the next generation, then removes g, before the call returns. So from the moment
     * generation g naming X was written until it is removed, X has the device counted, and the documented
     * DeleteDomain refuses X: X's tables are not destroyed, its root page is not given to another domain. The second
     * read finds g after the walk's loads (an acquire fence orders them; Chronicle Map takes the segment's lock in
     * the shared file), so g was not removed before the walk ended: X was alive during the whole walk, and the walk
     * (whose own free-generation check covers the table pages X's unmaps free) returned what X's tables held at one
     * moment of it, while the device was attached to X. A generation number comes back after 256 changes; the
     * domain id checked with it keeps a wrapped-around g from being taken for the one read first unless it names X
     * again, and a record that names X after the walk means X is alive (an id is never given twice, a deleted domain
     * is never attached again), so its tables were not freed either.
     *
     * @param deviceId the device's stable id ({@link IommuEmulator#stableId}, or {@link #deviceId}).
     * @param address  the device address.
     * @param access   the {@link dev.iommu.api.IommuPermissions} the access needs.
     * @return a translation or a fault: decode with {@link DmaTranslation}.
     */
    public long translate(final long deviceId, final long address, final int access)
    {
        checkOpen();
        DeviceCursor device = devicesById.get(deviceId);
        if (null == device)
        {
            if (deviceId <= 0 || (deviceId & ~ContextRecordDescriptor.ID_MASK) != 0)
            {
                return NOT_PRESENT;
            }
            device = new DeviceCursor(deviceId);
            if (!device.first(records))
            {
                // Not kept: an id not found may be one the owner has not given yet.
                return NOT_PRESENT;
            }
            devicesById.put(deviceId, device);
        }
        return translate(device, address, access);
    }

    private long translate(final DeviceCursor device, final long address, final int access)
    {
        while (true)
        {
            if (!device.current(records))
            {
                return NOT_PRESENT;
            }
            final Long key = device.key;
            final long domainId = device.domainId();
            if (0 == domainId)
            {
                return NOT_PRESENT;
            }
            final DomainView domain = domain(domainId);
            final long result = null == domain ? NOT_PRESENT : domain.translate(address, access);
            // The walk's loads before the second read of the record (see translate(long, long, int)): if the record
            // generation read first is still there and names the same domain, that domain was alive, and the device
            // attached to it, during the whole walk; else the device changed under the walk: start over.
            VarHandle.acquireFence();
            if (device.still(records, key, domainId))
            {
                return result;
            }
            retries++;
        }
    }

    /**
     * Translations that started over because the device's record changed during the walk (a diagnostic).
     *
     * @return the count.
     */
    long retries()
    {
        return retries;
    }

    private DomainView domain(final long domainId)
    {
        final DomainView cached = domains.get(domainId);
        if (null != cached)
        {
            return cached;
        }
        final long base = ContextRecordDescriptor.key(ContextRecordDescriptor.DOMAIN, domainId);
        final int generation = newestGeneration(records, base);
        if (generation < 0)
        {
            // Deleted (then the device's record changed: the caller starts over) or never written.
            return null;
        }
        final byte[] value = records.get(base | generation);
        if (null == value)
        {
            return null;
        }
        final ContextRecordCodec.DomainRecord record = ContextRecordCodec.domain(domainId, value);
        TableReader tables = null;
        if (null != record.shape() && record.type() != IommuDmaDomainType.PASS_THROUGH)
        {
            try
            {
                tables = TableReader.attach(arena, DomainFactory.readerConfig(record.shape().addressWidth()),
                    record.rootPage());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new PersistenceException("the record of domain#" + domainId + " in " + directory +
                    " names root page " + record.rootPage() + ": " + ex.getMessage(), ex);
            }
        }
        final DomainView view = new DomainView(null == record.shape() ? null : record.type(), tables);
        if (domains.size() >= MAX_CACHED_DOMAINS)
        {
            domains.clear();
        }
        domains.put(domainId, view);
        return view;
    }

    /**
     * The generation of an object's record that is there, the newer of two (a change between its put and its
     * remove), -1 when there is none: the first found from 0 (a record that never changed is generation 0, one
     * lookup), then its successors while they are there ({@link ContextRecordDescriptor#newer}: the next one,
     * mod 256).
     */
    private static int newestGeneration(final ChronicleMap<Long, byte[]> records, final long base)
    {
        for (int generation = 0; generation < GENERATIONS; generation++)
        {
            if (records.containsKey(base | generation))
            {
                int newest = generation;
                for (int step = 1; step < GENERATIONS && records.containsKey(base | ((newest + 1) & (GENERATIONS - 1)));
                    step++)
                {
                    newest = (newest + 1) & (GENERATIONS - 1);
                }
                return newest;
            }
        }
        return -1;
    }

    /**
     * Scans the context table for the device record of a device object (by its name); the newest device when a
     * deleted one's record is still being removed.
     */
    private DeviceCursor find(final PhysicalDeviceObject pdo)
    {
        final byte[] name = pdo.name().getBytes(StandardCharsets.UTF_8);
        final long[] newest = {0};
        records.forEach((final Long key, final byte[] value) ->
        {
            if (ContextRecordDescriptor.kindOf(key) == ContextRecordDescriptor.DEVICE && named(value, name))
            {
                newest[0] = Math.max(newest[0], ContextRecordDescriptor.idOf(key));
            }
        });
        if (0 == newest[0])
        {
            return null;
        }
        DeviceCursor device = devicesById.get(newest[0]);
        if (null == device)
        {
            device = new DeviceCursor(newest[0]);
            if (!device.first(records))
            {
                return null;
            }
            devicesById.put(newest[0], device);
        }
        return device.deleted ? null : device;
    }

    private static boolean named(final byte[] value, final byte[] name)
    {
        if (value.length != ContextRecordDescriptor.DEVICE_NAME_OFFSET + name.length)
        {
            return false;
        }
        for (int i = 0; i < name.length; i++)
        {
            if (value[ContextRecordDescriptor.DEVICE_NAME_OFFSET + i] != name[i])
            {
                return false;
            }
        }
        return true;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("the reader of " + directory + " is closed");
        }
    }

    /**
     * Unmaps the arena and closes the context table (the files are the owner's and stay).
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            records.close();
            arena.close();
        }
    }

    /**
     * One DMA device as this reader last read it: the generation of its record, the record's bytes.
     */
    private static final class DeviceCursor
    {
        private final long id;
        private final long base;
        /** The generation last read, -1 before the first. */
        private int generation = -1;
        /** {@code base | generation}, boxed once per generation (a lookup then boxes nothing). */
        private Long key;
        /** The record last read (Chronicle Map reads into it when the length is the same). */
        private byte[] record = new byte[ContextRecordDescriptor.DEVICE_NAME_OFFSET];
        /** The record was there and is gone: the device was deleted (ids are never given again). */
        private boolean deleted;

        DeviceCursor(final long id)
        {
            this.id = id;
            this.base = ContextRecordDescriptor.key(ContextRecordDescriptor.DEVICE, id);
        }

        /**
         * Finds the record the first time (any generation).
         */
        boolean first(final ChronicleMap<Long, byte[]> records)
        {
            final int found = newestGeneration(records, base);
            if (found < 0)
            {
                return false;
            }
            generation = found;
            key = base | found;
            return current(records);
        }

        /**
         * Reads the current record: the generation last read, else the following ones (a change writes the next
         * generation before it removes the previous one, so the current one is ahead); two passes round all the
         * generations without one mean the device was deleted.
         */
        boolean current(final ChronicleMap<Long, byte[]> records)
        {
            if (deleted)
            {
                return false;
            }
            final byte[] again = records.getUsing(key, record);
            if (null != again)
            {
                return accept(again);
            }
            for (int step = 1; step < 2 * GENERATIONS; step++)
            {
                final int next = (generation + step) & (GENERATIONS - 1);
                final Long nextKey = base | next;
                final byte[] value = records.getUsing(nextKey, record);
                if (null != value)
                {
                    generation = next;
                    key = nextKey;
                    return accept(value);
                }
            }
            deleted = true;
            return false;
        }

        /**
         * Whether the record read under {@code read} is still there and still names {@code domainId}.
         */
        boolean still(final ChronicleMap<Long, byte[]> records, final Long read, final long domainId)
        {
            final byte[] again = records.getUsing(read, record);
            return null != again && accept(again) && domainId() == domainId;
        }

        private boolean accept(final byte[] value)
        {
            if (value.length < ContextRecordDescriptor.DEVICE_NAME_OFFSET ||
                (int)INTS.get(value, ContextRecordDescriptor.VERSION_OFFSET) != ContextRecordDescriptor.RECORD_VERSION)
            {
                throw new PersistenceException("the record of device#" + id + " is damaged or of another layout");
            }
            record = value;
            return true;
        }

        long domainId()
        {
            return (long)LONGS.get(record, ContextRecordDescriptor.DEVICE_DOMAIN_OFFSET);
        }
    }

    /**
     * A domain as a device's translation needs it: its type (null: no tables, an Unmanaged domain) and, for a
     * Translate or TranslateS1 domain, a reader of its tables.
     */
    private static final class DomainView
    {
        private final IommuDmaDomainType type;
        private final TableReader tables;

        DomainView(final IommuDmaDomainType type, final TableReader tables)
        {
            this.type = type;
            this.tables = tables;
        }

        long translate(final long address, final int access)
        {
            if (null != tables)
            {
                return tables.translate(address, access);
            }
            if (type == IommuDmaDomainType.PASS_THROUGH)
            {
                // As the owner's DeviceDma: the identity, read and write.
                return address < 0 || !PtwPermissions.isValid(access) ? BAD_ADDRESS :
                    Translation.of(address, PtwPermissions.READ_WRITE);
            }
            return NOT_PRESENT;
        }
    }
}
