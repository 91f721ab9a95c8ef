/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.jcstress.callbacks;

import dev.iommu.callbacks.CallbackGate;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The unregister handshake of {@link CallbackGate}: a dispatcher enters the callback, whose body writes two plain
 * fields, while another thread unregisters (closes the gate) and then reads both fields. When close has returned,
 * the body either never ran or ran completely: close must wait for a running callback, and exit's release must
 * pair with close's acquire. r1: the dispatcher entered; r2, r3: the body's two writes as seen after close.
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "closed first: the callback never ran")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "ran, and close returned after the whole body")
@Outcome(expect = FORBIDDEN, desc = "close returned while the callback was running or before its effects")
@State
public class UnregisterHandshakeTest
{
    private final CallbackGate gate = new CallbackGate();
    private int first;
    private int second;

    /**
     * The dispatcher: enter, run the body, exit.
     *
     * @param r the result.
     */
    @Actor
    public void dispatcher(final III_Result r)
    {
        if (gate.tryEnter())
        {
            first = 1;
            for (int i = 0; i < 8; i++)
            {
                Thread.onSpinWait();
            }
            second = 1;
            gate.exit();
            r.r1 = 1;
        }
    }

    /**
     * The unregistering thread: close, then look at what the body did.
     *
     * @param r the result.
     */
    @Actor
    public void unregister(final III_Result r)
    {
        gate.close();
        r.r2 = first;
        r.r3 = second;
    }
}
