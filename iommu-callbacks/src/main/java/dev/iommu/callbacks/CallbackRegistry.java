/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.iommu.api.IommuDeviceFaultHandler;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.function.BooleanSupplier;

/**
 * Who is registered for what. Writers (register, unregister, enable, disable) serialise on this object and
 * publish a fresh copy of the table they change with a volatile store; the dispatcher reads the current copy
 * with a volatile load and looks up without locking or allocating. No callback is ever called while the lock is
 * held.
 * <p>
 * Two optional hooks (failure injection in tests) are asked before a state-change registration is installed and
 * before a fault handler is installed or replaced: when one says no, the install is refused as after close,
 * changing nothing. Removals never ask.
 */
final class CallbackRegistry
{
    static final class StateChangeRegistration
    {
        /** The sequence of the latest change before any change was published for the registration. */
        static final int NO_CHANGE = 0;
        private static final VarHandle LINES_VH = MethodHandles.arrayElementVarHandle(long[].class);
        /**
         * Index in {@link #lines} of the latest change published while this registration was installed: (change
         * sequence &lt;&lt; 32) | the available domain types, stored (CAS, so concurrent publishers of one device
         * still number their changes apart) before the record that carries the same sequence is published.
         */
        private static final int LATEST = 8;
        /**
         * Index in {@link #lines} of the sequence of the newest change of this registration that was lost (ring
         * full) or could not be shown yet; {@link #NO_CHANGE} when none.
         */
        private static final int LOST = 9;
        /**
         * Index in {@link #lines} of the sequence of the change the callback last showed: read and written inside
         * {@link #gate}.
         */
        private static final int SHOWN = 24;
        private static final int LINES_LENGTH = 33;

        private static final AtomicInteger IDS = new AtomicInteger();

        final IommuInterfaceStateChangeCallback callback;
        final Object context;
        final int watchedFields;
        final CallbackGate gate;
        /** Never 0 (wraps past it): the records of this registration's changes carry it. */
        final int id;
        /**
         * The registration's mutable state on two cache lines of their own: the producers write LATEST (every
         * publication) and LOST, the dispatcher writes SHOWN (every call). Array elements are contiguous: an element
         * at least 7 longs from both ends of the array shares its line with nothing outside it, and LATEST and SHOWN
         * are 16 longs apart, so neither side's writes evict the other's line, nor the read-only fields above, which
         * both sides read on every event.
         */
        private final long[] lines = new long[LINES_LENGTH];

        StateChangeRegistration(
            final IommuInterfaceStateChangeCallback callback,
            final Object context,
            final int watchedFields,
            final CallbackGate gate)
        {
            this.callback = callback;
            this.context = context;
            this.watchedFields = watchedFields;
            this.gate = gate;
            int next;
            do
            {
                next = IDS.incrementAndGet();
            }
            while (0 == next);
            this.id = next;
        }

        /**
         * Marks change {@code sequence} lost (the latest of several marks wins).
         */
        void lost(final int sequence)
        {
            while (true)
            {
                final int current = (int)(long)LINES_VH.getAcquire(lines, LOST);
                if (current - sequence >= 0 && current != NO_CHANGE ||
                    LINES_VH.compareAndSet(lines, LOST, (long)current, (long)sequence))
                {
                    return;
                }
            }
        }

        /**
         * Takes the lost mark.
         *
         * @return the sequence of the newest lost change, or {@link #NO_CHANGE} when none is marked.
         */
        int takeLost()
        {
            final int lost = (int)(long)LINES_VH.getAcquire(lines, LOST);
            return lost != NO_CHANGE && LINES_VH.compareAndSet(lines, LOST, (long)lost, (long)NO_CHANGE) ?
                lost : NO_CHANGE;
        }

        int shownSequence()
        {
            return (int)lines[SHOWN];
        }

        void shownSequence(final int sequence)
        {
            lines[SHOWN] = sequence;
        }

        /**
         * @return the latest change, (sequence &lt;&lt; 32) | value; acquire: pairs with {@link #nextChange}.
         */
        long lvLatest()
        {
            return (long)LINES_VH.getAcquire(lines, LATEST);
        }

        /**
         * Numbers a change and stores it as the latest (the CAS is a full fence: it is visible before the record or
         * the pending mark that makes the dispatcher read it).
         *
         * @return the change's sequence (1, 2, ...).
         */
        int nextChange(final int value)
        {
            while (true)
            {
                final long current = lvLatest();
                final int sequence = (int)(current >>> 32) + 1;
                if (LINES_VH.compareAndSet(lines, LATEST, current, ((long)sequence << 32) | (value & 0xFFFF_FFFFL)))
                {
                    return sequence;
                }
            }
        }
    }

    static final class FaultRegistration
    {
        final IommuDeviceFaultHandler handler;
        final Object context;
        final CallbackGate gate = new CallbackGate();

        FaultRegistration(final IommuDeviceFaultHandler handler, final Object context)
        {
            this.handler = handler;
            this.context = context;
        }
    }

    static final class MappingRegistration
    {
        final MappingListener listener;
        final CallbackGate gate = new CallbackGate();

        MappingRegistration(final MappingListener listener)
        {
            this.listener = listener;
        }
    }

    private static final MappingRegistration[] NO_LISTENERS = new MappingRegistration[0];

    // Copy-on-write tables: replaced whole under the lock, read by the dispatcher without it.
    private volatile Long2ObjectHashMap<StateChangeRegistration> stateChange = new Long2ObjectHashMap<>();
    private volatile Long2ObjectHashMap<FaultRegistration> faults = new Long2ObjectHashMap<>();
    private volatile MappingRegistration[] listeners = NO_LISTENERS;
    private boolean closed;
    private final AtomicBoolean stateChangesPending = new AtomicBoolean();
    /** Asked before installing a state-change registration; null: no hook. */
    private final BooleanSupplier mayInstallStateChange;
    /** Asked before installing a fault handler; null: no hook. */
    private final BooleanSupplier mayInstallFaultHandler;

    CallbackRegistry(final BooleanSupplier mayInstallStateChange, final BooleanSupplier mayInstallFaultHandler)
    {
        this.mayInstallStateChange = mayInstallStateChange;
        this.mayInstallFaultHandler = mayInstallFaultHandler;
    }

    StateChangeRegistration stateChange(final long deviceId)
    {
        return stateChange.get(deviceId);
    }

    /**
     * Change {@code sequence} of {@code registration} could not reach the dispatcher through the ring (full), or
     * could not be shown yet (the callback was running on the dispatching thread): the dispatcher's next scan shows
     * the registration's latest change unless a newer change is on its way through the ring (see {@link Dispatcher}).
     *
     * @param registration the registration.
     * @param sequence     the lost change.
     */
    void markLost(final StateChangeRegistration registration, final int sequence)
    {
        registration.lost(sequence);
        // Release (volatile store) after the mark and after the latest change the publisher stored (its CAS): the
        // dispatcher that reads the flag set sees both.
        stateChangesPending.set(true);
    }

    /**
     * Takes the pending flag (acquire, pairs with the release in {@link #markHeal}); cleared before the scan, so a
     * mark made during the scan is scanned again next cycle.
     *
     * @return true when the caller must scan the registrations now.
     */
    boolean takeStateChangesPending()
    {
        return stateChangesPending.get() && stateChangesPending.getAndSet(false);
    }

    Iterable<StateChangeRegistration> stateChangeRegistrations()
    {
        return stateChange.values();
    }

    FaultRegistration fault(final long deviceId)
    {
        return faults.get(deviceId);
    }

    MappingRegistration[] listeners()
    {
        return listeners;
    }

    /**
     * Installs a state-change registration unless the device has one, the registry is closed or its hook refuses.
     *
     * @return true when installed.
     */
    synchronized boolean install(final long deviceId, final StateChangeRegistration registration)
    {
        if (closed || stateChange.containsKey(deviceId) ||
            (null != mayInstallStateChange && !mayInstallStateChange.getAsBoolean()))
        {
            return false;
        }
        final Long2ObjectHashMap<StateChangeRegistration> copy = new Long2ObjectHashMap<>();
        copy.putAll(stateChange);
        copy.put(deviceId, registration);
        stateChange = copy;
        return true;
    }

    /**
     * Removes the registration of a device when its callback is the one given.
     *
     * @return the removed registration, or null when that callback is not registered for the device.
     */
    synchronized StateChangeRegistration remove(final long deviceId, final IommuInterfaceStateChangeCallback callback)
    {
        final StateChangeRegistration registration = stateChange.get(deviceId);
        if (null == registration || registration.callback != callback)
        {
            return null;
        }
        final Long2ObjectHashMap<StateChangeRegistration> copy = new Long2ObjectHashMap<>();
        copy.putAll(stateChange);
        copy.remove(deviceId);
        stateChange = copy;
        return registration;
    }

    /**
     * Installs or replaces a device's fault handler, or removes it when registration is null.
     *
     * @return the replaced or removed registration (or null), or this registry's sentinel when an install is refused
     *     (closed, or the hook said no).
     */
    synchronized FaultRegistration swapFault(final long deviceId, final FaultRegistration registration)
    {
        if (null != registration &&
            (closed || (null != mayInstallFaultHandler && !mayInstallFaultHandler.getAsBoolean())))
        {
            return CLOSED_FAULT;
        }
        final Long2ObjectHashMap<FaultRegistration> copy = new Long2ObjectHashMap<>();
        copy.putAll(faults);
        final FaultRegistration old = null == registration ? copy.remove(deviceId) : copy.put(deviceId, registration);
        faults = copy;
        return old;
    }

    static final FaultRegistration CLOSED_FAULT = new FaultRegistration(null, null);

    synchronized boolean addListener(final MappingListener listener)
    {
        final MappingRegistration[] current = listeners;
        if (closed || indexOf(current, listener) >= 0)
        {
            return false;
        }
        final MappingRegistration[] copy = new MappingRegistration[current.length + 1];
        System.arraycopy(current, 0, copy, 0, current.length);
        copy[current.length] = new MappingRegistration(listener);
        listeners = copy;
        return true;
    }

    synchronized MappingRegistration removeListener(final MappingListener listener)
    {
        final MappingRegistration[] current = listeners;
        final int i = indexOf(current, listener);
        if (i < 0)
        {
            return null;
        }
        final MappingRegistration[] copy = new MappingRegistration[current.length - 1];
        System.arraycopy(current, 0, copy, 0, i);
        System.arraycopy(current, i + 1, copy, i, current.length - i - 1);
        listeners = copy;
        return current[i];
    }

    private static int indexOf(final MappingRegistration[] registrations, final MappingListener listener)
    {
        for (int i = 0; i < registrations.length; i++)
        {
            if (registrations[i].listener == listener)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Refuses further registrations and closes every gate, each close waiting for a running callback (unless the
     * caller is that callback). Registrations stay in the tables so that a later unregister still succeeds.
     */
    void close()
    {
        final Long2ObjectHashMap<StateChangeRegistration> s;
        final Long2ObjectHashMap<FaultRegistration> f;
        final MappingRegistration[] m;
        synchronized (this)
        {
            closed = true;
            s = stateChange;
            f = faults;
            m = listeners;
        }
        for (final StateChangeRegistration r : s.values())
        {
            r.gate.close();
        }
        for (final FaultRegistration r : f.values())
        {
            r.gate.close();
        }
        for (final MappingRegistration r : m)
        {
            r.gate.close();
        }
    }
}
