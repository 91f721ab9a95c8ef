/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

import java.util.SplittableRandom;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuPasidConfigurationType;

/**
 * The V3 operations of one stress thread: the five PASID members of {@code DMA_IOMMU_INTERFACE_V3}, and the V2 members
 * no other group calls (identity maps, the x64 refusals of flush, configure and input mappings, the fault-reporting
 * stub), through the V3 table or, for V2 members, the V2 table at random. The thread owns a device object reserved
 * for V3 use, whose device (the parent) it creates with a PasidTaggedDma configuration (sometimes DefaultPasidOnly or
 * none, to see CreatePasidDevice refused), a Translate domain without allocator with a {@link PageModel}, and a
 * TranslateS1 domain. Every status and every translation is predicted exactly. This class picks one operation at
 * random and hands it to one of two groups, which share a {@link StressV3State}:
 * <ul>
 *     <li>{@link StressV3PasidOps}: the PASID sub-devices (create, delete, attach, detach), the device-side
 *     translations of PASID-tagged, untagged and PASID 0 accesses, and the maps and unmaps of the Translate
 *     domain;</li>
 *     <li>{@link StressV3ParentOps}: the parent's own calls (attach and detach, delete and create again,
 *     QueryDeviceInfo, state-change registration, DMA Guard restriction), DeleteDomain and CreateDomainEx of the two
 *     domains, and the x64 refusals.</li>
 * </ul>
 * Statuses, available domain types and where the parent and its sub-devices may attach are the run's
 * {@link StressProfile}'s (observed: a PASID-mode parent is offered TranslateS1 instead of Translate and attaches
 * there through its default sub-device, sub-devices attach to TranslateS1 only, SetDeviceFaultReportingEx is real,
 * the map and token members work on TranslateS1).
 */
final class StressV3Ops
{
    private final StressV3State state;
    private final StressV3PasidOps pasidOps;
    private final StressV3ParentOps parentOps;

    /**
     * Creates the Translate and TranslateS1 domains and the parent, PASID-tagged.
     */
    StressV3Ops(final StressRun run, final StressWorker worker, final StressChecks checks,
        final SplittableRandom random, final int index)
    {
        state = new StressV3State(run, worker, checks, random, index);
        pasidOps = new StressV3PasidOps(state);
        parentOps = new StressV3ParentOps(state, pasidOps);
        parentOps.createParent(IommuPasidConfigurationType.PASID_TAGGED_DMA, false);
    }

    IommuDmaDomain stage1Domain()
    {
        return state.stage1Domain;
    }

    /**
     * One V3 operation, chosen at random.
     */
    void step()
    {
        state.useV3();
        switch (state.random.nextInt(14))
        {
            case 0:
            case 1:
                pasidOps.create();
                break;
            case 2:
                pasidOps.delete();
                break;
            case 3:
            case 4:
                pasidOps.attach();
                break;
            case 5:
                pasidOps.detach();
                break;
            case 6:
            case 7:
            case 8:
                pasidOps.translate();
                break;
            case 9:
                pasidOps.map();
                break;
            case 10:
                pasidOps.unmap();
                break;
            case 11:
                parentOps.parent();
                break;
            case 12:
                parentOps.domains();
                break;
            default:
                parentOps.refusal();
                break;
        }
    }

    /**
     * Detaches and deletes the sub-devices, detaches and deletes the parent, deletes the two domains. Runs before
     * the worker's own clean-up (a sub-device may be attached to the worker's explicit domain).
     */
    void cleanUp()
    {
        state.useV3();
        pasidOps.release();
        parentOps.cleanUp();
    }
}
