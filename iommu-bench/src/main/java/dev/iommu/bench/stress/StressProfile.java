/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.core.BehaviourProfile;

/**
 * What a stress run expects of the behaviour profile under test: for each situation the run's per-thread models
 * meet, the status a member returns there and what it leaves behind. Chosen once per run ({@link #of}), so the
 * operation groups ask it rather than test the profile: {@link DocumentedStressProfile} answers as the documented
 * contract ({@code windows-dma-iommu-interface.md} and the emulator's section 5 choices),
 * {@link ObservedStressProfile} as Windows as observed ({@code windows-observed-behaviour.md}, x64 build A). It also
 * names the layer of {@link AllowedStatuses} the run checks every status against.
 */
interface StressProfile
{
    /**
     * The expectations of a profile.
     *
     * @param profile the emulator's behaviour profile.
     * @return its expectations.
     */
    static StressProfile of(final BehaviourProfile profile)
    {
        return profile == BehaviourProfile.OBSERVED_WINDOWS ? ObservedStressProfile.INSTANCE :
            DocumentedStressProfile.INSTANCE;
    }

    /**
     * @return the emulator's behaviour profile these expectations are for.
     */
    BehaviourProfile profile();

    /**
     * @return the layer of {@link AllowedStatuses} every status is checked against.
     */
    AllowedStatuses.Layer layer();

    // ------------------------------------------------------------------------------------------------------------
    // Mappings
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @return the lowest address a buddy allocator hands out.
     */
    long lowestAllocatorAddress();

    /**
     * @param permissions the Permissions argument of a map.
     * @return whether the map writes leaves (else it builds the tables only and a device sees nothing there).
     */
    boolean writesLeaf(int permissions);

    /**
     * @return whether permission bits other than read and write are refused (else they are ignored).
     */
    boolean permissionsValidated();

    /**
     * @return the status of a map onto a present leaf (nothing of the call is left).
     */
    int mapClash();

    /**
     * @return whether a physically contiguous map of an aligned 2 MiB range is one 2 MiB leaf (the emulator's large
     *     pages on), so that an unmap of part of it is STATUS_CONFLICTING_ADDRESSES and changes nothing; else it is
     *     512 leaves of 4 KiB, and a partial unmap unmaps that part.
     */
    boolean largeLeaves();

    /**
     * @return whether a token's range is protected: an explicit map or unmap over it is refused, and so is a
     *     reservation over mapped pages or another token (else none of these is checked).
     */
    boolean reservationsProtectRange();

    /**
     * @return the status of an unmap of pages none of which is mapped, in a domain without allocator whose tables
     *     cover them (UnmapLogicalRange, and an identity unmap of pages not identity-mapped when
     *     {@link #identityUnmapChecked()}).
     */
    int unmapNothingMapped();

    /**
     * @return whether an identity unmap checks that every page is identity-mapped (else it zeroes whatever is there).
     */
    boolean identityUnmapChecked();

    /**
     * @return whether the tables of the windows the run maps in are built at once (a map with permission 0), so that
     *     an unmap anywhere in them finds its tables ({@link #unmapNothingMapped()}).
     */
    boolean buildsTablesAhead();

    /**
     * @return whether unmapping part of an allocated range frees the allocator's whole block at once (the rest of
     *     the range stays mapped, outside any block).
     */
    boolean partialUnmapFreesBlock();

    /**
     * @return the status of UnmapLogicalRange with NumberOfPages 0 in a domain without allocator.
     */
    int unmapNoPages();

    /**
     * @return the status of MapLogicalRangeEx with an Explicit address on an allocator domain without regions.
     */
    int explicitOnAllocator();

    /**
     * @return the status of MapLogicalRangeEx on an allocator domain with Min above Max.
     */
    int minAboveMax();

    /**
     * @return whether V1 MapLogicalRange, MapIdentityRange and UnmapIdentityRange refuse an allocator domain
     *     (else they map and unmap there, outside the allocator).
     */
    boolean v1RefusesAllocatorDomain();

    /**
     * @return whether the Ex map, unmap and token members work on a TranslateS1 domain (else
     *     STATUS_INVALID_PARAMETER_1).
     */
    boolean stage1Maps();

    /**
     * @return the status of CreateDomainEx of a TranslateS1 domain with an allocator.
     */
    int stage1WithAllocator();

    // ------------------------------------------------------------------------------------------------------------
    // Tokens
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @param base the token's LogicalAddressBase.
     * @param size the token's Size.
     * @return the largest Offset + length MapReservedLogicalRange accepts.
     */
    long tokenMapBound(long base, long size);

    /**
     * @return whether UnmapReservedLogicalRange keeps the segment's OwningToken (else the segment is zeroed whole).
     */
    boolean segmentKeepsOwningToken();

    /**
     * UnmapReservedLogicalRange of a segment unmapped already.
     *
     * @param count the token's segment count now.
     * @return the status; a success lowers the count.
     */
    int unmapSegmentAgain(int count);

    // ------------------------------------------------------------------------------------------------------------
    // Devices and domains
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @param policyTypes the types the platform's policy offers the device object (Translate, TranslateS1,
     *                    PassThrough, masked by DMA Guard).
     * @param pasidMode   whether the device was created with a PASID configuration.
     * @return what QueryAvailableDomainTypes reports and AttachDeviceEx checks.
     */
    int availableTypes(int policyTypes, boolean pasidMode);

    /**
     * AttachDeviceEx.
     *
     * @param available  the device's available types ({@link #availableTypes}).
     * @param type       the domain's type.
     * @param pasidMode  whether the device is in PASID mode.
     * @param here       attached to this domain already.
     * @param elsewhere  attached to another domain.
     * @return the status; on success the device is on the domain (moved, where it was elsewhere).
     */
    int attachDeviceEx(int available, IommuDmaDomainType type, boolean pasidMode, boolean here, boolean elsewhere);

    /**
     * AttachPasidDevice of a sub-device of a PasidTaggedDma parent.
     *
     * @param available the parent's available types.
     * @param type      the domain's type.
     * @param here      attached to this domain already.
     * @param elsewhere attached to another domain.
     * @return the status.
     */
    int attachPasidDevice(int available, IommuDmaDomainType type, boolean here, boolean elsewhere);

    /**
     * @return whether DeleteDomain refuses a domain with ordinary devices attached (else it deletes it under them,
     *     which the run, a correct driver there, does not do).
     */
    boolean deleteDomainRefusesAttachedDevices();

    /**
     * @return the status of CreateDevice or V1 AttachDevice for a device object whose device the other table holds
     *     (a token, or a V1 attachment).
     */
    int deviceObjectTaken();

    /**
     * @return whether CreateDevice again for a device object with a token and the same settings returns that token
     *     with one more reference (else {@link #deviceObjectTaken()}).
     */
    boolean createDeviceShares();

    /**
     * @return the status of V1 AttachDevice of a device object attached through V1 to another domain (SUCCESS:
     *     moved there).
     */
    int v1AttachElsewhere();

    /**
     * @return the status of V1 AttachDevice to a TranslateS1 domain (SUCCESS: attached).
     */
    int v1AttachToStage1();

    /**
     * @param documented the documented status of a V1 SetDeviceFaultReporting call.
     * @return its status in this profile.
     */
    int v1SetDeviceFaultReporting(int documented);

    /**
     * @return the status of QueryInputMappings on x64.
     */
    int queryInputMappings();

    /**
     * SetDeviceFaultReportingEx (InputMappingIdBase 0) of a live device.
     *
     * @param enable     Enable.
     * @param withConfig whether a configuration with a handler is passed.
     * @param enabled    whether the device's fault reporting is on (after an earlier successful enable).
     * @return the status; a success turns the device's fault reporting on or off as asked.
     */
    int setDeviceFaultReportingEx(boolean enable, boolean withConfig, boolean enabled);
}
