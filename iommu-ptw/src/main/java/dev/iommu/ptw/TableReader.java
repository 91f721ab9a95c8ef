/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.Objects;

/**
 * Translates through a {@link RadixPageTable} that another process owns and changes: the reader's side of a table
 * arena file shared between processes (a device model beside the VMM). It maps the same file
 * ({@link TableArena#openReader}) and walks the table from its root page with the owner's translate walk, lock-free
 * and allocation-free, never writing to the file.
 * <p>
 * Ordering, across processes as across threads: the walk reads the table's free generation, which lives in the
 * arena file ({@link FreeGeneration}), before and after its acquire loads of the entries, and walks again when a
 * table page was freed meanwhile; so it never returns what a reused page holds, and a translation it returns was in
 * the table at some moment during the call. It has no IOTLB (the owner's invalidations could not reach it): once
 * the owner's unmap returned, no walk that starts afterwards returns the page.
 * <p>
 * The reader does not know when the owner destroys the table; the owner's protocol (for example a record of live
 * roots) must say which root pages are tables.
 */
public final class TableReader
{
    private final TranslateWalker walker;
    private final int addressWidth;

    private TableReader(final TableArena arena, final PageTableConfig config, final int rootPage)
    {
        this.addressWidth = config.addressWidth();
        final int levels = (addressWidth - PteDescriptor.PAGE_SHIFT) / PteDescriptor.BITS_PER_LEVEL;
        // No owner tags are ever set in this view, so its paging-structure cache never matches: every walk starts at
        // the root (the owner's tags live in the owner's process).
        this.walker = new TranslateWalker(arena, rootPage, levels, new PagingStructureCache(arena), null, null);
    }

    /**
     * A reader of the table whose root is {@code rootPage}.
     *
     * @param arena    the arena, usually another process's read-only view ({@link TableArena#openReader}).
     * @param config   the table's address width (as its owner created it; only {@code addressWidth} is read).
     * @param rootPage the table's root page ({@link RadixPageTable#rootPage()} in the owner).
     * @return the reader.
     * @throws IllegalArgumentException when {@code rootPage} is not a page of the arena.
     */
    public static TableReader attach(final TableArena arena, final PageTableConfig config, final int rootPage)
    {
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(config, "config");
        if (!arena.isPage(rootPage))
        {
            throw new IllegalArgumentException("root page " + rootPage + " is not a page of the arena (capacity " +
                arena.capacity() + ")");
        }
        return new TableReader(arena, config, rootPage);
    }

    /**
     * Translate one input address by walking the owner's tables.
     *
     * @param iova the input address.
     * @return an encoded {@link Translation}: output page, level and permissions, or a fault.
     */
    public long translate(final long iova)
    {
        if ((iova >>> addressWidth) != 0)
        {
            return Translation.BAD_ADDRESS;
        }
        return walker.walk(iova, false);
    }

    /**
     * Translate and check an access.
     *
     * @param iova   the input address.
     * @param access the {@link PtwPermissions} the access needs.
     * @return an encoded {@link Translation}, or a {@link Translation#FAULT_PERMISSION} fault when the leaf does not
     *     grant {@code access}.
     */
    public long translate(final long iova, final int access)
    {
        return PtwPermissions.isValid(access) ? Translation.checkAccess(translate(iova), access) :
            Translation.BAD_ADDRESS;
    }
}
