/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.iommu.api.IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A driver's view of its device's state heals: a state change lost to a full ring reaches the callback once the
 * records before it are consumed (issue 14 defect 4: it was dropped for good), and a change made between the
 * registration's install and its first call is never lost (defect 3: the state was read before the install).
 */
final class StateChangeHealingTest
{
    private static final int RING_CAPACITY = 4096;
    private final List<Integer> seen = new ArrayList<>();

    private Notifications launch()
    {
        return Notifications.launch(new Notifications.Context().useAgentThread(false).ringCapacity(RING_CAPACITY));
    }

    @Test
    void aBurstThatFillsTheRingEndsWithTheLatestState()
    {
        try (Notifications n = launch())
        {
            n.registerStateChangeCallback((change, context) -> seen.add(change.availableDomainTypes()), null, 1,
                AVAILABLE_DOMAIN_TYPES, () -> 0);
            int value = 0;
            while (n.publisher().publishStateChange(1, AVAILABLE_DOMAIN_TYPES, ++value) == PublishResult.PUBLISHED)
            {
                assertEquals(List.of(0), seen.subList(0, 1));
            }
            final int lost = value;
            assertEquals(PublishResult.DROPPED, n.publisher().publishStateChange(1, AVAILABLE_DOMAIN_TYPES, lost + 1));
            int cycles = 0;
            while (n.doWork() > 0)
            {
                cycles++;
            }
            assertEquals(true, cycles > 0, "the records were delivered");
            assertEquals(lost + 1, seen.get(seen.size() - 1), "the callback's last call has the latest state");
            assertEquals(lost - 1, seen.get(seen.size() - 2), "the records before the drop came first, in order");
            seen.clear();
            assertEquals(0, n.doWork(), "healed once: nothing more to deliver");
            assertEquals(List.of(), seen);
        }
    }

    @Test
    void aDeviceWithoutRegistrationMarksNothing()
    {
        try (Notifications n = launch())
        {
            int value = 0;
            while (n.publisher().publishStateChange(2, AVAILABLE_DOMAIN_TYPES, ++value) == PublishResult.PUBLISHED)
            {
                assertEquals(List.of(), seen);
            }
            n.registerStateChangeCallback((change, context) -> seen.add(change.availableDomainTypes()), null, 3,
                AVAILABLE_DOMAIN_TYPES, () -> 7);
            while (n.doWork() > 0)
            {
                assertEquals(List.of(7), seen.subList(0, 1));
            }
            assertEquals(List.of(7), seen, "only the registered device's first call");
        }
    }

    @Test
    void aChangeBetweenInstallAndFirstCallReachesTheCallback()
    {
        try (Notifications n = launch())
        {
            final int[] state = {1};
            // The state is read after the install: a change at that moment (here, inside the read) finds the
            // registration, so its record is delivered after the first call, which saw the old state.
            n.registerStateChangeCallback((change, context) -> seen.add(change.availableDomainTypes()), null, 4,
                AVAILABLE_DOMAIN_TYPES, () ->
                {
                    final int read = state[0];
                    state[0] = 2;
                    assertEquals(PublishResult.PUBLISHED,
                        n.publisher().publishStateChange(4, AVAILABLE_DOMAIN_TYPES, 2));
                    n.doWork();
                    return read;
                });
            n.doWork();
            assertEquals(List.of(1, 2), seen, "first call with the state read, then the change");
        }
    }
}
