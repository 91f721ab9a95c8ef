/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

/**
 * An IOMMU under test, as a driver and a device use it: one translation domain with an address allocator, one
 * device attached to it. Map calls pick the address (the allocator's choice, like {@code MapLogicalRangeEx} without
 * an explicit address); unmap takes back a whole mapping; translate is what the device's DMA sees.
 * <p>
 * Contract, the same for every implementation (results are {@link MapperResult} codes):
 * <ul>
 *     <li>map: {@code count} 4 KiB pages (or {@code bytes / 4096} pages of a contiguous run) are mapped at an
 *     address aligned to the next power of two of the page count, or nothing is mapped: {@link
 *     MapperResult#INVALID_ARGUMENT} for a null or short frame array, a count or size of 0 or less, an unaligned
 *     physical address, a frame at or above 2^40, or permission bits outside {@link #READ_WRITE}; {@link
 *     MapperResult#NO_SPACE} when no range fits (below {@code maxAddress} when one is given);</li>
 *     <li>unmap: {@code (iova, pages)} as one map call returned and mapped them: {@link MapperResult#SUCCESS}, then
 *     every page of it translates to {@link MapperResult#FAULT_NOT_PRESENT} and its address range may be handed out
 *     again; an unaligned address or {@code pages} of 0 or less is {@link MapperResult#INVALID_ARGUMENT}; a range of
 *     which no page is mapped is {@link MapperResult#NOT_MAPPED}. Any other range (part of a mapping, or spanning
 *     several) is implementation-defined: the library unmaps page-granular, the baselines refuse it;</li>
 *     <li>translate: the physical address of the byte ({@code frame * 4096 + iova % 4096}), {@link
 *     MapperResult#FAULT_NOT_PRESENT} when the page is not mapped (also for addresses outside the domain), {@link
 *     MapperResult#FAULT_PERMISSION} when it is mapped without {@code access}, {@link
 *     MapperResult#INVALID_ARGUMENT} when {@code access} is not {@link #READ}, {@link #WRITE} or
 *     {@link #READ_WRITE}.</li>
 * </ul>
 * Threads: the domain is safe to share; an instance is not. Each thread uses its own instance: the one from
 * {@link DmaMapperFactory#create()} or one from {@link #share()} over the same domain. Steady-state calls of the
 * library's implementation allocate nothing (the baselines box and allocate nodes, as the collections they use do).
 */
public interface DmaMapper extends AutoCloseable
{
    /** Device may read (the IOMMU_PERMISSIONS bit). */
    int READ = 0x1;
    /** Device may write. */
    int WRITE = 0x2;
    /** Device may read and write. */
    int READ_WRITE = READ | WRITE;
    /** No upper bound on the address a map may choose. */
    long NO_LIMIT = -1;

    /**
     * Maps scattered 4 KiB frames at consecutive pages of an address the mapper chooses.
     *
     * @param frames      page frame numbers (physical address / 4096); the first {@code count} are used.
     * @param count       the number of pages, at least 1.
     * @param permissions {@link #READ}, {@link #WRITE}, {@link #READ_WRITE} (0: mapped, no access).
     * @return the address (4 KiB aligned), or a negative {@link MapperResult}.
     */
    default long map(final long[] frames, final int count, final int permissions)
    {
        return map(frames, count, permissions, NO_LIMIT);
    }

    /**
     * Maps scattered 4 KiB frames, the whole mapping at or below {@code maxAddress} (a constrained caller, such as
     * a 32-bit device).
     *
     * @param frames      page frame numbers; the first {@code count} are used.
     * @param count       the number of pages, at least 1.
     * @param permissions permission bits.
     * @param maxAddress  the highest byte the mapping may cover, inclusive, or {@link #NO_LIMIT}.
     * @return the address, or a negative {@link MapperResult}.
     */
    long map(long[] frames, int count, int permissions, long maxAddress);

    /**
     * Maps a physically contiguous run at an address the mapper chooses (the library uses 2 MiB and 1 GiB pages
     * where address, physical address and length allow).
     *
     * @param physical    the physical address, 4 KiB aligned.
     * @param bytes       the length, a positive multiple of 4 KiB.
     * @param permissions permission bits.
     * @return the address, or a negative {@link MapperResult}.
     */
    default long mapContiguous(final long physical, final long bytes, final int permissions)
    {
        return mapContiguous(physical, bytes, permissions, NO_LIMIT);
    }

    /**
     * Maps a physically contiguous run at or below {@code maxAddress}.
     *
     * @param physical    the physical address, 4 KiB aligned.
     * @param bytes       the length, a positive multiple of 4 KiB.
     * @param permissions permission bits.
     * @param maxAddress  the highest byte the mapping may cover, inclusive, or {@link #NO_LIMIT}.
     * @return the address, or a negative {@link MapperResult}.
     */
    long mapContiguous(long physical, long bytes, int permissions, long maxAddress);

    /**
     * Unmaps a mapping (with strict invalidation: once this returns, no translation sees it) and gives its address
     * range back.
     *
     * @param iova  the address a map call returned.
     * @param pages the number of pages it mapped.
     * @return {@link MapperResult#SUCCESS} or a negative {@link MapperResult}.
     */
    int unmap(long iova, long pages);

    /**
     * What a device's DMA access at {@code iova} reaches.
     *
     * @param iova   the device address.
     * @param access {@link #READ}, {@link #WRITE} or {@link #READ_WRITE}.
     * @return the physical address, or a negative {@link MapperResult}.
     */
    long translate(long iova, int access);

    /**
     * Another instance over the same domain, for another thread. Closing it releases only the instance; the domain
     * lives until the instance that created it ({@link DmaMapperFactory#create()}) is closed, after which no
     * instance over it may be used.
     *
     * @return a new instance over this domain.
     */
    DmaMapper share();

    /**
     * Releases the instance; for the instance {@link DmaMapperFactory#create()} returned, also the domain (its
     * mappings and address space) and its device. Idempotent.
     */
    @Override
    void close();
}
