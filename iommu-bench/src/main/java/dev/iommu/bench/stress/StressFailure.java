/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.stress;

/**
 * The first invariant a stress run saw broken, with everything needed to find it again: the seed, the thread, the
 * operation number, the call, the object and the address.
 */
public final class StressFailure extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * A violation.
     *
     * @param seed      the run's seed.
     * @param thread    the worker that saw it.
     * @param operation the worker's operation number.
     * @param call      the interface member (or check) involved.
     * @param object    the object, as text.
     * @param address   the address involved, or -1.
     * @param detail    what was expected and what happened.
     */
    public StressFailure(
        final long seed,
        final int thread,
        final long operation,
        final String call,
        final String object,
        final long address,
        final String detail)
    {
        super("invariant violated: seed=" + seed + " thread=" + thread + " op=" + operation + " call=" + call +
            " object=" + object + (address >= 0 ? " address=0x" + Long.toHexString(address) : "") + ": " + detail);
    }
}
