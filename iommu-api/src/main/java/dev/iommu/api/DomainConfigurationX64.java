/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code DOMAIN_CONFIGURATION_X64} (spec section 3.13). An x64 first-level page table configuration; reserved for
 * the system. Its x64 size is 0x10 bytes.
 */
public final class DomainConfigurationX64
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x10;

    private long firstLevelPageTableRoot;
    private boolean translationEnabled;

    /**
     * {@code FirstLevelPageTableRoot}: the physical root of the first-level table.
     *
     * @return the value.
     */
    public long firstLevelPageTableRoot()
    {
        return firstLevelPageTableRoot;
    }

    /**
     * Sets {@code FirstLevelPageTableRoot}.
     *
     * @param firstLevelPageTableRoot the new value.
     * @return this.
     */
    public DomainConfigurationX64 firstLevelPageTableRoot(final long firstLevelPageTableRoot)
    {
        this.firstLevelPageTableRoot = firstLevelPageTableRoot;
        return this;
    }

    /**
     * {@code TranslationEnabled}: false: transactions bypass translation.
     *
     * @return the value.
     */
    public boolean translationEnabled()
    {
        return translationEnabled;
    }

    /**
     * Sets {@code TranslationEnabled}.
     *
     * @param translationEnabled the new value.
     * @return this.
     */
    public DomainConfigurationX64 translationEnabled(final boolean translationEnabled)
    {
        this.translationEnabled = translationEnabled;
        return this;
    }
}
