/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.util.concurrent.atomic.AtomicReference;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * The operations Lincheck runs on a {@link RadixPageTable} (IOTLB off) in {@link PageTableLinearizabilityTest}:
 * two 4 KiB pages of region 0 (maps of one page collide on the leaf CAS, the first map of the region races the
 * others to install the tables, an unmap races a map of the same page) and a 2 MiB leaf in region 1 (same
 * level-1 table: a large map races another large map or its unmap on one level-1 slot). Only ranges the table's
 * contract lets race: no unmap ever covers a table another operation is using.
 */
@Param(name = "page", gen = IntGen.class, conf = "0:1")
@Param(name = "out", gen = IntGen.class, conf = "1:2")
public class PageTableOperations
{
    /**
     * One arena for every instance: Lincheck makes an instance per invocation, and a new direct buffer each time
     * would make the run wait for the collector. Room for a table and the thread caches of a few threads.
     */
    static final TableArena ARENA = TableArena.allocateDirect(512);
    /** The previous invocation's table, destroyed when the next instance is made (invocations run one by one). */
    private static final AtomicReference<RadixPageTable> PREVIOUS = new AtomicReference<>();

    private final RadixPageTable table = replacePrevious(newTable());

    private static RadixPageTable replacePrevious(final RadixPageTable table)
    {
        final RadixPageTable previous = PREVIOUS.getAndSet(table);
        if (null != previous)
        {
            previous.destroy();
        }
        return table;
    }

    /**
     * The table under test; a subclass adds the IOTLB.
     *
     * @return a new table in {@link #ARENA}, without IOTLB.
     */
    RadixPageTable newTable()
    {
        return RadixPageTable.create(ARENA, config(0));
    }

    static PageTableConfig config(final int iotlbEntries)
    {
        return new PageTableConfig()
            .addressWidth(39)
            .allowedPageSizes(PageSizes.ALLOW_2M)
            .iotlbEntries(iotlbEntries)
            .iotlbMode(IotlbMode.STRICT);
    }

    /**
     * @param page a page of region 0.
     * @param out  which output (1 or 2): two maps of one page with different outputs are told apart.
     * @return the {@link PtwResult}.
     */
    @Operation
    public int map(@Param(name = "page") final int page, @Param(name = "out") final int out)
    {
        return table.map(PageMapModel.iova(page), PageMapModel.output(out, page), PageSizes.SIZE_4K,
            PtwPermissions.READ_WRITE);
    }

    /**
     * @param page a page of region 0.
     * @return pages unmapped (0 or 1).
     */
    @Operation
    public long unmap(@Param(name = "page") final int page)
    {
        return table.unmap(PageMapModel.iova(page), PageSizes.SIZE_4K);
    }

    /**
     * @param page a page of region 0.
     * @return the encoded translation, without its level.
     */
    @Operation
    public long translate(@Param(name = "page") final int page)
    {
        return PageMapModel.withoutLevel(table.translate(PageMapModel.iova(page)));
    }

    /**
     * @param out which output (1 or 2).
     * @return the {@link PtwResult} of mapping region 1 with one 2 MiB leaf.
     */
    @Operation
    public int mapLarge(@Param(name = "out") final int out)
    {
        return table.map(PageMapModel.LARGE_IOVA, PageMapModel.largeOutput(out), PageSizes.SIZE_2M,
            PtwPermissions.READ_WRITE);
    }

    /**
     * @return pages unmapped from region 1 (0 or 512).
     */
    @Operation
    public long unmapLarge()
    {
        return table.unmap(PageMapModel.LARGE_IOVA, PageSizes.SIZE_2M);
    }

    /**
     * @param page a page inside region 1.
     * @return the encoded translation, without its level (see {@link PageMapModel#withoutLevel}).
     */
    @Operation
    public long translateLarge(@Param(name = "page") final int page)
    {
        return PageMapModel.withoutLevel(table.translate(PageMapModel.LARGE_IOVA + PageMapModel.iova(page)));
    }
}
