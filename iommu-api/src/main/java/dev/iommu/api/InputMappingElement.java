/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code INPUT_MAPPING_ELEMENT} (spec section 3.14). One input mapping (stream) id of a device, as
 * QueryInputMappings writes them. Its x64 size is 0x4 bytes.
 */
public final class InputMappingElement
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x4;

    private int inputMappingId;

    /**
     * {@code InputMappingId}: the input mapping id.
     *
     * @return the value.
     */
    public int inputMappingId()
    {
        return inputMappingId;
    }

    /**
     * Sets {@code InputMappingId}.
     *
     * @param inputMappingId the new value.
     * @return this.
     */
    public InputMappingElement inputMappingId(final int inputMappingId)
    {
        this.inputMappingId = inputMappingId;
        return this;
    }
}
