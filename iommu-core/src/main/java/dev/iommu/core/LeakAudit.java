/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDmaDomainType;

/**
 * The verifier's audit at close: everything the driver left live is one report each (rule, object, what is left):
 * domains and the pages still mapped and tokens still reserved in them, DMA devices and their state-change
 * registrations and PASID sub-devices. Runs once, on the closing thread, before anything is torn down.
 */
final class LeakAudit
{
    private static final String MEMBER = "Close";

    private LeakAudit()
    {
    }

    /**
     * Reports every live object (nothing when the verifier is off).
     */
    static void run(final Verifier verifier, final DomainTable domains, final DeviceTable devices)
    {
        if (!verifier.on)
        {
            return;
        }
        domains.forEachLive((domain) -> auditDomain(verifier, domain));
        devices.forEachLive((device) -> auditDevice(verifier, device));
    }

    private static void auditDomain(final Verifier verifier, final Domain domain)
    {
        final String objects = "domain#" + domain.id();
        verifier.hazard(VerifierRule.LEAKED_DOMAIN, MEMBER, objects, VerifierReport.NO_ADDRESS,
            VerifierReport.NO_ADDRESS, domain.type().specName() + " domain never deleted");
        final int tokens = domain.outstandingTokens();
        if (tokens > 0)
        {
            verifier.hazard(VerifierRule.LEAKED_TOKEN, MEMBER, objects, VerifierReport.NO_ADDRESS,
                VerifierReport.NO_ADDRESS, tokens + " logical address token(s) never freed");
        }
        if (domain instanceof MappingDomain && domain.type() != IommuDmaDomainType.PASS_THROUGH)
        {
            final MappingDomain mapping = (MappingDomain)domain;
            final long first = mapping.table().nextMapped(0, mapping.limit());
            if (first >= 0 && first < mapping.limit())
            {
                final long pages = mapping.table().countMapped(0, mapping.limit());
                verifier.hazard(VerifierRule.LEAKED_MAPPING, MEMBER, objects, first, pages << 12,
                    pages + " page(s) still mapped, the first at the address given");
            }
        }
    }

    private static void auditDevice(final Verifier verifier, final DmaDevice device)
    {
        final String objects = "device#" + device.id() + " (" + device.pdo().name() + ")";
        verifier.hazard(VerifierRule.LEAKED_DEVICE, MEMBER, objects, VerifierReport.NO_ADDRESS,
            VerifierReport.NO_ADDRESS, null == device.domain() ? "DMA device never deleted" :
            "DMA device never deleted, still attached to domain#" + device.domain().id());
        if (device.stateChangeRegistered())
        {
            verifier.hazard(VerifierRule.LEAKED_REGISTRATION, MEMBER, objects, VerifierReport.NO_ADDRESS,
                VerifierReport.NO_ADDRESS, "state-change callback never unregistered");
        }
        for (final PasidDevice sub : device.pasidDevicesView())
        {
            if (sub.pasid() > 0 && sub.isAlive())
            {
                verifier.hazard(VerifierRule.LEAKED_PASID_DEVICE, MEMBER, objects + " pasid#" + sub.pasid(),
                    VerifierReport.NO_ADDRESS, VerifierReport.NO_ADDRESS, "PASID sub-device never deleted");
            }
        }
    }
}
