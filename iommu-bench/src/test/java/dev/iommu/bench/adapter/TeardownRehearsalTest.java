/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.adapter;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After {@link DmaMapperFactories#rehearseTeardown}, closing a mapper and its factory allocates next to nothing on
 * the closing thread (JMH runs the trial teardown inside the last measured iteration, so what it allocates reads as
 * bytes per operation there). Unrehearsed, in a fresh JVM, the library's teardown allocates about 137 KB.
 */
class TeardownRehearsalTest
{
    /** Observed: under 1 KB for the library after the rehearsal; the bound leaves room for the interpreter. */
    private static final long BOUND = 16 * 1024;

    @ParameterizedTest
    @ValueSource(strings = {"library", "library-deferred", "library-verifier", "skiplist", "tree"})
    void rehearsedTeardownAllocatesAlmostNothing(final String name)
    {
        final com.sun.management.ThreadMXBean bean =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        DmaMapperFactories.rehearseTeardown(name, 48);
        final DmaMapperFactory factory = DmaMapperFactories.create(name, 48);
        final DmaMapper mapper = factory.create();
        final long iova = mapper.map(new long[] {0x40000}, 1, DmaMapper.READ_WRITE);
        assertTrue(iova > 0, "map: " + iova);
        assertEquals(MapperResult.SUCCESS, mapper.unmap(iova, 1));
        final long id = Thread.currentThread().getId();
        final long before = bean.getThreadAllocatedBytes(id);
        mapper.close();
        factory.close();
        final long allocated = bean.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < BOUND, name + ": the teardown allocated " + allocated + " bytes");
    }
}
