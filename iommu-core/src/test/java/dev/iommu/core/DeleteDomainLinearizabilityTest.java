/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.atomic.AtomicReference;

import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.lincheck.LincheckScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * DeleteDomain racing MapLogicalRangeEx and UnmapLogicalRange of the same domain through the V2 table: every
 * status is that of some sequential order ({@link DeletableDomainModel}): a map or unmap that entered the domain
 * before the delete closed it completes with its own status (the delete waits for it), one that comes after gets
 * the deleted handle's STATUS_INVALID_PARAMETER, a second delete too; two maps of one page, one STATUS_IN_USE; an
 * unmap of a page not mapped STATUS_INVALID_PARAMETER (nothing unmapped).
 * <p>
 * Stress mode (real threads): the page tables are off-heap, where Lincheck's model checker cannot switch threads,
 * and each instance needs a domain of a running emulator. One emulator serves every invocation: each instance
 * creates a fresh explicit-address Translate domain and deletes the previous one.
 */
class DeleteDomainLinearizabilityTest
{
    @AfterAll
    static void closeEmulator()
    {
        DomainOperations.RIG.close();
    }

    @Test
    void deleteRacingMapAndUnmapIsLinearizable()
    {
        new StressOptions()
            .iterations(30)
            .invocationsPerIteration(50)
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(1)
            .actorsAfter(1)
            .sequentialSpecification(DeletableDomainModel.class)
            .addCustomScenario(LincheckScenario.of(DomainOperations.class)
                .initial("map", 0)
                .thread(0, "map", 1)
                .thread(0, "unmap", 0)
                .thread(1, "delete")
                .post("map", 0)
                .build())
            .addCustomScenario(LincheckScenario.of(DomainOperations.class)
                .initial("map", 1)
                .thread(0, "delete")
                .thread(0, "unmap", 1)
                .thread(1, "delete")
                .thread(1, "map", 0)
                .build())
            .check(DomainOperations.class);
    }

    /**
     * The operations on one domain: map and unmap pages 0 and 1 at an explicit address, delete.
     */
    @Param(name = "page", gen = IntGen.class, conf = "0:1")
    public static class DomainOperations
    {
        static final V2Rig RIG = V2Rig.x64();
        private static final long BASE = 0x10_0000L;
        private static final AtomicReference<IommuDmaDomain> PREVIOUS = new AtomicReference<>();

        private final IommuDmaDomain domain = replacePrevious(RIG.explicitDomain());

        private static IommuDmaDomain replacePrevious(final IommuDmaDomain domain)
        {
            final IommuDmaDomain previous = PREVIOUS.getAndSet(domain);
            if (null != previous)
            {
                // The previous invocation is over; its domain may already be deleted (then this is refused).
                RIG.iommu.deleteDomain(previous);
            }
            return domain;
        }

        /**
         * @param page 0 or 1.
         * @return the NTSTATUS of MapLogicalRangeEx of one page there.
         */
        @Operation
        public int map(@Param(name = "page") final int page)
        {
            return RIG.iommu.mapLogicalRangeEx(domain, IommuPermissions.READ_WRITE,
                V2Rig.contiguous((page + 1) * V2Rig.PAGE, 1), new LongRef(BASE + page * V2Rig.PAGE), null, null,
                new LongRef());
        }

        /**
         * @param page 0 or 1.
         * @return the NTSTATUS of UnmapLogicalRange of that page.
         */
        @Operation
        public int unmap(@Param(name = "page") final int page)
        {
            return RIG.iommu.unmapLogicalRange(domain, BASE + page * V2Rig.PAGE, 1);
        }

        /**
         * @return the NTSTATUS of DeleteDomain.
         */
        @Operation
        public int delete()
        {
            return RIG.iommu.deleteDomain(domain);
        }
    }

    /**
     * The sequential specification: a live or deleted domain with two pages (documented profile).
     */
    public static class DeletableDomainModel
    {
        private final boolean[] mapped = new boolean[2];
        private boolean deleted;

        /**
         * @param page the page.
         * @return STATUS_INVALID_PARAMETER when deleted, STATUS_IN_USE when mapped, else STATUS_SUCCESS.
         */
        public int map(final int page)
        {
            if (deleted)
            {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            if (mapped[page])
            {
                return NtStatus.STATUS_IN_USE;
            }
            mapped[page] = true;
            return NtStatus.STATUS_SUCCESS;
        }

        /**
         * @param page the page.
         * @return STATUS_SUCCESS when the page was mapped; STATUS_INVALID_PARAMETER when it was not (nothing
         *     unmapped) or the domain is deleted.
         */
        public int unmap(final int page)
        {
            if (deleted || !mapped[page])
            {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            mapped[page] = false;
            return NtStatus.STATUS_SUCCESS;
        }

        /**
         * @return STATUS_SUCCESS the first time (no devices, no tokens), then STATUS_INVALID_PARAMETER.
         */
        public int delete()
        {
            if (deleted)
            {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
            deleted = true;
            return NtStatus.STATUS_SUCCESS;
        }
    }
}
