/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

/**
 * One fuzz target: a member of one of the tables, called once with hostile arguments drawn from the fuzzer's bytes,
 * the call checked by the oracle, and what a successful call created added to the world's pools.
 */
@FunctionalInterface
interface MemberTarget
{
    /**
     * Makes one call.
     *
     * @param args   the hostile arguments.
     * @param oracle the oracle that makes and checks the call.
     * @param world  the world called (its tables and pools).
     */
    void call(HostileArgs args, FuzzOracle oracle, FuzzWorld world);
}
