/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDeviceCreationConfigurationType;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.NtStatus;
import dev.iommu.core.platform.Architecture;
import dev.iommu.core.platform.Bus;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * Which creation configurations CreateDevice accepts for a device (spec 2.28, 3.9 and the choices of spec 5.2
 * item 8), in one place:
 * <ul>
 *     <li>the configuration passed is the first element of the list; the list ends at null or where it
 *     returns to the first element; more than {@link #MAX_CONFIGURATIONS} elements is a malformed list;</li>
 *     <li>at most one configuration of each type;</li>
 *     <li>an ACPI device on ARM64 must pass exactly one ACPI configuration, whose base and count are the
 *     device's own input mappings; every other device, and every device on x64, must pass none;</li>
 *     <li>a PASID configuration is accepted when the device's IOMMU supports PASIDs, with a valid PASID
 *     configuration type;</li>
 *     <li>types None, DeviceId (only defined by wdm.h), Max, unknown types and null are refused;</li>
 *     <li>every refusal is STATUS_INVALID_PARAMETER_2 (the configuration parameter).</li>
 * </ul>
 * The result of a successful check is kept in this object (reused by the caller, so no allocation).
 */
final class DeviceCreationRules
{
    /** The longest configuration list accepted (there are only four types). */
    static final int MAX_CONFIGURATIONS = 8;

    private IommuPasidConfigurationType pasidConfig;
    private boolean suppressPasidFaults;
    private boolean pasidGiven;

    /**
     * Checks a configuration list for a device.
     *
     * @param pdo          the device, behind an IOMMU.
     * @param architecture the platform's architecture.
     * @param first        the first configuration, or null for none.
     * @return STATUS_SUCCESS or STATUS_INVALID_PARAMETER_2.
     */
    int check(final PhysicalDeviceObject pdo, final Architecture architecture,
        final IommuDeviceCreationConfiguration first)
    {
        pasidConfig = null;
        suppressPasidFaults = false;
        final boolean acpiRequired = pdo.bus() == Bus.ACPI && architecture == Architecture.ARM64;
        boolean acpiSeen = false;
        boolean pasidSeen = false;
        IommuDeviceCreationConfiguration config = first;
        for (int i = 0; null != config; i++)
        {
            if (i == MAX_CONFIGURATIONS)
            {
                return NtStatus.STATUS_INVALID_PARAMETER_2;
            }
            final IommuDeviceCreationConfigurationType type = config.configType();
            if (type == IommuDeviceCreationConfigurationType.ACPI)
            {
                if (!acpiRequired || acpiSeen || config.acpiInputMappingBase() != pdo.inputMappingBase() ||
                    config.acpiMappingsCount() != pdo.inputMappingCount())
                {
                    return NtStatus.STATUS_INVALID_PARAMETER_2;
                }
                acpiSeen = true;
            }
            else if (type == IommuDeviceCreationConfigurationType.PASID)
            {
                final IommuPasidConfigurationType pasid = config.pasidConfigType();
                if (pasidSeen || !pdo.iommu().supportsPasid() || null == pasid ||
                    pasid == IommuPasidConfigurationType.MAX)
                {
                    return NtStatus.STATUS_INVALID_PARAMETER_2;
                }
                pasidSeen = true;
                pasidConfig = pasid;
                suppressPasidFaults = config.suppressPasidFaults();
            }
            else
            {
                return NtStatus.STATUS_INVALID_PARAMETER_2;
            }
            config = config.nextConfiguration();
            if (config == first)
            {
                break;
            }
        }
        if (acpiRequired != acpiSeen)
        {
            pasidConfig = null;
            return NtStatus.STATUS_INVALID_PARAMETER_2;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Records the PASID configuration the observed profile's list walk found.
     *
     * @param pasid    the PASID configuration type, or null for none.
     * @param suppress SuppressPasidFaults.
     */
    void result(final IommuPasidConfigurationType pasid, final boolean suppress)
    {
        pasidConfig = pasid;
        suppressPasidFaults = suppress;
        pasidGiven = true;
    }

    /**
     * Forgets the result of the last check (the observed profile's list walk starts with it).
     */
    void clear()
    {
        pasidConfig = null;
        suppressPasidFaults = false;
        pasidGiven = false;
    }

    /**
     * Whether the observed walk found a PASID configuration (its type may be null or Max: refused afterwards).
     */
    boolean pasidGiven()
    {
        return pasidGiven;
    }

    /**
     * The PASID configuration type of the last successful check, or null when it had none.
     */
    IommuPasidConfigurationType pasidConfig()
    {
        return pasidConfig;
    }

    /**
     * The SuppressPasidFaults value of the last successful check.
     */
    boolean suppressPasidFaults()
    {
        return suppressPasidFaults;
    }
}
