/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * Which answers the interface gives where Microsoft's documentation and the shipped Windows kernel differ, chosen
 * once per emulator ({@link EmulatorContext#profile(BehaviourProfile)}).
 */
public enum BehaviourProfile
{
    /**
     * The documented contract (the spec and this project's choices for what it leaves open, docs/spec-choices.md):
     * every refused call changes nothing. The default.
     */
    DOCUMENTED,

    /**
     * Windows as observed in the newest x64 kernel build of the observed-behaviour record (build A): its statuses,
     * its order of checks, out-parameters written before any check, 4 KiB leaves only, a buddy allocator that hands
     * out address 0 first, partial mappings left where Windows leaves them, state-change callbacks run on the thread
     * that changed the policy. What x64 evidence cannot show (ARM64 platforms: Unmanaged domains, input mappings,
     * ACPI configurations) follows the documented contract.
     */
    OBSERVED_WINDOWS
}
