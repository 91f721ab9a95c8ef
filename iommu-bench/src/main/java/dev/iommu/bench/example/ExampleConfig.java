/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import java.util.Arrays;
import java.util.Set;

import dev.iommu.bench.cli.Options;
import dev.iommu.bench.cli.UsageException;
import dev.iommu.core.BehaviourProfile;

/**
 * What one run of the {@link EmbeddingExample} does: queue pairs (each with a device thread and a driver thread),
 * how many packets and for how long at most, the ring size, and the packet of queue 0 whose buffer the driver
 * unmaps too early.
 */
final class ExampleConfig
{
    /** The command line, for messages. */
    static final String USAGE = "usage: ./iommu example [--threads N] [--packets N] [--duration D] [--ring N] " +
        "[--profile documented|observed] [--verifier]";
    /** What the options mean, for {@code --help}. */
    static final String HELP = USAGE + System.lineSeparator() +
        "  --threads N    queue pairs, each with a device thread and a driver thread (1 to 8, default 2)" +
        System.lineSeparator() +
        "  --packets N    packets to send over all queues (default: as many as --duration allows)" +
        System.lineSeparator() +
        "  --duration D   the longest the traffic runs: 500ms, 5s, 2m (100ms to 10m, default 5s)" +
        System.lineSeparator() +
        "  --ring N       descriptors per ring, a power of two (16 to 1024, default 256)" +
        System.lineSeparator() +
        "  --profile P    documented (the default: the documented contract) or observed (Windows as observed)" +
        System.lineSeparator() +
        "  --verifier     run the DMA verifier: the run fails on any report but the one planted fault";

    private int queues = 2;
    private long packets = Long.MAX_VALUE;
    private long durationNs = 5_000_000_000L;
    private int ringSize = 256;
    private long faultAt = 1000;
    private long corruptAt = -1;
    private BehaviourProfile profile = BehaviourProfile.DOCUMENTED;
    private boolean verifier;

    /**
     * Parses the example's options.
     *
     * @param args the arguments after {@code example}.
     * @return the configuration, or null when {@code --help} was asked for.
     * @throws UsageException for a bad option or value.
     */
    static ExampleConfig parse(final String[] args)
    {
        final Options options = Options.parse(
            "example", Arrays.asList(args), Set.of("help", "verifier"),
            Set.of("threads", "packets", "duration", "ring", "profile"));
        if (options.has("help"))
        {
            return null;
        }
        final ExampleConfig config = new ExampleConfig()
            .queues((int)options.number("threads", 2, 1, 8))
            .durationNs(options.duration("duration", 5_000_000_000L, 100_000_000L, 600_000_000_000L));
        final long ring = options.number("ring", 256, 16, 1024);
        if (Long.bitCount(ring) != 1)
        {
            throw new UsageException("example: --ring must be a power of two, not " + ring);
        }
        config.ringSize((int)ring);
        config.profile(profile(options.text("profile", "documented"))).verifier(options.has("verifier"));
        if (options.has("packets"))
        {
            config.packets(options.number("packets", 0, config.queues(), 1_000_000_000_000L));
        }
        return config;
    }

    /**
     * The profile named on the command line.
     *
     * @param name documented or observed.
     * @return the profile.
     * @throws UsageException for another name.
     */
    static BehaviourProfile profile(final String name)
    {
        switch (name)
        {
            case "documented":
                return BehaviourProfile.DOCUMENTED;
            case "observed":
                return BehaviourProfile.OBSERVED_WINDOWS;
            default:
                throw new UsageException("example: --profile must be documented or observed, not " + name);
        }
    }

    BehaviourProfile profile()
    {
        return profile;
    }

    ExampleConfig profile(final BehaviourProfile profile)
    {
        this.profile = profile;
        return this;
    }

    boolean verifier()
    {
        return verifier;
    }

    ExampleConfig verifier(final boolean verifier)
    {
        this.verifier = verifier;
        return this;
    }

    int queues()
    {
        return queues;
    }

    ExampleConfig queues(final int queues)
    {
        this.queues = queues;
        return this;
    }

    /**
     * Packets to send over all queues together, Long.MAX_VALUE for as many as the duration allows.
     *
     * @return the count.
     */
    long packets()
    {
        return packets;
    }

    ExampleConfig packets(final long packets)
    {
        this.packets = packets;
        return this;
    }

    /**
     * The packets queue {@code queue} sends: an equal share of {@link #packets()}.
     *
     * @param queue the queue.
     * @return the count.
     */
    long packetsOf(final int queue)
    {
        if (packets == Long.MAX_VALUE)
        {
            return Long.MAX_VALUE;
        }
        return packets / queues + (queue < packets % queues ? 1 : 0);
    }

    long durationNs()
    {
        return durationNs;
    }

    ExampleConfig durationNs(final long durationNs)
    {
        this.durationNs = durationNs;
        return this;
    }

    int ringSize()
    {
        return ringSize;
    }

    ExampleConfig ringSize(final int ringSize)
    {
        this.ringSize = ringSize;
        return this;
    }

    /**
     * The packet of queue 0 sent from a buffer unmapped too early: packet 1000, or the middle of a shorter run.
     *
     * @return the sequence number.
     */
    long faultSequence()
    {
        return Math.min(faultAt, (packetsOf(0) - 1) / 2);
    }

    long corruptAt()
    {
        return corruptAt;
    }

    /**
     * Test hook: damages the payload of one packet of queue 0 after its checksum was taken.
     *
     * @param sequence the packet, -1 for none.
     * @return this.
     */
    ExampleConfig corruptAt(final long sequence)
    {
        this.corruptAt = sequence;
        return this;
    }
}
