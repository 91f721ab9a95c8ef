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
    private static final RuleSet DOCUMENTED = new RuleSet(BehaviourProfile.DOCUMENTED,
        new AcquisitionRules(), new DomainRules(), new DeviceRules(), new MappingRules(), new PasidRules());
    /** Acquisition agrees in both profiles (observed record section 1, build A): one rule object, shared. */
    private static final RuleSet OBSERVED = new RuleSet(BehaviourProfile.OBSERVED_WINDOWS,
        DOCUMENTED.acquisition, new ObservedDomainRules(), new ObservedDeviceRules(), new ObservedMappingRules(),
        new ObservedPasidRules());

    final BehaviourProfile profile;

    final AcquisitionRules acquisition;
    final DomainRules domains;
    final DeviceRules devices;
    final MappingRules mappings;
    final PasidRules pasids;

    RuleSet(
        final BehaviourProfile profile,
        final AcquisitionRules acquisition,
        final DomainRules domains,
        final DeviceRules devices,
        final MappingRules mappings,
        final PasidRules pasids)
    {
        this.profile = profile;
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

    /**
     * Windows as observed, x64 build A (../shared/spec/windows-observed-behaviour.md): the Observed rule classes,
     * each overriding only the members whose answers differ from the documented contract.
     *
     * @return the shared, stateless rule set.
     */
    static RuleSet observed()
    {
        return OBSERVED;
    }

    /**
     * The rule set of a profile.
     *
     * @param profile the profile.
     * @return its shared rule set.
     */
    static RuleSet of(final BehaviourProfile profile)
    {
        return profile == BehaviourProfile.DOCUMENTED ? DOCUMENTED : OBSERVED;
    }
}
