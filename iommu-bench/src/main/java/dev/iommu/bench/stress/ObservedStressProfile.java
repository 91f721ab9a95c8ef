/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.NtStatus;
import dev.iommu.core.BehaviourProfile;

/**
 * Windows as observed ({@link BehaviourProfile#OBSERVED_WINDOWS}; {@code windows-observed-behaviour.md}, x64 build
 * A): each answer cites its section and row ("observed 4 UnmapLogicalRange row 6"). Where Windows' behaviour is
 * undefined (a deleted handle, a NULL out-parameter) the emulator keeps the documented answer, and so does this.
 * What Windows leaves behind, the run's models follow: leaves outside any block after a partial unmap, zeroed leaves
 * under tokens, a segment that keeps its OwningToken.
 */
final class ObservedStressProfile implements StressProfile
{
    static final ObservedStressProfile INSTANCE = new ObservedStressProfile();

    private ObservedStressProfile()
    {
    }

    @Override
    public BehaviourProfile profile()
    {
        return BehaviourProfile.OBSERVED_WINDOWS;
    }

    @Override
    public AllowedStatuses.Layer layer()
    {
        return AllowedStatuses.Layer.OBSERVED;
    }

    /** Observed 2 CreateDomainEx, notes: the buddy allocator's first block starts at logical address 0. */
    @Override
    public long lowestAllocatorAddress()
    {
        return 0;
    }

    /**
     * Observed 4, common facts: permission 0 allocates the tables and writes no leaf; only the read and write bits
     * make a leaf.
     */
    @Override
    public boolean writesLeaf(final int permissions)
    {
        return (permissions & IommuPermissions.READ_WRITE) != 0;
    }

    /** Observed 4, common facts: permission bits are never validated. */
    @Override
    public boolean permissionsValidated()
    {
        return false;
    }

    /** Observed 4, common facts: 4 KiB leaves only, whatever the alignment (EmulatorContext#largePages ignored). */
    @Override
    public boolean largeLeaves()
    {
        return false;
    }

    /** Observed 4, common facts: a map onto a present leaf is STATUS_INVALID_PARAMETER, this call's leaves undone. */
    @Override
    public int mapClash()
    {
        return NtStatus.STATUS_INVALID_PARAMETER;
    }

    /**
     * Observed 4 MapLogicalRangeEx row "—" and UnmapLogicalRange row "—" (a token's range is not protected),
     * observed 5 ReserveLogicalAddressRange row "—" (overlaps are not checked).
     */
    @Override
    public boolean reservationsProtectRange()
    {
        return false;
    }

    /** Observed 4 UnmapLogicalRange row 5: never-mapped pages whose tables exist: STATUS_SUCCESS. */
    @Override
    public int unmapNothingMapped()
    {
        return NtStatus.STATUS_SUCCESS;
    }

    /** Observed 4 UnmapIdentityRangeEx row "—": whether the range was identity-mapped is not checked. */
    @Override
    public boolean identityUnmapChecked()
    {
        return false;
    }

    /**
     * Observed 4 UnmapLogicalRange row 4: a missing table is STATUS_INVALID_PARAMETER, and tables are never freed;
     * the run builds the tables of its windows first (permission 0), so that every unmap in them is row 5's.
     */
    @Override
    public boolean buildsTablesAhead()
    {
        return true;
    }

    /** Observed 4 UnmapLogicalRange row 6: the block containing the address is freed whole. */
    @Override
    public boolean partialUnmapFreesBlock()
    {
        return true;
    }

    /** Observed 4 UnmapLogicalRange row 3: nothing unmapped; no allocator, so STATUS_SUCCESS. */
    @Override
    public int unmapNoPages()
    {
        return NtStatus.STATUS_SUCCESS;
    }

    /** Observed 4 MapLogicalRangeEx row 5a: Explicit outside a reserved region _2. */
    @Override
    public int explicitOnAllocator()
    {
        return NtStatus.STATUS_INVALID_PARAMETER_2;
    }

    /** Observed 4 MapLogicalRangeEx row 5c: Min above Max STATUS_INVALID_PARAMETER. */
    @Override
    public int minAboveMax()
    {
        return NtStatus.STATUS_INVALID_PARAMETER;
    }

    /** Observed 4 V1 MapLogicalRange / MapIdentityRange / UnmapIdentityRange: no allocator check. */
    @Override
    public boolean v1RefusesAllocatorDomain()
    {
        return false;
    }

    /** Observed 4 MapLogicalRangeEx row 1 and 8 item 5: TranslateS1 domains map, unmap and reserve. */
    @Override
    public boolean stage1Maps()
    {
        return true;
    }

    /** Observed 2 CreateDomainEx row 11: an allocator on TranslateS1 is allowed. */
    @Override
    public int stage1WithAllocator()
    {
        return NtStatus.STATUS_SUCCESS;
    }

    /** Observed 5 MapReservedLogicalRange row 4: the bound is the token's end address, LogicalAddressBase + Size. */
    @Override
    public long tokenMapBound(final long base, final long size)
    {
        return base + size;
    }

    /** Observed 5 UnmapReservedLogicalRange: Offset and Size zeroed, OwningToken kept. */
    @Override
    public boolean segmentKeepsOwningToken()
    {
        return true;
    }

    /**
     * Observed 5 UnmapReservedLogicalRange rows 1 and 4: the count is checked, not the segment: while the token has
     * other segments, STATUS_SUCCESS (size 0 unmaps nothing) and the count is lowered again; at 0,
     * STATUS_INVALID_PARAMETER.
     */
    @Override
    public int unmapSegmentAgain(final int count)
    {
        return count > 0 ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_INVALID_PARAMETER;
    }

    /**
     * Observed 3 QueryAvailableDomainTypes: Translate for a device not in PASID mode, TranslateS1 instead of
     * Translate for one in PASID mode; PassThrough as the policy offers it.
     */
    @Override
    public int availableTypes(final int policyTypes, final boolean pasidMode)
    {
        final int translate = IommuDmaDomainType.TRANSLATE.mask();
        final int stage1 = IommuDmaDomainType.TRANSLATE_S1.mask();
        return policyTypes & ~(pasidMode ? translate : stage1);
    }

    /**
     * Observed 3 AttachDeviceEx rows 1 (a type not available STATUS_ACCESS_DENIED, first), 2 (this domain:
     * SUCCESS), 3 (another: moved, SUCCESS) and 6 (a PASID-mode device through its default sub-device: observed 7
     * AttachPasidDevice rows 4 to 6).
     */
    @Override
    public int attachDeviceEx(final int available, final IommuDmaDomainType type, final boolean pasidMode,
        final boolean here, final boolean elsewhere)
    {
        if ((available & type.mask()) == 0)
        {
            return NtStatus.STATUS_ACCESS_DENIED;
        }
        if (here)
        {
            return NtStatus.STATUS_SUCCESS;
        }
        if (pasidMode)
        {
            if (elsewhere)
            {
                return NtStatus.STATUS_UNSUCCESSFUL;
            }
            return type == IommuDmaDomainType.TRANSLATE_S1 ? NtStatus.STATUS_SUCCESS :
                NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * Observed 7 AttachPasidDevice rows 2 (a type not available STATUS_ACCESS_DENIED), 4 (not TranslateS1 _1), 5
     * (this domain SUCCESS), 6 (another STATUS_UNSUCCESSFUL).
     */
    @Override
    public int attachPasidDevice(final int available, final IommuDmaDomainType type, final boolean here,
        final boolean elsewhere)
    {
        if ((available & type.mask()) == 0)
        {
            return NtStatus.STATUS_ACCESS_DENIED;
        }
        if (type != IommuDmaDomainType.TRANSLATE_S1)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_1;
        }
        if (here)
        {
            return NtStatus.STATUS_SUCCESS;
        }
        return elsewhere ? NtStatus.STATUS_UNSUCCESSFUL : NtStatus.STATUS_SUCCESS;
    }

    /** Observed 2 DeleteDomain rows 2 and 3: only PASID attachments are refused. */
    @Override
    public boolean deleteDomainRefusesAttachedDevices()
    {
        return false;
    }

    /**
     * Observed 3 CreateDevice row 7: a device for the device object with other settings (a V1 attachment's device
     * in this model) STATUS_NOT_SUPPORTED; V1 AttachDevice of a device object with a token the same.
     */
    @Override
    public int deviceObjectTaken()
    {
        return NtStatus.STATUS_NOT_SUPPORTED;
    }

    /** Observed 3 CreateDevice row 7 and DeleteDevice row 4: the same token, one more reference. */
    @Override
    public boolean createDeviceShares()
    {
        return true;
    }

    /** Observed 3 V1 AttachDevice: attached elsewhere, moved (as AttachDeviceEx). */
    @Override
    public int v1AttachElsewhere()
    {
        return NtStatus.STATUS_SUCCESS;
    }

    /** Observed 3 V1 AttachDevice: no domain-type policy check. */
    @Override
    public int v1AttachToStage1()
    {
        return NtStatus.STATUS_SUCCESS;
    }

    /** Observed 3 V1 SetDeviceFaultReporting: native x64 STATUS_NOT_SUPPORTED. */
    @Override
    public int v1SetDeviceFaultReporting(final int documented)
    {
        return NtStatus.STATUS_NOT_SUPPORTED;
    }

    /** Observed 3 QueryInputMappings: the x64 stub, STATUS_NOT_SUPPORTED. */
    @Override
    public int queryInputMappings()
    {
        return NtStatus.STATUS_NOT_SUPPORTED;
    }

    /**
     * Observed 3 SetDeviceFaultReportingEx rows 2 (disable with a configuration _4), 3 (disable SUCCESS), 4 (enable
     * without one _4), 5 (enabled already STATUS_ALREADY_REGISTERED), 7 (SUCCESS).
     */
    @Override
    public int setDeviceFaultReportingEx(final boolean enable, final boolean withConfig, final boolean enabled)
    {
        if (!enable)
        {
            return withConfig ? NtStatus.STATUS_INVALID_PARAMETER_4 : NtStatus.STATUS_SUCCESS;
        }
        if (!withConfig)
        {
            return NtStatus.STATUS_INVALID_PARAMETER_4;
        }
        return enabled ? NtStatus.STATUS_ALREADY_REGISTERED : NtStatus.STATUS_SUCCESS;
    }
}
