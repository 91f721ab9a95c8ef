/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.ptw;

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
 * The table arena's shared free stack (a Treiber stack with an ABA-tagged head, driven directly, past the per-thread
 * page caches) holds pages 1, 2, 3. One thread pops once; the other pops twice and pushes its first page back, the
 * sequence that recreates the head the first thread may have read. Every page is either held by exactly one thread
 * or on the stack exactly once. Result: the first thread's page, the page the second thread kept, and the stack
 * afterwards as digits, top first.
 */
@JCStressTest
@Outcome(id = "1, 3, 2", expect = ACCEPTABLE, desc = "the single pop first")
@Outcome(id = "2, 3, 1", expect = ACCEPTABLE, desc = "the single pop after the first of the two")
@Outcome(id = "3, 2, 1", expect = ACCEPTABLE, desc = "the single pop after both pops")
@Outcome(id = "1, 2, 3", expect = ACCEPTABLE, desc = "the single pop last, taking the page pushed back")
@Outcome(id = "1, 2, 23", expect = FORBIDDEN, desc = "ABA: page 2 held and on the stack")
@Outcome(expect = FORBIDDEN, desc = "a page handed out twice or lost")
@State
public class FreeStackAbaTest
{
    private final FreeStackProbe stack = FreeStackProbe.tagged();

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
