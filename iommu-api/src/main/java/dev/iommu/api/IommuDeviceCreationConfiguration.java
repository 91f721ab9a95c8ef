/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code IOMMU_DEVICE_CREATION_CONFIGURATION} (spec section 3.9). One configuration passed to CreateDevice.
 * Several chain through nextConfiguration (the C LIST_ENTRY); the element passed to CreateDevice is the first one,
 * and the list ends at null or where it returns to that first element (spec 5.2 item 8). Which union member is
 * valid depends on configType. Its x64 size is 0x20 bytes.
 */
public final class IommuDeviceCreationConfiguration
{
    /** The size of the C structure on x64, in bytes. */
    public static final int SIZE_X64 = 0x20;

    private IommuDeviceCreationConfiguration nextConfiguration;
    private IommuDeviceCreationConfigurationType configType;
    private int acpiInputMappingBase;
    private int acpiMappingsCount;
    private Object deviceId;
    private IommuPasidConfigurationType pasidConfigType;
    private boolean suppressPasidFaults;

    /**
     * {@code NextConfiguration}: the next configuration in the list, or null.
     *
     * @return the value.
     */
    public IommuDeviceCreationConfiguration nextConfiguration()
    {
        return nextConfiguration;
    }

    /**
     * Sets {@code NextConfiguration}.
     *
     * @param nextConfiguration the new value.
     * @return this.
     */
    public IommuDeviceCreationConfiguration nextConfiguration(final IommuDeviceCreationConfiguration nextConfiguration)
    {
        this.nextConfiguration = nextConfiguration;
        return this;
    }

    /**
     * {@code ConfigType}: the kind of this configuration.
     *
     * @return the value.
     */
    public IommuDeviceCreationConfigurationType configType()
    {
        return configType;
    }

    /**
     * Sets {@code ConfigType}.
     *
     * @param configType the new value.
     * @return this.
     */
    public IommuDeviceCreationConfiguration configType(final IommuDeviceCreationConfigurationType configType)
    {
        this.configType = configType;
        return this;
    }

    /**
     * {@code Acpi.InputMappingBase}: the first input mapping (stream) id of the device, for ACPI.
     *
     * @return the value.
     */
    public int acpiInputMappingBase()
    {
        return acpiInputMappingBase;
    }

    /**
     * Sets {@code Acpi.InputMappingBase}.
     *
     * @param acpiInputMappingBase the new value.
     * @return this.
     */
    public IommuDeviceCreationConfiguration acpiInputMappingBase(final int acpiInputMappingBase)
    {
        this.acpiInputMappingBase = acpiInputMappingBase;
        return this;
    }

    /**
     * {@code Acpi.MappingsCount}: the number of consecutive ids from the base, for ACPI.
     *
     * @return the value.
     */
    public int acpiMappingsCount()
    {
        return acpiMappingsCount;
    }

    /**
     * Sets {@code Acpi.MappingsCount}.
     *
     * @param acpiMappingsCount the new value.
     * @return this.
     */
    public IommuDeviceCreationConfiguration acpiMappingsCount(final int acpiMappingsCount)
    {
        this.acpiMappingsCount = acpiMappingsCount;
        return this;
    }

    /**
     * {@code DeviceId}: the device id, for DEVICE_ID.
     *
     * @return the value.
     */
    public Object deviceId()
    {
        return deviceId;
    }

    /**
     * Sets {@code DeviceId}.
     *
     * @param deviceId the new value.
     * @return this.
     */
    public IommuDeviceCreationConfiguration deviceId(final Object deviceId)
    {
        this.deviceId = deviceId;
        return this;
    }

    /**
     * {@code Pasid.ConfigType}: how the device may use PASIDs, for PASID.
     *
     * @return the value.
     */
    public IommuPasidConfigurationType pasidConfigType()
    {
        return pasidConfigType;
    }

    /**
     * Sets {@code Pasid.ConfigType}.
     *
     * @param pasidConfigType the new value.
     * @return this.
     */
    public IommuDeviceCreationConfiguration pasidConfigType(final IommuPasidConfigurationType pasidConfigType)
    {
        this.pasidConfigType = pasidConfigType;
        return this;
    }

    /**
     * {@code Pasid.SuppressPasidFaults}: true: faults from PASID-tagged DMA are silenced, for PASID.
     *
     * @return the value.
     */
    public boolean suppressPasidFaults()
    {
        return suppressPasidFaults;
    }

    /**
     * Sets {@code Pasid.SuppressPasidFaults}.
     *
     * @param suppressPasidFaults the new value.
     * @return this.
     */
    public IommuDeviceCreationConfiguration suppressPasidFaults(final boolean suppressPasidFaults)
    {
        this.suppressPasidFaults = suppressPasidFaults;
        return this;
    }

    /**
     * Makes this an ACPI configuration.
     *
     * @param inputMappingBase the first input mapping id.
     * @param mappingsCount    the number of consecutive ids.
     * @return this.
     */
    public IommuDeviceCreationConfiguration acpi(final int inputMappingBase, final int mappingsCount)
    {
        this.configType = IommuDeviceCreationConfigurationType.ACPI;
        this.acpiInputMappingBase = inputMappingBase;
        this.acpiMappingsCount = mappingsCount;
        return this;
    }

    /**
     * Makes this a PASID configuration.
     *
     * @param type                how the device may use PASIDs.
     * @param suppressPasidFaults true to silence faults from PASID-tagged DMA.
     * @return this.
     */
    public IommuDeviceCreationConfiguration pasid(final IommuPasidConfigurationType type,
        final boolean suppressPasidFaults)
    {
        this.configType = IommuDeviceCreationConfigurationType.PASID;
        this.pasidConfigType = type;
        this.suppressPasidFaults = suppressPasidFaults;
        return this;
    }
}
