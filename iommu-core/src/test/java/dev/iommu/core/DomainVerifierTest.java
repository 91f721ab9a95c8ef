/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.Ref;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifier over the domain members: the hazards {@link VerifierRule#DELETE_DOMAIN_WITH_DEVICES} and
 * {@link VerifierRule#DELETE_DOMAIN_WITH_TOKENS} in both profiles (firing on the hazard, silent on the correct
 * sequence), and {@link VerifierRule#PROFILE_DEPENDENT_RESULT} reports carrying both profiles' answers.
 */
class DomainVerifierTest
{
    private final List<VerifierReport> reports = new ArrayList<>();

    private V2Rig rig(final BehaviourProfile profile)
    {
        return new V2Rig(new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .profile(profile).verifier(true).verifierListener(reports::add));
    }

    private List<VerifierReport> of(final VerifierRule rule)
    {
        return reports.stream().filter(report -> report.rule() == rule).collect(Collectors.toList());
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void deleteWithDevicesFiresInBothProfiles(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            final int expected = profile == BehaviourProfile.DOCUMENTED ? STATUS_RESOURCE_IN_USE : STATUS_SUCCESS;
            r.expect("delete", expected, () -> r.iommu.deleteDomain(d));
            final List<VerifierReport> hazards = of(VerifierRule.DELETE_DOMAIN_WITH_DEVICES);
            assertEquals(1, hazards.size(), reports.toString());
            assertEquals("DeleteDomain", hazards.get(0).member());
            assertEquals("domain#" + ((Domain)d).id(), hazards.get(0).objects());
            assertEquals(1, r.emulator.verifierReports(VerifierRule.DELETE_DOMAIN_WITH_DEVICES));
            assertEquals(0, of(VerifierRule.DELETE_DOMAIN_WITH_TOKENS).size());
            final List<VerifierReport> divergences = of(VerifierRule.PROFILE_DEPENDENT_RESULT);
            assertEquals(1, divergences.size(), reports.toString());
            assertEquals(STATUS_RESOURCE_IN_USE, divergences.get(0).documentedStatus());
            assertEquals(STATUS_SUCCESS, divergences.get(0).observedStatus());
            r.expect("detach", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void deleteWithTokensFiresInBothProfiles(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final IommuDmaLogicalAddressToken token = r.reserve(d, 2);
            final int expected = profile == BehaviourProfile.DOCUMENTED ? STATUS_RESOURCE_IN_USE : STATUS_SUCCESS;
            r.expect("delete", expected, () -> r.iommu.deleteDomain(d));
            final List<VerifierReport> hazards = of(VerifierRule.DELETE_DOMAIN_WITH_TOKENS);
            assertEquals(1, hazards.size(), reports.toString());
            assertTrue(hazards.get(0).detail().contains("1 token"), hazards.get(0).detail());
            assertEquals(0, of(VerifierRule.DELETE_DOMAIN_WITH_DEVICES).size());
            assertEquals(1, of(VerifierRule.PROFILE_DEPENDENT_RESULT).size(), reports.toString());
            if (profile == BehaviourProfile.DOCUMENTED)
            {
                r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void correctSequenceIsSilent(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            final IommuDmaDomain d = r.allocatorDomain();
            final IommuDmaDevice nic = r.attached("nic", d);
            final IommuDmaLogicalAddressToken token = r.reserve(d, 2);
            r.expect("free", STATUS_SUCCESS, () -> r.iommu.freeReservedLogicalAddressRange(token));
            r.expect("detach", STATUS_SUCCESS, () -> r.iommu.detachDeviceEx(nic));
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            r.expect("delete device", STATUS_SUCCESS, () -> r.iommu.deleteDevice(nic));
            assertEquals(0, of(VerifierRule.DELETE_DOMAIN_WITH_DEVICES).size(), reports.toString());
            assertEquals(0, of(VerifierRule.DELETE_DOMAIN_WITH_TOKENS).size(), reports.toString());
            assertEquals(0, r.emulator.verifierReports(VerifierRule.DELETE_DOMAIN_WITH_TOKENS));
        }
    }

    @Test
    void pasidAttachmentIsRefusedInBothProfilesAndIsNoHazard()
    {
        for (final BehaviourProfile profile : BehaviourProfile.values())
        {
            reports.clear();
            try (V2Rig r = rig(profile))
            {
                final IommuDmaDomain s1 = r.domain(IommuDmaDomainType.TRANSLATE_S1);
                final Ref<IommuDmaDevice> nic = new Ref<>();
                r.expect("device", STATUS_SUCCESS, () -> r.iommu.createDevice(r.platform.device("nic"),
                    new dev.iommu.api.IommuDeviceCreationConfiguration().pasid(
                        dev.iommu.api.IommuPasidConfigurationType.PASID_TAGGED_DMA, false), nic));
                final Ref<dev.iommu.api.IommuDmaPasidDevice> sub = new Ref<>();
                r.expect("sub", STATUS_SUCCESS, () -> r.v3.createPasidDevice(nic.get(), sub,
                    new dev.iommu.api.IntRef()));
                r.expect("attach", STATUS_SUCCESS, () -> r.v3.attachPasidDevice(s1, sub.get()));
                r.expect("delete", STATUS_RESOURCE_IN_USE, () -> r.iommu.deleteDomain(s1));
                assertEquals(0, of(VerifierRule.DELETE_DOMAIN_WITH_DEVICES).size(), reports.toString());
                assertEquals(0, of(VerifierRule.PROFILE_DEPENDENT_RESULT).size(), reports.toString());
                r.expect("detach", STATUS_SUCCESS, () -> r.v3.detachPasidDevice(sub.get()));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BehaviourProfile.class)
    void divergencesCarryBothAnswers(final BehaviourProfile profile)
    {
        try (V2Rig r = rig(profile))
        {
            r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 1, null, null, new Ref<>());
            r.iommu.deleteDomain(null);
            r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                new IommuDmaLogicalAllocatorConfig().buddy(12), null, new Ref<>());
            r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, new Ref<>());
            final List<VerifierReport> divergences = of(VerifierRule.PROFILE_DEPENDENT_RESULT);
            assertEquals(3, divergences.size(), reports.toString());
            assertEquals("CreateDomainEx", divergences.get(0).member());
            assertEquals(STATUS_INVALID_PARAMETER_2, divergences.get(0).documentedStatus());
            assertEquals(STATUS_SUCCESS, divergences.get(0).observedStatus());
            assertEquals("DeleteDomain", divergences.get(1).member());
            assertEquals(STATUS_INVALID_PARAMETER, divergences.get(1).documentedStatus());
            assertEquals(STATUS_SUCCESS, divergences.get(1).observedStatus());
            assertEquals("CreateDomainEx", divergences.get(2).member());
            assertEquals(STATUS_INVALID_PARAMETER_3, divergences.get(2).documentedStatus());
            assertEquals(STATUS_SUCCESS, divergences.get(2).observedStatus());
            assertEquals(3, r.emulator.verifierReports(VerifierRule.PROFILE_DEPENDENT_RESULT));
        }
    }

    @Test
    void domainLimitDivergesOnlyOnABadArgument()
    {
        try (V2Rig r = new V2Rig(new EmulatorContext().platform(V2Rig.x64Platform(
            new dev.iommu.core.platform.ResourceLimits(64, 1, V2Rig.SMALL_TABLE_PAGES, 4, 64)))
            .profile(BehaviourProfile.OBSERVED_WINDOWS).verifier(true).verifierListener(reports::add)))
        {
            r.domain(IommuDmaDomainType.TRANSLATE);
            r.expect("valid", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, new Ref<>()));
            assertEquals(0, of(VerifierRule.PROFILE_DEPENDENT_RESULT).size(), reports.toString());
            r.expect("flags", STATUS_INSUFFICIENT_RESOURCES,
                () -> r.iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 1, null, null, new Ref<>()));
            final List<VerifierReport> divergences = of(VerifierRule.PROFILE_DEPENDENT_RESULT);
            assertEquals(1, divergences.size(), reports.toString());
            assertEquals(STATUS_INVALID_PARAMETER_2, divergences.get(0).documentedStatus());
            assertEquals(STATUS_INSUFFICIENT_RESOURCES, divergences.get(0).observedStatus());
        }
    }

    @Test
    void verifierOffCountsNothing()
    {
        try (V2Rig r = new V2Rig(new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(
            V2Rig.SMALL_TABLE_PAGES))).profile(BehaviourProfile.OBSERVED_WINDOWS)))
        {
            final IommuDmaDomain d = r.allocatorDomain();
            r.attached("nic", d);
            r.reserve(d, 1);
            r.expect("delete", STATUS_SUCCESS, () -> r.iommu.deleteDomain(d));
            for (final VerifierRule rule : VerifierRule.values())
            {
                assertEquals(0, r.emulator.verifierReports(rule), rule.name());
            }
        }
    }
}
