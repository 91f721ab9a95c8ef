/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.NtStatus;
import dev.iommu.api.TableSlot;

/**
 * Which statuses the members of the three tables may return, per behaviour profile ({@link Layer}), in two tiers:
 * <ul>
 *     <li>{@link #allowed}: every status a member may return at all in the profile. Documented layer: the spec's
 *     section 2 tables and the emulator's documented section 5 choices (the Javadoc of {@code DomainRules},
 *     {@code DeviceRules}, {@code MappingRules}, {@code PasidRules} and {@code MappingDomain}). Observed layer: the
 *     x64 rows of {@code windows-observed-behaviour.md}, plus the documented status the emulator keeps where
 *     Windows' behaviour is undefined (a deleted handle, a NULL out-parameter); a member whose set is the same in
 *     both has one entry, the documented one. Every status a stress run sees, predicted or not, must be in its
 *     profile's layer;</li>
 *     <li>{@link #racing}: the narrower set a stress run accepts from a call whose outcome it cannot predict exactly
 *     (racing lifecycle calls on shared objects), given the arguments it passes. Each is a subset of the same
 *     layer's set ({@link #racingSetsAreAllowed}).</li>
 * </ul>
 * Statuses are also numbered ({@link #bit}) so that a thread can tally what it saw per member in an int mask.
 */
public final class AllowedStatuses
{
    /** The statuses a member may return, in bit order (bit 31: any other status). */
    private static final int[] KNOWN = {
        NtStatus.STATUS_SUCCESS, NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_NOT_IMPLEMENTED,
        NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_CONFLICTING_ADDRESSES, NtStatus.STATUS_ACCESS_DENIED,
        NtStatus.STATUS_BUFFER_TOO_SMALL, NtStatus.STATUS_INVALID_PARAMETER_MIX, NtStatus.STATUS_NONE_MAPPED,
        NtStatus.STATUS_INSUFFICIENT_RESOURCES, NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INVALID_PARAMETER_1,
        NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_INVALID_PARAMETER_4,
        NtStatus.STATUS_INVALID_PARAMETER_5, NtStatus.STATUS_INVALID_PARAMETER_6, NtStatus.STATUS_INVALID_PARAMETER_7,
        NtStatus.STATUS_INVALID_DEVICE_STATE, NtStatus.STATUS_NOT_FOUND, NtStatus.STATUS_RESOURCE_IN_USE,
        NtStatus.STATUS_ALREADY_REGISTERED};
    private static final int OTHER = 31;

    private static final Map<String, Integer> DOCUMENTED = Map.ofEntries(
        Map.entry("CreateDomain", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("CreateDomainEx", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INSUFFICIENT_RESOURCES,
            NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_INVALID_PARAMETER_4,
            NtStatus.STATUS_INVALID_PARAMETER_5)),
        Map.entry("DeleteDomain", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_RESOURCE_IN_USE)),
        Map.entry("AttachDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_NOT_FOUND, NtStatus.STATUS_UNSUCCESSFUL,
            NtStatus.STATUS_ACCESS_DENIED, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("DetachDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_2)),
        Map.entry("AttachDeviceEx", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_ACCESS_DENIED, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("DetachDeviceEx", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1)),
        Map.entry("FlushDomain", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1)),
        Map.entry("FlushDomainByVaList", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_4)),
        Map.entry("QueryInputMappings", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_BUFFER_TOO_SMALL,
            NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_INVALID_PARAMETER_2)),
        Map.entry("MapLogicalRange", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_INVALID_PARAMETER_4, NtStatus.STATUS_IN_USE,
            NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("MapLogicalRangeEx", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_INVALID_PARAMETER_4,
            NtStatus.STATUS_INVALID_PARAMETER_7, NtStatus.STATUS_INVALID_PARAMETER_MIX, NtStatus.STATUS_IN_USE,
            NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("UnmapLogicalRange", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_CONFLICTING_ADDRESSES)),
        Map.entry("MapIdentityRange", identityMap()),
        Map.entry("MapIdentityRangeEx", identityMap()),
        Map.entry("UnmapIdentityRange", identityUnmap()),
        Map.entry("UnmapIdentityRangeEx", identityUnmap()),
        Map.entry("SetDeviceFaultReporting", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_INVALID_PARAMETER_4, NtStatus.STATUS_UNSUCCESSFUL)),
        Map.entry("SetDeviceFaultReportingEx", mask(NtStatus.STATUS_NOT_IMPLEMENTED)),
        Map.entry("ConfigureDomain", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_NOT_SUPPORTED)),
        // VOID: a call is tallied as STATUS_SUCCESS.
        Map.entry("QueryAvailableDomainTypes", mask(NtStatus.STATUS_SUCCESS)),
        Map.entry("RegisterInterfaceStateChangeCallback", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_UNSUCCESSFUL,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_3,
            NtStatus.STATUS_INVALID_PARAMETER_4)),
        Map.entry("UnregisterInterfaceStateChangeCallback", mask(NtStatus.STATUS_SUCCESS,
            NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_INVALID_PARAMETER_1)),
        Map.entry("ReserveLogicalAddressRange", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_INVALID_PARAMETER_6,
            NtStatus.STATUS_INVALID_PARAMETER_MIX, NtStatus.STATUS_IN_USE, NtStatus.STATUS_NOT_SUPPORTED,
            NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("FreeReservedLogicalAddressRange", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_RESOURCE_IN_USE)),
        Map.entry("MapReservedLogicalRange", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_INVALID_PARAMETER_3,
            NtStatus.STATUS_INVALID_PARAMETER_4, NtStatus.STATUS_INVALID_PARAMETER_5,
            NtStatus.STATUS_RESOURCE_IN_USE, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("UnmapReservedLogicalRange", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER)),
        Map.entry("CreateDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_NOT_FOUND,
            NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("DeleteDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_RESOURCE_IN_USE)),
        Map.entry("CreatePasidDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1, NtStatus.STATUS_INVALID_PARAMETER_2,
            NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_INSUFFICIENT_RESOURCES,
            NtStatus.STATUS_NONE_MAPPED)),
        Map.entry("DeletePasidDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_RESOURCE_IN_USE)),
        Map.entry("AttachPasidDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INSUFFICIENT_RESOURCES, NtStatus.STATUS_INVALID_PARAMETER_1,
            NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_ACCESS_DENIED)),
        Map.entry("DetachPasidDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_INVALID_PARAMETER_1)),
        Map.entry("QueryDeviceInfo", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER,
            NtStatus.STATUS_BUFFER_TOO_SMALL, NtStatus.STATUS_INVALID_PARAMETER_3,
            NtStatus.STATUS_INVALID_PARAMETER_4)));

    private static final Map<String, Integer> RACING = Map.ofEntries(
        Map.entry("AttachDeviceEx", mask(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_ACCESS_DENIED)),
        Map.entry("DetachDeviceEx", mask(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER_1)),
        Map.entry("DeleteDevice", mask(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_RESOURCE_IN_USE)),
        Map.entry("CreateDevice", mask(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INSUFFICIENT_RESOURCES)),
        Map.entry("RegisterInterfaceStateChangeCallback", mask(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_UNSUCCESSFUL, NtStatus.STATUS_INVALID_PARAMETER_3)),
        Map.entry("UnregisterInterfaceStateChangeCallback", mask(
            NtStatus.STATUS_SUCCESS, NtStatus.STATUS_UNSUCCESSFUL)),
        // V1 AttachDevice of a device object whose token other threads delete and create: refused while a token
        // exists (one device per device object), attached when none does.
        Map.entry("AttachDevice", mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER)),
        Map.entry("QueryAvailableDomainTypes", mask(NtStatus.STATUS_SUCCESS)));

    /** The layers: one per behaviour profile. */
    enum Layer
    {
        /** The documented contract. */
        DOCUMENTED,
        /** Windows as observed (x64). */
        OBSERVED
    }

    private AllowedStatuses()
    {
    }

    /**
     * Whether a status is one a member may return at all in a profile.
     *
     * @param layer  the profile's layer.
     * @param member the member's spec name.
     * @param status the status.
     * @return true when allowed.
     * @throws IllegalArgumentException for an unknown member.
     */
    static boolean allowed(final Layer layer, final String member, final int status)
    {
        return (mask(layer, member) & bit(status)) != 0;
    }

    /**
     * Whether a racing call (its outcome not predictable) may return a status in a profile.
     *
     * @param layer  the profile's layer.
     * @param member the member's spec name.
     * @param status the status.
     * @return true when allowed.
     * @throws IllegalArgumentException for a member with no racing set.
     */
    static boolean racing(final Layer layer, final String member, final int status)
    {
        return (racingMask(layer, member) & bit(status)) != 0;
    }

    /**
     * The tally bits of the statuses a member may return in a profile.
     *
     * @param layer  the profile's layer.
     * @param member the member's spec name.
     * @return the mask.
     */
    static int mask(final Layer layer, final String member)
    {
        if (layer == Layer.OBSERVED)
        {
            final Integer observed = ObservedStatuses.ALLOWED.get(member);
            if (null != observed)
            {
                return observed;
            }
        }
        return lookup(DOCUMENTED, member);
    }

    private static int racingMask(final Layer layer, final String member)
    {
        if (layer == Layer.OBSERVED)
        {
            final Integer observed = ObservedStatuses.RACING.get(member);
            if (null != observed)
            {
                return observed;
            }
        }
        return lookup(RACING, member);
    }

    /**
     * The racing sets of a layer that are not subsets of their member's set in the same layer (empty when
     * consistent).
     *
     * @param layer the layer.
     * @return the member names.
     */
    static List<String> racingSetsAreAllowed(final Layer layer)
    {
        final List<String> wrong = new ArrayList<>();
        for (final String member : RACING.keySet())
        {
            if ((racingMask(layer, member) & ~mask(layer, member)) != 0)
            {
                wrong.add(member);
            }
        }
        return wrong;
    }

    /**
     * The members whose observed set differs from the documented one.
     *
     * @return the member names, sorted.
     */
    static Set<String> observedDifferences()
    {
        final Set<String> names = new TreeSet<>();
        for (final Map.Entry<String, Integer> e : ObservedStatuses.ALLOWED.entrySet())
        {
            if (!e.getValue().equals(DOCUMENTED.get(e.getKey())))
            {
                names.add(e.getKey());
            }
        }
        return names;
    }

    /**
     * Whether a status is one a member may return at all.
     *
     * @param member the member's spec name.
     * @param status the status.
     * @return true when documented.
     * @throws IllegalArgumentException for an unknown member.
     */
    public static boolean documented(final String member, final int status)
    {
        return allowed(Layer.DOCUMENTED, member, status);
    }

    /**
     * Whether a racing call (its outcome not predictable) may return a status.
     *
     * @param member the member's spec name.
     * @param status the status.
     * @return true when allowed.
     * @throws IllegalArgumentException for a member with no racing set.
     */
    static boolean racing(final String member, final int status)
    {
        return racing(Layer.DOCUMENTED, member, status);
    }

    /**
     * The tally bit of a status.
     *
     * @param status a status.
     * @return a single bit: the status's index among the known ones, or bit 31.
     */
    static int bit(final int status)
    {
        for (int i = 0; i < KNOWN.length; i++)
        {
            if (KNOWN[i] == status)
            {
                return 1 << i;
            }
        }
        return 1 << OTHER;
    }

    /**
     * The statuses of a tally mask, by name.
     *
     * @param mask tally bits.
     * @return the names.
     */
    public static List<String> names(final int mask)
    {
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < KNOWN.length; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                names.add(NtStatus.name(KNOWN[i]));
            }
        }
        if ((mask & (1 << OTHER)) != 0)
        {
            names.add("(a status no member returns)");
        }
        return names;
    }

    /**
     * The tally bits of a member's documented statuses.
     *
     * @param member the member's spec name.
     * @return the mask.
     */
    public static int documentedMask(final String member)
    {
        return lookup(DOCUMENTED, member);
    }

    /**
     * The racing sets that are not subsets of their member's documented set (empty when consistent).
     *
     * @return the member names.
     */
    static List<String> racingSetsAreDocumented()
    {
        return racingSetsAreAllowed(Layer.DOCUMENTED);
    }

    /**
     * The member names of a table, from its {@link TableSlot} annotations (the V3 table includes V2's members).
     *
     * @param version 1, 2 or 3.
     * @return the names, sorted.
     */
    public static Set<String> members(final int version)
    {
        final Class<?> table = version == 1 ? DmaIommuInterfaceV1.class :
            version == 2 ? DmaIommuInterfaceV2.class : DmaIommuInterfaceV3.class;
        final Set<String> names = new TreeSet<>();
        for (final Method method : table.getMethods())
        {
            final TableSlot slot = method.getAnnotation(TableSlot.class);
            if (null != slot)
            {
                names.add(slot.member());
            }
        }
        return Collections.unmodifiableSet(names);
    }

    private static int lookup(final Map<String, Integer> table, final String member)
    {
        final Integer mask = table.get(member);
        if (null == mask)
        {
            throw new IllegalArgumentException("no statuses for " + member);
        }
        return mask;
    }

    private static int identityMap()
    {
        return mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER_1,
            NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_INVALID_PARAMETER_3, NtStatus.STATUS_IN_USE,
            NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_INSUFFICIENT_RESOURCES);
    }

    private static int identityUnmap()
    {
        return mask(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_PARAMETER, NtStatus.STATUS_INVALID_PARAMETER_1,
            NtStatus.STATUS_INVALID_PARAMETER_2, NtStatus.STATUS_NOT_SUPPORTED, NtStatus.STATUS_CONFLICTING_ADDRESSES);
    }

    /**
     * The tally bits of some statuses.
     */
    static int mask(final int... statuses)
    {
        int mask = 0;
        for (final int status : statuses)
        {
            mask |= bit(status);
        }
        return mask;
    }
}
