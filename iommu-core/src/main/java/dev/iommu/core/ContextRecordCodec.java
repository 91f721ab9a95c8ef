/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import static dev.iommu.core.ContextRecordDescriptor.DEVICE_ATTACH_BASE_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DEVICE_DOMAIN_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DEVICE_FLAGS_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DEVICE_NAME_LENGTH_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DEVICE_NAME_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DEVICE_PASID_CONFIG_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DEVICE_REFERENCES_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DEVICE_SUPPRESS_PASID_FAULTS;
import static dev.iommu.core.ContextRecordDescriptor.DEVICE_V1;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_ALLOCATOR;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_CONFIGURATION_LENGTH;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_CONFIGURED;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_EX;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_FLAGS_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_IDENTITIES_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_RANGES_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_REGIONS_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_ROOT_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_TYPE_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.DOMAIN_WIDTH_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.PASID_DOMAIN_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.PASID_LENGTH;
import static dev.iommu.core.ContextRecordDescriptor.PASID_PARENT_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.PASID_PASID_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.RECORD_VERSION;
import static dev.iommu.core.ContextRecordDescriptor.TOKEN_ALLOCATED;
import static dev.iommu.core.ContextRecordDescriptor.TOKEN_BASE_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.TOKEN_DOMAIN_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.TOKEN_FLAGS_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.TOKEN_LENGTH;
import static dev.iommu.core.ContextRecordDescriptor.TOKEN_PROTECTED;
import static dev.iommu.core.ContextRecordDescriptor.TOKEN_SIZE_OFFSET;
import static dev.iommu.core.ContextRecordDescriptor.VERSION_OFFSET;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import dev.iommu.api.DomainConfigurationArm64;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuPasidConfigurationType;

/**
 * Writes and reads the records of the persisted context table in the layouts of {@link ContextRecordDescriptor}.
 * Reading checks each record's version and lengths and throws {@link PersistenceException} for one it cannot trust.
 */
final class ContextRecordCodec
{
    /**
     * A domain as its record holds it.
     *
     * @param id            its stable id.
     * @param type          its type.
     * @param rootPage      the arena page of its root table; -1 for a domain without tables.
     * @param shape         its shape; null for an unmanaged domain.
     * @param configuration an unmanaged domain's ConfigureDomain, or null.
     */
    record DomainRecord(
        long id, IommuDmaDomainType type, int rootPage, DomainShape shape, DomainConfigurationArm64 configuration)
    {
    }

    /**
     * A DMA device as its record holds it.
     *
     * @param id          its stable id.
     * @param name        its device object's name in the platform.
     * @param pasidConfig its PASID configuration, or null.
     * @param suppress    SuppressPasidFaults.
     * @param v1          made by V1 AttachDevice.
     * @param attachBase  the input-mapping base it was made with.
     * @param references  CreateDevice calls it stands for (shared devices of the observed profile).
     * @param domainId    the domain it is attached to, 0 when detached.
     */
    record DeviceRecord(long id, String name, IommuPasidConfigurationType pasidConfig, boolean suppress, boolean v1,
        int attachBase, int references, long domainId)
    {
    }

    /**
     * A logical address token as its record holds it (its segments are in their own map).
     *
     * @param id             its stable id.
     * @param domainId       its domain.
     * @param base           its first logical address.
     * @param size           its size in bytes.
     * @param allocated      its range came from the domain's allocator.
     * @param protectedRange its range is protected from other maps.
     */
    record TokenRecord(long id, long domainId, long base, long size, boolean allocated, boolean protectedRange)
    {
    }

    /**
     * A PASID sub-device as its record holds it.
     *
     * @param parentId the parent device's id.
     * @param pasid    its PASID.
     * @param domainId the domain it is attached to, 0 when detached.
     */
    record PasidRecord(long parentId, int pasid, long domainId)
    {
    }

    private ContextRecordCodec()
    {
    }

    static byte[] domain(final Domain domain, final DomainShape shape)
    {
        final int regions = null == shape ? 0 : shape.regionBases().length;
        final int identities = null == shape ? 0 : shape.identityBases().length;
        final DomainConfigurationArm64 configuration = domain instanceof UnmanagedDomain ?
            ((UnmanagedDomain)domain).configuration() : null;
        final int length = DOMAIN_RANGES_OFFSET + 16 * (regions + identities) +
            (null == configuration ? 0 : DOMAIN_CONFIGURATION_LENGTH);
        final ByteBuffer out = buffer(new byte[length]);
        out.putInt(VERSION_OFFSET, RECORD_VERSION);
        out.putInt(DOMAIN_TYPE_OFFSET, domain.type().value());
        int flags = null == configuration ? 0 : DOMAIN_CONFIGURED;
        if (null != shape)
        {
            flags |= (shape.exCreated() ? DOMAIN_EX : 0) | (shape.allocator() ? DOMAIN_ALLOCATOR : 0);
            out.putInt(DOMAIN_WIDTH_OFFSET, shape.addressWidth());
        }
        out.putInt(DOMAIN_FLAGS_OFFSET, flags);
        out.putInt(DOMAIN_ROOT_OFFSET,
            domain instanceof MappingDomain ? ((MappingDomain)domain).table().rootPage() : -1);
        out.putInt(DOMAIN_REGIONS_OFFSET, regions);
        out.putInt(DOMAIN_IDENTITIES_OFFSET, identities);
        int at = DOMAIN_RANGES_OFFSET;
        for (int i = 0; i < regions; i++, at += 16)
        {
            out.putLong(at, shape.regionBases()[i]).putLong(at + 8, shape.regionPages()[i]);
        }
        for (int i = 0; i < identities; i++, at += 16)
        {
            out.putLong(at, shape.identityBases()[i]).putLong(at + 8, shape.identityPages()[i]);
        }
        if (null != configuration)
        {
            out.putLong(at, configuration.ttbr0()).putLong(at + 8, configuration.ttbr1())
                .putInt(at + 16, configuration.mair0()).putInt(at + 20, configuration.mair1())
                .putInt(at + 24, configuration.inputSize0()).putInt(at + 28, configuration.inputSize1())
                .putInt(at + 32, configuration.coherentTableWalks() ? 1 : 0)
                .putInt(at + 36, configuration.translationEnabled() ? 1 : 0);
        }
        return out.array();
    }

    static DomainRecord domain(final long id, final byte[] value)
    {
        final ByteBuffer in = checked(value, DOMAIN_RANGES_OFFSET, "domain#" + id);
        final IommuDmaDomainType type = IommuDmaDomainType.fromValue(in.getInt(DOMAIN_TYPE_OFFSET));
        final int flags = in.getInt(DOMAIN_FLAGS_OFFSET);
        final int regions = in.getInt(DOMAIN_REGIONS_OFFSET);
        final int identities = in.getInt(DOMAIN_IDENTITIES_OFFSET);
        final int configured = (flags & DOMAIN_CONFIGURED) != 0 ? DOMAIN_CONFIGURATION_LENGTH : 0;
        if (null == type || regions < 0 || identities < 0 ||
            value.length != DOMAIN_RANGES_OFFSET + 16L * (regions + identities) + configured)
        {
            throw new PersistenceException("the record of domain#" + id + " is damaged (type, range counts or length)");
        }
        int at = DOMAIN_RANGES_OFFSET;
        DomainShape shape = null;
        if (type != IommuDmaDomainType.UNMANAGED)
        {
            final long[] regionBases = new long[regions];
            final long[] regionPages = new long[regions];
            final long[] identityBases = new long[identities];
            final long[] identityPages = new long[identities];
            for (int i = 0; i < regions; i++, at += 16)
            {
                regionBases[i] = in.getLong(at);
                regionPages[i] = in.getLong(at + 8);
            }
            for (int i = 0; i < identities; i++, at += 16)
            {
                identityBases[i] = in.getLong(at);
                identityPages[i] = in.getLong(at + 8);
            }
            shape = new DomainShape(in.getInt(DOMAIN_WIDTH_OFFSET), (flags & DOMAIN_ALLOCATOR) != 0,
                (flags & DOMAIN_EX) != 0, regionBases, regionPages, identityBases, identityPages);
        }
        DomainConfigurationArm64 configuration = null;
        if (configured != 0)
        {
            configuration = new DomainConfigurationArm64().ttbr0(in.getLong(at)).ttbr1(in.getLong(at + 8))
                .mair0(in.getInt(at + 16)).mair1(in.getInt(at + 20))
                .inputSize0(in.getInt(at + 24)).inputSize1(in.getInt(at + 28))
                .coherentTableWalks(in.getInt(at + 32) != 0).translationEnabled(in.getInt(at + 36) != 0);
        }
        return new DomainRecord(id, type, in.getInt(DOMAIN_ROOT_OFFSET), shape, configuration);
    }

    static byte[] device(final DmaDevice device)
    {
        final byte[] name = device.pdo().name().getBytes(StandardCharsets.UTF_8);
        final ByteBuffer out = buffer(new byte[DEVICE_NAME_OFFSET + name.length]);
        final Domain domain = device.domain();
        out.putInt(VERSION_OFFSET, RECORD_VERSION)
            .putInt(DEVICE_FLAGS_OFFSET, (device.isV1() ? DEVICE_V1 : 0) |
                (device.pasidFaultsSuppressed() ? DEVICE_SUPPRESS_PASID_FAULTS : 0))
            .putInt(DEVICE_PASID_CONFIG_OFFSET, null == device.pasidConfig() ? -1 : device.pasidConfig().value())
            .putInt(DEVICE_ATTACH_BASE_OFFSET, device.attachBase())
            .putInt(DEVICE_REFERENCES_OFFSET, device.references())
            .putInt(DEVICE_NAME_LENGTH_OFFSET, name.length)
            .putLong(DEVICE_DOMAIN_OFFSET, null == domain ? 0 : domain.id());
        out.put(DEVICE_NAME_OFFSET, name);
        return out.array();
    }

    static DeviceRecord device(final long id, final byte[] value)
    {
        final ByteBuffer in = checked(value, DEVICE_NAME_OFFSET, "device#" + id);
        final int nameLength = in.getInt(DEVICE_NAME_LENGTH_OFFSET);
        final int config = in.getInt(DEVICE_PASID_CONFIG_OFFSET);
        final IommuPasidConfigurationType pasidConfig = config < 0 ? null :
            IommuPasidConfigurationType.fromValue(config);
        if (nameLength != value.length - DEVICE_NAME_OFFSET || config >= 0 && null == pasidConfig)
        {
            throw new PersistenceException("the record of device#" + id + " is damaged (name length or PASID type)");
        }
        final int flags = in.getInt(DEVICE_FLAGS_OFFSET);
        return new DeviceRecord(id, new String(value, DEVICE_NAME_OFFSET, nameLength, StandardCharsets.UTF_8),
            pasidConfig, (flags & DEVICE_SUPPRESS_PASID_FAULTS) != 0, (flags & DEVICE_V1) != 0,
            in.getInt(DEVICE_ATTACH_BASE_OFFSET), in.getInt(DEVICE_REFERENCES_OFFSET),
            in.getLong(DEVICE_DOMAIN_OFFSET));
    }

    static byte[] token(final LogicalAddressToken token)
    {
        final ByteBuffer out = buffer(new byte[TOKEN_LENGTH]);
        out.putInt(VERSION_OFFSET, RECORD_VERSION)
            .putInt(TOKEN_FLAGS_OFFSET, (token.allocated() ? TOKEN_ALLOCATED : 0) |
                (token.protectedRange() ? TOKEN_PROTECTED : 0))
            .putLong(TOKEN_DOMAIN_OFFSET, token.domain().id())
            .putLong(TOKEN_BASE_OFFSET, token.logicalAddressBase())
            .putLong(TOKEN_SIZE_OFFSET, token.size());
        return out.array();
    }

    static TokenRecord token(final long id, final byte[] value)
    {
        final ByteBuffer in = checked(value, TOKEN_LENGTH, "token#" + id);
        final int flags = in.getInt(TOKEN_FLAGS_OFFSET);
        return new TokenRecord(id, in.getLong(TOKEN_DOMAIN_OFFSET), in.getLong(TOKEN_BASE_OFFSET),
            in.getLong(TOKEN_SIZE_OFFSET), (flags & TOKEN_ALLOCATED) != 0, (flags & TOKEN_PROTECTED) != 0);
    }

    static byte[] pasid(final PasidDevice device)
    {
        final ByteBuffer out = buffer(new byte[PASID_LENGTH]);
        final Domain domain = device.domain();
        out.putInt(VERSION_OFFSET, RECORD_VERSION)
            .putInt(PASID_PASID_OFFSET, device.pasid())
            .putLong(PASID_PARENT_OFFSET, device.parent().id())
            .putLong(PASID_DOMAIN_OFFSET, null == domain ? 0 : domain.id());
        return out.array();
    }

    static PasidRecord pasid(final long key, final byte[] value)
    {
        final ByteBuffer in = checked(value, PASID_LENGTH, "PASID record " + Long.toHexString(key));
        return new PasidRecord(in.getLong(PASID_PARENT_OFFSET), in.getInt(PASID_PASID_OFFSET),
            in.getLong(PASID_DOMAIN_OFFSET));
    }

    private static ByteBuffer buffer(final byte[] bytes)
    {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer checked(final byte[] value, final int minLength, final String what)
    {
        if (value.length < minLength)
        {
            throw new PersistenceException("the record of " + what + " is truncated (" + value.length + " bytes)");
        }
        final ByteBuffer in = buffer(value);
        final int version = in.getInt(VERSION_OFFSET);
        if (version != RECORD_VERSION)
        {
            throw new PersistenceException("the record of " + what + " has layout version " + version +
                (version > RECORD_VERSION ? ", newer than this library's (" : ", not this library's (") +
                RECORD_VERSION + ")");
        }
        return in;
    }
}
