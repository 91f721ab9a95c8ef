/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.iova.IovaResult;
import dev.iommu.core.iova.IovaThreadCache;
import dev.iommu.ptw.IotlbMode;
import dev.iommu.ptw.PtwPermissions;
import dev.iommu.ptw.PtwResult;
import dev.iommu.ptw.RadixPageTable;
import dev.iommu.ptw.Translation;

/**
 * A domain whose page tables the library owns: Translate (logical and identity mappings, optionally a buddy
 * allocator, logical address tokens), PassThrough (identity mappings recorded, translation is the identity: spec 5.4
 * item 30) and TranslateS1 (tables that PASID sub-devices walk; the documented contract maps nothing into them, the
 * observed profile maps into them as into Translate). Every map and unmap runs on the caller's thread without a lock,
 * inside the domain's {@link OperationGate}. The token members' engines are {@link DocumentedTokens} and
 * {@link ObservedTokens}; the observed profile's map and unmap paths are {@link ObservedMappingEngine}.
 * <p>
 * This is the engine under the members: its methods trust their arguments, which {@link MappingRules} checked. The
 * statuses it returns are the outcomes only the tables can tell, each one rule of the documented contract:
 * <ul>
 *     <li>spec 5.4 item 21: an unmap that finds no page of its range mapped is STATUS_INVALID_PARAMETER and changes
 *     nothing; a partly mapped range unmaps what is mapped and succeeds;</li>
 *     <li>item 22: page-granular partial unmaps are allowed; an allocator block goes back to the allocator once the
 *     last of its mapped pages is unmapped ({@link BlockLedger});</li>
 *     <li>an unmap range that covers only part of a 2 MiB or 1 GiB leaf (the library maps large leaves when
 *     address, physical address and length are aligned) is STATUS_CONFLICTING_ADDRESSES and changes nothing;</li>
 *     <li>items 24 and 25: an explicit or identity map clashing with a mapping, a token or a reserved region is
 *     STATUS_IN_USE ({@link NtStatus#STATUS_IN_USE});</li>
 *     <li>item 29: no room in the allocator's space, or no table page left, is STATUS_INSUFFICIENT_RESOURCES; bounds
 *     no block fits are STATUS_INVALID_PARAMETER_MIX.</li>
 * </ul>
 * One thing a refused map does leave: the empty intermediate tables it installed before it found the clash or ran out
 * of table pages (no translation changes). The radix table frees a table only when an unmap covers its whole span,
 * since another thread may be mapping into it; such tables go back then, or at DeleteDomain
 * ({@code InterfaceModelTest.refusedMapForAClashKeepsOnlyTheEmptyTablesItInstalledUntilDeleteDomain}).
 */
final class MappingDomain extends Domain
{
    /** The shortest unmap that can free a table (a last-level table spans 2 MiB). */
    private static final long PRUNING_SPAN = 1L << 21;
    private static final int PAGE_SHIFT = 12;
    private static final long PAGE_SIZE = 1L << PAGE_SHIFT;

    private final RadixPageTable table;
    private final IovaAllocator allocator;
    private final BlockLedger ledger;
    private final ProtectedRanges protectedRanges;
    private final OperationGate gate;
    private final long limit;
    private final Verifier verifier;
    private final boolean deferredInvalidation;
    /**
     * The allocator handle of the first thread that mapped (a benign race: any thread's handle is correct for every
     * thread, because a handle used by another thread than its owner goes through the allocator's own lookup; the
     * owner, usually the one thread that maps into this domain, skips that lookup).
     */
    private IovaThreadCache handle;
    /**
     * The persistent emulator's log of calls in flight, or null (set once before the domain is published: the domain
     * table's publication is the safe publication).
     */
    private InFlightLog inFlight;

    MappingDomain(
        final DomainTable owner,
        final IommuDmaDomainType type,
        final long id,
        final RadixPageTable table,
        final IovaAllocator allocator,
        final int addressWidth,
        final Verifier verifier)
    {
        this(owner, type, id, table, allocator, addressWidth, verifier, new OperationGate(), new ProtectedRanges());
    }

    /** With the domain's guards given: package-private for jcstress tests that pass a broken variant of one. */
    MappingDomain(
        final DomainTable owner,
        final IommuDmaDomainType type,
        final long id,
        final RadixPageTable table,
        final IovaAllocator allocator,
        final int addressWidth,
        final Verifier verifier,
        final OperationGate gate,
        final ProtectedRanges protectedRanges)
    {
        this(owner, type, id, table, allocator, addressWidth, verifier, gate, protectedRanges,
            null == allocator ? null : new BlockLedger(addressWidth - PAGE_SHIFT));
    }

    /** With the guards and the block ledger given (null without allocator): for jcstress broken variants. */
    MappingDomain(
        final DomainTable owner,
        final IommuDmaDomainType type,
        final long id,
        final RadixPageTable table,
        final IovaAllocator allocator,
        final int addressWidth,
        final Verifier verifier,
        final OperationGate gate,
        final ProtectedRanges protectedRanges,
        final BlockLedger ledger)
    {
        super(owner, type, id);
        this.gate = gate;
        this.protectedRanges = protectedRanges;
        this.verifier = verifier;
        this.deferredInvalidation = null != table && null != table.iotlb() &&
            table.iotlb().mode() == IotlbMode.DEFERRED;
        this.table = table;
        this.allocator = allocator;
        this.ledger = ledger;
        this.limit = 1L << addressWidth;
    }

    RadixPageTable table()
    {
        return table;
    }

    IovaAllocator allocator()
    {
        return allocator;
    }

    /**
     * @return the block ledger (null without allocator).
     */
    BlockLedger ledger()
    {
        return ledger;
    }

    ProtectedRanges protectedRanges()
    {
        return protectedRanges;
    }

    OperationGate gate()
    {
        return gate;
    }

    Verifier verifier()
    {
        return verifier;
    }

    /**
     * Whether an unmap may return before the IOTLB has forgotten its pages (deferred invalidation): only then can a
     * device translate through an unmap (the verifier checks only such domains).
     */
    boolean deferredInvalidation()
    {
        return deferredInvalidation;
    }

    boolean hasAllocator()
    {
        return null != allocator;
    }

    /**
     * Makes the domain record each map and unmap in the persistent emulator's in-flight log (before publication).
     *
     * @param log the log.
     */
    void inFlightLog(final InFlightLog log)
    {
        this.inFlight = log;
    }

    /**
     * Whether calls are recorded in an in-flight log (the emulator is persistent).
     */
    boolean persistent()
    {
        return null != inFlight;
    }

    /**
     * Records a call in flight before its first table write, when the emulator is persistent: recovery undoes a map
     * and completes an unmap the process died in ({@link InFlightRepair}).
     *
     * @param kind    {@link InFlightLog#MAP}, {@link InFlightLog#UNMAP} or {@link InFlightLog#FREE_TOKEN}.
     * @param address the call's first address.
     * @param pages   its pages.
     * @return the slot to end the call with ({@link #endCall}), null when nothing is recorded.
     */
    InFlightLog.Slot beginCall(final int kind, final long address, final long pages)
    {
        final InFlightLog log = inFlight;
        if (null == log)
        {
            return null;
        }
        final InFlightLog.Slot slot = log.slot();
        slot.begin(kind, id(), address, pages);
        return slot;
    }

    /**
     * Ends a call {@link #beginCall} recorded (after its last table write), then gives the allocator the blocks the
     * call freed ({@link InFlightLog.Slot#deferFree}). Not before: recovery completes an unmap in flight by clearing
     * its whole range, so a block of that range must not be handed to another caller, who could map it and return,
     * while the record still says the unmap is in flight.
     *
     * @param slot the slot, or null.
     */
    void endCall(final InFlightLog.Slot slot)
    {
        if (null != slot)
        {
            slot.end();
            final int freed = slot.deferredFrees();
            for (int i = 0; i < freed; i++)
            {
                handle().freeDecided(slot.deferredAddress(i), slot.deferredPages(i));
            }
            slot.clearDeferredFrees();
        }
    }

    /**
     * The end of the domain's logical address space (exclusive): 2^AddressWidth.
     */
    long limit()
    {
        return limit;
    }

    /**
     * Sets up a reserved region at creation (before the domain is published): protected, and identity-mapped
     * read|write when asked (spec 5.3 item 16).
     *
     * @return {@link PtwResult#OK} or {@link PtwResult#NO_MEMORY}.
     */
    int addReservedRegion(final long base, final long pages, final boolean identity)
    {
        protectedRanges.add(base, base + (pages << PAGE_SHIFT));
        return identity ? table.map(base, base, pages << PAGE_SHIFT, PtwPermissions.READ_WRITE) : PtwResult.OK;
    }

    /**
     * The device-side translation of an address through this domain.
     *
     * @param address the device (logical) address.
     * @param access  the {@code IommuPermissions} the access needs.
     * @return an encoded {@link Translation}.
     */
    long translate(final long address, final int access)
    {
        return table.translate(address, access);
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapLogicalRangeEx, V1 MapLogicalRange / UnmapLogicalRange
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Maps checked physical pages (a contiguous {@code base} when {@code frames} is null, else a frame list) at an
     * explicit address (domains without allocator) or at one the allocator picks within the bounds.
     */
    int mapLogical(
        final int permissions,
        final long base,
        final long[] frames,
        final long pages,
        final LongRef explicitAddress,
        final LongRef minAddress,
        final LongRef maxAddress,
        final LongRef addressOut)
    {
        final int stripe = gate.enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            return null != allocator ?
                mapAllocated(permissions, base, frames, pages, minAddress, maxAddress, addressOut) :
                mapExplicit("MapLogicalRangeEx", explicitAddress.get(), permissions, base, frames, pages, addressOut);
        }
        finally
        {
            gate.exit(stripe);
        }
    }

    private int mapAllocated(
        final int permissions,
        final long base,
        final long[] frames,
        final long pages,
        final LongRef minAddress,
        final LongRef maxAddress,
        final LongRef addressOut)
    {
        final long min = null == minAddress ? IovaAllocator.NO_MIN : minAddress.get();
        final long max = null == maxAddress ? IovaAllocator.NO_MAX : maxAddress.get();
        final IovaThreadCache cache = handle();
        final long address = cache.allocate(pages, min, max);
        if (address < 0)
        {
            return address == IovaResult.UNSATISFIABLE_BOUNDS ?
                NtStatus.STATUS_INVALID_PARAMETER_MIX : NtStatus.STATUS_INSUFFICIENT_RESOURCES;
        }
        // The block is this call's alone (no explicit or identity map reaches a domain with an allocator, and tokens
        // have blocks of their own) and its leaves are empty (its last unmap cleared them before the ledger freed it):
        // a frame list (checked by the rules) is stored without a second check or a claiming CAS.
        final int order = 64 - Long.numberOfLeadingZeros(pages - 1);
        final InFlightLog.Slot slot = beginCall(InFlightLog.MAP, address, pages);
        final int result;
        try
        {
            result = null == frames ? table.map(address, base, pages << PAGE_SHIFT, permissions) :
                table.mapScatterOwned(address, frames, 0, (int)pages, permissions);
        }
        finally
        {
            endCall(slot);
        }
        if (result != PtwResult.OK)
        {
            // (After endCall: the block goes back only once the record no longer names its range.)
            cache.free(address, 1L << order);
            if (result == PtwResult.EXISTS && verifier.on)
            {
                MappingDivergence.clash(verifier, "MapLogicalRangeEx", this, address, pages << PAGE_SHIFT);
            }
            return result == PtwResult.NO_MEMORY ? NtStatus.STATUS_INSUFFICIENT_RESOURCES : NtStatus.STATUS_IN_USE;
        }
        ledger.open(address >>> PAGE_SHIFT, order, pages);
        addressOut.set(address);
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Maps at an explicit address inside the address space (checked by the rules).
     */
    private int mapExplicit(
        final String member,
        final long address,
        final int permissions,
        final long base,
        final long[] frames,
        final long pages,
        final LongRef addressOut)
    {
        final int status = mapChecked(
            member, address, address + (pages << PAGE_SHIFT), permissions, base, frames, pages);
        if (status == NtStatus.STATUS_SUCCESS && null != addressOut)
        {
            addressOut.set(address);
        }
        return status;
    }

    /**
     * V1 MapLogicalRange: the frames at an explicit address, inside the domain's gate.
     */
    int mapAt(final long address, final int permissions, final long[] frames, final long pages)
    {
        final int stripe = gate.enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            return mapExplicit("MapLogicalRange", address, permissions, 0, frames, pages, null);
        }
        finally
        {
            gate.exit(stripe);
        }
    }

    /**
     * Maps at an explicit address, refusing overlap with existing mappings and with protected ranges. Protected
     * ranges are checked before and again after the leaves are claimed, with a full fence in between: a token
     * reservation publishes its range, fences, then counts the mapped pages of the range
     * ({@link DocumentedTokens#reserveExplicit}). In the total order of those accesses one of the two sees the other,
     * so a reservation and a map of overlapping ranges never both succeed (Dekker).
     */
    private int mapChecked(
        final String member, final long address, final long end, final int permissions, final long base,
        final long[] frames, final long pages)
    {
        if (protectedRanges.overlaps(address, end))
        {
            if (verifier.on)
            {
                MappingDivergence.protectedMap(verifier, member, this, address, end - address,
                    table.countMapped(address, end - address) > 0);
            }
            return NtStatus.STATUS_IN_USE;
        }
        // A persistent emulator refuses a clash before the call is recorded in flight: the range then holds only
        // pages this call writes, which is what recovery undoes (InFlightRepair).
        final boolean clash = null != inFlight && table.countMapped(address, end - address) > 0;
        final InFlightLog.Slot slot = clash ? null : beginCall(InFlightLog.MAP, address, pages);
        try
        {
            final int result = clash ? PtwResult.EXISTS : mapPhysical(address, permissions, base, frames, pages);
            if (result != PtwResult.OK)
            {
                if (result == PtwResult.EXISTS && verifier.on)
                {
                    MappingDivergence.clash(verifier, member, this, address, end - address);
                }
                return result == PtwResult.NO_MEMORY ? NtStatus.STATUS_INSUFFICIENT_RESOURCES :
                    result == PtwResult.EXISTS ? NtStatus.STATUS_IN_USE : NtStatus.STATUS_INVALID_PARAMETER_4;
            }
            // Full fence, then the read: the leaf CASes above before the protected-range read (store-load, see
            // Javadoc).
            if (protectedRanges.fenceThenOverlaps(address, end))
            {
                table.unmap(address, end - address);
                return NtStatus.STATUS_IN_USE;
            }
            return NtStatus.STATUS_SUCCESS;
        }
        finally
        {
            endCall(slot);
        }
    }

    int mapPhysical(
        final long address, final int permissions, final long base, final long[] frames, final long pages)
    {
        // IommuPermissions and PtwPermissions share their bits (read 0x1, write 0x2).
        if (null == frames)
        {
            return table.map(address, base, pages << PAGE_SHIFT, permissions);
        }
        return table.mapScatter(address, frames, 0, (int)pages, permissions);
    }

    int unmapLogical(final long address, final long numberOfPages)
    {
        final long end = address + (numberOfPages << PAGE_SHIFT);
        final int stripe = gate.enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            if (end - address >= PRUNING_SPAN && table.nextMapped(address, end) == end)
            {
                // Nothing mapped: refused, and the empty tables in the range stay (an unmap that frees a table whose
                // whole span it covers would otherwise free them while failing). A map racing this check is
                // ordered after the refused unmap.
                if (null == allocator && verifier.on && MappingDivergence.tablesPresent(table, address, end))
                {
                    MappingDivergence.unmapOfNothing(verifier, "UnmapLogicalRange", this, address, end - address);
                }
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            final InFlightLog.Slot slot = beginCall(InFlightLog.UNMAP, address, numberOfPages);
            try
            {
                return null == allocator ? unmapPlain(address, end) : unmapAllocated(address, end, slot);
            }
            finally
            {
                endCall(slot);
            }
        }
        finally
        {
            gate.exit(stripe);
        }
    }

    private int unmapPlain(final long address, final long end)
    {
        final long count = table.unmap(address, end - address);
        if (count == PtwResult.PARTIAL_LARGE_PAGE)
        {
            if (verifier.on)
            {
                MappingDivergence.cutLargeLeaf(verifier, "UnmapLogicalRange", this, address, end - address);
            }
            return NtStatus.STATUS_CONFLICTING_ADDRESSES;
        }
        if (count == 0 && verifier.on && MappingDivergence.tablesPresent(table, address, end))
        {
            MappingDivergence.unmapOfNothing(verifier, "UnmapLogicalRange", this, address, end - address);
        }
        return count > 0 ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER;
    }


    /**
     * @param slot the call's in-flight record (null when not persistent): blocks freed are given back at its end.
     */
    private int unmapAllocated(final long address, final long end, final InFlightLog.Slot slot)
    {
        final long firstPage = address >>> PAGE_SHIFT;
        // One leaf lookup serves the find and, for a block starting in the same 512 pages, the release.
        final long[] leaf = ledger.leafOf(firstPage);
        final long found = ledger.find(leaf, firstPage);
        if (found >= 0)
        {
            final long first = BlockLedger.start(found);
            final long blockEnd = (first + (1L << BlockLedger.orderOf(found))) << PAGE_SHIFT;
            if (end <= blockEnd)
            {
                // The common case: the range lies in one block (ptw refuses a cut large leaf itself).
                final long count = table.unmap(address, end - address);
                if (count == PtwResult.PARTIAL_LARGE_PAGE)
                {
                    return NtStatus.STATUS_CONFLICTING_ADDRESSES;
                }
                if (count <= 0)
                {
                    return NtStatus.STATUS_INVALID_PARAMETER;
                }
                if (!settle(BlockLedger.sameLeaf(first, firstPage) ? leaf : ledger.leafOf(first), first, count, slot) &&
                    verifier.on)
                {
                    MappingDivergence.partialBlock(verifier, "UnmapLogicalRange", this, address, end - address, false);
                }
                return NtStatus.STATUS_SUCCESS;
            }
        }
        if (table.cutsLargePage(address, end - address))
        {
            return NtStatus.STATUS_CONFLICTING_ADDRESSES;
        }
        long total = 0;
        long pos = address;
        while (pos < end)
        {
            final long here = ledger.find(pos >>> PAGE_SHIFT);
            if (here < 0)
            {
                // No block here: nothing of ours is mapped until the next mapped page.
                final long next = table.nextMapped(pos, end);
                pos = next == pos ? pos + PAGE_SIZE : next;
                continue;
            }
            final long block = BlockLedger.start(here);
            final long blockEnd = (block + (1L << BlockLedger.orderOf(here))) << PAGE_SHIFT;
            final long to = Math.min(end, blockEnd);
            final long count = table.unmap(pos, to - pos);
            if (count > 0)
            {
                total += count;
                settle(ledger.leafOf(block), block, count, slot);
            }
            pos = to;
        }
        return total > 0 ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER;
    }

    /**
     * Returns whether the block goes back to the allocator (its last mapped page was unmapped): at once, or, in a
     * persistent emulator, when the call's in-flight record ends ({@link #endCall}).
     */
    private boolean settle(final long[] leaf, final long block, final long count, final InFlightLog.Slot slot)
    {
        final int order = ledger.release(leaf, block, count);
        if (order >= 0)
        {
            // This call alone frees the block (the ledger decided, once): the allocator needs no second arbitration.
            if (null == slot)
            {
                handle().freeDecided(block << PAGE_SHIFT, 1L << order);
            }
            else
            {
                slot.deferFree(block << PAGE_SHIFT, 1L << order);
            }
            return true;
        }
        return false;
    }

    private IovaThreadCache handle()
    {
        IovaThreadCache cache = handle;
        if (null == cache)
        {
            cache = allocator.threadCache();
            handle = cache;
        }
        return cache;
    }

    // ------------------------------------------------------------------------------------------------------------
    // MapIdentityRange(Ex) / UnmapIdentityRange(Ex)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Identity-maps checked pages (all-or-nothing: a failing run undoes the runs before it).
     */
    int mapIdentity(final int permissions, final long base, final long[] frames, final long pages)
    {
        final int stripe = gate.enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            final int runs = PhysicalPages.runCount(frames, pages);
            final long[] starts = new long[runs];
            final long[] lengths = new long[runs];
            long done = 0;
            for (int i = 0; i < runs; i++)
            {
                final long run = PhysicalPages.consecutiveRun(frames, done, pages);
                starts[i] = PhysicalPages.frame(base, frames, done) << PAGE_SHIFT;
                lengths[i] = run << PAGE_SHIFT;
                done += run;
            }
            if (identityClash(starts, lengths) ||
                null != inFlight && runs == 1 && table.countMapped(starts[0], lengths[0]) > 0)
            {
                // (A persistent emulator refuses a clash before recording the call, as in mapChecked.)
                return NtStatus.STATUS_IN_USE;
            }
            // One contiguous run is recorded in flight; a call of several runs is not (one record names one range):
            // after a crash inside it, each run is whole or absent, the call may be half applied (docs/embedding.md).
            final InFlightLog.Slot slot = runs == 1 ? beginCall(InFlightLog.MAP, starts[0], lengths[0] >>> PAGE_SHIFT) :
                null;
            try
            {
                return identityMapped(starts, lengths, runs, permissions);
            }
            finally
            {
                endCall(slot);
            }
        }
        finally
        {
            gate.exit(stripe);
        }
    }

    private int identityMapped(final long[] starts, final long[] lengths, final int runs, final int permissions)
    {
        final int result = table.mapIdentityRanges(starts, lengths, runs, permissions);
        if (result != PtwResult.OK)
        {
            if (result == PtwResult.EXISTS && verifier.on)
            {
                MappingDivergence.clash(verifier, "MapIdentityRange(Ex)", this, starts[0], lengths[0]);
            }
            return result == PtwResult.NO_MEMORY ? NtStatus.STATUS_INSUFFICIENT_RESOURCES :
                result == PtwResult.EXISTS ? NtStatus.STATUS_IN_USE : NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        for (int i = 0; i < runs; i++)
        {
            // Full fence, then the read: the leaf CASes before the protected-range read (see mapChecked).
            if (protectedRanges.fenceThenOverlaps(starts[i], starts[i] + lengths[i]))
            {
                for (int j = 0; j < runs; j++)
                {
                    table.unmapKeepTables(starts[j], lengths[j]);
                }
                return NtStatus.STATUS_IN_USE;
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Removes checked identity pages, all or nothing: pages not all identity-mapped (or protected) return
     * {@code notIdentityMapped}, a range cutting a large leaf STATUS_CONFLICTING_ADDRESSES.
     */
    int unmapIdentity(final long base, final long[] frames, final long pages, final int notIdentityMapped)
    {
        final int stripe = gate.enter();
        if (stripe < 0)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        try
        {
            for (long i = 0; i < pages; i++)
            {
                final long address = PhysicalPages.frame(base, frames, i) << PAGE_SHIFT;
                if (address >= limit || protectedRanges.overlaps(address, address + PAGE_SIZE))
                {
                    return notIdentityMapped;
                }
                final long t = table.walk(address);
                if (Translation.isFault(t) || Translation.outputAddress(t, address) != address)
                {
                    if (verifier.on)
                    {
                        MappingDivergence.notIdentityMapped(verifier, this, address, notIdentityMapped,
                            MappingDivergence.tablesPresent(table, address, address + PAGE_SIZE));
                    }
                    return notIdentityMapped;
                }
            }
            long done = 0;
            while (done < pages)
            {
                final long run = PhysicalPages.consecutiveRun(frames, done, pages);
                if (table.cutsLargePage(PhysicalPages.frame(base, frames, done) << PAGE_SHIFT, run << PAGE_SHIFT))
                {
                    return NtStatus.STATUS_CONFLICTING_ADDRESSES;
                }
                done += run;
            }
            // A single run is recorded in flight (recovery completes it); several are not (see mapIdentity).
            final InFlightLog.Slot slot = PhysicalPages.consecutiveRun(frames, 0, pages) == pages ?
                beginCall(InFlightLog.UNMAP, PhysicalPages.frame(base, frames, 0) << PAGE_SHIFT, pages) : null;
            try
            {
                done = 0;
                while (done < pages)
                {
                    final long run = PhysicalPages.consecutiveRun(frames, done, pages);
                    table.unmap(PhysicalPages.frame(base, frames, done) << PAGE_SHIFT, run << PAGE_SHIFT);
                    done += run;
                }
            }
            finally
            {
                endCall(slot);
            }
            return NtStatus.STATUS_SUCCESS;
        }
        finally
        {
            gate.exit(stripe);
        }
    }

    /**
     * Whether a run of an identity map would be refused for a clash (a protected range, a mapped page, or another
     * run of the same call), looked for before any run is mapped: a refused identity map of several runs must not
     * keep the tables its first runs installed. Reports to the verifier as the failing run's map would. Allocates
     * (identity maps are set-up calls, not the I/O path).
     */
    private boolean identityClash(final long[] starts, final long[] lengths)
    {
        final java.util.TreeMap<Long, Long> seen = new java.util.TreeMap<>();
        for (int i = 0; i < starts.length; i++)
        {
            final long at = starts[i];
            final long end = at + lengths[i];
            final java.util.Map.Entry<Long, Long> before = seen.lowerEntry(end);
            final boolean overlapsRun = null != before && before.getValue() > at;
            if (protectedRanges.overlaps(at, end))
            {
                if (verifier.on)
                {
                    MappingDivergence.protectedMap(verifier, "MapIdentityRange(Ex)", this, at, end - at,
                        table.countMapped(at, end - at) > 0);
                }
                return true;
            }
            if (overlapsRun || table.nextMapped(at, end) < end)
            {
                if (verifier.on)
                {
                    MappingDivergence.clash(verifier, "MapIdentityRange(Ex)", this, at, end - at);
                }
                return true;
            }
            seen.put(at, end);
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Lifecycle
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Frees the tables once no map or unmap is inside them (the domain is already dead for new calls).
     */
    @Override
    void release()
    {
        gate.closeAndDrain();
        table.destroy();
    }
}
