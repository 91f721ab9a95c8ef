/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_INTERFACE_STATE_CHANGE_FIELDS} (spec section 3.11). A set of interface state fields: at
 * registration, which states to watch; in a callback, which states changed. Bit 0 is AvailableDomainTypes; bits 1
 * to 31 are reserved. Its x64 size is 0x4 bytes.
 */
public final class IommuInterfaceStateChangeFields
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x4;

    /** Bit 0: the available domain types. */
    public static final int AVAILABLE_DOMAIN_TYPES = 0x1;
    /** Bits 1 to 31: reserved for future fields. */
    public static final int RESERVED_MASK = ~AVAILABLE_DOMAIN_TYPES;

    /**
     * Whether the available-domain-types bit is set.
     *
     * @return true when bit 0 is set.
     */
    public boolean availableDomainTypes()
    {
        return (asUlong & AVAILABLE_DOMAIN_TYPES) != 0;
    }

    /**
     * Sets or clears the available-domain-types bit, leaving the other bits alone.
     *
     * @param watch true to set bit 0.
     * @return this.
     */
    public IommuInterfaceStateChangeFields availableDomainTypes(final boolean watch)
    {
        asUlong = watch ? asUlong | AVAILABLE_DOMAIN_TYPES : asUlong & ~AVAILABLE_DOMAIN_TYPES;
        return this;
    }

    private int asUlong;

    /**
     * {@code AsULONG}: all bits at once.
     *
     * @return the value.
     */
    public int asUlong()
    {
        return asUlong;
    }

    /**
     * Sets {@code AsULONG}.
     *
     * @param asUlong the new value.
     * @return this.
     */
    public IommuInterfaceStateChangeFields asUlong(final int asUlong)
    {
        this.asUlong = asUlong;
        return this;
    }
}
