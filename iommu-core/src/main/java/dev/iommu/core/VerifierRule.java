/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * What the DMA verifier checks ({@link EmulatorContext#verifier(VerifierListener)}): one constant per rule, each
 * reported as a {@link VerifierReport}.
 */
public enum VerifierRule
{
    /** A call whose answer differs between the two {@link BehaviourProfile}s: the driver relies on one of them. */
    PROFILE_DEPENDENT_RESULT,
    /** A map (logical, identity or onto a token) whose range lies in a reserved token's range or reserved region. */
    MAP_IN_RESERVED_RANGE,
    /** An unmap whose range lies in a reserved token's range or a reserved region. */
    UNMAP_IN_RESERVED_RANGE,
    /** A reservation that overlaps another reservation or mapped pages. */
    OVERLAPPING_RESERVATION,
    /** DeleteDomain while devices are attached (Windows frees the domain under them). */
    DELETE_DOMAIN_WITH_DEVICES,
    /** DeleteDomain while logical address tokens are outstanding (Windows frees their tables). */
    DELETE_DOMAIN_WITH_TOKENS,
    /** AttachDeviceEx (or V1 AttachDevice) of a device attached to another domain: Windows moves it silently. */
    ATTACH_MOVES_DEVICE,
    /** Device DMA to an address with no mapping. */
    DMA_TO_UNMAPPED,
    /** Device DMA that a stale IOTLB entry translated: the unmap has not been flushed on a caller-flushed domain. */
    DMA_TO_UNFLUSHED_UNMAP,
    /** A state-change callback unregistered while it is running. */
    UNREGISTER_WHILE_RUNNING,
    /** A domain still live when the emulator closes. */
    LEAKED_DOMAIN,
    /** A DMA device still live when the emulator closes. */
    LEAKED_DEVICE,
    /** A logical address token still reserved when the emulator closes. */
    LEAKED_TOKEN,
    /** A state-change callback still registered when the emulator closes. */
    LEAKED_REGISTRATION,
    /** A PASID sub-device still live when the emulator closes. */
    LEAKED_PASID_DEVICE,
    /** Pages still mapped in a domain when the emulator closes. */
    LEAKED_MAPPING
}
