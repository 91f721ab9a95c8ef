/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.broken;

import dev.iommu.ptw.FreeStackProbe;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * BROKEN variant of {@code ptw.FreeStackAbaTest}, expected to FAIL: the same race on an arena whose head CAS keeps
 * the ABA tag ({@code dev.iommu.ptw.FreePageStackWithoutAbaTag}). When the single pop reads head 1 with link 2 and the
 * other thread pops 1 and 2 and pushes 1 back in between, the stale CAS succeeds and page 2 is both held and free.
 */
@JCStressTest
@Outcome(id = "1, 3, 2", expect = ACCEPTABLE, desc = "the single pop first")
@Outcome(id = "2, 3, 1", expect = ACCEPTABLE, desc = "the single pop after the first of the two")
@Outcome(id = "3, 2, 1", expect = ACCEPTABLE, desc = "the single pop after both pops")
@Outcome(id = "1, 2, 3", expect = ACCEPTABLE, desc = "the single pop last, taking the page pushed back")
@Outcome(id = "1, 2, 23", expect = FORBIDDEN, desc = "ABA: page 2 held and on the stack")
@Outcome(expect = FORBIDDEN, desc = "a page handed out twice or lost")
@State
public class FreeStackWithoutAbaTagTest
{
    private final FreeStackProbe stack = FreeStackProbe.untagged();

    /**
     * One pop.
     *
     * @param r results.
     */
    @Actor
    public void popOnce(final III_Result r)
    {
        r.r1 = stack.pop();
    }

    /**
     * Pop, pop, push the first back.
     *
     * @param r results.
     */
    @Actor
    public void popPopPush(final III_Result r)
    {
        final int first = stack.pop();
        r.r2 = stack.pop();
        stack.push(first);
    }

    /**
     * What is left on the stack.
     *
     * @param r results.
     */
    @Arbiter
    public void check(final III_Result r)
    {
        r.r3 = stack.drain();
    }
}
