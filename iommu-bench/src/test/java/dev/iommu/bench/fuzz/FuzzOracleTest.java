/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;

/**
 * The fuzz oracle catches what it is for: an exception escaping a member, a status the member does not document, a
 * refused call that changed the emulator (a domain created) or a watched translation (a mapping removed), and a
 * broken snapshot invariant; and it passes a refused call that changed nothing and a successful one that did.
 */
class FuzzOracleTest
{
    private final FuzzWorld world = new FuzzWorld(Architecture.X64);
    private final FuzzOracle oracle = new FuzzOracle(world);

    @AfterEach
    void close()
    {
        world.close();
    }

    @Test
    void theBaselineHoldsTheInvariants()
    {
        assertNull(FuzzOracle.invariants(world.snapshot(), world.emulator().tablePageCapacity()));
    }

    @Test
    void anEscapingExceptionIsAFinding()
    {
        final FuzzFinding finding = assertThrows(FuzzFinding.class, () -> oracle.check("DeleteDomain", () ->
        {
            throw new NullPointerException("holder");
        }));
        assertTrue(finding.getMessage().contains("threw"), finding.getMessage());
    }

    @Test
    void anUndocumentedStatusIsAFinding()
    {
        final FuzzFinding finding = assertThrows(FuzzFinding.class,
            () -> oracle.check("DeleteDevice", () -> NtStatus.STATUS_BUFFER_TOO_SMALL));
        assertTrue(finding.getMessage().contains("does not document"), finding.getMessage());
    }

    @Test
    void aRefusedCallThatCreatedADomainIsAFinding()
    {
        final FuzzFinding finding = assertThrows(FuzzFinding.class, () -> oracle.check("CreateDomainEx", () ->
        {
            world.v2().createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, new Ref<IommuDmaDomain>());
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }));
        assertTrue(finding.getMessage().contains("live domains"), finding.getMessage());
    }

    @Test
    void aRefusedCallThatChangedAWatchedTranslationIsAFinding()
    {
        final FuzzFinding finding = assertThrows(FuzzFinding.class, () -> oracle.check("UnmapLogicalRange", () ->
        {
            world.v2().unmapLogicalRange(world.domains.get(1), 0x10_0000L, 1);
            return NtStatus.STATUS_INVALID_PARAMETER;
        }));
        assertTrue(finding.getMessage().contains("changed"), finding.getMessage());
    }

    @Test
    void aSuccessfulCallMayChangeTheEmulatorAndARefusedOneThatDidNotPasses()
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        assertEquals(NtStatus.STATUS_SUCCESS, oracle.check("CreateDomainEx",
            () -> world.v2().createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, out)));
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_1, oracle.check("CreateDomainEx",
            () -> world.v2().createDomainEx(null, 0, null, null, out)));
        assertEquals(2, oracle.calls());
    }
}
