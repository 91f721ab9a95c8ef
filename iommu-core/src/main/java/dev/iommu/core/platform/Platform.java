/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

import dev.iommu.ptw.PageSizes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.iommu.api.DeviceObject;
import dev.iommu.api.DmaIommuInterfaceEx;

/**
 * The emulated machine: its architecture, IOMMU units, physical device objects, DMA Guard policy, resource
 * limits, and the newest interface version its OS personality offers. Built in code with {@link #builder()} or
 * loaded from a small text file with {@link PlatformFile}. Immutable but for the policy.
 */
public final class Platform
{
    private final Architecture architecture;
    private final List<IommuUnit> iommus;
    private final List<PhysicalDeviceObject> devices;
    private final Map<String, PhysicalDeviceObject> devicesByName;
    private final DmaGuardPolicy policy;
    private final ResourceLimits limits;
    private final int maxInterfaceVersion;

    private Platform(final Builder builder)
    {
        this.architecture = builder.architecture;
        this.iommus = Collections.unmodifiableList(new ArrayList<>(builder.iommus.values()));
        this.devices = Collections.unmodifiableList(new ArrayList<>(builder.devices.values()));
        this.devicesByName = Collections.unmodifiableMap(new LinkedHashMap<>(builder.devices));
        this.limits = builder.limits;
        this.maxInterfaceVersion = builder.maxInterfaceVersion;
        this.policy = new DmaGuardPolicy(architecture, devices, builder.dmaGuardEnabled);
        for (final PhysicalDeviceObject device : devices)
        {
            device.owner(this);
        }
    }

    /**
     * A builder for a platform; defaults: x64, DMA Guard off, {@link ResourceLimits#DEFAULTS}, interface
     * versions up to 3.
     *
     * @return a new builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * The processor architecture.
     *
     * @return the architecture.
     */
    public Architecture architecture()
    {
        return architecture;
    }

    /**
     * The IOMMU units, in the order they were declared.
     *
     * @return an unmodifiable list.
     */
    public List<IommuUnit> iommus()
    {
        return iommus;
    }

    /**
     * The physical device objects, in the order they were declared.
     *
     * @return an unmodifiable list.
     */
    public List<PhysicalDeviceObject> devices()
    {
        return devices;
    }

    /**
     * A device by name.
     *
     * @param name the device's name.
     * @return the device.
     * @throws IllegalArgumentException when there is no such device.
     */
    public PhysicalDeviceObject device(final String name)
    {
        final PhysicalDeviceObject device = devicesByName.get(name);
        if (null == device)
        {
            throw new IllegalArgumentException("no device named '" + name + "'; devices: " + devicesByName.keySet());
        }
        return device;
    }

    /**
     * Whether a device object is one of this platform's (and not null, foreign or forged).
     *
     * @param deviceObject any device object, or null.
     * @return true for a device of this platform.
     */
    public boolean owns(final DeviceObject deviceObject)
    {
        return deviceObject instanceof PhysicalDeviceObject && ((PhysicalDeviceObject)deviceObject).owner() == this;
    }

    /**
     * The DMA Guard policy, changeable at run time.
     *
     * @return the policy.
     */
    public DmaGuardPolicy policy()
    {
        return policy;
    }

    /**
     * The resource limits.
     *
     * @return the limits.
     */
    public ResourceLimits limits()
    {
        return limits;
    }

    /**
     * The newest {@code DMA_IOMMU_INTERFACE_EX} version this OS personality offers (spec 5.1 item 3).
     *
     * @return 1, 2 or 3.
     */
    public int maxInterfaceVersion()
    {
        return maxInterfaceVersion;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return "Platform{" + architecture + ", iommus=" + iommus.size() + ", devices=" + devices.size() + "}";
    }

    /**
     * Builds a {@link Platform}. Each method checks its own arguments; {@link #build()} checks the whole.
     */
    public static final class Builder
    {
        private Architecture architecture = Architecture.X64;
        private final Map<String, IommuUnit> iommus = new LinkedHashMap<>();
        private final Map<String, PhysicalDeviceObject> devices = new LinkedHashMap<>();
        private final Set<Long> pciAddresses = new HashSet<>();
        private boolean dmaGuardEnabled;
        private ResourceLimits limits = ResourceLimits.DEFAULTS;
        private int maxInterfaceVersion = DmaIommuInterfaceEx.VERSION_MAX;
        private boolean built;

        private Builder()
        {
        }

        /**
         * Sets the architecture (default x64). Set it before declaring ACPI devices.
         *
         * @param architecture the architecture.
         * @return this.
         */
        public Builder architecture(final Architecture architecture)
        {
            if (!devices.isEmpty())
            {
                throw new IllegalStateException("set the architecture before declaring devices");
            }
            this.architecture = java.util.Objects.requireNonNull(architecture, "architecture");
            return this;
        }

        /**
         * Declares an IOMMU unit.
         *
         * @param name           a unique name.
         * @param mmioBase       the MMIO base address, reported in faults.
         * @param addressWidth   39, 48 or 57.
         * @param pageSizes      a {@link PageSizes} set.
         * @param pasidWidth     0 for no PASIDs, else 1 to 20.
         * @param deviceIdLookup whether the unit's driver implements the device-id lookup.
         * @param pciSegment     the PCI segment it serves.
         * @return this.
         */
        public Builder iommu(
            final String name,
            final long mmioBase,
            final int addressWidth,
            final int pageSizes,
            final int pasidWidth,
            final boolean deviceIdLookup,
            final int pciSegment)
        {
            if (iommus.containsKey(name))
            {
                throw new IllegalArgumentException("duplicate IOMMU name '" + name + "'");
            }
            iommus.put(name, new IommuUnit(name, mmioBase, addressWidth, pageSizes, pasidWidth, deviceIdLookup,
                pciSegment));
            return this;
        }

        /**
         * Declares an IOMMU unit with 48-bit addresses, every page size, 20-bit PASIDs, the device-id lookup, and
         * PCI segment 0.
         *
         * @param name     a unique name.
         * @param mmioBase the MMIO base address.
         * @return this.
         */
        public Builder iommu(final String name, final long mmioBase)
        {
            return iommu(name, mmioBase, 48, PageSizes.ALLOW_ALL, 20, true, 0);
        }

        /**
         * Declares a PCI function.
         *
         * @param name     a unique name.
         * @param segment  0 to 65535.
         * @param bus      0 to 255.
         * @param device   0 to 31.
         * @param function 0 to 7.
         * @param iommu    the name of the IOMMU unit translating it, or null for none (direct physical access).
         * @param external whether it is externally connected.
         * @return this.
         */
        public Builder pci(
            final String name,
            final int segment,
            final int bus,
            final int device,
            final int function,
            final String iommu,
            final boolean external)
        {
            requireNewName(name);
            requireRange("PCI segment", segment, 0xFFFF);
            requireRange("PCI bus", bus, 0xFF);
            requireRange("PCI device", device, 0x1F);
            requireRange("PCI function", function, 0x7);
            final long address = ((long)segment << 16) | (bus << 8) | (device << 3) | function;
            final IommuUnit unit = unit(name, iommu);
            if (!pciAddresses.add(address))
            {
                throw new IllegalArgumentException(String.format(
                    "device '%s': PCI address %04x:%02x:%02x.%x is taken", name, segment, bus, device, function));
            }
            final int requesterId = (bus << 8) | (device << 3) | function;
            addDevice(new PhysicalDeviceObject(name, Bus.PCI, new int[]{segment, bus, device, function}, null, null,
                requesterId, 1, unit, external));
            return this;
        }

        /**
         * Declares an ACPI device. On ARM64 it must have at least one input mapping id (a driver passes them to
         * CreateDevice); on x64 it has none.
         *
         * @param name              a unique name.
         * @param hardwareId        the ACPI hardware id, such as {@code ARMH0011}.
         * @param uniqueId          the ACPI unique id.
         * @param inputMappingBase  the first input mapping id (ARM64).
         * @param inputMappingCount the number of ids (ARM64: at least 1; x64: 0).
         * @param iommu             the name of the IOMMU unit translating it, or null for none.
         * @param external          whether it is externally connected.
         * @return this.
         */
        public Builder acpi(
            final String name,
            final String hardwareId,
            final String uniqueId,
            final int inputMappingBase,
            final int inputMappingCount,
            final String iommu,
            final boolean external)
        {
            requireNewName(name);
            if (null == hardwareId || hardwareId.isEmpty() || null == uniqueId)
            {
                throw new IllegalArgumentException("device '" + name + "': an ACPI device needs a hardware id and a "
                    + "unique id");
            }
            if (architecture == Architecture.ARM64 ? inputMappingCount < 1 : inputMappingCount != 0)
            {
                throw new IllegalArgumentException("device '" + name + "': an ACPI device has " +
                    (architecture == Architecture.ARM64 ? "at least one input mapping on ARM64" : "none on x64") +
                    ", not " + inputMappingCount);
            }
            addDevice(new PhysicalDeviceObject(name, Bus.ACPI, new int[4], hardwareId, uniqueId, inputMappingBase,
                inputMappingCount, unit(name, iommu), external));
            return this;
        }

        /**
         * Sets whether DMA Guard starts enabled (default off).
         *
         * @param enabled the setting.
         * @return this.
         */
        public Builder dmaGuard(final boolean enabled)
        {
            this.dmaGuardEnabled = enabled;
            return this;
        }

        /**
         * Sets the resource limits.
         *
         * @param limits the limits.
         * @return this.
         */
        public Builder limits(final ResourceLimits limits)
        {
            this.limits = java.util.Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Sets the newest interface version the OS personality offers (default 3).
         *
         * @param version 1, 2 or 3.
         * @return this.
         */
        public Builder maxInterfaceVersion(final int version)
        {
            if (version < DmaIommuInterfaceEx.VERSION_MIN || version > DmaIommuInterfaceEx.VERSION_MAX)
            {
                throw new IllegalArgumentException("interface version " + version + " not in 1..3");
            }
            this.maxInterfaceVersion = version;
            return this;
        }

        /**
         * Builds the platform. A builder builds once.
         *
         * @return the platform.
         */
        public Platform build()
        {
            if (built)
            {
                throw new IllegalStateException("this builder has already built its platform");
            }
            built = true;
            return new Platform(this);
        }

        private IommuUnit unit(final String device, final String iommu)
        {
            if (null == iommu)
            {
                return null;
            }
            final IommuUnit unit = iommus.get(iommu);
            if (null == unit)
            {
                throw new IllegalArgumentException(
                    "device '" + device + "': no IOMMU named '" + iommu + "' (declare IOMMUs before devices)");
            }
            return unit;
        }

        private void requireNewName(final String name)
        {
            if (null == name || name.isEmpty())
            {
                throw new IllegalArgumentException("a device needs a name");
            }
            if (devices.containsKey(name))
            {
                throw new IllegalArgumentException("duplicate device name '" + name + "'");
            }
        }

        private void addDevice(final PhysicalDeviceObject device)
        {
            devices.put(device.name(), device);
        }

        private static void requireRange(final String what, final int value, final int max)
        {
            if (value < 0 || value > max)
            {
                throw new IllegalArgumentException(what + " " + value + " not in 0.." + max);
            }
        }
    }
}
