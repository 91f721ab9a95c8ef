/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * The persisted context table of an emulator with a persistent directory, in two Chronicle Maps: {@code context.cmap}
 * (domains, devices, tokens and PASID sub-devices, layouts in {@link ContextRecordDescriptor}) and
 * {@code segments.cmap} (the mapped segments of tokens). Each change is written with one {@code put} or {@code remove}
 * before the member that made it returns; Chronicle Map writes into its memory-mapped file, so a record written is in
 * the file when the process is killed (a machine crash is out of scope). The maps are opened with
 * {@code recoverPersistedTo} after an unclean shutdown (a writer killed inside a segment lock leaves it
 * held; recovery releases it).
 * <p>
 * Only the emulator's owner process writes (the table arena's file lock makes it the only one).
 */
final class PersistedContext implements ContextRecords, AutoCloseable
{
    /** The context table's file in the persistent directory. */
    static final String CONTEXT_FILE = "context.cmap";
    /** The token segments' file in the persistent directory. */
    static final String SEGMENTS_FILE = "segments.cmap";

    private static final int AVERAGE_RECORD_BYTES = 64;

    private final ChronicleMap<Long, byte[]> records;
    private final ChronicleMap<Long, Long> segments;
    /** Each object's current record generation, by base key (writes of one object are serialised by its caller). */
    private final Map<Long, Integer> generations = new ConcurrentHashMap<>();

    /** What the header of the context table's file says (Chronicle Map's self-describing header, in text). */
    static final String[] CONTEXT_HEADER = {"net.openhft.chronicle.map.VanillaChronicleMap",
        "keyClass: !type long", "valueClass: !type byte[]"};
    static final int CONTEXT_HEADER_BYTES = 4096;

    private PersistedContext(final ChronicleMap<Long, byte[]> records, final ChronicleMap<Long, Long> segments)
    {
        this.records = records;
        this.segments = segments;
    }

    /**
     * Opens (or creates) the two maps in a directory.
     *
     * @param directory the persistent directory.
     * @param entries   how many records to size the maps for (they grow past it up to 16 times).
     * @param recover   the previous owner did not close them (run Chronicle Map's recovery).
     * @return the context.
     * @throws PersistenceException when a file cannot be opened.
     */
    static PersistedContext open(final Path directory, final long entries, final boolean recover)
    {
        ChronicleMap<Long, byte[]> records = null;
        try
        {
            if (Files.exists(directory.resolve(CONTEXT_FILE)))
            {
                checkHeader(directory.resolve(CONTEXT_FILE));
            }
            records = openMap(recordsBuilder(entries), directory.resolve(CONTEXT_FILE).toFile(), recover);
            final ChronicleMap<Long, Long> segments = openMap(ChronicleMap.of(Long.class, Long.class)
                .name("iommu-token-segments").entries(entries).maxBloatFactor(16),
                directory.resolve(SEGMENTS_FILE).toFile(), recover);
            return new PersistedContext(records, segments);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null != records)
            {
                records.close();
            }
            throw new PersistenceException("cannot open the context table in " + directory + ": " + ex.getMessage(),
                ex);
        }
    }

    /**
     * The one definition of the context table's map ({@code context.cmap}): its owner ({@link #open}) and every
     * reader ({@link DirectoryReader}) build it here, so they cannot disagree on its classes, name or sizes.
     *
     * @param entries how many records to size the map for ({@link PersistentDirectory#contextEntries}).
     * @return the builder.
     */
    static ChronicleMapBuilder<Long, byte[]> recordsBuilder(final long entries)
    {
        return ChronicleMap.of(Long.class, byte[].class).name("iommu-context")
            .averageValueSize(AVERAGE_RECORD_BYTES).entries(entries).maxBloatFactor(16);
    }

    /**
     * Refuses a file that does not start with the header Chronicle Map writes for the context table's map (Chronicle
     * Map itself waits, about a minute, for another process to finish writing a header it does not find): the owner
     * and the reader check it before they open the map.
     *
     * @param context the context table's file.
     * @throws PersistenceException when it is not one.
     */
    static void checkHeader(final Path context)
    {
        final byte[] head = new byte[CONTEXT_HEADER_BYTES];
        int length = 0;
        try (java.io.InputStream in = Files.newInputStream(context))
        {
            for (int read = 0; read >= 0 && length < head.length; length += read)
            {
                read = in.read(head, length, head.length - length);
                if (read < 0)
                {
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new PersistenceException("cannot read the context table " + context + ": " + ex, ex);
        }
        final String text = new String(head, 0, length, StandardCharsets.ISO_8859_1);
        for (final String expected : CONTEXT_HEADER)
        {
            if (!text.contains(expected))
            {
                throw new PersistenceException(context + " is not a context table: no Chronicle Map header of " +
                    "long keys and byte[] records in its first " + CONTEXT_HEADER_BYTES + " bytes");
            }
        }
    }

    private static <K, V> ChronicleMap<K, V> openMap(
        final ChronicleMapBuilder<K, V> builder, final File file, final boolean recover)
        throws IOException
    {
        return recover && file.exists() ? builder.recoverPersistedTo(file, true) :
            builder.createPersistedTo(file);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Reading back (a reopening emulator, before any call)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Every record of one kind, by base key (the newest generation of each; an older one a kill left beside it is
     * removed), and learns each record's generation for later writes.
     *
     * @param kind a key kind of {@link ContextRecordDescriptor}.
     * @return the records, in no particular order.
     */
    List<Map.Entry<Long, byte[]>> recordsOf(final long kind)
    {
        final Map<Long, Long> newest = new HashMap<>();
        final Map<Long, byte[]> values = new HashMap<>();
        final List<Long> stale = new ArrayList<>();
        records.forEach((final Long key, final byte[] value) ->
        {
            if (ContextRecordDescriptor.kindOf(key) != kind)
            {
                return;
            }
            final long base = ContextRecordDescriptor.baseOf(key);
            final Long other = newest.get(base);
            if (null == other || ContextRecordDescriptor.newer(ContextRecordDescriptor.generationOf(key),
                ContextRecordDescriptor.generationOf(other)))
            {
                if (null != other)
                {
                    stale.add(other);
                }
                newest.put(base, key);
                // A copy: the iteration may hand the same array to every call.
                values.put(base, value.clone());
            }
            else
            {
                stale.add(key);
            }
        });
        for (final long key : stale)
        {
            records.remove(key);
        }
        final List<Map.Entry<Long, byte[]>> out = new ArrayList<>();
        for (final Map.Entry<Long, Long> entry : newest.entrySet())
        {
            generations.put(entry.getKey(), ContextRecordDescriptor.generationOf(entry.getValue()));
            out.add(Map.entry(entry.getKey(), values.get(entry.getKey())));
        }
        return out;
    }

    /**
     * Every token segment: key and value as {@link ContextRecordDescriptor} lays them out.
     *
     * @return the segments, in no particular order.
     */
    List<Map.Entry<Long, Long>> segments()
    {
        final List<Map.Entry<Long, Long>> out = new ArrayList<>();
        segments.forEach((final Long key, final Long length) -> out.add(Map.entry(key, length)));
        return out;
    }

    /**
     * Drops a record recovery found dangling (a token of a domain that is gone, a PASID sub-device of a device that
     * is gone).
     *
     * @param base the record's base key.
     */
    void dropRecord(final long base)
    {
        delete(base);
    }

    /**
     * Drops a token segment recovery found dangling or undid.
     *
     * @param key the segment's key.
     */
    void dropSegment(final long key)
    {
        segments.remove(key);
    }

    /**
     * The end of the last id lease written for a kind of object.
     *
     * @param kind the key kind.
     * @return the lease's end, 0 when none was written.
     */
    long idsLeased(final long kind)
    {
        final long base = ContextRecordDescriptor.key(ContextRecordDescriptor.ID_LEASE, kind);
        for (final Map.Entry<Long, byte[]> entry : recordsOf(ContextRecordDescriptor.ID_LEASE))
        {
            if (entry.getKey() == base)
            {
                final byte[] value = entry.getValue();
                if (value.length != 16 || ByteBuffer.wrap(value).order(ByteOrder.nativeOrder())
                    .getInt(ContextRecordDescriptor.VERSION_OFFSET) != ContextRecordDescriptor.RECORD_VERSION)
                {
                    throw new PersistenceException("the id lease record of kind " + kind + " is damaged");
                }
                return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong(8);
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Writing (the members' hooks)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Writes an object's record as its next generation, then removes the previous one (never an overwrite: see
     * {@link ContextRecordDescriptor}). Callers serialise the writes of one object (its monitor).
     */
    private void write(final long base, final byte[] value)
    {
        final Integer previous = generations.get(base);
        final int next = null == previous ? 0 : (previous + 1) & (int)ContextRecordDescriptor.GENERATION_MASK;
        records.put(base | next, value);
        generations.put(base, next);
        if (null != previous)
        {
            records.remove(base | previous);
        }
    }

    private void delete(final long base)
    {
        final Integer previous = generations.remove(base);
        if (null != previous)
        {
            records.remove(base | previous);
        }
    }

    @Override
    public boolean domainCreated(final Domain domain, final DomainShape shape)
    {
        try
        {
            write(ContextRecordDescriptor.key(ContextRecordDescriptor.DOMAIN, domain.id()),
                ContextRecordCodec.domain(domain, shape));
            return true;
        }
        catch (final IllegalStateException ex)
        {
            // The map is full past its bloat factor: the creation is refused.
            return false;
        }
    }

    @Override
    public void domainConfigured(final UnmanagedDomain domain)
    {
        write(ContextRecordDescriptor.key(ContextRecordDescriptor.DOMAIN, domain.id()),
            ContextRecordCodec.domain(domain, null));
    }

    @Override
    public void domainDeleted(final Domain domain)
    {
        delete(ContextRecordDescriptor.key(ContextRecordDescriptor.DOMAIN, domain.id()));
    }

    @Override
    public void deviceChanged(final DmaDevice device)
    {
        write(ContextRecordDescriptor.key(ContextRecordDescriptor.DEVICE, device.id()),
            ContextRecordCodec.device(device));
    }

    @Override
    public void deviceDeleted(final DmaDevice device)
    {
        delete(ContextRecordDescriptor.key(ContextRecordDescriptor.DEVICE, device.id()));
    }

    @Override
    public void tokenReserved(final LogicalAddressToken token)
    {
        write(ContextRecordDescriptor.key(ContextRecordDescriptor.TOKEN, token.id()), ContextRecordCodec.token(token));
    }

    @Override
    public void tokenFreed(final LogicalAddressToken token)
    {
        // Segments first: a crash between the two leaves a token without segments, never segments without a token.
        token.segments().forEachLong((final long offset, final long length) ->
            segments.remove(ContextRecordDescriptor.segmentKey(token.id(), offset)));
        delete(ContextRecordDescriptor.key(ContextRecordDescriptor.TOKEN, token.id()));
    }

    @Override
    public void segmentMapped(final LogicalAddressToken token, final long offset, final long length)
    {
        // A new key each time (a segment's key is removed when it is unmapped): never an overwrite.
        segments.put(ContextRecordDescriptor.segmentKey(token.id(), offset),
            ContextRecordDescriptor.segmentValue(offset, length));
    }

    @Override
    public void segmentUnmapped(final LogicalAddressToken token, final long offset)
    {
        segments.remove(ContextRecordDescriptor.segmentKey(token.id(), offset));
    }

    @Override
    public void idsLeased(final long kind, final long end)
    {
        final byte[] value = new byte[16];
        ByteBuffer.wrap(value).order(ByteOrder.nativeOrder())
            .putInt(ContextRecordDescriptor.VERSION_OFFSET, ContextRecordDescriptor.RECORD_VERSION).putLong(8, end);
        write(ContextRecordDescriptor.key(ContextRecordDescriptor.ID_LEASE, kind), value);
    }

    @Override
    public void pasidChanged(final PasidDevice device)
    {
        write(ContextRecordDescriptor.pasidKey(device.parent().id(), device.pasid()), ContextRecordCodec.pasid(device));
    }

    @Override
    public void pasidDeleted(final PasidDevice device)
    {
        delete(ContextRecordDescriptor.pasidKey(device.parent().id(), device.pasid()));
    }

    /**
     * Closes both maps (their files stay).
     */
    @Override
    public void close()
    {
        segments.close();
        records.close();
    }
}
