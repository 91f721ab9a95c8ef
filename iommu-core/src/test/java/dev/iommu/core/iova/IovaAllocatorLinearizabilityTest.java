/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.iova;

import dev.iommu.core.lincheck.LincheckScenario;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Allocate and free of {@link IovaAllocator} are linearizable, checked by Lincheck's model checker (the allocator
 * is on-heap: the checker sees every lock, CAS and volatile access and explores the interleavings
 * deterministically):
 * <ul>
 *   <li>without magazines, against a buddy allocator ({@link BuddySpaceModel}): every address and status exact,
 *   double frees and frees of the wrong size racing allocations and each other on an 8-page space;</li>
 *   <li>on the magazine path (per-thread caches, lock-free claim of the live byte), against
 *   {@link MagazineSpaceModel}: which thread caches which block is part of the model.</li>
 * </ul>
 * Each is shown failing on the broken variant {@link RacyFreeClaim} (the free's claim as read-then-write: two
 * racing frees of one block both succeed).
 */
class IovaAllocatorLinearizabilityTest
{
    private static final int RANDOM_ITERATIONS = 1;
    private static final int INVOCATIONS = 100;

    @Test
    void exactSpaceIsLinearizable()
    {
        exact(RANDOM_ITERATIONS).check(ExactSpace.class);
    }

    @Test
    void modelCheckerReportsARacyFreeOnTheExactSpace()
    {
        assertThrows(LincheckAssertionError.class, () -> exact(0).minimizeFailedScenario(false)
            .check(ExactSpaceWithRacyFree.class));
    }

    @Test
    void magazinePathIsLinearizable()
    {
        magazines(RANDOM_ITERATIONS).check(MagazineSpace.class);
    }

    @Test
    void modelCheckerReportsARacyFreeOnTheMagazinePath()
    {
        assertThrows(LincheckAssertionError.class, () -> magazines(0).minimizeFailedScenario(false)
            .check(MagazineSpaceWithRacyFree.class));
    }

    /**
     * Exact space: the named races (a double free; a free of a block another thread is being given while a third
     * allocation splits around it) plus random scenarios.
     */
    private static ModelCheckingOptions exact(final int randomIterations)
    {
        return new ModelCheckingOptions()
            .iterations(randomIterations)
            .invocationsPerIteration(INVOCATIONS)
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(2)
            .actorsAfter(1)
            .sequentialSpecification(BuddySpaceModel.class)
            .addCustomScenario(LincheckScenario.of(ExactSpace.class)
                .initial("allocate", 1)
                .thread(0, "free", 1, 1)
                .thread(1, "free", 1, 1)
                .post("allocate", 1)
                .build())
            .addCustomScenario(LincheckScenario.of(ExactSpace.class)
                .initial("allocate", 1)
                .thread(0, "allocate", 2)
                .thread(0, "free", 2, 1)
                .thread(1, "allocate", 1)
                .build());
    }

    /**
     * Magazine path: a double free (both frees on the lock-free path) and a free racing the allocation
     * of that block from its owner's magazine, plus random scenarios. Lincheck's thread ids are those of the
     * parallel part only, so the random scenarios have no initial or final part; the named ones run those on thread 0,
     * as Lincheck does.
     */
    private static ModelCheckingOptions magazines(final int randomIterations)
    {
        return new ModelCheckingOptions()
            .iterations(randomIterations)
            .invocationsPerIteration(INVOCATIONS)
            .threads(2)
            .actorsPerThread(4)
            .actorsBefore(0)
            .actorsAfter(0)
            .sequentialSpecification(MagazineSpaceModel.class)
            .addCustomScenario(LincheckScenario.of(MagazineSpace.class)
                .initial("allocate", 0)
                .thread(0, "free", 0, 1)
                .thread(1, "free", 1, 1)
                .post("allocate", 0)
                .build())
            .addCustomScenario(LincheckScenario.of(MagazineSpace.class)
                .thread(0, "allocate", 0)
                .thread(0, "allocate", 0)
                .thread(1, "free", 1, 2)
                .thread(1, "allocate", 1)
                .build());
    }

    /**
     * The operations on an allocator without magazines (every call takes the lock or the live-byte CAS).
     */
    @Param(name = "page", gen = IntGen.class, conf = "1:6")
    @Param(name = "pages", gen = IntGen.class, conf = "1:2")
    public static class ExactSpace
    {
        private final IovaAllocator allocator = newAllocator(
            new IovaAllocatorConfig().addressWidth(BuddySpaceModel.ADDRESS_WIDTH).magazineCapacity(0));

        IovaAllocator newAllocator(final IovaAllocatorConfig config)
        {
            return new IovaAllocator(config);
        }

        /**
         * @param pages 1 or 2.
         * @return the address or a negative {@link IovaResult}.
         */
        @Operation
        public long allocate(@Param(name = "pages") final int pages)
        {
            return allocator.allocate(pages, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        }

        /**
         * @param page  a page (1 to 6).
         * @param pages 1 or 2.
         * @return the {@link IovaResult}.
         */
        @Operation
        public int free(@Param(name = "page") final int page, @Param(name = "pages") final int pages)
        {
            return allocator.free((long)page << IovaAllocator.PAGE_SHIFT, pages);
        }
    }

    /**
     * The operations on an allocator whose one-page blocks go through per-thread magazines.
     */
    @Param(name = "page", gen = IntGen.class, conf = "1:8")
    @Param(name = "thread", gen = ThreadIdGen.class)
    public static class MagazineSpace
    {
        private final IovaAllocator allocator = newAllocator(new IovaAllocatorConfig()
            .addressWidth(MagazineSpaceModel.ADDRESS_WIDTH)
            .magazineCapacity(MagazineSpaceModel.MAGAZINE_CAPACITY));

        IovaAllocator newAllocator(final IovaAllocatorConfig config)
        {
            return new IovaAllocator(config);
        }

        /**
         * @param thread the calling thread (for the model).
         * @return the address.
         */
        @Operation
        public long allocate(@Param(name = "thread") final int thread)
        {
            return allocator.allocate(1, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        }

        /**
         * @param thread the calling thread (for the model).
         * @param page   a page (1 to 8).
         * @return the {@link IovaResult}.
         */
        @Operation
        public int free(@Param(name = "thread") final int thread, @Param(name = "page") final int page)
        {
            return allocator.free((long)page << IovaAllocator.PAGE_SHIFT, 1);
        }
    }

    /**
     * {@link ExactSpace} on the broken variant.
     */
    public static class ExactSpaceWithRacyFree extends ExactSpace
    {
        @Override
        IovaAllocator newAllocator(final IovaAllocatorConfig config)
        {
            return new RacyFreeClaim(config);
        }
    }

    /**
     * {@link MagazineSpace} on the broken variant.
     */
    public static class MagazineSpaceWithRacyFree extends MagazineSpace
    {
        @Override
        IovaAllocator newAllocator(final IovaAllocatorConfig config)
        {
            return new RacyFreeClaim(config);
        }
    }

    /**
     * The real allocator with the free's claim as a check, then a write whose outcome is ignored (the one line
     * changed: the CAS result no longer decides the winner).
     */
    static final class RacyFreeClaim extends IovaAllocator
    {
        RacyFreeClaim(final IovaAllocatorConfig config)
        {
            super(config);
        }

        @Override
        boolean clearLive(final IovaThreadCache cache, final long page, final int k)
        {
            if (liveBlockContaining(page << PAGE_SHIFT) != ((page << 6) | k))
            {
                return false;
            }
            super.clearLive(cache, page, k);
            return true;
        }
    }
}
