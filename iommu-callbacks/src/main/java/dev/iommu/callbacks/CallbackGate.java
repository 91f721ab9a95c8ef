/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The unregister handshake of one registered callback: who may run it, and when it may no longer run.
 * <p>
 * States: {@code IDLE} (may run), {@code RUNNING} (one thread is inside the callback), {@code CLOSE_REQUESTED}
 * (the running callback unregistered itself) and {@code CLOSED} (will never run again). An invoker calls
 * {@link #tryEnter()} and, when it returned true, {@link #exit()} after the callback returned; an unregistering
 * thread calls {@link #close()}, which returns only once the callback is not running and never will again, except
 * when called from inside the callback (then the callback's own return completes the close).
 * <p>
 * Public only so that the jcstress tests in iommu-bench can drive it; embedders use {@link Notifications}.
 */
public class CallbackGate
{
    static final int IDLE = 0;
    static final int RUNNING = 1;
    static final int CLOSE_REQUESTED = 2;
    static final int CLOSED = 3;

    private static final VarHandle STATE_VH;
    private static final VarHandle RUNNER_VH;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE_VH = lookup.findVarHandle(CallbackGate.class, "state", int.class);
            RUNNER_VH = lookup.findVarHandle(CallbackGate.class, "runner", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused")
    private int state;
    @SuppressWarnings("unused")
    private Thread runner;

    /**
     * A gate that may run its callback ({@code IDLE}).
     */
    public CallbackGate()
    {
    }

    /**
     * A gate whose callback is already running on the calling thread, for the synchronous first call at
     * registration: the caller must call {@link #exit()} after that call.
     *
     * @param runningOnCurrentThread true to start in {@code RUNNING} owned by the calling thread.
     */
    CallbackGate(final boolean runningOnCurrentThread)
    {
        if (runningOnCurrentThread)
        {
            RUNNER_VH.setOpaque(this, Thread.currentThread());
            STATE_VH.setRelease(this, RUNNING);
        }
    }

    /**
     * Enters the callback: true when the caller may now run it (and must call {@link #exit()} afterwards), false
     * when the gate is closed or the calling thread is already inside this callback (no nesting). While another
     * thread runs the callback (the synchronous call at registration), waits for it to return, so the callback never
     * runs on two threads at once.
     *
     * @return true when entered.
     */
    public boolean tryEnter()
    {
        while (true)
        {
            // Acquire: pairs with exit()'s release CAS, so the previous run's effects are visible to this one.
            final int s = (int)STATE_VH.getAcquire(this);
            if (IDLE == s)
            {
                // The CAS on the single state word is the linearisation point against close(): exactly one of
                // "enter" (IDLE -> RUNNING) and "close" (IDLE -> CLOSED) wins; once CLOSED, nothing enters.
                if (claim(IDLE, RUNNING))
                {
                    // Opaque is enough: only the runner itself ever compares runner with its own thread, and a
                    // closing thread can never see its own identity here (see exit(): runner is cleared first).
                    RUNNER_VH.setOpaque(this, Thread.currentThread());
                    return true;
                }
            }
            else if (CLOSED == s)
            {
                return false;
            }
            else if (RUNNER_VH.getOpaque(this) == Thread.currentThread())
            {
                // Re-entry from inside the callback on its own thread (e.g. the registration call driving
                // doWork()): never nest a callback inside itself, and never wait for ourselves.
                return false;
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Moves the gate out of {@code IDLE} with one CAS on the state word: the linearisation point between an enter
     * and a close. Package-private and named so that a test can show a broken claim failing (no subclass exists in
     * production: the call stays monomorphic).
     *
     * @param from the expected state ({@code IDLE}).
     * @param to   {@code RUNNING} (enter) or {@code CLOSED} (close).
     * @return true when this call moved the state.
     */
    boolean claim(final int from, final int to)
    {
        return STATE_VH.compareAndSet(this, from, to);
    }

    /**
     * Leaves the callback entered with {@link #tryEnter()} (or started running by the registration constructor).
     * Completes a close requested from inside the callback.
     */
    public void exit()
    {
        RUNNER_VH.setOpaque(this, null);
        // Release CAS: everything the callback did happens-before a closer's acquire of IDLE or CLOSED.
        if (!STATE_VH.compareAndSet(this, RUNNING, IDLE))
        {
            // Only CLOSE_REQUESTED can be here: a close from inside the callback. Release: the closer is ourselves,
            // but a later tryEnter on another thread must see CLOSED after our effects.
            STATE_VH.setRelease(this, CLOSED);
        }
    }

    /**
     * Whether the callback entered by this thread may be called again in the same run (the dispatcher calling one
     * callback for consecutive ring records keeps the gate entered between the calls, paying one enter and one exit
     * for the run). While it holds the gate, the thread calls no other callback, so a close from another thread waits
     * only for this callback's run, as it waits for a call.
     *
     * @return true when still {@code RUNNING}; false when a call of the run closed the gate from inside
     *     ({@code CLOSE_REQUESTED}): the callback must not be called again, and {@link #exit()} completes the close.
     */
    boolean mayCallAgain()
    {
        // While RUNNING only the runner (this thread) moves the state, to CLOSE_REQUESTED from inside a call: this
        // thread reads its own write, so a plain read is enough.
        return RUNNING == (int)STATE_VH.get(this);
    }

    /**
     * Closes the gate: returns when the callback is not running and will never run again. Called from inside the
     * callback (on the thread running it), marks the close and returns at once; the callback's return completes
     * it. Idempotent.
     *
     * @return true when this call closed the gate, false when it was already closed or closing.
     */
    public boolean close()
    {
        final Thread self = Thread.currentThread();
        while (true)
        {
            // Acquire: pairs with exit()'s release, so the callback's effects happen-before close returns.
            final int s = (int)STATE_VH.getAcquire(this);
            switch (s)
            {
                case IDLE:
                    if (claim(IDLE, CLOSED))
                    {
                        return true;
                    }
                    break;

                case RUNNING:
                    if (RUNNER_VH.getOpaque(this) == self)
                    {
                        if (STATE_VH.compareAndSet(this, RUNNING, CLOSE_REQUESTED))
                        {
                            return true;
                        }
                    }
                    else
                    {
                        Thread.onSpinWait();
                    }
                    break;

                case CLOSE_REQUESTED:
                    if (RUNNER_VH.getOpaque(this) == self)
                    {
                        return false;
                    }
                    Thread.onSpinWait();
                    break;

                default:
                    return false;
            }
        }
    }

    /**
     * The thread inside the callback now (entered and not yet exited: in a call, or between two calls of a run), or
     * null when it is not running. A snapshot for diagnostics (the verifier), not a synchronisation point.
     *
     * @return the running thread, or null.
     */
    public Thread runner()
    {
        final int s = (int)STATE_VH.getAcquire(this);
        return RUNNING == s || CLOSE_REQUESTED == s ? (Thread)RUNNER_VH.getOpaque(this) : null;
    }

    /**
     * Whether the gate is closed for good (a close requested from inside a running callback is not yet closed).
     *
     * @return true when {@code CLOSED}.
     */
    public boolean isClosed()
    {
        return CLOSED == (int)STATE_VH.getAcquire(this);
    }
}
