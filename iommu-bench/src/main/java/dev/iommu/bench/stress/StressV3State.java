/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.SplittableRandom;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.PhysicalDeviceObject;

/**
 * What the two V3 groups of one stress thread ({@link StressV3PasidOps} and {@link StressV3ParentOps}) share: the
 * thread's collaborators, the table of the current call (and the exact check that tallies it), the thread's Translate
 * domain with the {@link PageModel} of its mappings, its TranslateS1 domain, and the parent device as it stands (its
 * PASID configuration, whether it is attached, the DMA Guard restriction of its device object). The parent group
 * changes the parent and the domains; the sub-device group reads them.
 */
final class StressV3State
{
    /** The pages of the Translate domain's window: 1 to 2^14 - 1. */
    static final long WINDOW_PAGES = 1L << 14;

    private static final int V3 = StressChecks.V3;

    final StressRun run;
    final StressWorker worker;
    final StressChecks checks;
    final SplittableRandom random;
    final int index;
    final DmaIommuInterfaceV3 v3;
    /** The thread's device object reserved for V3 use: the parent's. */
    final PhysicalDeviceObject pdo;
    /** What the run's profile answers. */
    final StressProfile profile;
    /** What the thread mapped in its Translate domain. */
    final PageModel model;
    /** The physical-address argument of map and unmap calls, described anew for each. */
    final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
    final Ref<IommuDmaDomain> domainOut = new Ref<>();

    /** The Translate domain, without allocator, that {@link #model} describes. */
    IommuDmaDomain translateDomain;
    IommuDmaDomain stage1Domain;
    IommuDmaDevice parent;
    /** The PASID configuration the parent was created with: null for none. */
    IommuPasidConfigurationType parentConfig;
    boolean suppressPasidFaults;
    /**
     * Where the parent is attached: {@link StressV3PasidOps#TRANSLATE}, {@link StressV3PasidOps#STAGE1} (through its
     * default sub-device, where the profile lets a PASID-mode device attach there), or
     * {@link StressV3PasidOps#NONE}.
     */
    int parentOn = StressV3PasidOps.NONE;
    /** Whether SetDeviceFaultReportingEx turned the parent's fault reporting on. */
    boolean faultReporting;
    /** The DMA Guard restriction this thread set on its device object: -1 for none. */
    int restriction = -1;

    private final DmaIommuInterfaceV2 v2;
    private int table = V3;

    /**
     * Creates the Translate and TranslateS1 domains (the parent is the parent group's to create).
     */
    StressV3State(final StressRun run, final StressWorker worker, final StressChecks checks,
        final SplittableRandom random, final int index)
    {
        this.run = run;
        this.worker = worker;
        this.checks = checks;
        this.random = random;
        this.index = index;
        this.v3 = run.v3();
        this.v2 = run.iommu();
        this.pdo = run.pasidPdo(index);
        this.profile = checks.profile();
        this.model = new PageModel(WINDOW_PAGES, profile);
        translateDomain = createDomain(IommuDmaDomainType.TRANSLATE);
        stage1Domain = createDomain(IommuDmaDomainType.TRANSLATE_S1);
    }

    /**
     * Makes the V3 table the table of the calls that follow.
     */
    void useV3()
    {
        table = V3;
    }

    /**
     * The table for a V2 member: V3's or V2's, at random (tallied as such).
     */
    DmaIommuInterfaceV2 v2Member()
    {
        table = random.nextBoolean() ? V3 : StressChecks.V2;
        return table == V3 ? v3 : v2;
    }

    /**
     * Checks a predicted status exactly, tallied under the current table.
     */
    void check(final String call, final int expected, final int actual, final String object)
    {
        checks.check(table, call, expected, actual, object, -1);
    }

    /**
     * CreateDomainEx of a domain without allocator (a Translate one gets its window's tables where the profile
     * builds them ahead).
     */
    IommuDmaDomain createDomain(final IommuDmaDomainType type)
    {
        check("CreateDomainEx", NtStatus.STATUS_SUCCESS, v3.createDomainEx(type, 0, null, null, domainOut),
            type.name());
        if (type == IommuDmaDomainType.TRANSLATE)
        {
            checks.buildTables(V3, v3, domainOut.get(), WINDOW_PAGES);
        }
        return domainOut.get();
    }

    /**
     * The domain of an attach target ({@link StressV3PasidOps#TRANSLATE} or {@link StressV3PasidOps#STAGE1}).
     */
    IommuDmaDomain parentDomain(final int target)
    {
        return target == StressV3PasidOps.STAGE1 ? stage1Domain : translateDomain;
    }

    /**
     * Whether the parent was created with PASID-tagged DMA (and so may have sub-devices).
     */
    boolean parentTagged()
    {
        return parentConfig == IommuPasidConfigurationType.PASID_TAGGED_DMA;
    }

    /**
     * The types available to the parent now: the policy offers Translate, TranslateS1 (PASIDs) and PassThrough (DMA
     * Guard off, an internal device), masked by this thread's restriction; the profile may keep some for PASID-mode
     * devices only ({@link StressProfile#availableTypes}).
     */
    int available()
    {
        final int all = IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.PASS_THROUGH.mask() |
            IommuDmaDomainType.TRANSLATE_S1.mask();
        return profile.availableTypes(restriction == -1 ? all : all & restriction, null != parentConfig);
    }
}
