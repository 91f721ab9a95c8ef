/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code DEVICE_FAULT_CONFIGURATION} (spec section 3.12). Where a device's faults go once reporting is on
 * (SetDeviceFaultReporting). Its x64 size is 0x10 bytes.
 */
public final class DeviceFaultConfiguration
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x10;

    private IommuDeviceFaultHandler faultHandler;
    private Object faultContext;

    /**
     * {@code FaultHandler}: the handler called for each fault.
     *
     * @return the value.
     */
    public IommuDeviceFaultHandler faultHandler()
    {
        return faultHandler;
    }

    /**
     * Sets {@code FaultHandler}.
     *
     * @param faultHandler the new value.
     * @return this.
     */
    public DeviceFaultConfiguration faultHandler(final IommuDeviceFaultHandler faultHandler)
    {
        this.faultHandler = faultHandler;
        return this;
    }

    /**
     * {@code FaultContext}: passed back to the handler as its context.
     *
     * @return the value.
     */
    public Object faultContext()
    {
        return faultContext;
    }

    /**
     * Sets {@code FaultContext}.
     *
     * @param faultContext the new value.
     * @return this.
     */
    public DeviceFaultConfiguration faultContext(final Object faultContext)
    {
        this.faultContext = faultContext;
        return this;
    }
}
