/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

import dev.iommu.ptw.PageSizes;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DmaGuardPolicyTest
{
    private static final int TRANSLATE = 0x1;
    private static final int PASS_THROUGH = 0x2;
    private static final int UNMANAGED = 0x4;
    private static final int TRANSLATE_S1 = 0x8;

    private final Platform x64 = Platform.builder()
        .iommu("vtd0", 0xfed9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
        .iommu("vtd1", 0xfed9_1000L, 39, PageSizes.ALLOW_4K, 0, true, 0)
        .pci("internal", 0, 0, 2, 0, "vtd0", false)
        .pci("thunderbolt", 0, 5, 0, 0, "vtd0", true)
        .pci("nopasid", 0, 6, 0, 0, "vtd1", false)
        .pci("direct", 0, 7, 0, 0, null, false)
        .build();

    @Test
    void offersEveryTypeTheHardwareHasWhenDmaGuardIsOff()
    {
        final DmaGuardPolicy policy = x64.policy();
        assertEquals(TRANSLATE | PASS_THROUGH | TRANSLATE_S1, policy.availableDomainTypes(x64.device("internal")));
        assertEquals(TRANSLATE | PASS_THROUGH | TRANSLATE_S1, policy.availableDomainTypes(x64.device("thunderbolt")));
        assertEquals(TRANSLATE | PASS_THROUGH, policy.availableDomainTypes(x64.device("nopasid")));
        assertEquals(PASS_THROUGH, policy.availableDomainTypes(x64.device("direct")));
    }

    @Test
    void unmanagedIsAnArm64Type()
    {
        final Platform arm = Platform.builder().architecture(Architecture.ARM64)
            .iommu("smmu", 0, 48, PageSizes.ALLOW_ALL, 0, true, 0).pci("d", 0, 1, 0, 0, "smmu", false).build();
        assertEquals(TRANSLATE | PASS_THROUGH | UNMANAGED, arm.policy().availableDomainTypes(arm.device("d")));
    }

    @Test
    void dmaGuardTakesPassThroughFromExternalDevicesAndFromAllWhileBlocking()
    {
        final DmaGuardPolicy policy = x64.policy();
        final List<String> changes = new ArrayList<>();
        policy.addListener((device, types) -> changes.add(device.name() + "=" + types));

        policy.enabled(true);
        assertEquals(List.of("thunderbolt=9"), changes);
        assertEquals(TRANSLATE | PASS_THROUGH | TRANSLATE_S1, policy.availableDomainTypes(x64.device("internal")));

        changes.clear();
        policy.blockingActive(true);
        assertEquals(List.of("internal=9", "nopasid=1"), changes);

        changes.clear();
        policy.blockingActive(true);
        assertTrue(changes.isEmpty(), "no change, no notification");

        policy.enabled(false);
        assertEquals(List.of("internal=11", "thunderbolt=11", "nopasid=3"), changes);
        assertEquals(PASS_THROUGH, policy.availableDomainTypes(x64.device("direct")));
    }

    @Test
    void restrictionsMaskAndLift()
    {
        final DmaGuardPolicy policy = x64.policy();
        final List<Integer> seen = new ArrayList<>();
        final AvailabilityListener listener = (device, types) -> seen.add(types);
        policy.addListener(listener);

        policy.restrict(x64.device("internal"), TRANSLATE);
        assertEquals(TRANSLATE, policy.availableDomainTypes(x64.device("internal")));
        policy.restrict(x64.device("internal"), -1);
        assertEquals(List.of(TRANSLATE, TRANSLATE | PASS_THROUGH | TRANSLATE_S1), seen);

        final Platform other = Platform.builder().iommu("u", 0).pci("d", 0, 0, 1, 0, "u", false).build();
        assertThrows(IllegalArgumentException.class, () -> policy.restrict(other.device("d"), 0));
        assertTrue(policy.removeListener(listener));
    }
}
