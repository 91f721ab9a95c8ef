/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

/**
 * What a fault record says beyond {@code FAULT_INFORMATION}: the ids, the attempted access, how many identical
 * faults the record stands for, and whether faults were coalesced or dropped since the previous delivered fault.
 * One reused instance per dispatcher ({@link Notifications#currentFault()}); valid only during a fault handler
 * call, on the dispatching thread.
 */
public final class FaultDetails
{
    private long deviceId;
    private long domainId;
    private long faultAddress;
    private int access;
    private int reason;
    private int count;
    private boolean overflow;

    FaultDetails()
    {
    }

    void set(
        final long deviceId,
        final long domainId,
        final long faultAddress,
        final int access,
        final int reason,
        final int count,
        final boolean overflow)
    {
        this.deviceId = deviceId;
        this.domainId = domainId;
        this.faultAddress = faultAddress;
        this.access = access;
        this.reason = reason;
        this.count = count;
        this.overflow = overflow;
    }

    /**
     * The device id of the fault.
     *
     * @return the id.
     */
    public long deviceId()
    {
        return deviceId;
    }

    /**
     * The domain id of the fault.
     *
     * @return the id.
     */
    public long domainId()
    {
        return domainId;
    }

    /**
     * The faulting input address (of the first fault, when coalesced).
     *
     * @return the address.
     */
    public long faultAddress()
    {
        return faultAddress;
    }

    /**
     * What the device attempted: {@code IommuPermissions} bits.
     *
     * @return the bits.
     */
    public int access()
    {
        return access;
    }

    /**
     * The reason, a {@code FaultInformationType} value.
     *
     * @return the value.
     */
    public int reason()
    {
        return reason;
    }

    /**
     * How many identical faults (same device, same page) this delivery stands for: 1, or more when coalesced while
     * the ring was full.
     *
     * @return the count, at least 1.
     */
    public int count()
    {
        return count;
    }

    /**
     * Whether faults were coalesced or dropped because the ring was full since the previous delivered fault.
     *
     * @return true after an overflow.
     */
    public boolean overflow()
    {
        return overflow;
    }
}
