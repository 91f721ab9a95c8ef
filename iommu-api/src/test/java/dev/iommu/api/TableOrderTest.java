/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The member order of each table is its ABI (spec 1.2): every slot, its member name, callback type and
 * parameter count, as the spec's table and signatures give them.
 */
class TableOrderTest
{
    private static final String[][] V1 =
    {
        {"CreateDomain", "PIOMMU_DOMAIN_CREATE", "2"},
        {"DeleteDomain", "PIOMMU_DOMAIN_DELETE", "1"},
        {"AttachDevice", "PIOMMU_DOMAIN_ATTACH_DEVICE", "4"},
        {"DetachDevice", "PIOMMU_DOMAIN_DETACH_DEVICE", "3"},
        {"FlushDomain", "PIOMMU_FLUSH_DOMAIN", "1"},
        {"FlushDomainByVaList", "PIOMMU_FLUSH_DOMAIN_VA_LIST", "4"},
        {"QueryInputMappings", "PIOMMU_QUERY_INPUT_MAPPINGS", "4"},
        {"MapLogicalRange", "PIOMMU_MAP_LOGICAL_RANGE", "4"},
        {"UnmapLogicalRange", "PIOMMU_UNMAP_LOGICAL_RANGE", "3"},
        {"MapIdentityRange", "PIOMMU_MAP_IDENTITY_RANGE", "3"},
        {"UnmapIdentityRange", "PIOMMU_UNMAP_IDENTITY_RANGE", "2"},
        {"SetDeviceFaultReporting", "PIOMMU_SET_DEVICE_FAULT_REPORTING", "4"},
        {"ConfigureDomain", "PIOMMU_DOMAIN_CONFIGURE", "2"},
    };

    private static final String[][] V2 =
    {
        {"CreateDomainEx", "PIOMMU_DOMAIN_CREATE_EX", "5"},
        {"DeleteDomain", "PIOMMU_DOMAIN_DELETE", "1"},
        {"AttachDeviceEx", "PIOMMU_DOMAIN_ATTACH_DEVICE_EX", "2"},
        {"DetachDeviceEx", "PIOMMU_DOMAIN_DETACH_DEVICE_EX", "1"},
        {"FlushDomain", "PIOMMU_FLUSH_DOMAIN", "1"},
        {"FlushDomainByVaList", "PIOMMU_FLUSH_DOMAIN_VA_LIST", "4"},
        {"QueryInputMappings", "PIOMMU_QUERY_INPUT_MAPPINGS", "4"},
        {"MapLogicalRangeEx", "PIOMMU_MAP_LOGICAL_RANGE_EX", "7"},
        {"UnmapLogicalRange", "PIOMMU_UNMAP_LOGICAL_RANGE", "3"},
        {"MapIdentityRangeEx", "PIOMMU_MAP_IDENTITY_RANGE_EX", "3"},
        {"UnmapIdentityRangeEx", "PIOMMU_UNMAP_IDENTITY_RANGE_EX", "2"},
        {"SetDeviceFaultReportingEx", "PIOMMU_SET_DEVICE_FAULT_REPORTING_EX", "4"},
        {"ConfigureDomain", "PIOMMU_DOMAIN_CONFIGURE", "2"},
        {"QueryAvailableDomainTypes", "PIOMMU_DEVICE_QUERY_DOMAIN_TYPES", "2"},
        {"RegisterInterfaceStateChangeCallback", "PIOMMU_REGISTER_INTERFACE_STATE_CHANGE_CALLBACK", "4"},
        {"UnregisterInterfaceStateChangeCallback", "PIOMMU_UNREGISTER_INTERFACE_STATE_CHANGE_CALLBACK", "2"},
        {"ReserveLogicalAddressRange", "PIOMMU_RESERVE_LOGICAL_ADDRESS_RANGE", "6"},
        {"FreeReservedLogicalAddressRange", "PIOMMU_FREE_RESERVED_LOGICAL_ADDRESS_RANGE", "1"},
        {"MapReservedLogicalRange", "PIOMMU_MAP_RESERVED_LOGICAL_RANGE", "5"},
        {"UnmapReservedLogicalRange", "PIOMMU_UNMAP_RESERVED_LOGICAL_RANGE", "1"},
        {"CreateDevice", "PIOMMU_DEVICE_CREATE", "3"},
        {"DeleteDevice", "PIOMMU_DEVICE_DELETE", "1"},
    };

    private static final String[][] V3_EXTRA =
    {
        {"CreatePasidDevice", "PIOMMU_PASID_DEVICE_CREATE", "3"},
        {"DeletePasidDevice", "PIOMMU_PASID_DEVICE_DELETE", "1"},
        {"AttachPasidDevice", "PIOMMU_DOMAIN_ATTACH_PASID_DEVICE", "2"},
        {"DetachPasidDevice", "PIOMMU_DOMAIN_DETACH_PASID_DEVICE", "1"},
        {"QueryDeviceInfo", "PIOMMU_DEVICE_QUERY_INFORMATION", "4"},
    };

    @Test
    void v1HasThirteenMembersInOrder()
    {
        assertTable(DmaIommuInterfaceV1.class, V1, DmaIommuInterfaceV1.MEMBER_COUNT);
    }

    @Test
    void v2HasTwentyTwoMembersInOrder()
    {
        assertTable(DmaIommuInterfaceV2.class, V2, DmaIommuInterfaceV2.MEMBER_COUNT);
    }

    @Test
    void v3IsV2PlusFivePasidMembersInOrder()
    {
        final String[][] v3 = new String[V2.length + V3_EXTRA.length][];
        System.arraycopy(V2, 0, v3, 0, V2.length);
        System.arraycopy(V3_EXTRA, 0, v3, V2.length, V3_EXTRA.length);
        assertTable(DmaIommuInterfaceV3.class, v3, DmaIommuInterfaceV3.MEMBER_COUNT);
    }

    @Test
    void membersV2KeptFromV1HaveTheSameJavaSignature() throws Exception
    {
        for (final Method v1 : slots(DmaIommuInterfaceV1.class))
        {
            final String member = v1.getAnnotation(TableSlot.class).member();
            final boolean kept = Arrays.stream(V2).anyMatch(row -> row[0].equals(member));
            if (kept)
            {
                final Method v2 = DmaIommuInterfaceV2.class.getMethod(v1.getName(), v1.getParameterTypes());
                assertEquals(v1.getReturnType(), v2.getReturnType(), member);
            }
        }
    }

    @Test
    void everyMemberButQueryAvailableDomainTypesReturnsAStatus()
    {
        for (final Method m : slots(DmaIommuInterfaceV3.class))
        {
            final boolean isVoid = "QueryAvailableDomainTypes".equals(m.getAnnotation(TableSlot.class).member());
            assertEquals(isVoid ? void.class : int.class, m.getReturnType(), m.getName());
        }
    }

    private static void assertTable(final Class<?> table, final String[][] expected, final int memberCount)
    {
        final List<Method> slots = slots(table);
        assertEquals(expected.length, memberCount, "MEMBER_COUNT");
        assertEquals(expected.length, slots.size(), "members with a slot");
        for (int i = 0; i < expected.length; i++)
        {
            final Method method = slots.get(i);
            final TableSlot slot = method.getAnnotation(TableSlot.class);
            assertArrayEquals(
                expected[i],
                new String[]{slot.member(), slot.type(), Integer.toString(method.getParameterCount())},
                "slot " + i);
            assertEquals(i, slot.index(), "index of " + slot.member());
            final String javaName = Character.toLowerCase(slot.member().charAt(0)) + slot.member().substring(1);
            assertEquals(javaName, method.getName(), "Java name of " + slot.member());
        }
    }

    private static List<Method> slots(final Class<?> table)
    {
        final List<Method> slots = new ArrayList<>();
        for (final Method m : table.getMethods())
        {
            if (m.isAnnotationPresent(TableSlot.class))
            {
                slots.add(m);
            }
        }
        slots.sort(Comparator.comparingInt(m -> m.getAnnotation(TableSlot.class).index()));
        return slots;
    }
}
