/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import java.util.HashMap;
import java.util.Map;

import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * State-change callback registration ({@link CallbackRegistry} and each registration's {@link CallbackGate}) is
 * linearizable against a map from device to callback ({@link Model}), checked by Lincheck's model checker:
 * register and unregister of two callbacks on two devices, and a publish that delivers to the device's registered
 * callback the way the dispatcher does (look up, enter the gate, call, exit). Unregister returns only when the
 * callback is not running and never will again: a delivery that starts after its unregister returned would be
 * {@link #LATE}, which the model never answers. Shown failing on the broken variant {@link ClaimIgnoringRace}
 * (a delivery whose claim lost to a close enters anyway).
 */
class CallbackRegistryLinearizabilityTest
{
    /** A delivery to a registration whose unregister had already returned. */
    static final int LATE = -2;
    /** No registration for the device, or its gate was closed. */
    static final int NOBODY = -1;

    @Test
    void registrationIsLinearizable()
    {
        options(1).check(Registrations.class);
    }

    @Test
    void modelCheckerReportsADeliveryAfterUnregister()
    {
        assertThrows(LincheckAssertionError.class, () -> options(0).minimizeFailedScenario(false)
            .check(RegistrationsWithBrokenGate.class));
    }

    private static ModelCheckingOptions options(final int randomIterations)
    {
        return new ModelCheckingOptions()
            .iterations(randomIterations)
            .invocationsPerIteration(100)
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(1)
            .actorsAfter(1)
            .sequentialSpecification(Model.class)
            // Unregister racing a delivery to the callback it removes.
            .addCustomScenario(LincheckScenario.of(Registrations.class)
                .initial("register", 0, 0)
                .thread(0, "publish", 0)
                .thread(1, "unregister", 0, 0)
                .post("publish", 0)
                .build())
            // Unregister and a new registration racing a delivery.
            .addCustomScenario(LincheckScenario.of(Registrations.class)
                .initial("register", 0, 0)
                .thread(0, "publish", 0)
                .thread(0, "publish", 0)
                .thread(1, "unregister", 0, 0)
                .thread(1, "register", 0, 1)
                .build());
    }

    /**
     * The operations: devices 0 and 1, callbacks 0 and 1.
     */
    @Param(name = "device", gen = IntGen.class, conf = "0:1")
    @Param(name = "callback", gen = IntGen.class, conf = "0:1")
    public static class Registrations
    {
        private final CallbackRegistry registry = new CallbackRegistry(null, null);
        private final IommuInterfaceStateChangeCallback[] callbacks = {new Recorder(), new Recorder()};

        CallbackGate newGate()
        {
            return new CallbackGate();
        }

        /**
         * @param device   the device.
         * @param callback which callback.
         * @return true when installed.
         */
        @Operation
        public boolean register(@Param(name = "device") final int device, @Param(name = "callback") final int callback)
        {
            return registry.install(device,
                new CallbackRegistry.StateChangeRegistration(callbacks[callback], new Unregistered(), 1, newGate()));
        }

        /**
         * As the interface's unregister does: remove, then close the gate (waits for a running delivery).
         *
         * @param device   the device.
         * @param callback which callback.
         * @return true when that callback was registered for the device.
         */
        @Operation
        public boolean unregister(
            @Param(name = "device") final int device, @Param(name = "callback") final int callback)
        {
            final CallbackRegistry.StateChangeRegistration registration = registry.remove(device, callbacks[callback]);
            if (null == registration)
            {
                return false;
            }
            registration.gate.close();
            ((Unregistered)registration.context).returned = true;
            return true;
        }

        /**
         * As the dispatcher delivers a state change: look up, enter the gate, call, exit.
         *
         * @param device the device.
         * @return the callback delivered to, {@link #NOBODY}, or {@link #LATE}.
         */
        @Operation
        public int publish(@Param(name = "device") final int device)
        {
            final CallbackRegistry.StateChangeRegistration registration = registry.stateChange(device);
            if (null == registration || !registration.gate.tryEnter())
            {
                return NOBODY;
            }
            try
            {
                return ((Unregistered)registration.context).returned ? LATE : indexOf(registration.callback);
            }
            finally
            {
                registration.gate.exit();
            }
        }

        private int indexOf(final IommuInterfaceStateChangeCallback callback)
        {
            return callback == callbacks[0] ? 0 : 1;
        }
    }

    /**
     * {@link Registrations} with the broken gate.
     */
    public static class RegistrationsWithBrokenGate extends Registrations
    {
        @Override
        CallbackGate newGate()
        {
            return new ClaimIgnoringRace();
        }
    }

    /**
     * The real gate whose enter claim counts as won even when a racing close's CAS won (the one line changed: the
     * CAS result is ignored for an enter), so a delivery runs the callback after its unregister returned.
     */
    static final class ClaimIgnoringRace extends CallbackGate
    {
        @Override
        boolean claim(final int from, final int to)
        {
            return super.claim(from, to) || RUNNING == to;
        }
    }

    /**
     * A registration's context: set once its unregister has returned.
     */
    static final class Unregistered
    {
        volatile boolean returned;
    }

    /**
     * A callback object (the deliveries are counted by the operations, not here).
     */
    static final class Recorder implements IommuInterfaceStateChangeCallback
    {
        @Override
        public void onStateChange(final IommuInterfaceStateChange stateChange, final Object context)
        {
            throw new AssertionError("the test delivers through the gate itself");
        }
    }

    /**
     * The sequential specification: a map from device to callback.
     */
    public static class Model
    {
        private final Map<Integer, Integer> registered = new HashMap<>();

        /**
         * @param device   the device.
         * @param callback which callback.
         * @return true when the device had none.
         */
        public boolean register(final int device, final int callback)
        {
            return null == registered.putIfAbsent(device, callback);
        }

        /**
         * @param device   the device.
         * @param callback which callback.
         * @return true when that callback was the device's.
         */
        public boolean unregister(final int device, final int callback)
        {
            return registered.remove(device, callback);
        }

        /**
         * @param device the device.
         * @return its callback, or {@link #NOBODY}.
         */
        public int publish(final int device)
        {
            return registered.getOrDefault(device, NOBODY);
        }
    }
}
