/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;


import org.agrona.UnsafeApi;

import static dev.iommu.ptw.PteDescriptor.ADDRESS_MASK;
import static dev.iommu.ptw.PteDescriptor.PAGE_SHIFT;
import static dev.iommu.ptw.PteDescriptor.TABLE;

/**
 * The translate walk of one {@link RadixPageTable}: lock-free, allocation-free, safe against tables freed under it.
 * It starts at the leaf table the {@link PagingStructureCache} holds for the address's 2 MiB region, and walks from
 * the root only when the cache has nothing (or for a 2 MiB / 1 GiB leaf, which has no leaf table); a walk from the
 * root remembers the leaf table it reaches.
 *
 * <h2>Safe reclamation</h2>
 * A table page is freed only after it was unlinked from its parent (getAndSet to 0), and, for a leaf table, after
 * its owner tag was cleared (before the unlink). Every free bumps the table's free generation
 * ({@link FreeGeneration#incrementAndGet}, a full fence) after the unlink and before the page is zeroed and returned to
 * the arena, where anyone may reuse it. The walk reads the generation before it starts (volatile load), reads
 * entries with acquire loads, issues a load fence and reads the generation again; it returns only if both are
 * equal, otherwise it walks again. If the walk read any value written after the page's reuse (its zeroing
 * included), that write happened after the increment (program order of the freeing thread, then the arena's
 * hand-off), so the second read sees a new generation: a walk never returns content of a reused page. A walk that
 * reads zeros of a freed page reports "not present", which is a valid result because the address was unmapped
 * during the walk.
 *
 * <h2>Through the paging-structure cache</h2>
 * The cache's slot is a hint written by anyone, possibly long ago: the page it names may have been freed, even
 * reused, before this walk began, which the generation check above cannot see. So the walk trusts it only after the
 * acquire load of the page's owner tag matches "leaf table of this region of this table". What the walk can then
 * read from the page:
 * <ul>
 *   <li>the page is still linked: a leaf of this region, as a walk from the root would read it;</li>
 *   <li>the page was unlinked after the tag was read (the tag is cleared before the unlink, so the tag load came
 *   first): the leaves stay in the page until it is zeroed, which follows the generation bump; a leaf read before
 *   that is the mapping as it was when this translate, racing the unmap, began (the translate is ordered before the
 *   unmap), and anything read after it (zeros, or a new owner's entries) fails the generation check;</li>
 *   <li>the tag read is stale (the page already freed and retagged): impossible when the first generation read
 *   was already the bumped one (the clearing of the tag happens before the bump, which happens before that read,
 *   which comes before the tag load); otherwise the generation moves during this walk and it walks again;</li>
 *   <li>the page was reused as the same region's leaf table of this table: the tag matches, rightly.</li>
 * </ul>
 */
final class TranslateWalker
{
    /** Address of the table's free generation ({@link FreeGeneration}). */
    private final long freeGeneration;
    private final PagingStructureCache psc;
    private final SoftwareIotlb iotlb;
    private final WalkObserver observer;
    private final long rootAddress;
    private final int top;
    private final long arenaBase;
    private final int arenaCapacity;

    /**
     * @param arena          the tables' memory.
     * @param rootPage       the root table's page.
     * @param levels         levels of the table.
     * @param psc            its paging-structure cache.
     * @param iotlb          its IOTLB, or null (then a walk never fills).
     * @param observer       a test's hook, or null.
     */
    TranslateWalker(
        final TableArena arena, final int rootPage, final int levels, final PagingStructureCache psc,
        final SoftwareIotlb iotlb, final WalkObserver observer)
    {
        this.freeGeneration = arena.generationAddress(rootPage);
        this.psc = psc;
        this.iotlb = iotlb;
        this.observer = observer;
        this.rootAddress = arena.pageAddress(rootPage);
        this.top = levels - 1;
        this.arenaBase = arena.baseAddress();
        this.arenaCapacity = arena.capacity();
    }

    /**
     * Translate {@code iova} (below 2^addressWidth) by walking the tables.
     *
     * @param fill whether to fill the IOTLB with what the walk found (never null then).
     * @return an encoded {@link Translation}.
     */
    long walk(final long iova, final boolean fill)
    {
        while (true)
        {
            // Reclamation check, part 1: the generation before the walk (volatile load).
            final long generation = FreeGeneration.lv(freeGeneration);
            final long base = arenaBase;
            final int capacity = arenaCapacity;
            // Fields read once into locals: an acquire load keeps later field loads from being hoisted above it.
            final WalkObserver walkObserver = observer;
            // The cache's slot, then the owner tag of its page (acquire), both after the generation read above: if a
            // free of that page bumped the generation this walk read, the tag it cleared before the bump is seen
            // here, so a stale slot is turned away; a free after that read moves the generation and the walk
            // retries (see "Through the paging-structure cache" above).
            long table = psc.leafTable(iova);
            int level = 0;
            if (table == 0)
            {
                table = rootAddress;
                level = top;
            }
            long result = Translation.NOT_PRESENT;
            long leafAddress = 0;
            long leafEntry = 0;
            while (true)
            {
                final long addr = PteAccess.entryAddress(table, iova, level);
                // Acquire: pairs with the publishing CAS of a table or leaf, so a table is seen with its contents.
                final long entry = PteAccess.laEntry(addr);
                if (null != walkObserver)
                {
                    walkObserver.afterRead(level, entry);
                }
                if (entry == 0)
                {
                    break;
                }
                if ((entry & TABLE) != 0)
                {
                    final int child = PteDescriptor.childIndex(entry);
                    if (level == 0 || Integer.compareUnsigned(child - 1, capacity) >= 0)
                    {
                        break;
                    }
                    if (level == 1)
                    {
                        // A hint only (checked by the owner tag when used): harmless even if the page is freed now.
                        psc.remember(child, iova);
                    }
                    table = base + ((long)child << PAGE_SHIFT);
                    level--;
                    continue;
                }
                final long offsetInLeaf = iova & ((1L << PteDescriptor.shift(level)) - 1) & -PageSizes.SIZE_4K;
                result = Translation.encode(
                    (entry & ADDRESS_MASK) + offsetInLeaf, level, PteDescriptor.permissions(entry));
                leafAddress = addr;
                leafEntry = entry;
                break;
            }
            // Reclamation check, part 2: the loads above complete before the generation is read again.
            UnsafeApi.loadFence();
            if (FreeGeneration.lv(freeGeneration) == generation)
            {
                if (fill && leafAddress != 0)
                {
                    iotlb.fill(iova >>> PAGE_SHIFT, result, leafAddress, leafEntry, freeGeneration, generation);
                }
                return result;
            }
        }
    }
}
