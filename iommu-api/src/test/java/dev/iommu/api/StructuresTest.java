/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StructuresTest
{
    @Test
    void eachPhysicalAddressFormSetsItsType()
    {
        final IommuMapPhysicalAddress address = new IommuMapPhysicalAddress();
        address.useContiguousRange(0x10_0000, 0x2000);
        assertEquals(IommuMapPhysicalAddressType.CONTIGUOUS_RANGE, address.mapType());
        assertEquals(0x10_0000, address.contiguousBase());
        assertEquals(0x2000, address.contiguousSize());

        final long[] frames = {7, 9};
        address.usePfnArray(frames, 2);
        assertEquals(IommuMapPhysicalAddressType.PFN, address.mapType());
        assertSame(frames, address.pageFrames());
        assertEquals(2, address.numberOfPages());

        final Mdl mdl = new Mdl().describe(frames, 0x2000);
        address.useMdl(mdl);
        assertEquals(IommuMapPhysicalAddressType.MDL, address.mapType());
        assertSame(mdl, address.mdl());
        assertEquals(0, mdl.byteOffset());
    }

    @Test
    void stateChangeFieldsSetAndClearOnlyTheirBit()
    {
        final IommuInterfaceStateChangeFields fields = new IommuInterfaceStateChangeFields().asUlong(0x100);
        assertFalse(fields.availableDomainTypes());
        fields.availableDomainTypes(true);
        assertEquals(0x101, fields.asUlong());
        assertTrue(fields.availableDomainTypes());
        fields.availableDomainTypes(false);
        assertEquals(0x100, fields.asUlong());
    }

    @Test
    void mappedSegmentClears()
    {
        final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment()
            .offset(0x1000).size(0x2000);
        segment.clear();
        assertNull(segment.owningToken());
        assertEquals(0, segment.offset());
        assertEquals(0, segment.size());
    }

    @Test
    void unionStructuresCarryBothMembers()
    {
        final FaultInformation fault = new FaultInformation().type(FaultInformationArch.X64);
        fault.x64().faultAddress(0x5000).flags(FaultInformationX64.FAULT_ADDRESS_VALID);
        assertEquals(0x5000, fault.x64().faultAddress());
        assertSame(fault.arm64(), fault.arm64());

        final DomainConfiguration configuration = new DomainConfiguration().type(DomainConfigurationArch.ARM64);
        configuration.arm64().ttbr0(0x8000).inputSize0(48).translationEnabled(true);
        assertEquals(48, configuration.arm64().inputSize0());
    }

    @Test
    void permissionsRejectReservedBits()
    {
        assertTrue(IommuPermissions.isValid(0));
        assertTrue(IommuPermissions.isValid(IommuPermissions.READ_WRITE));
        assertFalse(IommuPermissions.isValid(0x4));
        assertFalse(IommuPermissions.isValid(0x8000_0000));
    }

    @Test
    void allocatorConfigBuddyShortcut()
    {
        final IommuDmaLogicalAllocatorConfig config = new IommuDmaLogicalAllocatorConfig().buddy(39);
        assertEquals(IommuDmaLogicalAllocatorType.BUDDY, config.logicalAllocatorType());
        assertEquals(39, config.addressWidth());
    }
}
