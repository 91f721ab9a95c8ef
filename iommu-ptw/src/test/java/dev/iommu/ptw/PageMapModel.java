/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * The sequential specification of {@link PageTableLinearizabilityTest}: a map from page to output for three pages
 * of region 0 and one optional 2 MiB leaf for region 1, with the results {@link RadixPageTable} documents (a map
 * of a mapped page is {@link PtwResult#EXISTS}, an unmap returns the pages it removed, a translate the leaf).
 */
public class PageMapModel
{
    static final long LARGE_IOVA = PageSizes.SIZE_2M;
    private static final int PAGES = 3;
    private static final int LEVEL_4K = 0;

    private final long[] outputs = new long[PAGES];
    private long largeOutput;

    static long iova(final int page)
    {
        return page * PageSizes.SIZE_4K;
    }

    static long output(final int out, final int page)
    {
        return ((long)out << 30) + iova(page);
    }

    /**
     * A translation without its level bits. The page size a map uses is not part of the linearizable contract: a
     * 2 MiB map whose large-leaf CAS lost to another map, and which then finds the slot empty again (that map was
     * unmapped meanwhile), installs a level-0 table and maps the region with 4 KiB leaves (same outputs).
     *
     * @param translation an encoded {@link Translation}.
     * @return the same with level 0, or the fault unchanged.
     */
    static long withoutLevel(final long translation)
    {
        return translation < 0 ? translation : translation & ~(0x3L << 2);
    }

    static long largeOutput(final int out)
    {
        return (long)out << 31;
    }

    /**
     * @param page the page.
     * @param out  the output choice.
     * @return OK or EXISTS.
     */
    public int map(final int page, final int out)
    {
        if (outputs[page] != 0)
        {
            return PtwResult.EXISTS;
        }
        outputs[page] = output(out, page);
        return PtwResult.OK;
    }

    /**
     * @param page the page.
     * @return 1 when it was mapped, else 0.
     */
    public long unmap(final int page)
    {
        final long was = outputs[page];
        outputs[page] = 0;
        return was != 0 ? 1 : 0;
    }

    /**
     * @param page the page.
     * @return its translation or not-present.
     */
    public long translate(final int page)
    {
        return outputs[page] == 0 ? Translation.NOT_PRESENT :
            Translation.encode(outputs[page], LEVEL_4K, PtwPermissions.READ_WRITE);
    }

    /**
     * @param out the output choice.
     * @return OK or EXISTS.
     */
    public int mapLarge(final int out)
    {
        if (largeOutput != 0)
        {
            return PtwResult.EXISTS;
        }
        largeOutput = largeOutput(out);
        return PtwResult.OK;
    }

    /**
     * @return 512 when the leaf was there, else 0.
     */
    public long unmapLarge()
    {
        final long was = largeOutput;
        largeOutput = 0;
        return was != 0 ? PageSizes.SIZE_2M / PageSizes.SIZE_4K : 0;
    }

    /**
     * @param page the page inside region 1.
     * @return its translation or not-present.
     */
    public long translateLarge(final int page)
    {
        return largeOutput == 0 ? Translation.NOT_PRESENT :
            Translation.encode(largeOutput + iova(page), LEVEL_4K, PtwPermissions.READ_WRITE);
    }
}
