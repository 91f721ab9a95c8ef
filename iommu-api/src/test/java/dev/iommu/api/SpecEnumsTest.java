/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

import java.lang.reflect.Method;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class SpecEnumsTest
{
    /** Spec section 3: Java enum, C name, value. */
    @ParameterizedTest(name = "{1} = {2}")
    @CsvSource({
        "IommuDmaDomainType, DomainTypeTranslate, 0",
        "IommuDmaDomainType, DomainTypePassThrough, 1",
        "IommuDmaDomainType, DomainTypeUnmanaged, 2",
        "IommuDmaDomainType, DomainTypeTranslateS1, 3",
        "IommuDmaDomainType, DomainTypeMax, 4",
        "IommuDmaLogicalAllocatorType, IommuDmaLogicalAllocatorNone, 0",
        "IommuDmaLogicalAllocatorType, IommuDmaLogicalAllocatorBuddy, 1",
        "IommuDmaLogicalAllocatorType, IommuDmaLogicalAllocatorMax, 2",
        "IommuMapPhysicalAddressType, MapPhysicalAddressTypeMdl, 0",
        "IommuMapPhysicalAddressType, MapPhysicalAddressTypeContiguousRange, 1",
        "IommuMapPhysicalAddressType, MapPhysicalAddressTypePfn, 2",
        "IommuMapPhysicalAddressType, MapPhysicalAddressTypeMax, 3",
        "IommuDeviceCreationConfigurationType, IommuDeviceCreationConfigTypeNone, 0",
        "IommuDeviceCreationConfigurationType, IommuDeviceCreationConfigTypeAcpi, 1",
        "IommuDeviceCreationConfigurationType, IommuDeviceCreationConfigTypeDeviceId, 2",
        "IommuDeviceCreationConfigurationType, IommuDeviceCreationConfigTypePasid, 3",
        "IommuDeviceCreationConfigurationType, IommuDeviceCreationConfigTypeMax, 4",
        "IommuPasidConfigurationType, PasidConfigTypeDefaultPasidOnly, 0",
        "IommuPasidConfigurationType, PasidConfigTypePasidTaggedDma, 1",
        "IommuPasidConfigurationType, PasidConfigTypeMax, 2",
        "DomainConfigurationArch, DomainConfigurationArm64, 0",
        "DomainConfigurationArch, DomainConfigurationX64, 1",
        "DomainConfigurationArch, DomainConfigurationInvalid, 2",
        "FaultInformationArch, FaultInformationInvalid, 0",
        "FaultInformationArch, FaultInformationArm64, 1",
        "FaultInformationArch, FaultInformationX64, 2",
        "FaultInformationType, UnsupportedUpstreamTransaction, 0",
        "FaultInformationType, AddressSizeFault, 1",
        "FaultInformationType, TlbMatchConflict, 2",
        "FaultInformationType, ExternalFault, 3",
        "FaultInformationType, PermissionFault, 4",
        "FaultInformationType, AccessFlagFault, 5",
        "FaultInformationType, TranslationFault, 6",
        "FaultInformationType, MaxFaultType, 7",
    })
    void everyEnumConstantHasItsValue(final String enumName, final String specName, final int value)
        throws Exception
    {
        final Class<?> type = Class.forName("dev.iommu.api." + enumName);
        final Method fromValue = type.getMethod("fromValue", int.class);
        final SpecConstant constant = (SpecConstant)fromValue.invoke(null, value);

        assertNotNull(constant, specName);
        assertEquals(specName, constant.specName());
        assertEquals(value, constant.value());
    }

    @Test
    void eachEnumHasExactlyTheDocumentedConstants() throws Exception
    {
        final Map<String, Integer> counts = Map.of(
            "IommuDmaDomainType", 5, "IommuDmaLogicalAllocatorType", 3, "IommuMapPhysicalAddressType", 4,
            "IommuDeviceCreationConfigurationType", 5, "IommuPasidConfigurationType", 3,
            "DomainConfigurationArch", 3, "FaultInformationArch", 3, "FaultInformationType", 8);
        for (final Map.Entry<String, Integer> e : counts.entrySet())
        {
            final Class<?> type = Class.forName("dev.iommu.api." + e.getKey());
            assertEquals(e.getValue().intValue(), type.getEnumConstants().length, e.getKey());
            assertNull(type.getMethod("fromValue", int.class).invoke(null, e.getValue()), e.getKey());
            assertNull(type.getMethod("fromValue", int.class).invoke(null, -1), e.getKey());
        }
    }

    @Test
    void domainTypeMasksAreOneBitPerType()
    {
        assertEquals(0x1, IommuDmaDomainType.TRANSLATE.mask());
        assertEquals(0x2, IommuDmaDomainType.PASS_THROUGH.mask());
        assertEquals(0x4, IommuDmaDomainType.UNMANAGED.mask());
        assertEquals(0x8, IommuDmaDomainType.TRANSLATE_S1.mask());
    }

    @Test
    void bitFieldsHaveTheDocumentedPositions()
    {
        assertEquals(0x1, IommuPermissions.READ);
        assertEquals(0x2, IommuPermissions.WRITE);
        assertEquals(0xFFFF_FFFC, IommuPermissions.RESERVED_MASK);
        assertEquals(0x1, IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES);
        assertEquals(0x1, FaultInformationArm64.WRITE_NOT_READ);
        assertEquals(0x2, FaultInformationArm64.INSTRUCTION_NOT_DATA);
        assertEquals(0x4, FaultInformationArm64.PRIVILEGED);
        assertEquals(0x8, FaultInformationArm64.FAULT_ADDRESS_VALID);
        assertEquals(0x1, FaultInformationX64.FAULT_ADDRESS_VALID);
    }
}
