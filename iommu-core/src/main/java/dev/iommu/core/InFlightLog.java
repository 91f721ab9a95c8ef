/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.agrona.IoUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import dev.iommu.ptw.OwnerFileLock;

import static dev.iommu.core.InFlightLogDescriptor.ADDRESS_OFFSET;
import static dev.iommu.core.InFlightLogDescriptor.CHECKSUM_OFFSET;
import static dev.iommu.core.InFlightLogDescriptor.COMMITTED;
import static dev.iommu.core.InFlightLogDescriptor.DOMAIN_OFFSET;
import static dev.iommu.core.InFlightLogDescriptor.FREE;
import static dev.iommu.core.InFlightLogDescriptor.HEADER_BYTES;
import static dev.iommu.core.InFlightLogDescriptor.IN_FLIGHT;
import static dev.iommu.core.InFlightLogDescriptor.KIND_OFFSET;
import static dev.iommu.core.InFlightLogDescriptor.LAYOUT_VERSION;
import static dev.iommu.core.InFlightLogDescriptor.MAGIC;
import static dev.iommu.core.InFlightLogDescriptor.MAGIC_OFFSET;
import static dev.iommu.core.InFlightLogDescriptor.MAX_SLOTS;
import static dev.iommu.core.InFlightLogDescriptor.PAGES_OFFSET;
import static dev.iommu.core.InFlightLogDescriptor.RECORD_SEQUENCE_OFFSET;
import static dev.iommu.core.InFlightLogDescriptor.SLOT_BYTES;
import static dev.iommu.core.InFlightLogDescriptor.SLOT_COUNT_OFFSET;
import static dev.iommu.core.InFlightLogDescriptor.SLOT_SIZE_OFFSET;
import static dev.iommu.core.InFlightLogDescriptor.STATE_OFFSET;
import static dev.iommu.core.InFlightLogDescriptor.VERSION_OFFSET;

/**
 * The intent log of map and unmap calls: which calls were in flight when the process died, so that recovery can make
 * each of them wholly applied or wholly absent (undo a map, complete an unmap). A memory-mapped file
 * ({@value #FILE_NAME} in a directory; layout {@link InFlightLogDescriptor}) of a fixed number of slots, one cache
 * line each; each thread that maps or unmaps claims a slot for its life ({@link #slot()}) and records each call in it:
 * <pre>
 *  final InFlightLog.Slot slot = log.slot();
 *  slot.begin(InFlightLog.MAP, domainId, address, pages);  // before the call's first table write
 *  ...                                                     // the table writes
 *  slot.commit();                                          // optional: every durable effect done
 *  slot.end();                                             // when the call returns, in a finally
 * </pre>
 * begin, commit and end are a few plain stores and one release store into the thread's own cache line: no lock, no
 * allocation, no shared line. {@link #slot()} is a {@link ThreadLocal} lookup (and, once per thread, a claim).
 * <p>
 * <b>Claims.</b> Which thread holds which slot is known to this process only (the file does not say): a slot is free
 * to claim when no live thread holds it (its holder has terminated, or was collected) and its state is FREE. A
 * thread that terminates between calls therefore gives its slot back without doing anything, so any number of
 * short-lived threads can come and go as long as at most {@link #slotCount()} of them are alive at once; the claim
 * scans the slots (a CAS on the chosen one), once per thread. A thread that died between begin and end (an error
 * in the middle of a call) leaves its slot in flight: it is never claimed again in this process, and the next
 * owner's recovery finds the record. More live threads than slots: {@link #slot()} throws.
 * <p>
 * <b>Ordering, and why it suffices for a process kill.</b> Every state-word store is a release store (every earlier
 * store of the thread, the record's fields and the call's table writes included, is ordered before it) followed by a
 * store-store fence (it is ordered before every later store of the thread: the call's table writes, plain ones
 * included, and the next record's fields). So begin's record fields precede its IN_FLIGHT word, which precedes the
 * call's first table write; the call's last table write precedes end's FREE word (and commit's COMMITTED word);
 * and the next record's fields cannot overwrite this one before the FREE word is out. On x64 both are free of
 * instructions (stores are not reordered with stores); on arm64 they are {@code stlr} and {@code dmb ishst}. A
 * SIGKILL ends the process, not its memory: every store the thread executed is in the store buffer or the cache
 * and reaches the shared page-cache page of the mapping in the order that the memory model gives any other
 * observer (a kill does not discard the store buffer), and the next owner maps the same pages. So it sees a prefix
 * of each thread's stores, in this order: a slot it finds IN_FLIGHT or COMMITTED holds a whole record, and a slot
 * it finds FREE belongs to a call that never wrote a table entry or whose every table write is visible. The record
 * sequence, written with the fields, checks this on every recovery: a record whose sequence is not its state
 * word's is refused as torn. A machine crash or power loss is out of scope: the page cache writes dirty pages back
 * in any order and at any time, so neither this file nor the tables would be ordered without msync and fsync.
 * <p>
 * <b>Recovery.</b> {@link #open} takes the file's exclusive lock (one owner at a time; the operating system releases
 * it when the owner dies), checks the header and every slot, and lists the calls left in flight
 * ({@link #inFlight()}); their slots are not claimed until the caller has repaired each call and {@link #clear}ed
 * its record. Repairs are idempotent (an undone map and a completed unmap are both "clear the range"), so a crash
 * during recovery leaves the records not yet cleared for the next recovery. {@link #create} makes a new log, every
 * slot FREE.
 * <p>
 * A {@link Slot} must not be used after {@link #close()} (its memory is unmapped): close the log only when no call
 * is between begin and end and none will start.
 */
final class InFlightLog implements AutoCloseable
{
    /** The log's file in its directory. */
    static final String FILE_NAME = "inflight.log";
    /** Slots of a log when not asked otherwise. */
    static final int DEFAULT_SLOTS = 1024;
    /** Kind: a map call (recovery undoes it unless committed). */
    static final int MAP = 1;
    /** Kind: an unmap call (recovery completes it). */
    static final int UNMAP = 2;
    /** Kind: a FreeReservedLogicalAddressRange call (recovery completes it: its range cleared, its token dropped). */
    static final int FREE_TOKEN = 3;

    private final Path file;
    private final FileChannel channel;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final int slotCount;
    /** The thread holding each slot in this process (null, or cleared: none). */
    private final AtomicReferenceArray<WeakReference<Thread>> owners;
    /** Where the next claim starts looking. */
    private final AtomicInteger claimHint = new AtomicInteger();
    private final ThreadLocal<Slot> threadSlot = ThreadLocal.withInitial(this::claim);
    /** The records found in flight at open and not cleared yet; guarded by this. */
    private final List<InFlightRecord> inFlight;
    private volatile boolean closed;

    private InFlightLog(final Path file, final FileChannel channel, final MappedByteBuffer mapped, final int slotCount,
        final List<InFlightRecord> inFlight)
    {
        this.file = file;
        this.channel = channel;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.slotCount = slotCount;
        this.owners = new AtomicReferenceArray<>(slotCount);
        this.inFlight = new ArrayList<>(inFlight);
    }

    /**
     * A new log of {@code slots} slots in {@code dir} (created when missing), every slot FREE, replacing the file
     * there unless another owner holds it.
     *
     * @throws InFlightLogException when another owner holds the file (it is left as it was).
     */
    static InFlightLog create(final Path dir, final int slots)
    {
        checkSlots(slots);
        final Path file = dir.resolve(FILE_NAME);
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create in-flight log " + file, ex);
        }
        final FileChannel channel = lockOwner(file);
        try
        {
            final long length = InFlightLogDescriptor.fileBytes(slots);
            channel.truncate(0);
            IoUtil.fill(channel, 0, length, (byte)0);
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            // The header last: a file cut short by a kill during creation is refused as "not a log", never misread.
            InFlightLogDescriptor.writeNewHeader(new UnsafeBuffer(mapped, 0, HEADER_BYTES), slots);
            return new InFlightLog(file, channel, mapped, slots, List.of());
        }
        catch (final IOException ex)
        {
            OwnerFileLock.closeQuietly(channel);
            throw new UncheckedIOException("cannot create in-flight log " + file, ex);
        }
        catch (final RuntimeException ex)
        {
            OwnerFileLock.closeQuietly(channel);
            throw ex;
        }
    }

    /**
     * {@link #open(Path, int)} with {@link #DEFAULT_SLOTS} slots.
     */
    static InFlightLog open(final Path dir)
    {
        return open(dir, DEFAULT_SLOTS);
    }

    /**
     * The log in {@code dir}, for its owner: the existing file after checking its header (in this order: long
     * enough for a header, the magic, the layout version, the header checksum, the slot size, the slot count asked
     * for, the file's length) and every slot (a slot in flight holds a whole record of a kind); or, when there is no
     * file, a new one ({@link #create}). The records found in flight are {@link #inFlight()}.
     *
     * @param slots the slot count the log has, or is created with (1 to {@value InFlightLogDescriptor#MAX_SLOTS}).
     * @throws InFlightLogException when the file is not a usable log of {@code slots} slots, or another owner holds
     *     it; the file is left as it was.
     */
    static InFlightLog open(final Path dir, final int slots)
    {
        checkSlots(slots);
        final Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file))
        {
            return create(dir, slots);
        }
        final FileChannel channel = lockOwner(file);
        MappedByteBuffer mapped = null;
        try
        {
            check(file, channel, slots);
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, InFlightLogDescriptor.fileBytes(slots));
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            final List<InFlightRecord> found = new ArrayList<>();
            for (int slot = 0; slot < slots; slot++)
            {
                final InFlightRecord record = read(file, buffer, slot);
                if (null != record)
                {
                    found.add(record);
                }
            }
            return new InFlightLog(file, channel, mapped, slots, found);
        }
        catch (final IOException ex)
        {
            unmapQuietly(mapped);
            OwnerFileLock.closeQuietly(channel);
            throw new UncheckedIOException("cannot open in-flight log " + file, ex);
        }
        catch (final RuntimeException ex)
        {
            unmapQuietly(mapped);
            OwnerFileLock.closeQuietly(channel);
            throw ex;
        }
    }

    /**
     * @return the log's file.
     */
    Path file()
    {
        return file;
    }

    /**
     * @return the slots of the log: the most threads that can hold one at once.
     */
    int slotCount()
    {
        return slotCount;
    }

    /**
     * The calling thread's slot, claimed at its first call: a slot no live thread holds, whose last call ended.
     *
     * @throws IllegalStateException when every slot is held by a live thread or left in flight, or the log is
     *     closed.
     */
    Slot slot()
    {
        if (closed)
        {
            throw new IllegalStateException(file + " is closed");
        }
        return threadSlot.get();
    }

    /**
     * @return the calls the previous owner left in flight (found by {@link #open}) and not yet {@link #clear}ed;
     *     empty for a new log.
     */
    synchronized List<InFlightRecord> inFlight()
    {
        return List.copyOf(inFlight);
    }

    /**
     * Marks a record of {@link #inFlight()} repaired: its slot goes back to FREE (same sequence) and may be claimed.
     *
     * @throws IllegalArgumentException when {@code record} is not one of {@link #inFlight()}.
     */
    synchronized void clear(final InFlightRecord record)
    {
        if (!inFlight.remove(record))
        {
            throw new IllegalArgumentException("not a record left in flight in " + file + ": " + record);
        }
        buffer.putLongVolatile(InFlightLogDescriptor.slotOffset(record.slot()) + STATE_OFFSET,
            InFlightLogDescriptor.stateWord(record.sequence(), FREE));
    }

    /**
     * The record in slot {@code slot} now, or null when it is FREE: for recovery and for tests (a slot another
     * thread of this process is writing may be read half written).
     *
     * @throws InFlightLogException when the slot holds no whole record of a kind.
     */
    InFlightRecord read(final int slot)
    {
        return read(file, buffer, slot);
    }

    /**
     * Unmaps the log and gives up its ownership. The slots keep their states: a call still in flight is found by
     * the next {@link #open}.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        IoUtil.unmap(mapped);
        OwnerFileLock.closeQuietly(channel);
    }

    private Slot claim()
    {
        if (closed)
        {
            throw new IllegalStateException(file + " is closed");
        }
        final WeakReference<Thread> mine = new WeakReference<>(Thread.currentThread());
        final int start = claimHint.get();
        for (int i = 0; i < slotCount; i++)
        {
            final int slot = (start + i) % slotCount;
            final WeakReference<Thread> owner = owners.get(slot);
            final int stateOffset = InFlightLogDescriptor.slotOffset(slot) + STATE_OFFSET;
            // The holder's last state store happens before its termination, which happens before isAlive() says so.
            if (!held(owner) && InFlightLogDescriptor.state(buffer.getLongVolatile(stateOffset)) == FREE &&
                owners.compareAndSet(slot, owner, mine))
            {
                claimHint.set((slot + 1) % slotCount);
                return new Slot(this, slot, buffer.addressOffset() + stateOffset,
                    InFlightLogDescriptor.sequence(buffer.getLongVolatile(stateOffset)));
            }
        }
        throw new IllegalStateException(file + ": no slot to claim: all " + slotCount +
            " are held by live threads or left in flight");
    }

    private static boolean held(final WeakReference<Thread> owner)
    {
        if (null == owner)
        {
            return false;
        }
        final Thread thread = owner.get();
        return null != thread && thread.isAlive();
    }

    /**
     * A thread's slot. Its methods are for that thread alone, in the order begin, then commit (optional), then end.
     */
    static final class Slot
    {
        /** Keeps the mapping reachable while a thread holds the slot. */
        private final InFlightLog log;
        private final int index;
        /** The address of the slot's state word; the fields are at their offsets from it. */
        private final long address;
        /** The sequence of the slot's last record. */
        private long sequence;
        /** Blocks the call in flight freed, to give back when it ends: address, pages, address, pages, ... */
        private long[] deferred = new long[8];
        private int deferredFrees;

        private Slot(final InFlightLog log, final int index, final long address, final long sequence)
        {
            this.log = log;
            this.index = index;
            this.address = address;
            this.sequence = sequence;
        }

        /**
         * Records a call as in flight: call it before the call's first table write.
         *
         * @param kind     {@link InFlightLog#MAP}, {@link InFlightLog#UNMAP}, or a later kind's code (positive).
         * @param domainId the domain the call is made on.
         * @param address  the first address of its range.
         * @param pages    the pages of its range.
         */
        void begin(final int kind, final long domainId, final long address, final long pages)
        {
            assert kind > 0 : "kind " + kind;
            final long next = sequence + 1;
            sequence = next;
            // Plain stores: the fields of a FREE slot mean nothing until the state word below names them. The
            // previous state store (end's) is ordered before these by its store-store fence.
            UnsafeApi.putInt(null, this.address + KIND_OFFSET, kind);
            UnsafeApi.putLong(null, this.address + DOMAIN_OFFSET, domainId);
            UnsafeApi.putLong(null, this.address + ADDRESS_OFFSET, address);
            UnsafeApi.putLong(null, this.address + PAGES_OFFSET, pages);
            UnsafeApi.putLong(null, this.address + RECORD_SEQUENCE_OFFSET, next);
            storeState(next, IN_FLIGHT);
        }

        /**
         * Records that the call in flight has done every durable effect: it is wholly applied, and recovery keeps it.
         */
        void commit()
        {
            storeState(sequence, COMMITTED);
        }

        /**
         * Records that the call in flight returned: call it when the call returns, however it ends.
         */
        void end()
        {
            storeState(sequence, FREE);
        }

        /**
         * Keeps a block the call in flight freed, for the caller to give back once the call has ended (heap memory of
         * this thread's slot object; grows rarely, allocates nothing in steady state).
         *
         * @param address the block's address.
         * @param pages   its pages.
         */
        void deferFree(final long address, final long pages)
        {
            if (2 * deferredFrees + 2 > deferred.length)
            {
                deferred = java.util.Arrays.copyOf(deferred, 2 * deferred.length);
            }
            deferred[2 * deferredFrees] = address;
            deferred[2 * deferredFrees + 1] = pages;
            deferredFrees++;
        }

        int deferredFrees()
        {
            return deferredFrees;
        }

        long deferredAddress(final int i)
        {
            return deferred[2 * i];
        }

        long deferredPages(final int i)
        {
            return deferred[2 * i + 1];
        }

        void clearDeferredFrees()
        {
            deferredFrees = 0;
        }

        /**
         * @return the slot's index in the log.
         */
        int index()
        {
            return index;
        }

        /**
         * The one state store: release (every earlier store first), then a store-store fence (every later store
         * after). See the class comment for why that is enough after a kill.
         */
        private void storeState(final long recordSequence, final int state)
        {
            UnsafeApi.putLongRelease(null, address + STATE_OFFSET,
                InFlightLogDescriptor.stateWord(recordSequence, state));
            VarHandle.storeStoreFence();
        }
    }

    private static void checkSlots(final int slots)
    {
        if (slots < 1 || slots > MAX_SLOTS)
        {
            throw new IllegalArgumentException("slots " + slots + " outside 1.." + MAX_SLOTS);
        }
    }

    /**
     * @return the record in {@code slot}, or null when it is FREE.
     * @throws InFlightLogException when it holds no whole record of a kind.
     */
    private static InFlightRecord read(final Path file, final UnsafeBuffer buffer, final int slot)
    {
        final int offset = InFlightLogDescriptor.slotOffset(slot);
        final long word = buffer.getLongVolatile(offset + STATE_OFFSET);
        final int state = InFlightLogDescriptor.state(word);
        final long sequence = InFlightLogDescriptor.sequence(word);
        if (state == FREE)
        {
            return null;
        }
        if (state != IN_FLIGHT && state != COMMITTED)
        {
            throw new InFlightLogException(file, "slot " + slot + ": unknown state " + state + " (state word 0x" +
                Long.toHexString(word) + ")");
        }
        final long recordSequence = buffer.getLong(offset + RECORD_SEQUENCE_OFFSET);
        if (sequence < 1 || recordSequence != sequence)
        {
            throw new InFlightLogException(file, "slot " + slot + ": torn record: record sequence " +
                recordSequence + " under a state word of sequence " + sequence +
                " (written out of order: a machine crash rather than a process kill?)");
        }
        final int kind = buffer.getInt(offset + KIND_OFFSET);
        if (kind < 1)
        {
            throw new InFlightLogException(file, "slot " + slot + ": kind " + kind + " is not a kind");
        }
        return new InFlightRecord(slot, sequence, kind, buffer.getLong(offset + DOMAIN_OFFSET),
            buffer.getLong(offset + ADDRESS_OFFSET), buffer.getLong(offset + PAGES_OFFSET),
            state == COMMITTED);
    }

    /**
     * Checks the header of an existing file with plain reads, before anything is mapped.
     */
    private static void check(final Path file, final FileChannel channel, final int slots) throws IOException
    {
        final long length = channel.size();
        if (length < HEADER_BYTES)
        {
            throw new InFlightLogException(file, "truncated: " + length + " bytes, shorter than the header (" +
                HEADER_BYTES + ")");
        }
        final ByteBuffer bytes = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.nativeOrder());
        while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0)
        {
            continue;
        }
        final UnsafeBuffer header = new UnsafeBuffer(bytes.array());
        final long magic = header.getLong(MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            throw new InFlightLogException(file, "not an in-flight log (magic 0x" + Long.toHexString(magic) +
                ", expected 0x" + Long.toHexString(MAGIC) + ")");
        }
        final int version = header.getInt(VERSION_OFFSET);
        if (version > LAYOUT_VERSION)
        {
            throw new InFlightLogException(file, "layout version " + version + " is newer than this library's (" +
                LAYOUT_VERSION + "): open it with the library that wrote it");
        }
        if (version < 1)
        {
            throw new InFlightLogException(file, "unknown layout version " + version);
        }
        if (header.getLong(CHECKSUM_OFFSET) != InFlightLogDescriptor.checksum(header))
        {
            throw new InFlightLogException(file, "damaged header: its checksum does not match its contents");
        }
        final int slotSize = header.getInt(SLOT_SIZE_OFFSET);
        if (slotSize != SLOT_BYTES)
        {
            throw new InFlightLogException(file, "slot size " + slotSize + " bytes, this library uses " +
                SLOT_BYTES);
        }
        final int fileSlots = header.getInt(SLOT_COUNT_OFFSET);
        if (fileSlots != slots)
        {
            throw new InFlightLogException(file, "holds " + fileSlots + " slots, " + slots + " were asked for");
        }
        final long needed = InFlightLogDescriptor.fileBytes(slots);
        if (length < needed)
        {
            throw new InFlightLogException(file, "truncated: " + length + " bytes, the layout of " + slots +
                " slots needs " + needed);
        }
    }

    /**
     * Opens {@code file} and takes its owner's lock ({@link OwnerFileLock}).
     *
     * @throws InFlightLogException when another owner holds it.
     */
    private static FileChannel lockOwner(final Path file)
    {
        final FileChannel channel = OwnerFileLock.tryAcquire(file);
        if (null == channel)
        {
            throw new InFlightLogException(file,
                "is open by another owner (a live process, or another log of this one)");
        }
        return channel;
    }

    private static void unmapQuietly(final MappedByteBuffer mapped)
    {
        if (null != mapped)
        {
            IoUtil.unmap(mapped);
        }
    }

}
