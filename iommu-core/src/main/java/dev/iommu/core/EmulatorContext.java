/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.File;
import java.nio.file.Path;

import dev.iommu.core.platform.Platform;

/**
 * Configuration of an {@link IommuEmulator}, validated once by {@link #conclude()} (Aeron style): set what differs
 * from the defaults, then {@link IommuEmulator#launch(EmulatorContext)}. A concluded context cannot be changed.
 */
public final class EmulatorContext
{
    /** Default IOTLB entries per domain. */
    public static final int DEFAULT_IOTLB_ENTRIES = 4096;
    /** Default capacity of the notification ring in bytes (64-byte records). */
    public static final int DEFAULT_NOTIFICATION_RING_BYTES = 1 << 20;
    /** The smallest notification ring. */
    public static final int MIN_NOTIFICATION_RING_BYTES = 4096;
    /** Where a persistent emulator publishes its counters when no counters directory is given. */
    public static final String COUNTERS_SUBDIRECTORY = "counters";

    private boolean concluded;
    private Platform platform;
    private Path persistentDirectory;
    private boolean largePages = true;
    private int iotlbEntries = DEFAULT_IOTLB_ENTRIES;
    private boolean iotlbHitCounting;
    private IotlbInvalidation iotlbInvalidation = IotlbInvalidation.STRICT;
    private int deferredBatchSize = 64;
    private long deferredMaxDelayNs = 1_000_000L;
    private File countersDirectory;
    private long countersRefreshNs = 100_000_000L;
    private boolean dispatcherThread = true;
    private int notificationRingBytes = DEFAULT_NOTIFICATION_RING_BYTES;
    private BehaviourProfile profile = BehaviourProfile.DOCUMENTED;
    private boolean verifier;
    private VerifierListener verifierListener;
    private boolean verifierFatal;
    private FailureInjection failureInjection;

    /**
     * Checks the configuration.
     *
     * @return this.
     * @throws IllegalStateException    when already concluded.
     * @throws IllegalArgumentException when a value is missing or out of range.
     */
    public EmulatorContext conclude()
    {
        mutable();
        if (null == platform)
        {
            throw new IllegalArgumentException("a platform is required");
        }
        if (iotlbEntries < 0)
        {
            throw new IllegalArgumentException("iotlbEntries must be >= 0: " + iotlbEntries);
        }
        if (null == iotlbInvalidation)
        {
            throw new IllegalArgumentException("iotlbInvalidation is required");
        }
        if (deferredBatchSize < 1 || deferredMaxDelayNs < 0)
        {
            throw new IllegalArgumentException("deferred flush needs batchSize >= 1 and maxDelayNs >= 0");
        }
        if (countersRefreshNs < 1_000_000L)
        {
            throw new IllegalArgumentException("countersRefreshNs must be at least 1 ms: " + countersRefreshNs);
        }
        if (notificationRingBytes < MIN_NOTIFICATION_RING_BYTES || Integer.bitCount(notificationRingBytes) != 1)
        {
            throw new IllegalArgumentException("notificationRingBytes must be a power of two >= " +
                MIN_NOTIFICATION_RING_BYTES + ": " + notificationRingBytes);
        }
        if (null == profile)
        {
            throw new IllegalArgumentException("profile is required");
        }
        if (!verifier && (null != verifierListener || verifierFatal))
        {
            throw new IllegalArgumentException("a verifier listener or a fatal verifier needs verifier(true)");
        }
        if (null != persistentDirectory && profile == BehaviourProfile.OBSERVED_WINDOWS)
        {
            // The observed engine frees an allocator block by the unmap's first address, not through the block
            // ledger a reopen rebuilds, and its maps are not recorded in flight: not persisted yet.
            throw new IllegalArgumentException("persistentDirectory needs the documented profile: the observed " +
                "profile's emulator does not persist yet");
        }
        if (null != persistentDirectory && java.nio.file.Files.exists(persistentDirectory) &&
            !java.nio.file.Files.isDirectory(persistentDirectory))
        {
            throw new IllegalArgumentException("persistentDirectory is not a directory: " + persistentDirectory);
        }
        if (null != persistentDirectory && null == countersDirectory)
        {
            // Beside the state: `iommu stat --dir <directory>/counters` finds the emulator before and after a restart.
            countersDirectory = persistentDirectory.resolve(COUNTERS_SUBDIRECTORY).toFile();
        }
        if (null != failureInjection && failureInjection.armed())
        {
            throw new IllegalArgumentException("arm the failure injection after launch: " + failureInjection);
        }
        concluded = true;
        return this;
    }

    private void mutable()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
    }

    /**
     * @return the emulated machine.
     */
    public Platform platform()
    {
        return platform;
    }

    /**
     * @param platform the emulated machine (required).
     * @return this.
     */
    public EmulatorContext platform(final Platform platform)
    {
        mutable();
        this.platform = platform;
        return this;
    }

    /**
     * @return whether state changes and faults are delivered by a dispatcher thread of the emulator's own.
     */
    public boolean dispatcherThread()
    {
        return dispatcherThread;
    }

    /**
     * @param dispatcherThread true (the default): a daemon thread delivers state changes and faults to the driver's
     *                         callbacks; false: the embedder delivers them from its own loop by calling
     *                         {@link IommuEmulator#deliverNotifications()} (deterministic tests, event loops).
     * @return this.
     */
    public EmulatorContext dispatcherThread(final boolean dispatcherThread)
    {
        mutable();
        this.dispatcherThread = dispatcherThread;
        return this;
    }

    /**
     * @return the capacity of the notification ring in bytes.
     */
    public int notificationRingBytes()
    {
        return notificationRingBytes;
    }

    /**
     * @param notificationRingBytes the capacity of the notification ring, a power of two of at least 4096 bytes (64
     *                              bytes a record); a full ring drops state changes and coalesces faults.
     * @return this.
     */
    public EmulatorContext notificationRingBytes(final int notificationRingBytes)
    {
        mutable();
        this.notificationRingBytes = notificationRingBytes;
        return this;
    }

    /**
     * @return the directory holding the emulator's state, or null when nothing is kept.
     */
    public Path persistentDirectory()
    {
        return persistentDirectory;
    }

    /**
     * Keeps the emulator's state in files of a directory (made when missing): the page tables
     * ({@value IommuEmulator#TABLES_FILE}), the context table of domains, devices, tokens and PASID sub-devices
     * (Chronicle Map files), and the log of map and unmap calls in flight. An emulator launched on a directory that
     * holds state finds every domain, device and token again, with every mapping a call had returned, whether the
     * previous owner closed it or was killed ({@link IommuEmulator#recoveryReport()} says what recovery repaired);
     * callbacks and fault handlers are registered again by the embedder. One emulator at a time owns a directory; a
     * second one is refused with a {@link PersistenceException}. Without a directory (the default) nothing is kept
     * and nothing is written.
     *
     * @param directory the directory, or null.
     * @return this.
     */
    public EmulatorContext persistentDirectory(final Path directory)
    {
        mutable();
        this.persistentDirectory = directory;
        return this;
    }

    /**
     * @return whether 2 MiB and 1 GiB leaves are used where the IOMMUs support them.
     */
    public boolean largePages()
    {
        return largePages;
    }

    /**
     * @param largePages use 2 MiB and 1 GiB leaves when address, physical address and length are aligned.
     * @return this.
     */
    public EmulatorContext largePages(final boolean largePages)
    {
        mutable();
        this.largePages = largePages;
        return this;
    }

    /**
     * @return whether IOTLB hits are counted.
     */
    public boolean iotlbHitCounting()
    {
        return iotlbHitCounting;
    }

    /**
     * @param on count software IOTLB hits (the "iotlb hits" counter). Off by default: the count is a store on every
     *           hit, which a tight translate loop pays with about a third of its speed; misses are always counted.
     * @return this.
     */
    public EmulatorContext iotlbHitCounting(final boolean on)
    {
        mutable();
        this.iotlbHitCounting = on;
        return this;
    }

    /**
     * @return software IOTLB entries per domain (0: none).
     */
    public int iotlbEntries()
    {
        return iotlbEntries;
    }

    /**
     * @param iotlbEntries software IOTLB entries per domain (0: none).
     * @return this.
     */
    public EmulatorContext iotlbEntries(final int iotlbEntries)
    {
        mutable();
        this.iotlbEntries = iotlbEntries;
        return this;
    }

    /**
     * @return when unmapped translations leave the software IOTLB.
     */
    public IotlbInvalidation iotlbInvalidation()
    {
        return iotlbInvalidation;
    }

    /**
     * @param iotlbInvalidation STRICT (unmap invalidates, the default) or DEFERRED (batched).
     * @return this.
     */
    public EmulatorContext iotlbInvalidation(final IotlbInvalidation iotlbInvalidation)
    {
        mutable();
        this.iotlbInvalidation = iotlbInvalidation;
        return this;
    }

    /**
     * @return the directory of the counters file, or null for counters in memory only.
     */
    public File countersDirectory()
    {
        return countersDirectory;
    }

    /**
     * @param countersDirectory a directory for the counters file that {@code iommu stat} reads from another process
     *                          (notifications and emulator gauges), or null (the default: none, or with a
     *                          {@link #persistentDirectory} its {@value #COUNTERS_SUBDIRECTORY} subdirectory).
     * @return this.
     */
    public EmulatorContext countersDirectory(final File countersDirectory)
    {
        mutable();
        this.countersDirectory = countersDirectory;
        return this;
    }

    /**
     * @return how often the gauges are sampled when a counters directory is set, in nanoseconds.
     */
    public long countersRefreshNs()
    {
        return countersRefreshNs;
    }

    /**
     * @param countersRefreshNs how often the gauges are sampled when a counters directory is set (at least 1 ms).
     * @return this.
     */
    public EmulatorContext countersRefreshNs(final long countersRefreshNs)
    {
        mutable();
        this.countersRefreshNs = countersRefreshNs;
        return this;
    }

    /**
     * @return invalidations queued before a deferred flush.
     */
    public int deferredBatchSize()
    {
        return deferredBatchSize;
    }

    /**
     * @return the longest a deferred invalidation waits, in nanoseconds.
     */
    public long deferredMaxDelayNs()
    {
        return deferredMaxDelayNs;
    }

    /**
     * @param batchSize  invalidations queued before a flush, at least 1.
     * @param maxDelayNs the longest an invalidation waits, in nanoseconds.
     * @return this.
     */
    public EmulatorContext deferredFlush(final int batchSize, final long maxDelayNs)
    {
        mutable();
        this.deferredBatchSize = batchSize;
        this.deferredMaxDelayNs = maxDelayNs;
        return this;
    }

    /**
     * @return the behaviour profile: which answers the interface gives where the docs and Windows differ.
     */
    public BehaviourProfile profile()
    {
        return profile;
    }

    /**
     * @param profile {@link BehaviourProfile#DOCUMENTED} (the default) or {@link BehaviourProfile#OBSERVED_WINDOWS}.
     *                The observed profile maps with 4 KiB leaves only, whatever {@link #largePages(boolean)} says.
     * @return this.
     */
    public EmulatorContext profile(final BehaviourProfile profile)
    {
        mutable();
        this.profile = profile;
        return this;
    }

    /**
     * @return whether the DMA verifier is on.
     */
    public boolean verifier()
    {
        return verifier;
    }

    /**
     * @param verifier turn the DMA verifier on: its reports are counted (in the counters buffer) and handed to the
     *                 {@link #verifierListener(VerifierListener)}; off by default.
     * @return this.
     */
    public EmulatorContext verifier(final boolean verifier)
    {
        mutable();
        this.verifier = verifier;
        return this;
    }

    /**
     * @return the listener of the verifier's reports, or null.
     */
    public VerifierListener verifierListener()
    {
        return verifierListener;
    }

    /**
     * @param listener receives each verifier report (needs {@link #verifier(boolean)}).
     * @return this.
     */
    public EmulatorContext verifierListener(final VerifierListener listener)
    {
        mutable();
        this.verifierListener = listener;
        return this;
    }

    /**
     * @return whether a verifier report makes the call throw {@link VerifierException}.
     */
    public boolean verifierFatal()
    {
        return verifierFatal;
    }

    /**
     * @param fatal make the call that breaks a verifier rule throw {@link VerifierException} once its effects are in
     *              place, like a bug check (needs {@link #verifier(boolean)}).
     * @return this.
     */
    public EmulatorContext verifierFatal(final boolean fatal)
    {
        mutable();
        this.verifierFatal = fatal;
        return this;
    }

    /**
     * @return the failure injection the emulator's allocation points consult, or null (the default).
     */
    public FailureInjection failureInjection()
    {
        return failureInjection;
    }

    /**
     * @param injection a test hook that fails the n-th allocation ({@link FailureInjection}), disarmed at launch; or
     *                  null for none (the default: no hook on any hot path).
     * @return this.
     */
    public EmulatorContext failureInjection(final FailureInjection injection)
    {
        mutable();
        this.failureInjection = injection;
        return this;
    }
}
