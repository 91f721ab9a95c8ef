/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * The argument rules of every member of every table, one object per area, chosen once per emulator. Each rule
 * class holds, for each member, one method with all of that member's checks in their order (condition to status);
 * the members call it first and trust the validated input below it. {@link #documented()} is the documented
 * contract with this project's choices for spec section 5. A second rule set subclasses the rule classes and
 * overrides only the members whose answers differ; where two sets agree they share the inherited rule.
 */
final class RuleSet
{
    private static final RuleSet DOCUMENTED = new RuleSet(
        new AcquisitionRules(), new DomainRules(), new DeviceRules(), new MappingRules(), new PasidRules());

    final AcquisitionRules acquisition;
    final DomainRules domains;
    final DeviceRules devices;
    final MappingRules mappings;
    final PasidRules pasids;

    RuleSet(
        final AcquisitionRules acquisition,
        final DomainRules domains,
        final DeviceRules devices,
        final MappingRules mappings,
        final PasidRules pasids)
    {
        this.acquisition = acquisition;
        this.domains = domains;
        this.devices = devices;
        this.mappings = mappings;
        this.pasids = pasids;
    }

    /**
     * The documented contract (spec sections 2 and 4) and the choices of spec section 5 (docs/spec-choices.md).
     *
     * @return the shared, stateless rule set.
     */
    static RuleSet documented()
    {
        return DOCUMENTED;
    }
}
