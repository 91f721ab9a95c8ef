/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.IommuInterfaceStateChange;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.File;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.IntSupplier;

/**
 * Ring-buffered notifications and callback dispatch: the entry point of this module. Producers publish through
 * {@link #publisher()}; callbacks are registered here and called by the dispatcher, on its own thread
 * ({@link Context#useAgentThread(boolean)}) or from the embedder's loop ({@link #doWork()}).
 * <p>
 * The registration methods keep no Windows status rules: the caller (the core) checks its arguments and maps the
 * results to the status it returns. Each returns true when it did what was asked and false, changing nothing, when
 * the state does not allow it (already registered, not registered, closed); an argument the caller must never pass
 * (null, a negative device id, no watched state) throws, changing nothing. No callback is called while a lock of
 * this class is held. Once {@link #close()} has returned, no callback runs.
 */
public final class Notifications implements AutoCloseable
{
    private static final VarHandle CLOSED_VH;
    private static final VarHandle DISPATCHER_OWNER_VH;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLOSED_VH = lookup.findVarHandle(Notifications.class, "closed", boolean.class);
            DISPATCHER_OWNER_VH = lookup.findVarHandle(Notifications.class, "dispatcherOwner", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Context context;
    private final ManyToOneRingBuffer ring;
    private final NotificationCounters counters;
    private final FaultRecorder recorder;
    private final NotificationPublisher publisher;
    private final CallbackRegistry registry = new CallbackRegistry();
    private final Dispatcher dispatcher;
    private final AgentRunner agentRunner;

    @SuppressWarnings("unused")
    private boolean closed;
    @SuppressWarnings("unused")
    private Thread dispatcherOwner;

    private Notifications(final Context context)
    {
        this.context = context;
        counters = new NotificationCounters(context.countersDirectory());
        ring = new ManyToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            context.ringCapacity() + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH)));
        recorder = new FaultRecorder(context.faultRecorderSlots(), counters.held, counters.coalesced, counters.dropped);
        publisher = new NotificationPublisher(ring, recorder, registry, counters.dropped);
        dispatcher = new Dispatcher(
            ring, registry, recorder, counters, context.handleResolver(), context.errorHandler(),
            context.dispatchLimit());
        if (context.useAgentThread())
        {
            agentRunner = new AgentRunner(context.idleStrategy(), context.errorHandler(), null, dispatcher);
            AgentRunner.startOnThread(agentRunner, context.threadFactory());
        }
        else
        {
            agentRunner = null;
        }
    }

    /**
     * Starts notifications with a configuration ({@link Context#conclude()} is called here).
     *
     * @param context the configuration; owned by the result from now on.
     * @return the running instance.
     * @throws IllegalArgumentException when the configuration is invalid.
     */
    public static Notifications launch(final Context context)
    {
        context.conclude();
        return new Notifications(context);
    }

    /**
     * The configuration this instance runs with.
     *
     * @return the concluded context.
     */
    public Context context()
    {
        return context;
    }

    /**
     * Where producers publish events. Thread-safe, never blocks, never allocates.
     *
     * @return the publisher.
     */
    public NotificationPublisher publisher()
    {
        return publisher;
    }

    /**
     * The counters.
     *
     * @return the counters of this instance.
     */
    public NotificationCounters counters()
    {
        return counters;
    }

    /**
     * Events produced so far (accepted by the publisher), computed now rather than as of the dispatcher's last duty
     * cycle: the ring's producer position in records, plus the faults held, coalesced or dropped.
     *
     * @return the count.
     */
    public long producedCount()
    {
        return dispatcher.produced();
    }

    /**
     * The details of the fault being delivered (ids, access, count, overflow): valid only inside a fault handler,
     * on the dispatching thread.
     *
     * @return the reused details instance.
     */
    public FaultDetails currentFault()
    {
        return dispatcher.details();
    }

    /**
     * {@code RegisterInterfaceStateChangeCallback} (spec 2.22), once the core has checked its arguments. Installs
     * callback for the device, then calls it once, synchronously on the calling thread before returning, with
     * {@code PresentFields} = all watched (known) bits and the device's available domain types read after the
     * install (spec 5.6 item 41), so that no change is lost between the read and the install: a change before the
     * install is in the read, a change after it reaches the callback after this first call. The dispatcher never
     * runs the callback at the same time as that first call, and only after it.
     *
     * @param callback             the callback.
     * @param context              passed back to the callback, may be null.
     * @param deviceId             the DMA device, {@code >= 0}.
     * @param watchedFields        which states to watch, IommuInterfaceStateChangeFields bits; only the known bits
     *                             are watched, reserved bits are ignored (spec 5.6 item 42), but at least one known
     *                             bit must be set.
     * @param availableDomainTypes reads the device's available domain types, once, after the install.
     * @return true when installed, the first call having been made before returning; false, with nothing installed
     * and no call made, when the device already has a registration or after close.
     * @throws NullPointerException     when callback or availableDomainTypes is null.
     * @throws IllegalArgumentException when deviceId is negative or watchedFields has no known bit
     *                                  ({@link IommuInterfaceStateChangeFields#AVAILABLE_DOMAIN_TYPES}).
     */
    public boolean registerStateChangeCallback(
        final IommuInterfaceStateChangeCallback callback,
        final Object context,
        final long deviceId,
        final int watchedFields,
        final IntSupplier availableDomainTypes)
    {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(availableDomainTypes, "availableDomainTypes");
        checkDeviceId(deviceId);
        final int watched = watchedFields & IommuInterfaceStateChangeFields.AVAILABLE_DOMAIN_TYPES;
        if (0 == watched)
        {
            throw new IllegalArgumentException(
                "watchedFields has no known state bit: 0x" + Integer.toHexString(watchedFields));
        }
        // The gate starts RUNNING on this thread: the dispatcher cannot run the callback until the first call
        // below has returned, and a close or unregister waits for it.
        final CallbackRegistry.StateChangeRegistration registration =
            new CallbackRegistry.StateChangeRegistration(callback, context, watched, new CallbackGate(true));
        if (!registry.install(deviceId, registration))
        {
            registration.gate.exit();
            return false;
        }
        // Read the state only now that the registration is installed: a change from here on finds it (and its record
        // or pending mark reaches the callback after this first call); a change before the install is in this read.
        // The changes numbered before the read count as shown by this first call.
        registration.shownSequence((int)(registration.lvLatest() >>> 32));
        final int current = availableDomainTypes.getAsInt();
        final IommuInterfaceStateChange initial =
            new IommuInterfaceStateChange().presentFields(watched).availableDomainTypes(current);
        try
        {
            callback.onStateChange(initial, context);
        }
        catch (final Throwable ex)
        {
            dispatcher.onCallbackError(ex);
        }
        finally
        {
            registration.gate.exit();
        }
        return true;
    }

    /**
     * {@code UnregisterInterfaceStateChangeCallback} (spec 2.23), once the core has checked its arguments. Returns
     * only when the callback is not running and will never run again for this registration (spec 5.6 item 44);
     * called from inside that callback, returns at once and the callback is not called again after it returns.
     * Works after close too: the owner may still unregister what it registered.
     *
     * @param callback the callback.
     * @param deviceId the DMA device, {@code >= 0}.
     * @return true when removed; false, changing nothing, when that callback is not registered for that device.
     * @throws NullPointerException     when callback is null.
     * @throws IllegalArgumentException when deviceId is negative.
     */
    public boolean unregisterStateChangeCallback(final IommuInterfaceStateChangeCallback callback, final long deviceId)
    {
        Objects.requireNonNull(callback, "callback");
        checkDeviceId(deviceId);
        final CallbackRegistry.StateChangeRegistration registration = registry.remove(deviceId, callback);
        if (null == registration)
        {
            return false;
        }
        registration.gate.close();
        return true;
    }

    /**
     * The thread running a device's state-change callback now, for diagnostics (the core's verifier reports an
     * unregister while the callback runs): a snapshot, not a synchronisation point.
     *
     * @param callback the callback.
     * @param deviceId the DMA device, {@code >= 0}.
     * @return the thread inside the callback, or null when it is not running or is not the device's registered one.
     */
    public Thread stateChangeCallbackRunner(final IommuInterfaceStateChangeCallback callback, final long deviceId)
    {
        final CallbackRegistry.StateChangeRegistration registration = registry.stateChange(deviceId);
        return null == registration || registration.callback != callback ? null : registration.gate.runner();
    }

    /**
     * Turns fault reporting of a device on or off (spec 2.18 {@code SetDeviceFaultReporting}, as the core
     * implements it once it has checked the device and its arguments). Enabling when already enabled replaces the
     * handler; disabling when not enabled is done too (spec 5.6 item 47), and so is disabling after close.
     * Disabling or replacing returns only when the previous handler is not running and will not run again (unless
     * called from inside it).
     *
     * @param deviceId           the device, {@code >= 0}.
     * @param enable             true to report faults to the handler, false to stop.
     * @param faultConfiguration the handler and its context, required when enabling, ignored when disabling; copied,
     *                           so the caller may reuse it.
     * @return true when done; false, changing nothing, when enabling after close.
     * @throws IllegalArgumentException when deviceId is negative, or when enabling with a null configuration or a
     *                                  configuration without a handler.
     */
    public boolean setDeviceFaultReporting(
        final long deviceId, final boolean enable, final DeviceFaultConfiguration faultConfiguration)
    {
        checkDeviceId(deviceId);
        if (enable && null == faultConfiguration)
        {
            throw new IllegalArgumentException("faultConfiguration is required when enabling");
        }
        if (enable && null == faultConfiguration.faultHandler())
        {
            throw new IllegalArgumentException("faultConfiguration has no faultHandler");
        }
        final CallbackRegistry.FaultRegistration old = registry.swapFault(
            deviceId,
            enable ?
                new CallbackRegistry.FaultRegistration(
                    faultConfiguration.faultHandler(), faultConfiguration.faultContext()) :
                null);
        if (CallbackRegistry.CLOSED_FAULT == old)
        {
            return false;
        }
        if (null != old)
        {
            old.gate.close();
        }
        return true;
    }

    /**
     * Adds a listener for map and unmap notifications.
     *
     * @param listener the listener.
     * @return true when added; false, changing nothing, when already added or after close.
     * @throws NullPointerException when listener is null.
     */
    public boolean addMappingListener(final MappingListener listener)
    {
        Objects.requireNonNull(listener, "listener");
        return registry.addListener(listener);
    }

    /**
     * Removes a mapping listener; returns only when it is not running and will not run again (unless called from
     * inside it).
     *
     * @param listener the listener.
     * @return true when removed; false, changing nothing, when not added.
     * @throws NullPointerException when listener is null.
     */
    public boolean removeMappingListener(final MappingListener listener)
    {
        Objects.requireNonNull(listener, "listener");
        final CallbackRegistry.MappingRegistration registration = registry.removeListener(listener);
        if (null == registration)
        {
            return false;
        }
        registration.gate.close();
        return true;
    }

    private static void checkDeviceId(final long deviceId)
    {
        if (deviceId < 0)
        {
            throw new IllegalArgumentException("deviceId must be >= 0: " + deviceId);
        }
    }

    /**
     * One duty cycle of the dispatcher, for embedders that drive it from their own loop (and deterministic tests):
     * delivers up to {@link Context#dispatchLimit()} ring records, then the faults held while the ring was full.
     * Returns 0 without doing anything when called from inside a callback, while another thread is in doWork, or
     * after close.
     *
     * @return the number of records handled (0 when idle).
     * @throws IllegalStateException when the dispatcher runs on its own agent thread.
     */
    public int doWork()
    {
        if (null != agentRunner)
        {
            throw new IllegalStateException("the dispatcher runs on its own thread");
        }
        if (isClosed() || !DISPATCHER_OWNER_VH.compareAndSet(this, null, Thread.currentThread()))
        {
            return 0;
        }
        try
        {
            final int work = dispatcher.doWork();
            dispatcher.publishCounters();
            return work;
        }
        finally
        {
            // Release: the next owner (another embedder thread, or close) sees this cycle's dispatcher state.
            DISPATCHER_OWNER_VH.setRelease(this, null);
        }
    }

    /**
     * Whether close has begun.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return (boolean)CLOSED_VH.getAcquire(this);
    }

    /**
     * Stops: producers get {@link PublishResult#CLOSED} from now on; the dispatcher thread (if any) is stopped;
     * what is left in the ring is delivered ({@link Context#closeDrains(boolean)} true, the default) or counted as
     * discarded; then every registration is closed, waiting for callbacks running on other threads (the first
     * call of a concurrent registration). When it returns, no callback runs and none will. Events a producer
     * commits while close runs may be neither delivered nor counted. Idempotent. Must not be called from inside a
     * callback. The agent thread is named after the agent's role, "iommu-notifications".
     *
     * @throws IllegalStateException when called from inside a callback on the dispatching thread.
     */
    public void close()
    {
        if (isClosed())
        {
            return;
        }
        if (null != agentRunner && Thread.currentThread() == agentRunner.thread() ||
            Thread.currentThread() == DISPATCHER_OWNER_VH.getAcquire(this))
        {
            throw new IllegalStateException("close() called from inside a callback");
        }
        if (!CLOSED_VH.compareAndSet(this, false, true))
        {
            return;
        }
        publisher.close();
        if (null != agentRunner)
        {
            // Joins the agent thread: after this, the dispatcher runs only on this thread.
            agentRunner.close();
        }
        else
        {
            // Wait for an embedder thread inside doWork() to leave; doWork() refuses new cycles once closed.
            while (!DISPATCHER_OWNER_VH.compareAndSet(this, null, Thread.currentThread()))
            {
                Thread.onSpinWait();
            }
        }
        if (context.closeDrains())
        {
            while (dispatcher.doWork() > 0)
            {
                Thread.onSpinWait();
            }
        }
        else
        {
            dispatcher.discardAll();
        }
        registry.close();
        dispatcher.publishCounters();
    }

    /**
     * Configuration of {@link Notifications}, validated once by {@link #conclude()} (Aeron style).
     */
    public static final class Context
    {
        /** Default ring capacity: 1 MiB, 16384 records. */
        public static final int DEFAULT_RING_CAPACITY = 1024 * 1024;
        /** Smallest ring capacity. */
        public static final int MIN_RING_CAPACITY = 4096;
        /** Default number of fault recorder slots. */
        public static final int DEFAULT_FAULT_RECORDER_SLOTS = 64;
        /** Default number of ring records per duty cycle. */
        public static final int DEFAULT_DISPATCH_LIMIT = 256;

        private boolean concluded;
        private int ringCapacity = DEFAULT_RING_CAPACITY;
        private int faultRecorderSlots = DEFAULT_FAULT_RECORDER_SLOTS;
        private int dispatchLimit = DEFAULT_DISPATCH_LIMIT;
        private boolean useAgentThread = true;
        private IdleStrategy idleStrategy;
        private ThreadFactory threadFactory;
        private File countersDirectory;
        private boolean closeDrains = true;
        private HandleResolver handleResolver = HandleResolver.NONE;
        private ErrorHandler errorHandler;

        /**
         * A context with the defaults.
         */
        public Context()
        {
        }

        /**
         * Validates the configuration and fills in defaults. Called by {@link Notifications#launch(Context)};
         * a second call throws.
         *
         * @return this.
         * @throws IllegalArgumentException when a value is out of range.
         * @throws IllegalStateException    when already concluded.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("context already concluded");
            }
            if (ringCapacity < MIN_RING_CAPACITY || !BitUtil.isPowerOfTwo(ringCapacity))
            {
                throw new IllegalArgumentException(
                    "ringCapacity must be a power of two >= " + MIN_RING_CAPACITY + ": " + ringCapacity);
            }
            if (faultRecorderSlots < 1 || !BitUtil.isPowerOfTwo(faultRecorderSlots) || faultRecorderSlots > 65536)
            {
                throw new IllegalArgumentException(
                    "faultRecorderSlots must be a power of two in [1, 65536]: " + faultRecorderSlots);
            }
            if (dispatchLimit < 1)
            {
                throw new IllegalArgumentException("dispatchLimit must be positive: " + dispatchLimit);
            }
            if (null == handleResolver)
            {
                throw new IllegalArgumentException("handleResolver must not be null");
            }
            if (null == idleStrategy)
            {
                idleStrategy = new BackoffIdleStrategy();
            }
            if (null == threadFactory)
            {
                threadFactory = runnable ->
                {
                    final Thread thread = new Thread(runnable, "iommu-notifications");
                    thread.setDaemon(true);
                    return thread;
                };
            }
            if (null == errorHandler)
            {
                errorHandler = Throwable::printStackTrace;
            }
            concluded = true;
            return this;
        }

        private void checkNotConcluded()
        {
            if (concluded)
            {
                throw new IllegalStateException("context already concluded");
            }
        }

        /**
         * Ring capacity in bytes (a power of two, at least {@link #MIN_RING_CAPACITY}); holds capacity / 64 records.
         *
         * @return the capacity.
         */
        public int ringCapacity()
        {
            return ringCapacity;
        }

        /**
         * Sets the ring capacity.
         *
         * @param ringCapacity bytes, a power of two, at least {@link #MIN_RING_CAPACITY}.
         * @return this.
         */
        public Context ringCapacity(final int ringCapacity)
        {
            checkNotConcluded();
            this.ringCapacity = ringCapacity;
            return this;
        }

        /**
         * Number of slots holding faults while the ring is full (a power of two, 1 to 65536).
         *
         * @return the slot count.
         */
        public int faultRecorderSlots()
        {
            return faultRecorderSlots;
        }

        /**
         * Sets the number of fault recorder slots.
         *
         * @param faultRecorderSlots a power of two, 1 to 65536.
         * @return this.
         */
        public Context faultRecorderSlots(final int faultRecorderSlots)
        {
            checkNotConcluded();
            this.faultRecorderSlots = faultRecorderSlots;
            return this;
        }

        /**
         * Maximum ring records delivered per duty cycle.
         *
         * @return the limit.
         */
        public int dispatchLimit()
        {
            return dispatchLimit;
        }

        /**
         * Sets the maximum ring records delivered per duty cycle.
         *
         * @param dispatchLimit positive.
         * @return this.
         */
        public Context dispatchLimit(final int dispatchLimit)
        {
            checkNotConcluded();
            this.dispatchLimit = dispatchLimit;
            return this;
        }

        /**
         * Whether the dispatcher runs on its own thread (true, the default) or is driven by
         * {@link Notifications#doWork()}.
         *
         * @return true for an agent thread.
         */
        public boolean useAgentThread()
        {
            return useAgentThread;
        }

        /**
         * Chooses the dispatching mode.
         *
         * @param useAgentThread true for an own agent thread, false for {@link Notifications#doWork()}.
         * @return this.
         */
        public Context useAgentThread(final boolean useAgentThread)
        {
            checkNotConcluded();
            this.useAgentThread = useAgentThread;
            return this;
        }

        /**
         * The agent thread's idle strategy (default: Agrona's {@link BackoffIdleStrategy}).
         *
         * @return the strategy, null before conclude when not set.
         */
        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * Sets the agent thread's idle strategy, e.g. a {@code BusySpinIdleStrategy} for the lowest latency.
         *
         * @param idleStrategy the strategy.
         * @return this.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            checkNotConcluded();
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * The factory of the agent thread (default: a daemon thread named "iommu-notifications").
         *
         * @return the factory, null before conclude when not set.
         */
        public ThreadFactory threadFactory()
        {
            return threadFactory;
        }

        /**
         * Sets the factory of the agent thread.
         *
         * @param threadFactory the factory.
         * @return this.
         */
        public Context threadFactory(final ThreadFactory threadFactory)
        {
            checkNotConcluded();
            this.threadFactory = threadFactory;
            return this;
        }

        /**
         * Directory of the memory-mapped counters file, or null (the default) for counters in direct memory.
         *
         * @return the directory or null.
         */
        public File countersDirectory()
        {
            return countersDirectory;
        }

        /**
         * Puts the counters in a memory-mapped file ({@link CountersFileDescriptor#FILE_NAME}) in a directory, so
         * that another process can read them ({@link NotificationCounters#mapReader(File)}).
         *
         * @param countersDirectory the directory (created when missing), or null for direct memory.
         * @return this.
         */
        public Context countersDirectory(final File countersDirectory)
        {
            checkNotConcluded();
            this.countersDirectory = countersDirectory;
            return this;
        }

        /**
         * Whether close delivers what is left in the ring (true, the default) or discards it, counted.
         *
         * @return true to drain.
         */
        public boolean closeDrains()
        {
            return closeDrains;
        }

        /**
         * Chooses what close does with undelivered events.
         *
         * @param closeDrains true to deliver them, false to count them as discarded.
         * @return this.
         */
        public Context closeDrains(final boolean closeDrains)
        {
            checkNotConcluded();
            this.closeDrains = closeDrains;
            return this;
        }

        /**
         * Resolves fault record ids to the handles of FAULT_INFORMATION (default: {@link HandleResolver#NONE}).
         *
         * @return the resolver.
         */
        public HandleResolver handleResolver()
        {
            return handleResolver;
        }

        /**
         * Sets the resolver of fault record ids.
         *
         * @param handleResolver the resolver, not null.
         * @return this.
         */
        public Context handleResolver(final HandleResolver handleResolver)
        {
            checkNotConcluded();
            this.handleResolver = handleResolver;
            return this;
        }

        /**
         * Where exceptions thrown by callbacks (and by the agent) are reported, besides the CALLBACK_ERRORS counter
         * (default: print the stack trace).
         *
         * @return the handler, null before conclude when not set.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * Sets where callback exceptions are reported.
         *
         * @param errorHandler the handler.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            checkNotConcluded();
            this.errorHandler = errorHandler;
            return this;
        }
    }
}
