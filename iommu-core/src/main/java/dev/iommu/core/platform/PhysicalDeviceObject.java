/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

import dev.iommu.api.DeviceObject;

/**
 * A physical device object (PDO) of the emulated machine: where it sits (PCI or ACPI), which IOMMU unit
 * translates its DMA (or none), its input mapping (stream) ids, and whether it is externally connected (which
 * the DMA Guard policy looks at). Immutable; built by {@link Platform.Builder#pci} and
 * {@link Platform.Builder#acpi}.
 * <p>
 * Input mapping ids: a PCI function's single id is its requester id ({@code bus << 8 | device << 3 | function});
 * an ACPI device's ids are the consecutive range its firmware tables give ({@link #inputMappingBase()},
 * {@link #inputMappingCount()}).
 */
public final class PhysicalDeviceObject implements DeviceObject
{
    private Platform owner;
    private final String name;
    private final Bus bus;
    private final int pciSegment;
    private final int pciBus;
    private final int pciDevice;
    private final int pciFunction;
    private final String acpiHardwareId;
    private final String acpiUniqueId;
    private final int inputMappingBase;
    private final int inputMappingCount;
    private final IommuUnit iommu;
    private final boolean external;

    PhysicalDeviceObject(
        final String name,
        final Bus bus,
        final int[] pciAddress,
        final String acpiHardwareId,
        final String acpiUniqueId,
        final int inputMappingBase,
        final int inputMappingCount,
        final IommuUnit iommu,
        final boolean external)
    {
        this.name = name;
        this.bus = bus;
        this.pciSegment = pciAddress[0];
        this.pciBus = pciAddress[1];
        this.pciDevice = pciAddress[2];
        this.pciFunction = pciAddress[3];
        this.acpiHardwareId = acpiHardwareId;
        this.acpiUniqueId = acpiUniqueId;
        this.inputMappingBase = inputMappingBase;
        this.inputMappingCount = inputMappingCount;
        this.iommu = iommu;
        this.external = external;
    }

    Platform owner()
    {
        return owner;
    }

    void owner(final Platform platform)
    {
        if (null != owner)
        {
            throw new IllegalStateException(this + " already belongs to a platform");
        }
        owner = platform;
    }

    /**
     * The device's name, unique on its platform.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * How the device was enumerated.
     *
     * @return PCI or ACPI.
     */
    public Bus bus()
    {
        return bus;
    }

    /**
     * The PCI segment (PCI devices; 0 for ACPI).
     *
     * @return the segment.
     */
    public int pciSegment()
    {
        return pciSegment;
    }

    /**
     * The PCI bus number (PCI devices; 0 for ACPI).
     *
     * @return the bus.
     */
    public int pciBus()
    {
        return pciBus;
    }

    /**
     * The PCI device number (PCI devices; 0 for ACPI).
     *
     * @return the device number.
     */
    public int pciDevice()
    {
        return pciDevice;
    }

    /**
     * The PCI function number (PCI devices; 0 for ACPI).
     *
     * @return the function.
     */
    public int pciFunction()
    {
        return pciFunction;
    }

    /**
     * The ACPI hardware id, such as {@code ARMH0011} (ACPI devices; null for PCI).
     *
     * @return the hardware id.
     */
    public String acpiHardwareId()
    {
        return acpiHardwareId;
    }

    /**
     * The ACPI unique id (ACPI devices; null for PCI).
     *
     * @return the unique id.
     */
    public String acpiUniqueId()
    {
        return acpiUniqueId;
    }

    /**
     * The first input mapping (stream) id.
     *
     * @return the base id.
     */
    public int inputMappingBase()
    {
        return inputMappingBase;
    }

    /**
     * The number of consecutive input mapping ids from the base.
     *
     * @return the count: 1 for a PCI function, the firmware's count for an ACPI device (0 on x64).
     */
    public int inputMappingCount()
    {
        return inputMappingCount;
    }

    /**
     * The IOMMU unit that translates this device's DMA.
     *
     * @return the unit, or null when the device is behind no IOMMU (it has direct physical access).
     */
    public IommuUnit iommu()
    {
        return iommu;
    }

    /**
     * Whether the device is externally connected (Thunderbolt, USB4, hot-plug PCIe), which DMA Guard treats
     * with suspicion.
     *
     * @return true for an external device.
     */
    public boolean isExternal()
    {
        return external;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        if (bus == Bus.PCI)
        {
            return String.format("PDO{%s, pci %04x:%02x:%02x.%x}", name, pciSegment, pciBus, pciDevice, pciFunction);
        }
        return "PDO{" + name + ", acpi " + acpiHardwareId + "/" + acpiUniqueId + "}";
    }
}
