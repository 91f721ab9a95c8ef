/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_INTERFACE_STATE_CHANGE} (spec section 3.11). What a state-change callback receives: which fields
 * changed and their new values. The callback must read the state given rather than assume it; the instance is only
 * valid during the call. Its x64 size is 0x8 bytes.
 */
public final class IommuInterfaceStateChange
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x8;

    private int presentFields;
    private int availableDomainTypes;

    /**
     * {@code PresentFields}: which states changed, as IommuInterfaceStateChangeFields bits.
     *
     * @return the value.
     */
    public int presentFields()
    {
        return presentFields;
    }

    /**
     * Sets {@code PresentFields}.
     *
     * @param presentFields the new value.
     * @return this.
     */
    public IommuInterfaceStateChange presentFields(final int presentFields)
    {
        this.presentFields = presentFields;
        return this;
    }

    /**
     * {@code AvailableDomainTypes}: the new value: a bit 1 << IommuDmaDomainType.value() per usable type.
     *
     * @return the value.
     */
    public int availableDomainTypes()
    {
        return availableDomainTypes;
    }

    /**
     * Sets {@code AvailableDomainTypes}.
     *
     * @param availableDomainTypes the new value.
     * @return this.
     */
    public IommuInterfaceStateChange availableDomainTypes(final int availableDomainTypes)
    {
        this.availableDomainTypes = availableDomainTypes;
        return this;
    }
}
