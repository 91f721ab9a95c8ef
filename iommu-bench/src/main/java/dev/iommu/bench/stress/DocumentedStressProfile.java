/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.NtStatus;
import dev.iommu.core.BehaviourProfile;

/**
 * The documented contract's answers ({@link BehaviourProfile#DOCUMENTED}): all-or-nothing calls that refuse what the
 * spec's section 2 tables and the emulator's section 5 choices refuse, and change nothing when they do.
 */
final class DocumentedStressProfile implements StressProfile
{
    static final DocumentedStressProfile INSTANCE = new DocumentedStressProfile();

    private DocumentedStressProfile()
    {
    }

    @Override
    public BehaviourProfile profile()
    {
        return BehaviourProfile.DOCUMENTED;
    }

    @Override
    public AllowedStatuses.Layer layer()
    {
        return AllowedStatuses.Layer.DOCUMENTED;
    }

    /** The allocator never hands out page 0 (its range is [PAGE_SIZE, 2^AddressWidth)). */
    @Override
    public long lowestAllocatorAddress()
    {
        return StressChecks.PAGE;
    }

    /** Every map writes its leaves; permission 0 is a leaf no access may use (a permission fault). */
    @Override
    public boolean writesLeaf(final int permissions)
    {
        return true;
    }

    /** Reserved permission bits are STATUS_INVALID_PARAMETER_2. */
    @Override
    public boolean permissionsValidated()
    {
        return true;
    }

    @Override
    public int mapClash()
    {
        return NtStatus.STATUS_IN_USE;
    }

    /** DomainFactory: 2 MiB and 1 GiB leaves where address, output and length are aligned (large pages on). */
    @Override
    public boolean largeLeaves()
    {
        return true;
    }

    @Override
    public boolean reservationsProtectRange()
    {
        return true;
    }

    @Override
    public int unmapNothingMapped()
    {
        return NtStatus.STATUS_INVALID_PARAMETER;
    }

    /** A page of the range not identity-mapped is STATUS_INVALID_PARAMETER_2, and nothing goes. */
    @Override
    public boolean identityUnmapChecked()
    {
        return true;
    }

    @Override
    public boolean buildsTablesAhead()
    {
        return false;
    }

    /** The block is freed with its last page. */
    @Override
    public boolean partialUnmapFreesBlock()
    {
        return false;
    }

    @Override
    public int unmapNoPages()
    {
        return NtStatus.STATUS_INVALID_PARAMETER_3;
    }

    @Override
    public int explicitOnAllocator()
    {
        return NtStatus.STATUS_NOT_SUPPORTED;
    }

    @Override
    public int minAboveMax()
    {
        return NtStatus.STATUS_INVALID_PARAMETER_MIX;
    }

    @Override
    public boolean v1RefusesAllocatorDomain()
    {
        return true;
    }

    @Override
    public boolean stage1Maps()
    {
        return false;
    }

    @Override
    public int stage1WithAllocator()
    {
        return NtStatus.STATUS_INVALID_PARAMETER_3;
    }

    @Override
    public long tokenMapBound(final long base, final long size)
    {
        return size;
    }

    @Override
    public boolean segmentKeepsOwningToken()
    {
        return false;
    }

    /** The segment was zeroed: it names no token (STATUS_INVALID_PARAMETER). */
    @Override
    public int unmapSegmentAgain(final int count)
    {
        return NtStatus.STATUS_INVALID_PARAMETER;
    }

    /** Every type the policy offers, whatever the device's mode. */
    @Override
    public int availableTypes(final int policyTypes, final boolean pasidMode)
    {
        return policyTypes;
    }

    /**
     * Attached anywhere STATUS_INVALID_PARAMETER; a TranslateS1 domain or a type not available
     * STATUS_ACCESS_DENIED.
     */
    @Override
    public int attachDeviceEx(final int available, final IommuDmaDomainType type, final boolean pasidMode,
        final boolean here, final boolean elsewhere)
    {
        if (here || elsewhere)
        {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return type == IommuDmaDomainType.TRANSLATE_S1 || (available & type.mask()) == 0 ?
            NtStatus.STATUS_ACCESS_DENIED : NtStatus.STATUS_SUCCESS;
    }

    /** PassThrough _1; attached anywhere STATUS_UNSUCCESSFUL; a type not available STATUS_ACCESS_DENIED. */
    @Override
    public int attachPasidDevice(final int available, final IommuDmaDomainType type, final boolean here,
        final boolean elsewhere)
    {
        if (type == IommuDmaDomainType.PASS_THROUGH)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (here || elsewhere)
        {
            return NtStatus.STATUS_UNSUCCESSFUL;
        }
        return (available & type.mask()) == 0 ? NtStatus.STATUS_ACCESS_DENIED : NtStatus.STATUS_SUCCESS;
    }

    @Override
    public boolean deleteDomainRefusesAttachedDevices()
    {
        return true;
    }

    @Override
    public int deviceObjectTaken()
    {
        return NtStatus.STATUS_INVALID_PARAMETER;
    }

    @Override
    public boolean createDeviceShares()
    {
        return false;
    }

    @Override
    public int v1AttachElsewhere()
    {
        return NtStatus.STATUS_INVALID_PARAMETER;
    }

    @Override
    public int v1AttachToStage1()
    {
        return NtStatus.STATUS_ACCESS_DENIED;
    }

    @Override
    public int v1SetDeviceFaultReporting(final int documented)
    {
        return documented;
    }

    @Override
    public int queryInputMappings()
    {
        return NtStatus.STATUS_UNSUCCESSFUL;
    }

    /** The documented stub: STATUS_NOT_IMPLEMENTED, whatever the arguments. */
    @Override
    public int setDeviceFaultReportingEx(final boolean enable, final boolean withConfig, final boolean enabled)
    {
        return NtStatus.STATUS_NOT_IMPLEMENTED;
    }
}
