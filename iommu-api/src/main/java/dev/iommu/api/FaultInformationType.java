/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code FAULT_INFORMATION_ARM64_TYPE (also typedef'd as FAULT_INFORMATION_X64_TYPE)} (spec section
 * 3.12). Why a device access faulted. wdm.h defines one enumeration and names it for both
 * architectures.
 */
public enum FaultInformationType implements SpecConstant
{
    /**
     * {@code UnsupportedUpstreamTransaction} = 0: The transaction kind is not supported.
     */
    UNSUPPORTED_UPSTREAM_TRANSACTION(0, "UnsupportedUpstreamTransaction"),
    /**
     * {@code AddressSizeFault} = 1: The address is wider than the translation allows.
     */
    ADDRESS_SIZE_FAULT(1, "AddressSizeFault"),
    /**
     * {@code TlbMatchConflict} = 2: More than one TLB entry matched.
     */
    TLB_MATCH_CONFLICT(2, "TlbMatchConflict"),
    /**
     * {@code ExternalFault} = 3: An external abort during translation.
     */
    EXTERNAL_FAULT(3, "ExternalFault"),
    /**
     * {@code PermissionFault} = 4: The translation exists but does not allow the access.
     */
    PERMISSION_FAULT(4, "PermissionFault"),
    /**
     * {@code AccessFlagFault} = 5: The access flag of the translation is clear.
     */
    ACCESS_FLAG_FAULT(5, "AccessFlagFault"),
    /**
     * {@code TranslationFault} = 6: No translation exists for the address.
     */
    TRANSLATION_FAULT(6, "TranslationFault"),
    /**
     * {@code MaxFaultType} = 7: Not a fault type: the bound.
     */
    MAX_FAULT_TYPE(7, "MaxFaultType");

    private static final FaultInformationType[] VALUES = values();

    private final int value;
    private final String specName;

    FaultInformationType(final int value, final String specName)
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
     * The constant with a given numeric value.
     *
     * @param value the C enumeration value.
     * @return the constant, or null when none has that value.
     */
    public static FaultInformationType fromValue(final int value)
    {
        return SpecConstant.fromValue(VALUES, value);
    }
}
