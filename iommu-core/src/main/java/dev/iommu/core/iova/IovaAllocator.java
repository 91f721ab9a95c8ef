/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

import org.agrona.collections.Long2LongHashMap;

/**
 * The IOVA allocator of one translate domain: a buddy allocator over [PAGE_SIZE, 2^AddressWidth) with per-thread
 * magazines for blocks up to 128 KiB (32 pages; configurable). Thread-safe.
 * <p>
 * <b>Blocks.</b> A request for n pages gets a block of 2^k pages, 2^k the smallest power of two at least n,
 * aligned to 2^k pages. Among the free blocks that can yield one, it takes the smallest order, then the lowest
 * address (for the cached sizes, see <b>Chunks</b>: the lowest free block of the thread's chunk). Address 0 is never
 * handed out (page 0 is permanently reserved), unless the configuration makes page 0
 * usable ({@link IovaAllocatorConfig#pageZeroUsable(boolean)}): then the space is [0, 2^AddressWidth) and the first
 * block starts at 0. Optional inclusive bounds min and max
 * constrain every byte of the block: {@code min <= address} and {@code address + 2^k * PAGE_SIZE - 1 <= max}.
 * <p>
 * <b>Explicit requests</b> ({@link #allocateAt}, when the configuration allows them) take exactly the pages asked
 * for (not rounded), which must all be free: not allocated, not reserved, not page 0.
 * <p>
 * <b>Free</b> takes the address and the size in pages. For a block from {@link #allocate}, the size may be the
 * requested page count or anything that rounds up to the same power of two (the rounded size included); a size
 * rounding to another order is {@link IovaResult#WRONG_SIZE}. For an explicit allocation the size must be exactly
 * the requested page count. Double frees and unknown addresses are {@link IovaResult#NOT_ALLOCATED}. A refused free
 * changes nothing.
 * <p>
 * <b>Chunks.</b> Behind the depot, magazines refill from and trim to lock-free chunks ({@link PageChunks}): aligned
 * runs of 2^C pages, C = max(10, log2(maxCachedPages) + 5), that the buddy space hands over whole (chunk 0 first,
 * page 0 aside; then the lowest free one), each a bitmap claimed and released with a CAS per word. A refill takes
 * up to a magazine of blocks from the thread's current chunk with as few CASes as words it touches, else from
 * another active chunk; only when no active chunk has a free block of the order does it take the lock, to activate
 * a chunk. Chunks live in the lowest 2^16 * 2^C pages of the space (256 GiB with the default sizes). A chunk whose
 * pages are all free goes back to the buddy space when a request would otherwise fail, and on {@link #trim()} and
 * {@link #releaseThreadCache()}; a chunk in use holds its free pages for the cached sizes, but explicit,
 * constrained and larger requests (below the chunk size) take free pages inside chunks too, so no request fails
 * while the pages it needs are free in a chunk. Off ({@link IovaAllocatorConfig#nonBlockingChunks(boolean)}), or
 * without magazines, every refill and trim behind the depot takes the lock.
 * <p>
 * <b>Cost.</b> Every request is O(log n) worst case, constrained or not: a cached size whose magazine has a
 * fitting block is O(1), touches no lock and no shared line but the block's live byte (a release store to mark it
 * allocated, one CAS to free it); a magazine exchanged with the depot (a thread's magazines ran dry or overflowed)
 * takes no lock either ({@link MagazineDepot}, JCTools queues), nor does a refill from or trim to a chunk (a scan of
 * at most 2^C / 64 words per chunk tried); otherwise the lock is held for at most P = AddressWidth - 12 tree
 * descents (see {@link BuddySpace}), plus, when those fail for a request below the chunk size, a scan of the active
 * chunks. No Java object is created per allocation: free blocks live in primitive arrays, small live
 * blocks in a lock-free byte map ({@link LiveBlockMap}), other live allocations in an Agrona primitive hash map.
 * <p>
 * <b>Per-thread handle.</b> {@link #allocate} and {@link #free} find the calling thread's magazines by thread id
 * (a racy slot array in front of a {@code ThreadLocal}). A thread that calls often can take its cache once with
 * {@link #threadCache()} and call {@link IovaThreadCache#allocate} and {@link IovaThreadCache#free} instead: same
 * results, without the lookup.
 * <p>
 * <b>Caching.</b> Blocks freed into a thread's magazines are not free in the buddy space until the magazine
 * overflows to the depot and the depot trims. Before a request fails with {@link IovaResult#NO_SPACE} or
 * {@link IovaResult#ADDRESS_IN_USE}, the allocator drains the depot, the calling thread's magazines and those of
 * terminated threads, retires the chunks that are then wholly free, and retries. Blocks cached by other live
 * threads (at most {@code 2 * magazineCapacity * (2 * maxCachedPages - 1)} pages per thread) stay unavailable to
 * other threads until those threads free enough to overflow, call {@link #releaseThreadCache()}, or end; configure
 * {@code magazineCapacity(0)} for exact answers at the cost of a lock per call.
 */
public class IovaAllocator
{
    /** log2 of the page size. */
    public static final int PAGE_SHIFT = 12;
    /** The page size in bytes (4 KiB). */
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    /** The smallest address width: one usable page, [4096, 8192). */
    public static final int MIN_ADDRESS_WIDTH = PAGE_SHIFT + 1;
    /** The largest address width (spec 3.5: 63 on 64-bit Windows). */
    public static final int MAX_ADDRESS_WIDTH = 63;
    /** Pass as minAddress for "no lower bound". */
    public static final long NO_MIN = 0;
    /** Pass as maxAddress for "no upper bound" (any negative max, unsigned above 2^63, means the same). */
    public static final long NO_MAX = -1;
    /**
     * Sizes up to this many pages (128 KiB) are served from per-thread magazines by default (see
     * {@link IovaAllocatorConfig#maxCachedPages(int)}).
     */
    public static final int MAX_CACHED_PAGES = IovaAllocatorConfig.DEFAULT_MAX_CACHED_PAGES;

    private static final long MAX_PAGES = Long.MAX_VALUE >>> PAGE_SHIFT;
    private static final long MISSING = -1;
    private static final int FAST_SLOTS = 64;

    private final Object lock = new Object();
    private final int pageBits;
    /** The first page of the space: 1, or 0 when page 0 is usable. */
    private final long firstPage;
    private final long totalPages;
    private final long maxBlockPages;
    private final boolean explicitAllowed;
    private final int maxCachedOrder;
    private final long maxCachedPages;
    private final int magazineCapacity;
    private final BuddySpace space;
    private final LiveBlockMap live;
    private final Long2LongHashMap records;
    private final MagazineDepot depot;
    /** The lock-free chunks magazines refill from and trim to; null when off (see the configuration). */
    private final ChunkPool chunks;
    /**
     * The calling thread's cache, held weakly: the cache references this allocator, which owns this ThreadLocal,
     * so a strong value would keep every allocator a thread ever used reachable from that thread (a leak for
     * embedders that create and delete domains). The cache itself is held strongly by {@code registered}.
     */
    private final ThreadLocal<WeakReference<IovaThreadCache>> caches = new ThreadLocal<>();
    private final IovaThreadCache uncachedHandle;
    private final long reservedPages;
    private final IovaThreadCache[] fastSlots = new IovaThreadCache[FAST_SLOTS];
    private IovaThreadCache[] registered = new IovaThreadCache[4];
    private int registeredCount;
    /** Threads registered so far, ended ones included (guarded by {@code lock}). */
    private int registrations;
    private final long[] regionBases;
    private final long[] regionPages;
    /** Per reserved region: marked in use by an explicit claim inside it (guarded by {@code lock}). */
    private final boolean[] regionInUse;
    /** Asked before each block allocation when set (a test's failure injection); null: no hook. */
    private final BooleanSupplier mayAllocate;

    /**
     * Creates an allocator and carves out the configured reserved regions.
     *
     * @param config the configuration (copied).
     * @throws IllegalArgumentException if {@link IovaAllocatorConfig#validate()} fails; the message names the code.
     */
    public IovaAllocator(final IovaAllocatorConfig config)
    {
        this(config, MagazineDepot::new);
    }

    /**
     * Creates an allocator whose depot comes from {@code depots}: package-private for jcstress tests that pass a
     * broken depot variant.
     */
    IovaAllocator(final IovaAllocatorConfig config, final MagazineDepot.Factory depots)
    {
        final int valid = config.validate();
        if (valid != IovaResult.SUCCESS)
        {
            throw new IllegalArgumentException("invalid IOVA allocator configuration: " + IovaResult.name(valid));
        }
        pageBits = config.addressWidth() - PAGE_SHIFT;
        totalPages = 1L << pageBits;
        firstPage = config.pageZeroUsable() ? 0 : 1;
        maxBlockPages = config.pageZeroUsable() ? totalPages : totalPages >>> 1;
        explicitAllowed = config.explicitAllowed();
        maxCachedOrder = Math.min(Integer.numberOfTrailingZeros(config.maxCachedPages()),
            config.pageZeroUsable() ? pageBits : pageBits - 1);
        maxCachedPages = 1L << maxCachedOrder;
        magazineCapacity = config.magazineCapacity();
        mayAllocate = config.mayAllocate();
        space = new BuddySpace(pageBits, config.initialFreeBlocks(), config.pageZeroUsable());
        live = new LiveBlockMap(pageBits, maxCachedOrder);
        records = new Long2LongHashMap(64, 0.5f, MISSING);
        depot = depots.create(maxCachedOrder, config.depotMagazines(), Math.max(1, magazineCapacity));
        final int chunkOrder = Math.max(PageChunks.MIN_CHUNK_ORDER, maxCachedOrder + 5);
        chunks = config.nonBlockingChunks() && magazineCapacity > 0 && chunkOrder <= PageChunks.MAX_CHUNK_ORDER &&
            chunkOrder < pageBits ? new ChunkPool(new PageChunks(pageBits, chunkOrder, config.pageZeroUsable()), space,
            firstPage, totalPages, magazineCapacity) : null;
        // No owner: every call through it takes the lookup, which yields null (no caching) for capacity 0.
        uncachedHandle = new IovaThreadCache(this, null, maxCachedOrder, 0);
        long reserved = firstPage;
        regionBases = new long[config.reservedCount()];
        regionPages = new long[config.reservedCount()];
        regionInUse = new boolean[config.reservedCount()];
        for (int i = 0; i < config.reservedCount(); i++)
        {
            regionBases[i] = config.reservedBase(i);
            regionPages[i] = config.reservedPages(i);
            long page = config.reservedBase(i) >>> PAGE_SHIFT;
            long pages = config.reservedPages(i);
            if (page == 0 && firstPage == 1)
            {
                page = 1;
                pages--;
            }
            if (pages > 0)
            {
                space.takeRange(page, pages);
                reserved += pages;
            }
        }
        reservedPages = reserved;
    }

    /**
     * @return the address width in bits.
     */
    public int addressWidth()
    {
        return pageBits + PAGE_SHIFT;
    }

    /**
     * @return whether {@link #allocateAt(long, long)} is allowed.
     */
    public boolean explicitAllowed()
    {
        return explicitAllowed;
    }

    /**
     * Allocates an aligned block of the next power of two of pages within inclusive byte bounds.
     *
     * @param pages      the size in pages (at least 1).
     * @param minAddress the lowest byte the block may cover ({@link #NO_MIN} for none).
     * @param maxAddress the highest byte the block may cover ({@link #NO_MAX} for none).
     * @return the block's address (positive; 0 only when page 0 is usable), or {@link IovaResult#INVALID_SIZE},
     *     {@link IovaResult#OVERFLOW}, {@link IovaResult#BEYOND_WIDTH} (larger than any block),
     *     {@link IovaResult#UNSATISFIABLE_BOUNDS} or {@link IovaResult#NO_SPACE}.
     */
    public long allocate(final long pages, final long minAddress, final long maxAddress)
    {
        return allocate(cacheOfCurrentThread(), pages, minAddress, maxAddress);
    }

    /**
     * The calling thread's cache, as a handle the thread may keep and call instead of this allocator: its
     * {@link IovaThreadCache#allocate} and {@link IovaThreadCache#free} skip the per-call thread lookup. A handle
     * used by another thread than the caller of this method still works (through the lookup).
     *
     * @return the calling thread's cache (created on first use); with {@code magazineCapacity(0)}, a handle that
     *     always goes through the allocator's lock.
     */
    public IovaThreadCache threadCache()
    {
        final IovaThreadCache cache = cacheOfCurrentThread();
        return cache != null ? cache : uncachedHandle;
    }

    long allocate(final IovaThreadCache cache, final long pages, final long minAddress, final long maxAddress)
    {
        if (pages <= 0)
        {
            return IovaResult.INVALID_SIZE;
        }
        if (pages > MAX_PAGES)
        {
            return IovaResult.OVERFLOW;
        }
        if (pages > maxBlockPages)
        {
            return IovaResult.BEYOND_WIDTH;
        }
        if (minAddress < 0)
        {
            return IovaResult.UNSATISFIABLE_BOUNDS;
        }
        final int k = orderOf(pages);
        final long size = 1L << k;
        final long loPage = Math.max(firstPage,
            (minAddress >>> PAGE_SHIFT) + ((minAddress & (PAGE_SIZE - 1)) != 0 ? 1 : 0));
        final long hiPage = maxAddress < 0 || (maxAddress >>> PAGE_SHIFT) >= totalPages ?
            totalPages : (maxAddress + 1) >>> PAGE_SHIFT;
        if (((loPage + size - 1) & -size) + size > hiPage)
        {
            return IovaResult.UNSATISFIABLE_BOUNDS;
        }
        if (null != mayAllocate && !mayAllocate.getAsBoolean())
        {
            return IovaResult.NO_SPACE;
        }
        if (k <= maxCachedOrder)
        {
            if (cache != null)
            {
                final long page = cache.pop(k, loPage, hiPage);
                if (page >= 0)
                {
                    final long slot = page >>> k;
                    final long leafIndex = slot >>> LiveBlockMap.LEAF_BITS;
                    byte[] leaf = cache.leaves[k];
                    if (cache.leafIndexes[k] != leafIndex)
                    {
                        leaf = live.leafFor(k, leafIndex);
                        cache.leaves[k] = leaf;
                        cache.leafIndexes[k] = leafIndex;
                    }
                    if (!LiveBlockMap.setLive(leaf, slot))
                    {
                        throw new IllegalStateException("IOVA allocator invariant broken: live block cached");
                    }
                    return page << PAGE_SHIFT;
                }
            }
            return allocateSmallLocked(cache, k, loPage, hiPage);
        }
        return allocateLargeLocked(cache, k, loPage, hiPage);
    }

    /**
     * Allocates exactly [address, address + pages * PAGE_SIZE), if the configuration allows explicit requests.
     *
     * @param address page-aligned first address.
     * @param pages   the size in pages (at least 1; not rounded).
     * @return address, or {@link IovaResult#EXPLICIT_NOT_ALLOWED}, {@link IovaResult#INVALID_SIZE},
     *     {@link IovaResult#UNALIGNED_ADDRESS}, {@link IovaResult#OVERFLOW}, {@link IovaResult#BEYOND_WIDTH} or
     *     {@link IovaResult#ADDRESS_IN_USE}.
     */
    public long allocateAt(final long address, final long pages)
    {
        if (!explicitAllowed)
        {
            return IovaResult.EXPLICIT_NOT_ALLOWED;
        }
        final int check = checkRange(address, pages);
        if (check != IovaResult.SUCCESS)
        {
            return check;
        }
        final long page = address >>> PAGE_SHIFT;
        if (page < firstPage || (null != mayAllocate && !mayAllocate.getAsBoolean()))
        {
            return IovaResult.ADDRESS_IN_USE;
        }
        final IovaThreadCache cache = cacheOfCurrentThread();
        synchronized (lock)
        {
            if (!takeExplicitLocked(page, pages))
            {
                reclaimLocked(cache);
                if (!takeExplicitLocked(page, pages))
                {
                    return IovaResult.ADDRESS_IN_USE;
                }
            }
            records.put(page, (pages << 1) | 1);
        }
        return address;
    }

    /**
     * Marks a block live again, as {@link #allocate} had handed it out: for an owner rebuilding its allocator after
     * a restart from what its page tables map (every allocated block is aligned to its power-of-two size, so each
     * mapped run splits into such blocks). Afterwards {@link #free} and {@link #freeDecided} treat the block exactly
     * as one {@link #allocate} returned. Not for an allocator other threads use meanwhile.
     *
     * @param address the block's address: aligned to its size, at or above the first usable page.
     * @param pages   its size in pages: a power of two, at most the largest block.
     * @return address, or {@link IovaResult#INVALID_SIZE} (not a power of two, or beyond the largest block),
     *     {@link IovaResult#UNALIGNED_ADDRESS} (not aligned to the block's size), {@link IovaResult#BEYOND_WIDTH},
     *     or {@link IovaResult#ADDRESS_IN_USE} (a page of it is not free, or below the first usable page); a refused
     *     call changes nothing.
     */
    public long restoreBlock(final long address, final long pages)
    {
        if (pages <= 0 || Long.bitCount(pages) != 1 || pages > maxBlockPages)
        {
            return IovaResult.INVALID_SIZE;
        }
        final int check = checkRange(address, pages);
        if (check != IovaResult.SUCCESS)
        {
            return check;
        }
        final long page = address >>> PAGE_SHIFT;
        if ((page & (pages - 1)) != 0)
        {
            return IovaResult.UNALIGNED_ADDRESS;
        }
        final int k = orderOf(pages);
        synchronized (lock)
        {
            retireFreeChunksLocked();
            if (page < firstPage || !space.rangeFree(page, pages))
            {
                return IovaResult.ADDRESS_IN_USE;
            }
            space.takeRange(page, pages);
            if (k <= maxCachedOrder)
            {
                markLive(page, k);
            }
            else
            {
                records.put(page, (long)k << 1);
            }
        }
        return address;
    }

    /**
     * {@link #restoreBlock} for many blocks, all or nothing, under one hold of the lock: what an owner rebuilding from
     * its page tables calls with every block at once (a million mapped pages are hundreds of thousands of blocks).
     * Every block is checked before any is taken; the result is the one {@link #restoreBlock} of each block in turn
     * gives (the same free pages, the same live blocks), for far fewer changes of the free-block tree
     * ({@code takeRunsLocked}). Not for an allocator other threads use meanwhile.
     *
     * @param blocks packed blocks as {@link #liveBlockContaining} returns them, {@code (firstPage << 6) | order},
     *               in ascending address order and disjoint.
     * @param count  how many of {@code blocks} to restore (from index 0).
     * @return -1 when every block was restored; else the index of the first block refused and nothing changed
     *     ({@link #restoreBlock} of that block alone gives the reason; a block that overlaps or precedes the one
     *     before it is refused too).
     */
    public int restoreBlocks(final long[] blocks, final int count)
    {
        synchronized (lock)
        {
            retireFreeChunksLocked();
            long end = firstPage;
            int runFirst = 0;
            for (int i = 0; i < count; i++)
            {
                final long page = blocks[i] >>> 6;
                final int k = (int)(blocks[i] & 63);
                if (page < end || k > pageBits || (1L << k) > maxBlockPages || (page & ((1L << k) - 1)) != 0 ||
                    page >= totalPages || (1L << k) > totalPages - page)
                {
                    return i;
                }
                if (page != end)
                {
                    final int refused = firstNotFreeLocked(blocks, runFirst, i);
                    if (refused >= 0)
                    {
                        return refused;
                    }
                    runFirst = i;
                }
                end = page + (1L << k);
            }
            final int refused = firstNotFreeLocked(blocks, runFirst, count);
            if (refused >= 0)
            {
                return refused;
            }
            for (int i = 0; i < count; i++)
            {
                final long page = blocks[i] >>> 6;
                final int k = (int)(blocks[i] & 63);
                if (k <= maxCachedOrder)
                {
                    markLive(page, k);
                }
                else
                {
                    records.put(page, (long)k << 1);
                }
            }
            takeRunsLocked(blocks, count);
        }
        return -1;
    }

    /**
     * For {@link #restoreBlocks}: takes the checked blocks out of the buddy space. Taking each run of blocks on its
     * own would split the free block above it again and again (a run's remainder is cut into aligned pieces that the
     * next run cuts up anew); instead runs whose gaps are wholly free are taken as one range, and the gaps given back,
     * which leaves the same free pages for far fewer tree changes.
     */
    private void takeRunsLocked(final long[] blocks, final int count)
    {
        int i = 0;
        while (i < count)
        {
            final long groupStart = blocks[i] >>> 6;
            final int groupFirst = i;
            long groupEnd = groupStart;
            while (i < count)
            {
                final long page = blocks[i] >>> 6;
                if (page != groupEnd && !space.rangeFree(groupEnd, page - groupEnd))
                {
                    break;
                }
                groupEnd = page + (1L << (int)(blocks[i] & 63));
                i++;
            }
            space.takeRange(groupStart, groupEnd - groupStart);
            long end = groupStart;
            for (int j = groupFirst; j < i; j++)
            {
                final long page = blocks[j] >>> 6;
                if (page != end)
                {
                    // Between two taken runs: no piece of the gap can merge.
                    space.giveGap(end, page - end);
                }
                end = page + (1L << (int)(blocks[j] & 63));
            }
        }
    }

    /**
     * For {@link #restoreBlocks}: the first of blocks {@code [from, to)} (contiguous, checked) not wholly free in the
     * buddy space, or -1 when all are. One range check for the run, block by block only when it fails.
     */
    private int firstNotFreeLocked(final long[] blocks, final int from, final int to)
    {
        if (from >= to)
        {
            return -1;
        }
        final long first = blocks[from] >>> 6;
        final long last = blocks[to - 1];
        final long runEnd = (last >>> 6) + (1L << (int)(last & 63));
        if (space.rangeFree(first, runEnd - first))
        {
            return -1;
        }
        for (int i = from; i < to; i++)
        {
            if (!space.rangeFree(blocks[i] >>> 6, 1L << (int)(blocks[i] & 63)))
            {
                return i;
            }
        }
        return to - 1;
    }

    /**
     * The live block (handed out by {@link #allocate}) that contains an address, whatever part of it the address
     * is in. Blocks cached in magazines are free, not live.
     *
     * @param address any address.
     * @return {@code (firstPage << 6) | order} of the block (2^order pages from page firstPage), or
     *     {@link IovaResult#NOT_ALLOCATED} when no live block contains the address.
     */
    public long liveBlockContaining(final long address)
    {
        if (address < 0 || (address >>> PAGE_SHIFT) >= totalPages)
        {
            return IovaResult.NOT_ALLOCATED;
        }
        final long page = address >>> PAGE_SHIFT;
        for (int k = 0; k <= maxCachedOrder; k++)
        {
            final long first = page & -(1L << k);
            if (live.isLive(first, k))
            {
                return (first << 6) | k;
            }
        }
        synchronized (lock)
        {
            // Up to pageBits itself: with page 0 usable one block can be the whole space.
            for (int k = 0; k <= pageBits; k++)
            {
                final long first = page & -(1L << k);
                final long record = records.get(first);
                if (record != MISSING && (record & 1) == 0 && (int)(record >>> 1) == k)
                {
                    return (first << 6) | k;
                }
            }
        }
        return IovaResult.NOT_ALLOCATED;
    }

    /**
     * The reserved region (from the configuration) whose pages contain an address.
     *
     * @param address any address.
     * @return the region's index in the configuration, or -1.
     */
    public int reservedRegionAt(final long address)
    {
        for (int i = 0; i < regionBases.length; i++)
        {
            final long base = regionBases[i];
            if (address >= base && ((address - base) >>> PAGE_SHIFT) < regionPages[i])
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Marks a reserved region in use (an explicit claim inside it); marking it again changes nothing.
     *
     * @param region an index from {@link #reservedRegionAt(long)}.
     */
    public void markReservedInUse(final int region)
    {
        synchronized (lock)
        {
            regionInUse[region] = true;
        }
    }

    /**
     * Whether a reserved region was marked in use.
     *
     * @param region an index from {@link #reservedRegionAt(long)}.
     * @return true once {@link #markReservedInUse(int)} marked it.
     */
    public boolean reservedInUse(final int region)
    {
        synchronized (lock)
        {
            return regionInUse[region];
        }
    }

    /**
     * Frees an allocation.
     *
     * @param address the address {@link #allocate} or {@link #allocateAt} returned.
     * @param pages   for a block: the requested size or any size rounding to the same power of two; for an
     *                explicit allocation: exactly the requested size.
     * @return {@link IovaResult#SUCCESS}, or {@link IovaResult#INVALID_SIZE}, {@link IovaResult#UNALIGNED_ADDRESS},
     *     {@link IovaResult#OVERFLOW}, {@link IovaResult#BEYOND_WIDTH}, {@link IovaResult#NOT_ALLOCATED} or
     *     {@link IovaResult#WRONG_SIZE}; a refused free changes nothing.
     */
    public int free(final long address, final long pages)
    {
        return free(cacheOfCurrentThread(), address, pages);
    }

    int free(final IovaThreadCache cache, final long address, final long pages)
    {
        final int check = checkRange(address, pages);
        if (check != IovaResult.SUCCESS)
        {
            return check;
        }
        final long page = address >>> PAGE_SHIFT;
        if (pages <= maxCachedPages)
        {
            final int k = orderOf(pages);
            if (k <= maxCachedOrder && (page & ((1L << k) - 1)) == 0 && page >= firstPage)
            {
                if (clearLive(cache, page, k))
                {
                    freeCleared(cache, page, k);
                    return IovaResult.SUCCESS;
                }
            }
        }
        return freeLocked(page, pages);
    }

    /**
     * Frees a block that {@link #allocate} handed out and that the caller alone frees: its own bookkeeping decided,
     * once, that this call is the one (a domain's block ledger: the call that took the block's count of mapped pages
     * to zero), so no other free of the block can run. The same result as {@link #free} for such a block, without the
     * CAS that arbitrates racing frees there: a cached size clears its live byte with a release store
     * ({@link LiveBlockMap#clearLiveDecided}). Anything else takes {@link #free}'s path.
     *
     * @param cache   the calling thread's cache (its leaf memo and magazines), or null.
     * @param address the block's address, as {@link #allocate} returned it.
     * @param pages   the requested size or any size rounding to the same power of two.
     * @return as {@link #free}.
     */
    int freeDecided(final IovaThreadCache cache, final long address, final long pages)
    {
        final long page = address >>> PAGE_SHIFT;
        if (null != cache && pages > 0 && pages <= maxCachedPages && address >= 0 && page < totalPages)
        {
            final int k = orderOf(pages);
            if (k <= maxCachedOrder && (page & ((1L << k) - 1)) == 0 && page >= firstPage)
            {
                final long slot = page >>> k;
                final long leafIndex = slot >>> LiveBlockMap.LEAF_BITS;
                byte[] leaf = cache.leaves[k];
                if (cache.leafIndexes[k] != leafIndex)
                {
                    leaf = live.leafIfPresent(k, leafIndex);
                    if (null != leaf)
                    {
                        cache.leaves[k] = leaf;
                        cache.leafIndexes[k] = leafIndex;
                    }
                }
                if (null != leaf && LiveBlockMap.clearLiveDecided(leaf, slot))
                {
                    freeCleared(cache, page, k);
                    return IovaResult.SUCCESS;
                }
            }
        }
        return free(cache, address, pages);
    }

    /**
     * Gives the calling thread's cached blocks back (for a thread about to stop allocating), and retires the chunks
     * that are then wholly free to the buddy space.
     */
    public void releaseThreadCache()
    {
        final IovaThreadCache cache = threadCache(caches.get());
        if (cache != null)
        {
            synchronized (lock)
            {
                cache.drainTo(this);
                retireFreeChunksLocked();
            }
        }
    }

    /**
     * Empties the depot and the caches of terminated threads into the buddy space.
     */
    public void trim()
    {
        synchronized (lock)
        {
            reclaimLocked(null);
        }
    }

    /**
     * @return bytes neither allocated nor reserved, cached blocks and free pages in chunks included (racy while other
     *     threads run; exact when quiescent).
     */
    public long freeBytes()
    {
        synchronized (lock)
        {
            final long inChunks = null == chunks ? 0 : chunks.freePagesLocked();
            return (space.freePages() + inChunks + cachedPagesLocked()) << PAGE_SHIFT;
        }
    }

    /**
     * @return bytes held in thread magazines and the depot (racy while other threads run; exact when quiescent).
     */
    public long cachedBytes()
    {
        synchronized (lock)
        {
            return cachedPagesLocked() << PAGE_SHIFT;
        }
    }

    /**
     * @return the size in bytes of the largest free block in the buddy space (0 when none; free pages in chunks
     *     and magazines are not in the buddy space).
     */
    public long largestFreeBlockBytes()
    {
        synchronized (lock)
        {
            final int order = space.largestFreeOrder();
            return order < 0 ? 0 : 1L << (order + PAGE_SHIFT);
        }
    }

    /**
     * @return the number of free blocks in the buddy space (active chunks are not in it).
     */
    public int freeBlockCount()
    {
        synchronized (lock)
        {
            return space.freeBlockCount();
        }
    }

    /**
     * Fragmentation of the buddy space: 1 - largest free block / free space (0 when all free space is one block or
     * nothing is free; near 1 when free space is in many small pieces). Cached blocks and chunks are not counted.
     *
     * @return a figure in [0, 1).
     */
    public double fragmentation()
    {
        synchronized (lock)
        {
            final long free = space.freePages();
            final int order = space.largestFreeOrder();
            return free == 0 ? 0.0 : 1.0 - (double)(1L << order) / (double)free;
        }
    }

    /**
     * @return pages reserved at creation, page 0 included (unless usable).
     */
    public long reservedPages()
    {
        return reservedPages;
    }

    /**
     * Visits the free blocks of the buddy space in address order (tests and tools; takes the lock).
     *
     * @param visitor receives each block's first page and order.
     */
    void forEachFreeBlock(final FreeBlockTree.BlockVisitor visitor)
    {
        synchronized (lock)
        {
            space.tree().forEach(visitor);
        }
    }

    static int orderOf(final long pages)
    {
        return 64 - Long.numberOfLeadingZeros(pages - 1);
    }

    /**
     * The claim of a free: one CAS of the block's live byte from LIVE to NOT_LIVE, so that of two racing frees of a
     * block exactly one wins. Package-private and named so that a test can show a non-atomic claim failing (no
     * subclass exists in production: the call stays monomorphic).
     *
     * @param cache the calling thread's cache (its leaf memo), or null.
     * @param page  the block's first page.
     * @param k     the block's order.
     * @return true when this call moved the block from live to not live.
     */
    boolean clearLive(final IovaThreadCache cache, final long page, final int k)
    {
        if (cache == null)
        {
            return live.clearLive(page, k);
        }
        final long slot = page >>> k;
        final long leafIndex = slot >>> LiveBlockMap.LEAF_BITS;
        byte[] leaf = cache.leaves[k];
        if (cache.leafIndexes[k] != leafIndex)
        {
            leaf = live.leafIfPresent(k, leafIndex);
            if (leaf == null)
            {
                return false;
            }
            cache.leaves[k] = leaf;
            cache.leafIndexes[k] = leafIndex;
        }
        return LiveBlockMap.clearLive(leaf, slot);
    }

    private void freeCleared(final IovaThreadCache cache, final long page, final int k)
    {
        // We won the clear: the block is ours alone to cache or give back.
        if (cache == null)
        {
            synchronized (lock)
            {
                giveBackLocked(page, k);
            }
        }
        else if (!cache.push(k, page))
        {
            // Both magazines full: hand the loaded one to the depot (lock-free), or, when the depot holds as many
            // as it may, give its blocks back to the buddy space under the lock and keep it as the empty one.
            final long[] kept = cache.loaded[k];
            final long[] empty = depot.exchangeFull(k, kept);
            if (null == empty)
            {
                trim(kept, k);
            }
            else
            {
                cache.loaded[k] = empty;
            }
            cache.loadedCount[k] = 0;
            cache.push(k, page);
        }
    }

    /**
     * Gives every block of a full magazine the depot refused back (the trim that bounds cached space): blocks of
     * active chunks to their chunk without the lock, the others to the buddy space under it.
     */
    private void trim(final long[] magazine, final int k)
    {
        // The magazine is the caller's alone: the blocks for the buddy space are gathered at its front.
        final int toSpace = null == chunks ? magazineCapacity : chunks.releaseBlocks(magazine, magazineCapacity, k);
        if (toSpace > 0)
        {
            synchronized (lock)
            {
                for (int i = 0; i < toSpace; i++)
                {
                    space.giveBlock(magazine[i], k);
                }
            }
        }
    }

    private int checkRange(final long address, final long pages)
    {
        if (pages <= 0)
        {
            return IovaResult.INVALID_SIZE;
        }
        if ((address & (PAGE_SIZE - 1)) != 0)
        {
            return IovaResult.UNALIGNED_ADDRESS;
        }
        if (address < 0)
        {
            return IovaResult.BEYOND_WIDTH;
        }
        final long page = address >>> PAGE_SHIFT;
        if (pages - 1 > MAX_PAGES - page)
        {
            // The last byte, address + pages * PAGE_SIZE - 1, does not fit in 63 bits.
            return IovaResult.OVERFLOW;
        }
        if (page >= totalPages || pages > totalPages - page)
        {
            return IovaResult.BEYOND_WIDTH;
        }
        return IovaResult.SUCCESS;
    }

    private void markLive(final long page, final int k)
    {
        if (!live.setLive(page, k))
        {
            throw new IllegalStateException("IOVA allocator invariant broken: block already live at page " + page);
        }
    }

    private long allocateSmallLocked(final IovaThreadCache cache, final int k, final long loPage, final long hiPage)
    {
        final boolean unconstrained = loPage <= firstPage && hiPage == totalPages;
        if (cache != null && unconstrained && cache.bothEmpty(k))
        {
            // Refill from the depot without the lock. The block comes from a magazine, not from the buddy space, so
            // it is marked live as on the cache's fast path (no call can have seen it leave the space).
            final long[] full = depot.exchangeEmpty(k, cache.loaded[k]);
            if (full != null)
            {
                cache.loaded[k] = full;
                cache.loadedCount[k] = magazineCapacity - 1;
                final long page = full[magazineCapacity - 1];
                markLive(page, k);
                return page << PAGE_SHIFT;
            }
            if (null != chunks)
            {
                // Refill from the chunks without the lock either (marked live as above, for the same reason).
                final long page = chunks.refill(cache, k);
                if (page >= 0)
                {
                    markLive(page, k);
                    return page << PAGE_SHIFT;
                }
            }
        }
        long page;
        synchronized (lock)
        {
            if (cache != null && unconstrained && cache.bothEmpty(k))
            {
                page = refillLocked(cache, k);
            }
            else
            {
                page = takeBlockLocked(k, loPage, hiPage);
            }
            if (page < 0)
            {
                reclaimLocked(cache);
                page = takeBlockLocked(k, loPage, hiPage);
                if (page < 0)
                {
                    return IovaResult.NO_SPACE;
                }
            }
            // Live before the lock is released: a later call that saw this block leave the space (an allocation
            // that had to split elsewhere) must also see it allocated, or a free of it could answer NOT_ALLOCATED
            // after that call returned (not linearizable; found by IovaAllocatorLinearizabilityTest).
            markLive(page, k);
        }
        return page << PAGE_SHIFT;
    }

    /**
     * A block for a request that does not refill a magazine (constrained, uncached or larger than the cached sizes),
     * under the lock: from the buddy space, else from an active chunk (whose free pages the buddy space does not see;
     * a block of the chunk order or more is made of whole chunks, which the reclaim retires when they are free).
     */
    private long takeBlockLocked(final int k, final long loPage, final long hiPage)
    {
        final long page = space.takeBlock(k, loPage, hiPage);
        return page >= 0 || null == chunks ? page : chunks.takeWithinLocked(k, loPage, hiPage);
    }

    /**
     * Takes exactly [page, page + pages) for an explicit request (under the lock), all or nothing.
     *
     * @return false when a page is not free (nothing changed).
     */
    private boolean takeExplicitLocked(final long page, final long pages)
    {
        if (null != chunks)
        {
            return chunks.takeExplicitLocked(page, pages);
        }
        if (!space.rangeFree(page, pages))
        {
            return false;
        }
        space.takeRange(page, pages);
        return true;
    }

    private void giveExplicitLocked(final long page, final long pages)
    {
        if (null == chunks)
        {
            space.giveRange(page, pages);
        }
        else
        {
            chunks.giveExplicitLocked(page, pages);
        }
    }

    private void retireFreeChunksLocked()
    {
        if (null != chunks)
        {
            chunks.retireFreeLocked();
        }
    }

    /**
     * Gives a block back where it came from: its chunk when that is active, else the buddy space (the caller holds
     * the lock).
     */
    void giveBackLocked(final long page, final int k)
    {
        if (null == chunks || !chunks.release(page, k))
        {
            space.giveBlock(page, k);
        }
    }

    private long refillLocked(final IovaThreadCache cache, final int k)
    {
        if (null != chunks)
        {
            final long page = chunks.refillActivatingLocked(cache, k);
            if (page >= 0)
            {
                return page;
            }
            // No whole chunk is free in the buddy space: refill from it directly, as without chunks.
        }
        // Take blocks lowest first into the empty magazine; stop quietly when the space runs out.
        final long[] magazine = cache.loaded[k];
        int n = 0;
        while (n < magazineCapacity)
        {
            final long page = space.takeBlock(k, firstPage, totalPages);
            if (page < 0)
            {
                break;
            }
            magazine[n++] = page;
        }
        return n == 0 ? -1 : cache.popRefilled(k, n);
    }

    private long allocateLargeLocked(final IovaThreadCache cache, final int k, final long loPage,
        final long hiPage)
    {
        synchronized (lock)
        {
            long page = takeBlockLocked(k, loPage, hiPage);
            if (page < 0)
            {
                reclaimLocked(cache);
                page = takeBlockLocked(k, loPage, hiPage);
                if (page < 0)
                {
                    return IovaResult.NO_SPACE;
                }
            }
            records.put(page, (long)k << 1);
            return page << PAGE_SHIFT;
        }
    }

    private int freeLocked(final long page, final long pages)
    {
        synchronized (lock)
        {
            final long record = records.get(page);
            if (record != MISSING)
            {
                if ((record & 1) != 0)
                {
                    if (record >>> 1 != pages)
                    {
                        return IovaResult.WRONG_SIZE;
                    }
                    records.remove(page);
                    giveExplicitLocked(page, pages);
                    return IovaResult.SUCCESS;
                }
                final int order = (int)(record >>> 1);
                if (pages > maxBlockPages || orderOf(pages) != order)
                {
                    return IovaResult.WRONG_SIZE;
                }
                records.remove(page);
                giveBackLocked(page, order);
                return IovaResult.SUCCESS;
            }
        }
        // A block live at the requested order itself is one handed out after this free's CAS failed (a racing
        // allocation): the free is ordered before it, so NOT_ALLOCATED, not WRONG_SIZE (found by jcstress).
        final int requested = pages <= maxCachedPages ? orderOf(pages) : -1;
        for (int j = 0; j <= maxCachedOrder; j++)
        {
            if (j != requested && (page & ((1L << j) - 1)) == 0 && live.isLive(page, j))
            {
                return IovaResult.WRONG_SIZE;
            }
        }
        return IovaResult.NOT_ALLOCATED;
    }

    private void reclaimLocked(final IovaThreadCache own)
    {
        depot.drainTo(this);
        if (own != null)
        {
            own.drainTo(this);
        }
        reclaimTerminatedLocked();
        retireFreeChunksLocked();
    }

    private void reclaimTerminatedLocked()
    {
        int kept = 0;
        for (int i = 0; i < registeredCount; i++)
        {
            final IovaThreadCache c = registered[i];
            if (!c.owner.isAlive())
            {
                // isAlive() == false synchronizes-with the owner's last action (JLS 17.4.4): its stacks are stable.
                c.drainTo(this);
                final int index = (int)c.owner.getId() & (FAST_SLOTS - 1);
                if (fastSlots[index] == c)
                {
                    fastSlots[index] = null;
                }
            }
            else
            {
                registered[kept++] = c;
            }
        }
        for (int i = kept; i < registeredCount; i++)
        {
            registered[i] = null;
        }
        registeredCount = kept;
    }

    private long cachedPagesLocked()
    {
        long pages = depot.cachedPages();
        for (int i = 0; i < registeredCount; i++)
        {
            pages += registered[i].cachedPages();
        }
        return pages;
    }

    /**
     * @return the calling thread's cache (registered on first use), or null when caching is disabled.
     */
    IovaThreadCache cacheOfCurrentThread()
    {
        if (magazineCapacity == 0)
        {
            return null;
        }
        // Fast slots indexed by thread id, written only at registration (under the lock), so readers share the
        // array's lines without writes. The plain, racy read is safe: a non-owner reads only the final field
        // owner (final-field semantics), and only the owner, which created the cache (program order), acts on it.
        // A stale or colliding slot just falls through to the ThreadLocal.
        final Thread current = Thread.currentThread();
        final IovaThreadCache slot = fastSlots[(int)current.getId() & (FAST_SLOTS - 1)];
        if (slot != null && slot.owner == current)
        {
            return slot;
        }
        final IovaThreadCache cache = threadCache(caches.get());
        return cache != null ? cache : register();
    }

    private IovaThreadCache register()
    {
        final IovaThreadCache cache = new IovaThreadCache(this, Thread.currentThread(), maxCachedOrder,
            magazineCapacity);
        synchronized (lock)
        {
            // Registration is rare (once per thread): the moment to take back the caches of threads that ended.
            reclaimTerminatedLocked();
            if (registeredCount == registered.length)
            {
                registered = Arrays.copyOf(registered, registeredCount * 2);
            }
            registered[registeredCount++] = cache;
            // Threads that share a chunk start their scans a cache line of bitmap words apart (the first registered
            // at word 0: one thread alone still takes the lowest addresses first), and their searches of the active
            // chunks at different places.
            cache.chunkWordStart = registrations * 8;
            cache.chunkCursor = registrations;
            registrations++;
            final int index = (int)cache.owner.getId() & (FAST_SLOTS - 1);
            final IovaThreadCache previous = fastSlots[index];
            if (previous == null || !previous.owner.isAlive())
            {
                fastSlots[index] = cache;
            }
        }
        caches.set(new WeakReference<>(cache));
        return cache;
    }

    private static IovaThreadCache threadCache(final WeakReference<IovaThreadCache> ref)
    {
        return null == ref ? null : ref.get();
    }
}
