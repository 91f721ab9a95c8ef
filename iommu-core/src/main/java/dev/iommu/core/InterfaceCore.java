/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * The one implementation behind the three version tables and the legacy table: the member objects of each area,
 * built once per emulator over one {@link RuleSet}. The tables ({@link V1Table}, {@link V2Table}, {@link V3Table})
 * hold nothing but this and one-line members.
 */
final class InterfaceCore
{
    final DomainMembers domains;
    final DeviceMembers devices;
    final MappingMembers mappings;
    final StateChangeService stateChanges;
    final PasidMembers pasids;

    InterfaceCore(
        final DomainMembers domains,
        final DeviceMembers devices,
        final MappingMembers mappings,
        final StateChangeService stateChanges,
        final PasidMembers pasids)
    {
        this.domains = domains;
        this.devices = devices;
        this.mappings = mappings;
        this.stateChanges = stateChanges;
        this.pasids = pasids;
    }
}
