/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Objects;
import java.util.function.BooleanSupplier;

import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The memory of page tables: one 4 KiB-aligned region of 4 KiB pages, either anonymous direct memory or a
 * memory-mapped file (so another process can map the file and walk the tables, and a restarted owner can open it
 * again). Page 0 is the header; pages 1 to {@link #capacity()} are table pages, and entries refer to children by
 * page index, never by Java reference. Page index 0 therefore means "no page". The layout, header fields and the
 * free stack's links included, is {@link ArenaLayoutDescriptor}'s, the same in memory and in a file.
 * <p>
 * A file arena is made with {@link #createFile} (new, replacing any file) or {@link #openFile} (the existing file
 * when there is one, after checking its header: a foreign, damaged, truncated or newer file is refused with an
 * {@link ArenaFileException}, nothing mapped). An arena closed with {@link #close()} is marked clean, and its free
 * stack is trusted when it is opened again; one that was not (its process died) says so with
 * {@link #needsRebuild()}, and refuses to allocate until its owner, who knows the roots of its tables, hands
 * {@link #rebuildFreeList} the pages still in use: pages taken from the stack but never linked, or parked in a dead
 * thread's cache, come back that way.
 * <p>
 * Free pages form a lock-free Treiber stack (tagged head against ABA; the links live in their own pages after the table
 * pages, so a free page stays all zero) behind small per-thread caches. A page is zeroed when it is freed, so every
 * page handed out is all zero. Running out returns 0 from {@link #allocate()} and changes nothing. Pages parked in
 * another live thread's cache (at most {@link #THREAD_CACHE_PAGES} per thread) are not available to this thread until
 * that thread calls {@link #releaseThreadCache()}; the caches of terminated threads are reclaimed when the pool runs
 * dry.
 * <p>
 * A test may give the arena a hook asked before each allocation ({@link #allocateDirect(int, BooleanSupplier)}):
 * when it says no, {@link #allocate()} returns 0 as a dry pool does, so the callers' out-of-pages paths run. Without
 * one (the default) the hook is a null final field, one branch on the allocation path.
 * <p>
 * The hot paths address the region through {@link UnsafeApi} with addresses computed from page indexes that
 * were checked against the capacity, not through the bounds-checked {@link AtomicBuffer} methods; the buffer is
 * the public, bounds-checked view for introspection and other processes.
 * <p>
 * This class does not know when a freed page may still be read by a walk in flight: that is the page table's
 * job (see {@link RadixPageTable}), which frees a page only once no walk can use what it reads from it.
 * <p>
 * The shared free stack is a {@link FreePageStack}; the per-thread caches in front of it are {@link PageCaches}.
 */
public final class TableArena implements AutoCloseable
{
    /** Bytes per page. */
    public static final int PAGE_SIZE = 4096;
    /** Most pages a thread keeps in its own cache. */
    public static final int THREAD_CACHE_PAGES = 32;
    /** The most table pages one arena holds (500 Ki: the region, links and generations included, stays under 2 GiB). */
    public static final int MAX_CAPACITY = 500 * 1024;
    /** Header magic: "IOMMUPTW". */
    public static final long MAGIC = ArenaLayoutDescriptor.MAGIC;

    private static final int IN_USE_OFFSET = ArenaLayoutDescriptor.IN_USE_OFFSET;

    private final int capacity;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private final long baseAddress;
    /** The shared pool behind the thread caches. */
    private final FreePageStack stack;
    /** Address of the free-generation slots: one cache line per page index. */
    private final long generationBase;
    /** Another process's read-only view ({@link #openReader}): nothing is ever written to the region. */
    private final boolean readOnly;
    /** An owner's file channel, whose exclusive lock it holds until close; null otherwise. */
    private final FileChannel ownerChannel;
    /** Opened from a file that was not closed cleanly: no allocation until {@link #rebuildFreeList}. */
    private volatile boolean awaitingRebuild;
    private final ByteBuffer ownerTagMemory;
    private final long ownerTagBase;
    /** The per-thread caches in front of the stack. */
    private final PageCaches caches;
    /** Asked before each allocation when set (a test's failure injection); null: no hook. */
    private final BooleanSupplier mayAllocate;
    private volatile boolean closed;

    TableArena(final ByteBuffer byteBuffer, final int capacity)
    {
        this(byteBuffer, capacity, FreePageStack::new);
    }

    /**
     * A new arena in {@code byteBuffer} whose free stack comes from {@code stacks} (a jcstress broken variant).
     */
    TableArena(final ByteBuffer byteBuffer, final int capacity, final FreePageStack.Factory stacks)
    {
        this(byteBuffer, capacity, null, null, false, false, stacks);
    }

    /**
     * @param reattach the region holds an arena already (a file opened again): read its header, else make a new
     *                 one (the region is all zero).
     */
    /**
     * @param ownerChannel an owner's locked file channel (its file), or null (anonymous memory, or a reader).
     * @param reattach     the region holds an arena already (a file opened again): read its header, else make a new
     *                     one (the region is all zero).
     * @param readOnly     another process's view: nothing is written.
     */
    private TableArena(
        final ByteBuffer byteBuffer, final int capacity, final BooleanSupplier mayAllocate,
        final FileChannel ownerChannel, final boolean reattach, final boolean readOnly,
        final FreePageStack.Factory stacks)
    {
        this.readOnly = readOnly;
        this.ownerChannel = ownerChannel;
        this.capacity = capacity;
        this.mayAllocate = mayAllocate;
        this.byteBuffer = byteBuffer;
        final long address = BufferUtil.address(byteBuffer);
        final int skew = (int)(-address & (PAGE_SIZE - 1));
        this.buffer = new UnsafeBuffer(address + skew, (int)ArenaLayoutDescriptor.regionBytes(capacity));
        this.baseAddress = buffer.addressOffset();
        this.stack = stacks.create(buffer, capacity);
        this.caches = new PageCaches(stack);
        this.generationBase = baseAddress + ArenaLayoutDescriptor.generationOffset(capacity);
        this.ownerTagMemory = ByteBuffer.allocateDirect((capacity + 1) * 8);
        this.ownerTagBase = BufferUtil.address(ownerTagMemory);
        UnsafeApi.setMemory(ownerTagBase, (capacity + 1) * 8L, (byte)0);
        if (readOnly)
        {
            return;
        }
        if (reattach)
        {
            this.awaitingRebuild = buffer.getLongVolatile(ArenaLayoutDescriptor.CLEAN_OFFSET) != 1;
            ArenaLayoutDescriptor.writeOpened(buffer);
            return;
        }
        buffer.setMemory(0, PAGE_SIZE, (byte)0);
        ArenaLayoutDescriptor.writeNewHeader(buffer, capacity);
        stack.fill(capacity);
        buffer.putLongVolatile(IN_USE_OFFSET, 0);
    }

    /**
     * An arena in anonymous direct memory, all zero.
     *
     * @param capacity number of table pages, 1 to {@link #MAX_CAPACITY}.
     * @return the arena.
     */
    public static TableArena allocateDirect(final int capacity)
    {
        return allocateDirect(capacity, null);
    }

    /**
     * An arena in anonymous direct memory, all zero, whose allocations first ask a hook (failure injection).
     *
     * @param capacity    number of table pages, 1 to {@link #MAX_CAPACITY}.
     * @param mayAllocate asked before each {@link #allocate()}: false makes it return 0 as when the pool is dry;
     *                    null for no hook.
     * @return the arena.
     */
    public static TableArena allocateDirect(final int capacity, final BooleanSupplier mayAllocate)
    {
        checkCapacity(capacity);
        return new TableArena(
            ByteBuffer.allocateDirect((int)ArenaLayoutDescriptor.regionBytes(capacity) + PAGE_SIZE), capacity,
            mayAllocate, null, false, false, FreePageStack::new);
    }

    /**
     * An arena in a new memory-mapped file (created, or replacing the file there, zero filled), so that another
     * process can map the same file and walk the tables. The arena holds the file's exclusive lock until it is closed
     * (the operating system releases it if the process dies): one owner at a time; readers take no lock.
     *
     * @param file     the file.
     * @param capacity number of table pages, 1 to {@link #MAX_CAPACITY}.
     * @return the arena.
     * @throws ArenaFileException when another owner holds the file (it is left as it was).
     */
    public static TableArena createFile(final Path file, final int capacity)
    {
        return createFile(file, capacity, null);
    }

    /**
     * An arena in a new memory-mapped file whose allocations first ask a hook (failure injection).
     *
     * @param file        the file.
     * @param capacity    number of table pages, 1 to {@link #MAX_CAPACITY}.
     * @param mayAllocate asked before each {@link #allocate()} (see {@link #allocateDirect(int, BooleanSupplier)});
     *                    null for no hook.
     * @return the arena.
     */
    public static TableArena createFile(final Path file, final int capacity, final BooleanSupplier mayAllocate)
    {
        checkCapacity(capacity);
        final ArenaFile.Owned owned = ArenaFile.create(file, capacity);
        return new TableArena(owned.mapped, capacity, mayAllocate, owned.channel, false, false, FreePageStack::new);
    }

    /**
     * The arena in {@code file}: the one there, with every table page as it was left, when the file exists (see
     * {@link #needsRebuild()} for one that was not closed cleanly); else a new one, as {@link #createFile}.
     *
     * @param file     the file.
     * @param capacity number of table pages, 1 to {@link #MAX_CAPACITY}; an existing file must hold as many.
     * @return the arena.
     * @throws ArenaFileException when the file exists but is not an arena of {@code capacity} pages this library
     *                            can open, or another owner holds it (nothing is mapped, the file is unchanged).
     */
    public static TableArena openFile(final Path file, final int capacity)
    {
        return openFile(file, capacity, null);
    }

    /**
     * {@link #openFile(Path, int)} with an allocation hook (failure injection).
     *
     * @param file        the file.
     * @param capacity    number of table pages.
     * @param mayAllocate asked before each {@link #allocate()}; null for no hook.
     * @return the arena.
     */
    public static TableArena openFile(final Path file, final int capacity, final BooleanSupplier mayAllocate)
    {
        checkCapacity(capacity);
        if (!file.toFile().exists())
        {
            return createFile(file, capacity, mayAllocate);
        }
        final ArenaFile.Owned owned = ArenaFile.open(file, capacity);
        return new TableArena(owned.mapped, capacity, mayAllocate, owned.channel, true, false, FreePageStack::new);
    }

    /**
     * Another process's view of the arena in {@code file}, mapped read-only: its tables can be walked with a
     * {@link TableReader} while their owner maps and unmaps; nothing is written to the file (allocate, free and
     * rebuildFreeList throw). Its capacity is the file's.
     *
     * @param file an arena file (the owner has it open, or not).
     * @return the view.
     * @throws ArenaFileException when the file is not an arena this library can open.
     */
    public static TableArena openReader(final Path file)
    {
        final MappedByteBuffer mapped = ArenaFile.openReadOnly(file);
        return new TableArena(mapped, ArenaFile.capacityOf(mapped), null, null, true, true, FreePageStack::new);
    }

    /**
     * @return true for another process's read-only view ({@link #openReader}).
     */
    public boolean readOnly()
    {
        return readOnly;
    }

    private static void checkCapacity(final int capacity)
    {
        if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("capacity out of range: " + capacity);
        }
    }

    /**
     * @return the number of table pages (excluding the header page).
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return how many times the region was opened: 1 for a new arena, one more at each {@link #openFile} of it.
     */
    public long generation()
    {
        return buffer.getLong(ArenaLayoutDescriptor.GENERATION_OFFSET);
    }

    /**
     * @return true when this arena was opened from a file that was not closed cleanly: it allocates nothing until
     *     {@link #rebuildFreeList} was given the pages still in use.
     */
    public boolean needsRebuild()
    {
        return awaitingRebuild;
    }

    /**
     * Make every page that is not in {@code inUse} free (zeroed, on the free stack) and count the others as in use:
     * how the owner of a file arena that was not closed cleanly gets back the pages a dead process had taken but
     * not linked, after marking every table page reachable from its roots. Also allowed on a clean arena (a check
     * of the persisted free stack). Only before any other use of the arena since it was opened (on a clean one, a
     * page allocated or freed before makes this throw).
     *
     * @param inUse the table pages in use (bits 1 to {@link #capacity()}).
     * @throws IllegalArgumentException when {@code inUse} has bit 0 or a bit beyond the capacity.
     * @throws IllegalStateException    when the arena was closed cleanly and a page was allocated or freed since it
     *                                  was opened.
     */
    public void rebuildFreeList(final BitSet inUse)
    {
        Objects.requireNonNull(inUse, "inUse");
        if (readOnly)
        {
            throw readOnlyView();
        }
        if (inUse.get(0) || inUse.length() > capacity + 1)
        {
            throw new IllegalArgumentException("inUse names pages outside 1.." + capacity + ": " +
                (inUse.get(0) ? 0 : inUse.length() - 1));
        }
        if (!awaitingRebuild && caches.used())
        {
            throw new IllegalStateException("rebuildFreeList after pages were allocated or freed");
        }
        // Not closed cleanly: nothing could be allocated yet, so the caches hold only pages freed since the open,
        // which inUse decides about like every other page.
        caches.forgetAll();
        buffer.putLongVolatile(IN_USE_OFFSET, inUse.cardinality());
        stack.rebuild(capacity, inUse, page -> UnsafeApi.setMemory(pageAddress(page), PAGE_SIZE, (byte)0));
        awaitingRebuild = false;
    }

    /**
     * @return pages handed out and not yet freed, over all tables of this arena.
     */
    public long pagesInUse()
    {
        return buffer.getLongVolatile(IN_USE_OFFSET);
    }

    /**
     * The whole region, bounds checked: page {@code i} starts at offset {@code i * PAGE_SIZE}.
     *
     * @return the buffer.
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * Allocate one zeroed page: first from this thread's cache, refilled from the shared stack when empty.
     *
     * @return the page index, or 0 when the arena has no free page, or its hook refused (nothing changed).
     */
    public int allocate()
    {
        if (readOnly)
        {
            throw readOnlyView();
        }
        if (null != mayAllocate && !mayAllocate.getAsBoolean())
        {
            return 0;
        }
        if (awaitingRebuild)
        {
            throw new IllegalStateException("this arena was not closed cleanly: rebuildFreeList first");
        }
        final int page = caches.take();
        if (page != 0)
        {
            buffer.getAndAddLong(IN_USE_OFFSET, 1);
        }
        return page;
    }

    /**
     * Return a page. The page is zeroed here, so every page in the pool is zero. The caller guarantees that no
     * walk can still use what it reads from this page (see {@link RadixPageTable}).
     *
     * @param page the page index.
     */
    public void free(final int page)
    {
        if (page < 1 || page > capacity)
        {
            throw new IllegalArgumentException("not a table page: " + page);
        }
        if (readOnly)
        {
            throw readOnlyView();
        }
        ownerTagRelease(page, 0);
        UnsafeApi.setMemory(pageAddress(page), PAGE_SIZE, (byte)0);
        buffer.getAndAddLong(IN_USE_OFFSET, -1);
        caches.give(page);
    }

    /**
     * Give this thread's cached free pages back to the shared pool (for a thread that stops using the arena).
     */
    public void releaseThreadCache()
    {
        if (!readOnly)
        {
            caches.releaseOwn();
        }
    }

    /**
     * Unmap the region. No table of this arena may be used afterwards, by any thread. A file arena gets every page
     * parked in a thread's cache back on its free stack, is marked closed cleanly and written to the file first.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (byteBuffer instanceof MappedByteBuffer)
            {
                // Only an owner (a reader has no channel) marks the file clean, and only when it is consistent.
                if (null != ownerChannel && !awaitingRebuild)
                {
                    caches.releaseAll();
                    ArenaLayoutDescriptor.writeClean(buffer, true);
                    ((MappedByteBuffer)byteBuffer).force();
                }
                IoUtil.unmap((MappedByteBuffer)byteBuffer);
                if (null != ownerChannel)
                {
                    try
                    {
                        // Releases the owner's lock: another owner may open the file now.
                        ownerChannel.close();
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException("cannot close table arena file", ex);
                    }
                }
            }
            else
            {
                BufferUtil.free(byteBuffer);
            }
        }
    }

    /**
     * @return the shared free stack (for tests in this package).
     */
    FreePageStack freeStack()
    {
        return stack;
    }

    long pageAddress(final int page)
    {
        return baseAddress + ((long)page << PteDescriptor.PAGE_SHIFT);
    }

    long baseAddress()
    {
        return baseAddress;
    }

    /**
     * @return the address of the free generation of the table whose root is {@code rootPage} ({@link FreeGeneration}).
     */
    long generationAddress(final int rootPage)
    {
        return generationBase + (long)rootPage * ArenaLayoutDescriptor.GENERATION_SLOT_BYTES;
    }

    boolean isPage(final int page)
    {
        return page >= 1 && page <= capacity;
    }

    /**
     * The owner tag of a page (what the page is, for the paging-structure cache: {@link PagingStructureCache}).
     * Acquire load: pairs with {@link #ownerTagRelease}, so a caller that sees a tag also sees every write made
     * before it was set (the link of the table it names).
     *
     * @param page a table page.
     * @return its tag, 0 when none.
     */
    long ownerTagAcquire(final int page)
    {
        return UnsafeApi.getLongAcquire(null, ownerTagBase + ((long)page << 3));
    }

    /**
     * Set the owner tag of a page with a release store: every write before it (the link of the table it names) is
     * visible to a caller of {@link #ownerTagAcquire} that sees the tag. Cleared (0) before the page is unlinked
     * and again when it is freed, so a freed page never carries a tag.
     *
     * @param page a table page.
     * @param tag  the tag, 0 for none.
     */
    void ownerTagRelease(final int page, final long tag)
    {
        UnsafeApi.putLongRelease(null, ownerTagBase + ((long)page << 3), tag);
    }

    private static UnsupportedOperationException readOnlyView()
    {
        return new UnsupportedOperationException("a read-only view of a table arena (openReader) changes nothing");
    }
}
