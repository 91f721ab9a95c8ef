/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_DMA_DOMAIN_TYPE} (spec section 3.2). The kind of a DMA remapping domain. Bitmasks of
 * available types use bit {@code 1 << value()} (see {@link #mask()}).
 */
public enum IommuDmaDomainType implements SpecConstant
{
    /**
     * {@code DomainTypeTranslate} = 0: Standard remapping domain: the library owns the page tables that
     * hold logical mappings.
     */
    TRANSLATE(0, "DomainTypeTranslate"),
    /**
     * {@code DomainTypePassThrough} = 1: Pass-through: device addresses are physical addresses; may be
     * refused by DMA Guard policy.
     */
    PASS_THROUGH(1, "DomainTypePassThrough"),
    /**
     * {@code DomainTypeUnmanaged} = 2: Remapping domain whose page table the caller owns, supplies with
     * ConfigureDomain and flushes.
     */
    UNMANAGED(2, "DomainTypeUnmanaged"),
    /**
     * {@code DomainTypeTranslateS1} = 3: Stage-1 translate domain; wdm.h only defines the constant (spec
     * 1.4, 5.3 item 15).
     */
    TRANSLATE_S1(3, "DomainTypeTranslateS1"),
    /**
     * {@code DomainTypeMax} = 4: Not a domain type: the bound, invalid as an argument.
     */
    MAX(4, "DomainTypeMax");

    private static final IommuDmaDomainType[] VALUES = values();

    private final int value;
    private final String specName;

    IommuDmaDomainType(final int value, final String specName)
    {
        this.value = value;
        this.specName = specName;
    }

    /** {@inheritDoc} */
    @Override
    public int value()
    {
        return value;
    }

    /** {@inheritDoc} */
    @Override
    public String specName()
    {
        return specName;
    }

    /**
     * The bit this type occupies in an available-domain-types mask ({@code 1 << value()}): Translate
     * 0x1, PassThrough 0x2, Unmanaged 0x4, TranslateS1 0x8 (spec 3.2).
     *
     * @return the mask bit.
     */
    public int mask()
    {
        return 1 << value;
    }

    /**
     * The constant with a given numeric value.
     *
     * @param value the C enumeration value.
     * @return the constant, or null when none has that value.
     */
    public static IommuDmaDomainType fromValue(final int value)
    {
        return SpecConstant.fromValue(VALUES, value);
    }
}
