/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.IommuPermissions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.iommu.api.IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failure-injection hooks of {@link Notifications.Context}: a refused state-change registration or fault-handler
 * install returns false and changes nothing (no first call, the previous handler kept, a later install succeeds);
 * a refused ring slot sends a fault down the full-ring path, where it is held and delivered with the overflow flag.
 */
class AllocationHooksTest
{
    private final boolean[] allowRegistration = {true};
    private final boolean[] allowHandler = {true};
    private final boolean[] allowSlot = {true};
    private final List<String> log = new ArrayList<>();

    private Notifications launch()
    {
        return Notifications.launch(new Notifications.Context()
            .useAgentThread(false)
            .mayInstallStateChange(() -> allowRegistration[0])
            .mayInstallFaultHandler(() -> allowHandler[0])
            .mayClaimRingSlot(() -> allowSlot[0]));
    }

    private DeviceFaultConfiguration handler(final Notifications n, final String name)
    {
        return new DeviceFaultConfiguration().faultHandler((context, info) ->
            log.add(name + ":" + Long.toHexString(n.currentFault().faultAddress()) +
                (n.currentFault().overflow() ? "!" : "")));
    }

    @Test
    void aRefusedStateChangeRegistrationChangesNothing()
    {
        try (Notifications n = launch())
        {
            allowRegistration[0] = false;
            assertFalse(n.registerStateChangeCallback((change, context) -> log.add("first call"), null, 1,
                AVAILABLE_DOMAIN_TYPES, () -> 3));
            assertEquals(List.of(), log, "no first call");
            allowRegistration[0] = true;
            assertTrue(n.registerStateChangeCallback((change, context) -> log.add("first call"), null, 1,
                AVAILABLE_DOMAIN_TYPES, () -> 3), "nothing was left installed");
            assertEquals(List.of("first call"), log);
        }
    }

    @Test
    void aRefusedHandlerInstallKeepsThePreviousHandler()
    {
        try (Notifications n = launch())
        {
            assertTrue(n.setDeviceFaultReporting(1, true, handler(n, "old")));
            allowHandler[0] = false;
            assertFalse(n.setDeviceFaultReporting(1, true, handler(n, "new")));
            assertTrue(n.setDeviceFaultReporting(2, false, null), "removals never ask");
            assertEquals(PublishResult.PUBLISHED, fault(n, 0x5000));
            drain(n);
            assertEquals(List.of("old:5000"), log);
        }
    }

    @Test
    void aRefusedRingSlotHoldsTheFault()
    {
        try (Notifications n = launch())
        {
            assertTrue(n.setDeviceFaultReporting(1, true, handler(n, "h")));
            allowSlot[0] = false;
            assertEquals(PublishResult.COALESCED, fault(n, 0x7000), "held in the recorder, as with a full ring");
            allowSlot[0] = true;
            drain(n);
            assertEquals(List.of("h:7000!"), log, "delivered once, with the overflow flag");
        }
    }

    private static int fault(final Notifications n, final long address)
    {
        return n.publisher().publishFault(1, 0, address, IommuPermissions.READ, 6, false, 2, 1, 0, 0, 0);
    }

    private static void drain(final Notifications n)
    {
        int idle = 0;
        while (idle < 2)
        {
            idle = n.doWork() == 0 ? idle + 1 : 0;
        }
    }
}
