/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.ErrorHandler;

import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.core.platform.Platform;

/**
 * Windows as observed (x64 build A, the new Register/Unregister variant; observed record section 6): no ring and no
 * dispatcher.
 * <ul>
 *     <li>Register row 6: the registration is stored (one per device), and when it watches bit 0 the available
 *     types are computed ({@link DeviceRules#availableDomainTypes}) and cached;</li>
 *     <li>Register row 7: the first call is synchronous on the caller's thread after the registration is stored and
 *     no lock is held, with PresentFields = the StateFields value as passed (reserved bits too) and
 *     AvailableDomainTypes = the computed types, 0 when bit 0 is not watched;</li>
 *     <li>later notifications: on the thread that changed the policy, with no library lock held, only when the
 *     registration watches bit 0 and the recomputed types differ from the cached value (the cache is updated
 *     first), PresentFields = 0x1 only;</li>
 *     <li>Unregister: removed at once; a callback running at that moment is <b>not</b> waited for (the invoker
 *     copied the callback and its context), so it may still be running, or about to run once more, when
 *     Unregister returns.</li>
 * </ul>
 * A callback's exception goes to the notifications' error handler, as the dispatcher's do.
 */
final class DirectStateChangeDelivery extends StateChangeDelivery
{
    /** One device's registration; the cache is written under its monitor. */
    private static final class Registration
    {
        final IommuInterfaceStateChangeCallback callback;
        final Object context;
        final int stateFields;
        final AtomicInteger running = new AtomicInteger();
        volatile Thread runner;
        int cachedTypes;

        Registration(final IommuInterfaceStateChangeCallback callback, final Object context, final int stateFields)
        {
            this.callback = callback;
            this.context = context;
            this.stateFields = stateFields;
        }

        boolean watchesTypes()
        {
            return (stateFields & IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES) != 0;
        }
    }

    private final Platform platform;
    private final DeviceRules rules;
    private final ErrorHandler errorHandler;
    private final ConcurrentHashMap<Long, Registration> registrations = new ConcurrentHashMap<>();

    DirectStateChangeDelivery(final Platform platform, final DeviceRules rules, final ErrorHandler errorHandler)
    {
        this.platform = platform;
        this.rules = rules;
        this.errorHandler = errorHandler;
    }

    /**
     * Always: a Java registration object does not fail to allocate (Register row 3 cannot happen here).
     */
    @Override
    boolean hasRoom()
    {
        return true;
    }

    @Override
    boolean register(final DmaDevice device, final IommuInterfaceStateChangeCallback callback, final Object context,
        final int stateFields)
    {
        final Registration registration = new Registration(callback, context, stateFields);
        final int types;
        synchronized (registration)
        {
            types = registration.watchesTypes() ? rules.availableDomainTypes(platform, device) : 0;
            registration.cachedTypes = types;
        }
        if (null != registrations.putIfAbsent(device.id(), registration))
        {
            return false;
        }
        call(registration, stateFields, types);
        return true;
    }

    @Override
    boolean unregister(final DmaDevice device, final IommuInterfaceStateChangeCallback callback)
    {
        final Registration registration = registrations.get(device.id());
        return null != registration && registration.callback == callback &&
            registrations.remove(device.id(), registration);
    }

    @Override
    void onAvailableDomainTypesChanged(final DmaDevice device, final int availableDomainTypes)
    {
        final Registration registration = registrations.get(device.id());
        if (null == registration || !registration.watchesTypes())
        {
            return;
        }
        final int types = rules.availableDomainTypes(platform, device);
        synchronized (registration)
        {
            if (types == registration.cachedTypes)
            {
                return;
            }
            registration.cachedTypes = types;
        }
        call(registration, IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES, types);
    }

    @Override
    int runner(final DmaDevice device, final IommuInterfaceStateChangeCallback callback)
    {
        final Registration registration = registrations.get(device.id());
        if (null == registration || registration.callback != callback || registration.running.get() == 0)
        {
            return NOT_RUNNING;
        }
        return registration.runner == Thread.currentThread() ? RUNNING_HERE : RUNNING_ELSEWHERE;
    }

    private void call(final Registration registration, final int presentFields, final int types)
    {
        final IommuInterfaceStateChange change =
            new IommuInterfaceStateChange().presentFields(presentFields).availableDomainTypes(types);
        registration.running.incrementAndGet();
        registration.runner = Thread.currentThread();
        try
        {
            registration.callback.onStateChange(change, registration.context);
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
        finally
        {
            registration.runner = null;
            registration.running.decrementAndGet();
        }
    }
}
