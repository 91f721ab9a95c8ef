/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code DOMAIN_CONFIGURATION_ARM64} (spec section 3.13). A caller-owned ARM64 SMMU stage-1 page table handed to
 * an unmanaged domain. Its x64 size is 0x20 bytes.
 */
public final class DomainConfigurationArm64
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x20;

    private long ttbr0;
    private long ttbr1;
    private int mair0;
    private int mair1;
    private int inputSize0;
    private int inputSize1;
    private boolean coherentTableWalks;
    private boolean translationEnabled;

    /**
     * {@code Ttbr0}: the base of translation table 0.
     *
     * @return the value.
     */
    public long ttbr0()
    {
        return ttbr0;
    }

    /**
     * Sets {@code Ttbr0}.
     *
     * @param ttbr0 the new value.
     * @return this.
     */
    public DomainConfigurationArm64 ttbr0(final long ttbr0)
    {
        this.ttbr0 = ttbr0;
        return this;
    }

    /**
     * {@code Ttbr1}: the base of translation table 1.
     *
     * @return the value.
     */
    public long ttbr1()
    {
        return ttbr1;
    }

    /**
     * Sets {@code Ttbr1}.
     *
     * @param ttbr1 the new value.
     * @return this.
     */
    public DomainConfigurationArm64 ttbr1(final long ttbr1)
    {
        this.ttbr1 = ttbr1;
        return this;
    }

    /**
     * {@code Mair0}: memory attribute indirection register 0.
     *
     * @return the value.
     */
    public int mair0()
    {
        return mair0;
    }

    /**
     * Sets {@code Mair0}.
     *
     * @param mair0 the new value.
     * @return this.
     */
    public DomainConfigurationArm64 mair0(final int mair0)
    {
        this.mair0 = mair0;
        return this;
    }

    /**
     * {@code Mair1}: memory attribute indirection register 1.
     *
     * @return the value.
     */
    public int mair1()
    {
        return mair1;
    }

    /**
     * Sets {@code Mair1}.
     *
     * @param mair1 the new value.
     * @return this.
     */
    public DomainConfigurationArm64 mair1(final int mair1)
    {
        this.mair1 = mair1;
        return this;
    }

    /**
     * {@code InputSize0}: the input address width for TTBR0 (a UCHAR).
     *
     * @return the value.
     */
    public int inputSize0()
    {
        return inputSize0;
    }

    /**
     * Sets {@code InputSize0}.
     *
     * @param inputSize0 the new value.
     * @return this.
     */
    public DomainConfigurationArm64 inputSize0(final int inputSize0)
    {
        this.inputSize0 = inputSize0;
        return this;
    }

    /**
     * {@code InputSize1}: the input address width for TTBR1 (a UCHAR).
     *
     * @return the value.
     */
    public int inputSize1()
    {
        return inputSize1;
    }

    /**
     * Sets {@code InputSize1}.
     *
     * @param inputSize1 the new value.
     * @return this.
     */
    public DomainConfigurationArm64 inputSize1(final int inputSize1)
    {
        this.inputSize1 = inputSize1;
        return this;
    }

    /**
     * {@code CoherentTableWalks}: table walks are coherent.
     *
     * @return the value.
     */
    public boolean coherentTableWalks()
    {
        return coherentTableWalks;
    }

    /**
     * Sets {@code CoherentTableWalks}.
     *
     * @param coherentTableWalks the new value.
     * @return this.
     */
    public DomainConfigurationArm64 coherentTableWalks(final boolean coherentTableWalks)
    {
        this.coherentTableWalks = coherentTableWalks;
        return this;
    }

    /**
     * {@code TranslationEnabled}: false: transactions bypass stage-1 translation.
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
    public DomainConfigurationArm64 translationEnabled(final boolean translationEnabled)
    {
        this.translationEnabled = translationEnabled;
        return this;
    }
}
